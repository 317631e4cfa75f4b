/**
 * The training worker: exposes a TrainWorkerApi with comlink.
 *
 *   const worker = new Worker(new URL('../../workers/train-worker.ts', import.meta.url), { type: 'module' });
 *   const api = Comlink.wrap<TrainWorkerApi>(worker);
 *   await api.train(jobId, spec, table, Comlink.proxy(port));
 *
 * TF.js is imported only when a TF.js model trains (the elastic net never loads it). The wasm
 * backend (SIMD, single thread: the fastest here, docs/performance.md §1.2) gets its binaries from
 * Vite-served URLs; if it cannot start, training falls back to the cpu backend.
 */
import * as Comlink from 'comlink';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { TfBackend } from '../src/lib/training/contract';
import { createTrainer, type LoadedTf } from './training/trainer';
import { announceLiveness } from '../src/lib/workers/liveness';

// First: the page watches this worker's lifetime through a Web Lock (see liveness.ts).
announceLiveness(self);

let loading: Promise<LoadedTf['tf']> | null = null;
let wasmPathsSet = false;

async function loadTf(wanted: TfBackend): Promise<LoadedTf> {
  loading ??= import('@tensorflow/tfjs');
  const tf = await loading;
  if (wanted === 'wasm') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Must run before the backend initialises (setBackend), in this realm.
      if (!wasmPathsSet) wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': wasmPlainUrl,
        'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
      });
      wasmPathsSet = true;
      if (tf.getBackend() === 'wasm' || (await tf.setBackend('wasm'))) {
        await tf.ready();
        return { tf, backend: 'wasm' };
      }
    } catch (e) {
      console.warn('TF.js wasm backend unavailable, using cpu:', e);
    }
  }
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu' };
}

Comlink.expose(createTrainer({ loadTf, transfer: Comlink.transfer }));
