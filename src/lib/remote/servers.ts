/**
 * Named MLflow tracking servers and the connection check. Credentials are part of a server's
 * record in this browser only: nothing here is ever written to an export.
 */
import { MlflowClient, normalizeUrl, RemoteError, type FetchFn, type ServerAuth, type ServerConfig } from './client';

export type { ServerAuth, ServerConfig };

/** Checks a server record as the form submits it; returns it with the URL normalised. */
export function validateServer(s: ServerConfig): ServerConfig {
  const name = s.name.trim();
  if (!name) throw new RemoteError('protocol', 'A server needs a name.');
  const url = normalizeUrl(s.url);
  const auth = s.auth ?? { kind: 'none' };
  if (auth.kind === 'basic' && !auth.user) throw new RemoteError('protocol', `Server "${name}": basic auth needs a user name.`);
  if (auth.kind === 'bearer' && !auth.token) throw new RemoteError('protocol', `Server "${name}": a bearer token cannot be empty.`);
  return { id: s.id, name, url, auth };
}

export interface ConnectionReport {
  ok: boolean;
  /** MLflow's version (`GET /version`), when the server answered. */
  version?: string;
  /** Whether the server proxies artifacts (`--serve-artifacts`), when known. */
  artifactsProxied?: boolean;
  /** What went wrong, in words. */
  error?: string;
  /** A command line the server's owner can copy to let this lab in (CORS / allowed hosts). */
  fix?: string;
}

/** The `mlflow server` options that let a page of `origin` call `serverUrl`. */
export function corsFix(serverUrl: string, origin: string): string {
  const host = new URL(serverUrl).host;
  return `mlflow server --cors-allowed-origins ${origin} --allowed-hosts ${host}`;
}

/**
 * Tests a server: version, login (a search needs it when the server has auth), and whether
 * artifacts are proxied. `origin` is the lab's origin (the page's `location.origin`); when the
 * browser refuses the answer but an opaque request gets through, the server is up and refuses
 * this origin, so the report carries the line that fixes it.
 */
export async function testConnection(server: ServerConfig, origin: string | null, fetchFn?: FetchFn): Promise<ConnectionReport> {
  const client = new MlflowClient(server, { fetch: fetchFn });
  if (origin && mixedContent(client.base, origin)) {
    return { ok: false, error: `This lab is served over https and ${client.base} is plain http: the browser blocks that (mixed content) for any host but localhost. Serve MLflow over https (behind a reverse proxy) and use its https:// URL.` };
  }
  let version: string;
  try {
    version = await client.version();
  } catch (e) {
    if (!(e instanceof RemoteError) || e.kind !== 'network') return { ok: false, error: (e as Error).message };
    if (origin && (await reachableOpaque(client.base, fetchFn))) {
      return {
        ok: false,
        error: `${client.base} answered, but the browser refused to let this page read the answer: the server does not allow the origin ${origin} (CORS) or this host name.`,
        fix: corsFix(client.base, origin),
      };
    }
    return { ok: false, error: `No answer from ${client.base}: is \`mlflow server\` running there, and is the URL right?` };
  }
  try {
    const exps = await client.call<{ experiments?: { artifact_location?: string }[] }>('GET', 'mlflow/experiments/search', { max_results: 1 });
    const loc = exps.experiments?.[0]?.artifact_location;
    return { ok: true, version, artifactsProxied: loc ? loc.startsWith('mlflow-artifacts:') : undefined };
  } catch (e) {
    return { ok: false, version, error: (e as Error).message };
  }
}

/** An https page calling an http server that is not loopback: browsers refuse it. */
export function mixedContent(serverUrl: string, origin: string): boolean {
  const u = new URL(serverUrl);
  if (u.protocol !== 'http:' || !origin.startsWith('https:')) return false;
  return !/^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(u.hostname) && !u.hostname.endsWith('.localhost');
}

/**
 * A `no-cors` GET the page cannot read: Chromium resolves it (opaque response) whenever the
 * server answers, even a CORS or Host refusal (403), and rejects it only when nothing answers
 * (connection refused, no such host). The CSP's connect-src allows http: and https:; between a
 * loopback page and a loopback server Private Network Access does not apply. Proven in
 * tests/interop/remote-server.test.ts ("test connection").
 */
async function reachableOpaque(base: string, fetchFn?: FetchFn): Promise<boolean> {
  try {
    await (fetchFn ?? globalThis.fetch)(`${base}/version`, { mode: 'no-cors', credentials: 'omit' });
    return true;
  } catch {
    return false;
  }
}
