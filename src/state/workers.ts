/**
 * The only place the page creates workers: one WorkerBridge per worker kind (lib/workers/bridge:
 * lazy start, cancel by AbortSignal, terminate when idle, crash → WorkerCrashedError). Each
 * worker that tracks gets a MessagePort on which the page serves its TrackingBackend (the page
 * owns the one IndexedDB connection).
 */
import * as Comlink from 'comlink';
import type { BundleWorkerApi } from '../lib/bundles/worker-api';
import type { AnalysisWorkerApi } from '../lib/charts/worker-api';
import type { CsvWorkerApi } from '../lib/data/worker-api';
import type { PredictWorkerApi } from '../lib/serving/worker-api';
import type { TrackingBackend } from '../lib/tracking/backend';
import type { ScriptWorkerApi } from '../lib/tracking/worker-api';
import type { TrainWorkerApi } from '../lib/training/worker-api';
import type { WorkerHandle } from '../lib/training/pool';
import { WorkerBridge, type BridgeOptions } from '../lib/workers/bridge';

const MINUTE = 60_000;

/** Every bridge the page made, for the debug hook below. */
const bridges = new Set<WorkerBridge<unknown>>();

function bridge<T>(options: BridgeOptions): WorkerBridge<T> {
  const b = new WorkerBridge<T>(options);
  bridges.add(b as WorkerBridge<unknown>);
  return b;
}

/**
 * Debugging and the crash tests (`mfflow.debug.crashWorkers(label)`): makes each running worker
 * of that kind (`training`, `CSV`, `bundle`, `predict`, `script`) close itself, as a crash or
 * the browser would end it; the page learns of it only through the worker's liveness lock.
 * Returns how many workers were asked.
 */
export function crashWorkers(label: string): number {
  let n = 0;
  for (const b of bridges) if (b.label === label && b.closeFromInside()) n++;
  return n;
}

export function analysisWorker(): WorkerBridge<AnalysisWorkerApi> {
  return bridge({
    label: 'analysis', idleMs: MINUTE,
    create: (name) => new Worker(new URL('../../workers/analysis-worker.ts', import.meta.url), { type: 'module', name }),
  });
}

export function csvWorker(): WorkerBridge<CsvWorkerApi> {
  return bridge({
    label: 'CSV', idleMs: MINUTE,
    create: (name) => new Worker(new URL('../../workers/csv-worker.ts', import.meta.url), { type: 'module', name }),
  });
}

export function bundleWorker(): WorkerBridge<BundleWorkerApi> {
  return bridge({
    label: 'bundle', idleMs: MINUTE,
    create: (name) => new Worker(new URL('../../workers/bundle-worker.ts', import.meta.url), { type: 'module', name }),
  });
}

/** Loaded models live in the worker: callers must load again after a restart (see Serving). */
export function predictWorker(): WorkerBridge<PredictWorkerApi> {
  return bridge({
    label: 'predict', idleMs: 10 * MINUTE,
    create: (name) => new Worker(new URL('../../workers/predict-worker.ts', import.meta.url), { type: 'module', name }),
  });
}

/**
 * One training pool slot's worker as the pool sees it. TF.js and its wasm backend take a second
 * to load, so an idle training worker is kept for five minutes.
 */
export function trainWorker(): WorkerHandle {
  const worker = bridge<TrainWorkerApi>({
    label: 'training', idleMs: 5 * MINUTE,
    create: (name) => new Worker(new URL('../../workers/train-worker.ts', import.meta.url), { type: 'module', name }),
  });
  return { api: worker.api, terminate: () => worker.terminate(), onCrash: (listener) => void worker.onCrash((e) => listener(e.reason)) };
}

/** Serves `backend` on a fresh channel and returns the worker's end of it. */
export function trackingPort(backend: TrackingBackend): MessagePort {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(backend, port1);
  return port2;
}

/**
 * Runs a script in a fresh worker with `mfflow` in scope; the worker ends with the script. An
 * abort terminates it at once: the run locks its runs held go with it, so the orphan sweep of
 * any tab marks those runs KILLED.
 */
export async function runScriptInWorker(backend: TrackingBackend, source: string, memoryLimitMB: number, signal?: AbortSignal): Promise<unknown> {
  const script = bridge<ScriptWorkerApi>({
    label: 'script', idleMs: Infinity,
    create: (name) => new Worker(new URL('../../workers/script-worker.ts', import.meta.url), { type: 'module', name }),
  });
  try {
    const port = trackingPort(backend);
    await script.call((api) => api.connectTracking(Comlink.transfer(port, [port])));
    return await script.call((api) => api.run(source, memoryLimitMB), { signal });
  } finally {
    script.terminate();
    bridges.delete(script as WorkerBridge<unknown>);
  }
}
