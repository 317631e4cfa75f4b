/**
 * A client of an MLflow tracking server's public REST API 2.0 (and its artifact proxy), over
 * `fetch`: the same code runs in the page and in Node (tests, bench). No server code of ours.
 * Errors say what failed in words for a person: the server's own `{error_code, message}`, a
 * refused login, or a request the network or the browser (CORS) refused.
 */
import type { ServerAuth, ServerConfig } from '../storage/remote-records';

export type { ServerAuth, ServerConfig };

export type RemoteErrorKind = 'network' | 'auth' | 'http' | 'cancelled' | 'protocol';

export class RemoteError extends Error {
  constructor(readonly kind: RemoteErrorKind, message: string, readonly status = 0, readonly errorCode = '') {
    super(message);
    this.name = 'RemoteError';
  }
}

export type FetchFn = typeof fetch;

export interface ClientOptions {
  fetch?: FetchFn;
  signal?: AbortSignal;
  /** Called with the bytes of every request body sent (progress in bytes). */
  onBytes?: (n: number) => void;
}

const enc = new TextEncoder();

function base64(text: string): string {
  const bytes = enc.encode(text);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** The Authorization header a server's credentials give, if any. */
export function authHeader(server: ServerConfig): string | null {
  const a = server.auth;
  if (!a || a.kind === 'none') return null;
  if (a.kind === 'basic') return `Basic ${base64(`${a.user}:${a.password}`)}`;
  return `Bearer ${a.token}`;
}

/** `http://host:5000/` → `http://host:5000` (no trailing slash), checked. */
export function normalizeUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new RemoteError('protocol', `"${url}" is not a URL: write it as http://host:port`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RemoteError('protocol', `"${url}": only http:// and https:// servers are supported`);
  return u.href.replace(/\/+$/, '');
}

/** Strips the scheme (and authority) of an `mlflow-artifacts:` URI: the path under the proxy. */
export function proxiedArtifactPath(uri: string): string | null {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri);
  return m ? m[1].replace(/\/+$/, '') : null;
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

export class MlflowClient {
  readonly base: string;
  private readonly fetchFn: FetchFn;
  private readonly auth: string | null;

  constructor(readonly server: ServerConfig, private readonly options: ClientOptions = {}) {
    this.base = normalizeUrl(server.url);
    this.fetchFn = options.fetch ?? ((...a) => globalThis.fetch(...a));
    this.auth = authHeader(server);
  }

  /** A client of the same server with another signal / progress callback. */
  with(options: ClientOptions): MlflowClient {
    return new MlflowClient(this.server, { ...this.options, ...options });
  }

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = {};
    if (json) h['Content-Type'] = 'application/json';
    if (this.auth) h.Authorization = this.auth;
    return h;
  }

  private async send(path: string, init: RequestInit, what: string): Promise<Response> {
    const signal = this.options.signal;
    if (signal?.aborted) throw new RemoteError('cancelled', 'Cancelled');
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, { ...init, signal, credentials: 'omit' });
    } catch (e) {
      if (signal?.aborted) throw new RemoteError('cancelled', 'Cancelled');
      throw new RemoteError('network', `${what}: no answer from ${this.base} (${e instanceof Error ? e.message : String(e)}). The server is down, unreachable, or refused this page (CORS).`);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let code = '';
    let message = text.slice(0, 500);
    try {
      const j = JSON.parse(text) as { error_code?: string; message?: string };
      code = j.error_code ?? '';
      message = j.message ?? message;
    } catch { /* not JSON */ }
    if (res.status === 401) throw new RemoteError('auth', `${this.base} refused the login (401): check the user name and password or token of this server. Nothing was sent.`, 401, code);
    if (res.status === 403) throw new RemoteError('auth', `${this.base} refused access (403)${message ? `: ${message}` : ''}.`, 403, code);
    throw new RemoteError('http', `${what}: ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`, res.status, code);
  }

  /** GET (with query) or POST (JSON body) a REST 2.0 endpoint, e.g. `mlflow/runs/search`. */
  async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', endpoint: string, body?: Record<string, unknown>): Promise<T> {
    let path = `/api/2.0/${endpoint}`;
    let payload: string | undefined;
    if (method === 'GET' && body) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) {
        if (v === undefined || v === null) continue;
        for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
      }
      path += `?${q}`;
    } else if (body) {
      payload = JSON.stringify(body);
      this.options.onBytes?.(payload.length);
    }
    const res = await this.send(path, { method, headers: this.headers(payload !== undefined), body: payload }, `${method} ${endpoint}`);
    const text = await res.text();
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new RemoteError('protocol', `${endpoint}: the answer is not JSON (is ${this.base} an MLflow tracking server?)`);
    }
  }

  /** `GET /version`: the server's MLflow version. */
  async version(): Promise<string> {
    const res = await this.send('/version', { headers: this.headers(false) }, 'GET /version');
    return (await res.text()).trim();
  }

  /** Uploads one file through the artifact proxy (`--serve-artifacts`). */
  async putArtifact(proxied: string, bytes: Uint8Array, contentType?: string): Promise<void> {
    const headers = this.headers(false);
    headers['Content-Type'] = contentType || 'application/octet-stream';
    this.options.onBytes?.(bytes.byteLength);
    await this.send(`/api/2.0/mlflow-artifacts/artifacts/${encodePath(proxied)}`,
      { method: 'PUT', headers, body: bytes as unknown as BodyInit }, `upload of ${proxied}`);
  }

  /** Downloads one file through the artifact proxy. */
  async getArtifact(proxied: string): Promise<Uint8Array> {
    const res = await this.send(`/api/2.0/mlflow-artifacts/artifacts/${encodePath(proxied)}`,
      { headers: this.headers(false) }, `download of ${proxied}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}
