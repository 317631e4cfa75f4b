/**
 * Loads model directories and predicts batches, behind the PredictWorkerApi of
 * src/lib/serving/worker-api.ts. The elastic net goes through linear.json in float64 and never
 * loads TF.js; other models are TF.js layers models, loaded from memory with the TF.js module
 * `loadTf` gives (imported lazily by the worker; the cpu backend in Node tests).
 */
import type * as TfModule from '@tensorflow/tfjs';
import { parseLinearModel, predictLinear, type LinearModel } from '../../src/lib/serving/linear-model';
import { describeModel, fileText, type ModelFiles, type PredictWorkerApi, type Prediction } from '../../src/lib/serving/worker-api';
import { invalid, notFound } from '../../src/lib/util/errors';

export type Tf = typeof TfModule;

export interface PredictorDeps {
  loadTf(): Promise<Tf>;
  /** Rows per TF.js call, bounding the float32 copies a huge batch needs. Default 16,384. */
  chunkRows?: number;
}

interface Loaded {
  featureNames: string[];
  classes: string[] | null;
  linear?: LinearModel;
  tf?: { tf: Tf; model: TfModule.LayersModel; outputs: number };
}

interface WeightsGroup { paths: string[]; weights: TfModule.io.WeightsManifestEntry[] }

/** Loads model.json and its weight files (in manifest order) into a LayersModel, from memory. */
export async function loadLayersModel(tf: Tf, files: ModelFiles, modelJsonName = 'model.json'): Promise<TfModule.LayersModel> {
  const json = JSON.parse(fileText(files, modelJsonName)) as { modelTopology?: unknown; weightsManifest?: WeightsGroup[] };
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw invalid(`${modelJsonName} is not a TF.js layers model.`);
  const dir = modelJsonName.includes('/') ? modelJsonName.slice(0, modelJsonName.lastIndexOf('/') + 1) : '';
  const parts: Uint8Array[] = [];
  const specs: TfModule.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const bytes = files[dir + p];
      if (!Object.prototype.hasOwnProperty.call(files, dir + p) || !bytes) throw invalid(`The model has no weights file ${dir + p}.`);
      parts.push(bytes);
    }
    specs.push(...group.weights);
  }
  const total = parts.reduce((s, b) => s + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const b of parts) { weightData.set(b, off); off += b.byteLength; }
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as TfModule.io.ModelJSON['modelTopology'], weightSpecs: specs, weightData: weightData.buffer }));
}

/** TF.js predictions for columns in feature order, in float32 chunks; row-major outputs. */
export function predictLayers(tf: Tf, model: TfModule.LayersModel, columns: readonly ArrayLike<number>[], outputs: number, chunkRows = 16_384): Float64Array {
  const d = columns.length;
  const n = d ? columns[0].length : 0;
  const out = new Float64Array(n * outputs);
  const x = new Float32Array(Math.min(n, chunkRows) * d);
  for (let start = 0; start < n; start += chunkRows) {
    const rows = Math.min(chunkRows, n - start);
    for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) x[i * d + j] = columns[j][start + i];
    const y = tf.tidy(() => (model.predict(tf.tensor2d(x.subarray(0, rows * d), [rows, d])) as TfModule.Tensor).dataSync());
    if (y.length !== rows * outputs) throw invalid(`The model gave ${y.length} outputs for ${rows} rows; expected ${outputs} per row.`);
    out.set(y, start * outputs);
  }
  return out;
}

/** Labels (argmax, first wins ties) for row-major probabilities. */
export function labelsOf(probabilities: Float64Array, classes: readonly string[]): string[] {
  const k = classes.length;
  const n = k ? probabilities.length / k : 0;
  const labels = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probabilities[i * k + j] > probabilities[i * k + best]) best = j;
    labels[i] = classes[best];
  }
  return labels;
}

export function createPredictor(deps: PredictorDeps): PredictWorkerApi {
  const models = new Map<string, Loaded>();
  return {
    async load(modelKey: string, files: ModelFiles) {
      const info = describeModel(files);
      const loaded: Loaded = { featureNames: info.featureNames, classes: info.classes };
      if (info.engine === 'linear') {
        loaded.linear = parseLinearModel(files[info.exactFile!]);
        loaded.featureNames = loaded.linear.featureNames;
      } else {
        const tf = await deps.loadTf();
        const model = await loadLayersModel(tf, files, info.modelJson);
        const shape = model.outputs[0].shape;
        const outputs = Number(shape[shape.length - 1] ?? 1);
        if (info.classes && outputs !== info.classes.length) throw invalid(`The model has ${outputs} outputs for ${info.classes.length} classes.`);
        models.get(modelKey)?.tf?.model.dispose();
        loaded.tf = { tf, model, outputs };
      }
      models.set(modelKey, loaded);
      return { engine: info.engine, task: info.task, featureNames: loaded.featureNames, classes: info.classes };
    },

    async predict(modelKey: string, columns: Float64Array[]): Promise<Prediction> {
      const m = models.get(modelKey);
      if (!m) throw notFound(`No model loaded as ${modelKey}.`);
      if (columns.length !== m.featureNames.length) throw invalid(`The model takes ${m.featureNames.length} features, got ${columns.length} columns.`);
      if (m.linear) return predictLinear(m.linear, columns);
      const { tf, model, outputs } = m.tf!;
      const y = predictLayers(tf, model, columns, outputs, deps.chunkRows);
      if (!m.classes) {
        if (outputs !== 1) throw invalid(`A regression model should have one output, this one has ${outputs}.`);
        return y;
      }
      return { labels: labelsOf(y, m.classes), classes: m.classes, probabilities: y };
    },

    unload(modelKey: string) {
      models.get(modelKey)?.tf?.model.dispose();
      models.delete(modelKey);
    },
  };
}
