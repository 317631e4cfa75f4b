/**
 * The only place the page creates workers. Each worker that tracks gets a MessagePort on which
 * the page serves its TrackingBackend (the page owns the one IndexedDB connection).
 */
import * as Comlink from 'comlink';
import type { TrackingBackend } from '../lib/tracking/backend';
import type { ScriptWorkerApi } from '../lib/tracking/script-worker-api';

/** Serves `backend` on a fresh channel and returns the worker's end of it. */
export function trackingPort(backend: TrackingBackend): MessagePort {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(backend, port1);
  return port2;
}

/** Runs a script in a fresh worker with `mfflow` in scope; the worker ends with the script. */
export async function runScriptInWorker(backend: TrackingBackend, source: string): Promise<unknown> {
  const worker = new Worker(new URL('../../workers/script-worker.ts', import.meta.url), { type: 'module', name: 'mfflow-script' });
  const api = Comlink.wrap<ScriptWorkerApi>(worker);
  try {
    const port = trackingPort(backend);
    await api.connectTracking(Comlink.transfer(port, [port]));
    return await api.run(source);
  } finally {
    worker.terminate();
  }
}
