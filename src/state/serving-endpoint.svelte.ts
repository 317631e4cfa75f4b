/**
 * The page side of the service worker (src/sw/sw.ts): registers it at the app's base, answers
 * the `/invocations`, `/ping` and `/version` requests it forwards (through the predict worker,
 * via serving.svelte.ts), and offers a reload when a new version is waiting. It never reloads
 * by itself, and while a training job runs the reload waits until the user confirms.
 */
import { MODEL_EXPORT_VERSIONS } from '../lib/bundles/model-export';
import { serving } from './serving.svelte';
import { training } from './training.svelte';

/** What the service worker sends for one HTTP request. */
export interface EndpointRequest {
  type: 'mfflow-endpoint';
  route: 'invocations' | 'ping' | 'version';
  /** The request's own URL: `?model=` there picks the model for that request. */
  url: string;
  contentType: string;
  body: ArrayBuffer | null;
}

export interface EndpointAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** The model the endpoint serves: the request's `?model=`, the page URL's, else the Serve page's choice. */
export function endpointModel(requestUrl: string): string {
  const fromRequest = new URL(requestUrl).searchParams.get('model');
  const fromPage = new URLSearchParams(location.search).get('model');
  return (fromRequest || fromPage || serving.modelUri).trim();
}

export async function answerEndpoint(req: EndpointRequest): Promise<EndpointAnswer> {
  const uri = endpointModel(req.url);
  // MLflow's server sends both with media type application/json, plain bodies.
  if (req.route === 'version') return { status: 200, contentType: 'application/json', body: MODEL_EXPORT_VERSIONS.mlflow };
  if (req.route === 'ping') {
    // 200 when the model loads, else 404 (MLflow answers 404 when it has no model), body "\n".
    const ok = await serving.model(uri).then(() => true, () => false);
    return { status: ok ? 200 : 404, contentType: 'application/json', body: '\n' };
  }
  return serving.invoke(uri, new Uint8Array(req.body ?? new ArrayBuffer(0)), req.contentType);
}

class Endpoint {
  /** Service workers available and registered. */
  active = $state(false);
  /** The page is controlled: `./invocations` answers from this origin. */
  controlled = $state(false);
  /** A new version is installed and waits for a reload. */
  updateReady = $state(false);
  error = $state<string | null>(null);
  private waiting: ServiceWorker | null = null;
  private started = false;

  /** Anything training right now would be lost by a reload. */
  get busy(): boolean {
    return training.jobs.some((j) => !j.done);
  }

  async start(): Promise<void> {
    if (this.started || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
    this.started = true;
    const sw = navigator.serviceWorker;
    sw.addEventListener('message', (ev: MessageEvent) => {
      const data = ev.data as EndpointRequest | undefined;
      const port = ev.ports[0];
      if (data?.type !== 'mfflow-endpoint' || !port) return;
      answerEndpoint(data).then((a) => port.postMessage(a), (e) => port.postMessage({ status: 500, contentType: 'application/json', body: JSON.stringify({ error_code: 'INTERNAL_ERROR', message: String(e) }) }));
    });
    sw.addEventListener('controllerchange', () => {
      const wasControlled = this.controlled;
      this.controlled = true;
      // A new version took over because the user asked for it: load it.
      if (wasControlled && this.reloadAsked) location.reload();
    });
    this.controlled = sw.controller !== null;
    // Deliver forwarded requests now, not only after the document finished loading.
    sw.startMessages();
    try {
      // The build writes sw.js next to index.html; its scope is the app's base (any sub-path).
      const reg = await sw.register(new URL('sw.js', document.baseURI), { scope: new URL('./', document.baseURI).pathname, type: 'classic' });
      this.active = true;
      const watch = (w: ServiceWorker | null) => {
        if (!w) return;
        const check = () => {
          if (w.state === 'installed' && sw.controller) { this.waiting = w; this.updateReady = true; }
        };
        check();
        w.addEventListener('statechange', check);
      };
      watch(reg.waiting);
      reg.addEventListener('updatefound', () => watch(reg.installing));
      await sw.ready;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  private reloadAsked = false;

  /** Activates the waiting version; the page reloads when it takes control. */
  applyUpdate(): void {
    if (!this.waiting) return;
    this.reloadAsked = true;
    this.waiting.postMessage({ type: 'mfflow-skip-waiting' });
  }
}

export const endpoint = new Endpoint();
