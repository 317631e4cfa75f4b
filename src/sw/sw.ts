/**
 * MFFlow's service worker. Built by the `mfflow-sw` plugin in vite.config.ts into dist/sw.js,
 * which prepends `PRECACHE` (every built file, relative to the base) and `BUILD` (a digest of
 * them). It is self-contained on purpose: no imports, so it is one small classic script.
 *
 * - Offline: the app shell, JS chunks, CSS and the TF.js wasm binaries are precached at install
 *   and served cache-first; navigations get the cached index.html. A new build installs beside
 *   the old one and waits until the page asks it to take over (the page offers a reload).
 * - MLflow's scoring endpoints under the scope: `POST invocations`, `GET ping|health`,
 *   `GET version` are forwarded to an open lab page (MessageChannel), whose predict worker
 *   answers. With no open page: 503 in MLflow's error shape.
 * - Same-origin `.csv` files are cached at runtime (network first), so datasets hosted next to
 *   the lab load offline too. Other requests are left alone (never re-fetched from here).
 */
import type { SwClient, SwFetchEvent, SwScope } from './sw-types';

declare const PRECACHE: string[];
declare const BUILD: string;

const sw = self as unknown as SwScope;
const SHELL = `mfflow-shell-${BUILD}`;
const DATA = 'mfflow-datasets';
/** MLflow's scoring server times out after 60 s (MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT) with a 504. */
const TIMEOUT_MS = 60_000;

const scopeUrl = () => new URL(sw.registration.scope);
const abs = (rel: string) => new URL(rel, sw.registration.scope).href;

sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.addAll(PRECACHE.map(abs));
    // The first install has nothing to replace: take over at once. Updates wait for the page.
    if (!sw.registration.active) await sw.skipWaiting();
  })());
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('mfflow-shell-') && key !== SHELL) await caches.delete(key);
    await sw.clients.claim();
  })());
});

sw.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'mfflow-skip-waiting') void sw.skipWaiting();
});

function errorResponse(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ error_code: code, message }), { status, headers: { 'content-type': 'application/json' } });
}

interface Answer { status: number; contentType: string; body: string }

function ask(client: SwClient, message: unknown, transfer: Transferable[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => { channel.port1.close(); reject(new Error('timeout')); }, TIMEOUT_MS);
    channel.port1.onmessage = (ev) => { clearTimeout(timer); channel.port1.close(); resolve(ev.data as Answer); };
    client.postMessage(message, [channel.port2, ...transfer]);
  });
}

/** The lab page to answer: the one that sent the request, else a focused, a visible, any. */
async function pickClient(clientId: string): Promise<SwClient | null> {
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const inScope = windows.filter((c) => c.url.startsWith(sw.registration.scope));
  const own = inScope.find((c) => c.id === clientId);
  return own ?? inScope.find((c) => c.focused) ?? inScope.find((c) => c.visibilityState === 'visible') ?? inScope[0] ?? null;
}

async function forward(event: SwFetchEvent, route: 'invocations' | 'ping' | 'version'): Promise<Response> {
  const req = event.request;
  const client = await pickClient(event.clientId);
  if (!client) {
    return errorResponse(503, 'TEMPORARILY_UNAVAILABLE', 'No MFFlow lab page is open to serve this model. Open the lab (its Serve page) in a tab and retry.');
  }
  const body = req.method === 'POST' ? await req.arrayBuffer() : null;
  try {
    const a = await ask(client, {
      type: 'mfflow-endpoint', route, url: req.url, contentType: req.headers.get('content-type') ?? '', body,
    }, body ? [body] : []);
    return new Response(a.body, { status: a.status, headers: { 'content-type': a.contentType } });
  } catch {
    // What MLflow's timeout middleware sends.
    return new Response('Request processing time exceeded limit', { status: 504, headers: { 'content-type': 'application/json' } });
  }
}

async function shell(request: Request): Promise<Response> {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  try {
    return await fetch(request);
  } catch (e) {
    if (request.mode === 'navigate') {
      const index = await cache.match(abs('index.html'));
      if (index) return index;
    }
    throw e;
  }
}

async function dataset(request: Request): Promise<Response> {
  const cache = await caches.open(DATA);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(request, res.clone());
    return res;
  } catch (e) {
    const hit = await cache.match(request);
    if (hit) return hit;
    throw e;
  }
}

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  const scope = scopeUrl();
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const rel = url.pathname.slice(scope.pathname.length);
  if (rel === 'invocations') {
    if (req.method === 'POST') event.respondWith(forward(event, 'invocations'));
    else event.respondWith(new Response('Method Not Allowed', { status: 405, headers: { allow: 'POST' } }));
    return;
  }
  if (req.method !== 'GET') return;
  if (rel === 'ping' || rel === 'health') { event.respondWith(forward(event, 'ping')); return; }
  if (rel === 'version') { event.respondWith(forward(event, 'version')); return; }
  if (req.mode === 'navigate' && (rel === '' || rel === 'index.html')) {
    event.respondWith(shell(new Request(abs('index.html'))).catch(() => fetch(req)));
    return;
  }
  if (PRECACHE.includes(rel)) { event.respondWith(shell(req)); return; }
  if (rel.endsWith('.csv')) event.respondWith(dataset(req));
});
