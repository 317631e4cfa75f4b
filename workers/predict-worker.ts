/**
 * The predict worker: exposes a PredictWorkerApi (src/lib/serving/worker-api.ts) with comlink.
 *
 *   const worker = new Worker(new URL('../../workers/predict-worker.ts', import.meta.url), { type: 'module' });
 *   const api = Comlink.wrap<PredictWorkerApi>(worker);
 *   await api.load('models:/wine/3', files);
 *   const y = await api.predict('models:/wine/3', columns);
 *
 * TF.js is imported only when a TF.js model loads; the elastic net's exact path never needs it.
 * Results go back by transfer, not copy.
 */
import * as Comlink from 'comlink';
import type { PredictWorkerApi } from '../src/lib/serving/worker-api';
import { createPredictor, type Tf } from './serving/predictor';
import { announceLiveness } from '../src/lib/workers/liveness';

// First: the page watches this worker's lifetime through a Web Lock (see liveness.ts).
announceLiveness(self);

let loading: Promise<Tf> | null = null;

function loadTf(): Promise<Tf> {
  loading ??= import('@tensorflow/tfjs').then(async (tf) => {
    // Small dense models: the cpu backend answers a single row fastest (no GPU upload).
    if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  });
  return loading;
}

const inner = createPredictor({ loadTf });

const api: PredictWorkerApi = {
  load: (key, files) => inner.load(key, files),
  async predict(key, columns) {
    const y = await inner.predict(key, columns);
    return Comlink.transfer(y, [y instanceof Float64Array ? y.buffer : y.probabilities.buffer]);
  },
  unload: (key) => inner.unload(key),
};

Comlink.expose(api);
