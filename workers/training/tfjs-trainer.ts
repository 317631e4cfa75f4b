/**
 * Linear regression, softmax (logistic) regression and MLPs with TF.js, logged the way
 * `mlflow.tensorflow.autolog` logs Keras: every hyperparameter as a param, per-epoch `loss`,
 * `val_loss`, `train_<metric>` and `val_<metric>` with step = epoch, then test metrics at
 * step 0 under the bare names every model uses (rmse, mae, r2 / accuracy, log_loss, ...),
 * a model summary and the model.
 *
 * Reproducibility: kernels are seeded, and the batch order comes from our MT19937 (seeded with
 * the split seed), so the same spec and backend give the same numbers. Each epoch is one
 * `model.fit` call on rows we shuffled; a callback lets cancellation land between batches.
 */
import type * as TfModule from '@tensorflow/tfjs';
import { accuracy, logLoss, precisionRecallF1 } from '../../src/lib/ml/classification-metrics';
import { MT19937 } from '../../src/lib/ml/mt19937';
import { regressionMetrics } from '../../src/lib/ml/regression-metrics';
import { fitStandardScaler, type StandardScaler } from '../../src/lib/ml/standardize';
import type { ResolvedTrainSpec } from '../../src/lib/training/contract';
import { pick, rowMajor, type PreparedData } from '../../src/lib/training/dataset';
import { exampleRowsOf, logModelDirectory, tabularSignature } from '../../src/lib/training/model-artifacts';
import { parseLayers, runParams } from '../../src/lib/training/params';
import { modelJsonFromArtifacts } from '../../src/lib/training/tfjs-format';
import { metricKey, type TrainContext, type TrainOutcome } from './context';
import { tfjsEvalFiles } from './tfjs-eval-files';
import { logFiles } from '../../src/lib/training/eval-plots';

export type Tf = typeof TfModule;
type LayersModel = TfModule.Sequential;

interface Matrices {
  x: Float32Array;
  /** Regression: one value per row; classification: one-hot rows of width k. */
  y: Float32Array;
  n: number;
}

function buildModel(tf: Tf, spec: ResolvedTrainSpec, inputDim: number, outputs: number): LayersModel {
  const p = spec.params;
  const l1 = Number(p.l1), l2 = Number(p.l2);
  const regularizer = l1 > 0 || l2 > 0 ? tf.regularizers.l1l2({ l1, l2 }) : undefined;
  const seed = spec.split.seed;
  const model = tf.sequential();
  const hidden = spec.model === 'mlp' ? parseLayers(String(p.hidden_layers)) ?? [] : [];
  hidden.forEach((units, i) => {
    model.add(tf.layers.dense({
      units,
      activation: String(p.activation) as 'relu',
      inputShape: i === 0 ? [inputDim] : undefined,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
      kernelRegularizer: regularizer,
    }));
  });
  model.add(tf.layers.dense({
    units: outputs,
    activation: spec.task === 'classification' ? 'softmax' : 'linear',
    inputShape: hidden.length === 0 ? [inputDim] : undefined,
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + hidden.length }),
    kernelRegularizer: regularizer,
  }));
  const lr = Number(p.learning_rate);
  const optimizer = { sgd: () => tf.train.sgd(lr), adam: () => tf.train.adam(lr),
    rmsprop: () => tf.train.rmsprop(lr), adagrad: () => tf.train.adagrad(lr) }[String(p.optimizer) as 'sgd']();
  model.compile(spec.task === 'classification'
    ? { optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] }
    : { optimizer, loss: 'meanSquaredError', metrics: ['mse', 'mae'] });
  return model;
}

function matrices(data: PreparedData, rows: ArrayLike<number>, scaler: StandardScaler | null, k: number): Matrices {
  const x = rowMajor(data.columns, rows, scaler ?? undefined);
  let y: Float32Array;
  if (k > 0) {
    y = new Float32Array(rows.length * k);
    for (let i = 0; i < rows.length; i++) y[i * k + data.y[rows[i]]] = 1;
  } else {
    y = Float32Array.from({ length: rows.length }, (_, i) => data.y[rows[i]]);
  }
  return { x, y, n: rows.length };
}

export function tfjsParams(spec: ResolvedTrainSpec, data: PreparedData): Record<string, string> {
  const out: Record<string, string> = { ...runParams(spec, data), model: spec.model, task: spec.task };
  if (data.classes) out.n_classes = String(data.classes.length);
  return out;
}

export async function trainTfjsModel(tf: Tf, spec: ResolvedTrainSpec, data: PreparedData, ctx: TrainContext): Promise<TrainOutcome> {
  const { logger } = ctx;
  await logger.logParams(tfjsParams(spec, data));
  const p = spec.params;
  const epochs = Number(p.epochs);
  const batchSize = Number(p.batch_size);
  const patience = Number(p.early_stopping_patience);
  const k = data.classes?.length ?? 0;
  const yNames = k > 0 ? ['loss', 'accuracy'] : ['loss', 'mse', 'mae'];

  // Keras' validation_split: the last fraction of the training rows, taken before shuffling.
  const { train, test } = data.split;
  const nFit = Math.floor(train.length * (1 - Number(p.validation_split)));
  const fitRows = train.subarray(0, nFit);
  const valRows = train.subarray(nFit);
  const scaler = spec.standardize ? fitStandardScaler(data.columns, fitRows) : null;
  const fit = matrices(data, fitRows, scaler, k);
  const val = valRows.length > 0 ? matrices(data, valRows, scaler, k) : null;
  const p1 = data.featureNames.length;
  const yWidth = k > 0 ? k : 1;

  const model = buildModel(tf, spec, p1, yWidth);
  const rng = new MT19937(spec.split.seed);
  let epochsDone = 0;
  let killed = false;
  let best = Infinity;
  let sinceBest = 0;
  let stoppedEpoch = -1;
  ctx.progress('training', 0, epochs);

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (ctx.cancelled()) { killed = true; break; }
      const order = spec.split.shuffle === 'numpy' ? rng.permutation(fit.n) : null;
      const epochMeans = await fitOneEpoch(tf, model, fit, order, batchSize, ctx);
      if (epochMeans === null) { killed = true; break; }
      // Keras names, except that training metrics get a `train_` prefix: the bare names
      // (`mae`, `accuracy`) are the test metrics, as for every model in the lab.
      const logs: Record<string, number> = {};
      yNames.forEach((name, j) => (logs[j === 0 ? name : `train_${name}`] = epochMeans[j]));
      if (val) {
        const scores = evaluate(tf, model, val, yWidth);
        yNames.forEach((name, j) => (logs[`val_${name}`] = scores[j]));
      }
      for (const key of Object.keys(logs)) {
        if (!Number.isFinite(logs[key])) throw new Error(`${key} became ${logs[key]} at epoch ${epoch}; try a smaller learning_rate`);
      }
      logger.logMetrics(logs, epoch);
      epochsDone = epoch + 1;
      ctx.progress('training', epochsDone, epochs);
      await ctx.breathe();
      if (patience > 0 && val) {
        // Keras' EarlyStopping(monitor='val_loss', min_delta=0, restore_best_weights=False).
        if (logs.val_loss < best) { best = logs.val_loss; sinceBest = 0; }
        else if (++sinceBest >= patience) { stoppedEpoch = epoch; break; }
      }
    }
    if (killed) return { status: 'KILLED', metrics: {}, epochsDone };
    if (stoppedEpoch >= 0) logger.logMetric('stopped_epoch', stoppedEpoch, 0);

    ctx.progress('evaluating', epochsDone, epochs);
    const testM = matrices(data, test, scaler, k);
    const pred = predict(tf, model, testM, p1, yWidth);
    const yTrue = pick(data.y, test);
    const metrics = k > 0 ? classificationMetrics(yTrue, pred, data.classes!) : regressionTestMetrics(yTrue, pred);
    logger.logMetrics(metrics, 0);

    ctx.progress('saving', epochsDone, epochs);
    const summary: string[] = [];
    model.summary(100, undefined, (line?: unknown) => summary.push(String(line ?? '')));
    await logger.logText(`${summary.join('\n')}\n`, 'model_summary.txt');
    await logFiles(logger, tfjsEvalFiles(model, spec, data, yTrue, pred));
    if (scaler) foldScalerIntoFirstLayer(tf, model, scaler);
    await saveModel(tf, model, spec, data, ctx);
    return { status: 'FINISHED', metrics, epochsDone };
  } finally {
    // We passed an optimizer instance, so the model does not own it: its slots
    // (Adam's moments, ...) would outlive every job in this worker.
    model.optimizer?.dispose();
    model.dispose();
  }
}

/**
 * One epoch of `model.fit` over the rows in `order` (our seeded shuffle; fit's own shuffle is
 * off). Returns the batch-size-weighted means of loss and metrics, or null when cancelled.
 * The callback is a Callback instance, not a plain object: plain objects make TF.js read every
 * batch's loss back (a sync per batch), which made training ~2× slower.
 */
async function fitOneEpoch(
  tf: Tf, model: LayersModel, m: Matrices, order: Int32Array | null, batchSize: number, ctx: TrainContext,
): Promise<number[] | null> {
  const p1 = m.x.length / m.n;
  const yWidth = m.y.length / m.n;
  let x = m.x, y = m.y;
  if (order) {
    x = new Float32Array(m.x.length);
    y = new Float32Array(m.y.length);
    for (let i = 0; i < m.n; i++) {
      const r = order[i];
      x.set(m.x.subarray(r * p1, (r + 1) * p1), i * p1);
      y.set(m.y.subarray(r * yWidth, (r + 1) * yWidth), i * yWidth);
    }
  }
  let stopped = false;
  class CancelCheck extends tf.Callback {
    override async onBatchEnd(): Promise<void> {
      if (ctx.cancelled()) {
        stopped = true;
        model.stopTraining = true;
      } else await ctx.breathe();
    }
  }
  const xs = tf.tensor2d(x, [m.n, p1]);
  const ys = tf.tensor2d(y, [m.n, yWidth]);
  try {
    const history = await model.fit(xs, ys, {
      epochs: 1, batchSize, shuffle: false, verbose: 0, yieldEvery: 'never', callbacks: [new CancelCheck()],
    });
    if (stopped) return null;
    // metricsNames: ['loss', 'mse', 'mae'] or ['loss', 'acc'], in compile order.
    return model.metricsNames.map((name) => Number(history.history[name][0]));
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

function evaluate(tf: Tf, model: LayersModel, m: Matrices, yWidth: number): number[] {
  const p1 = m.x.length / m.n;
  return tf.tidy(() => {
    const out = model.evaluate(tf.tensor2d(m.x, [m.n, p1]), tf.tensor2d(m.y, [m.n, yWidth]), { batchSize: 4096 });
    return (Array.isArray(out) ? out : [out]).map((s) => s.dataSync()[0]);
  });
}

function predict(tf: Tf, model: LayersModel, m: Matrices, p1: number, yWidth: number): Float64Array {
  const raw = tf.tidy(() => (model.predict(tf.tensor2d(m.x, [m.n, p1]), { batchSize: 4096 }) as TfModule.Tensor).dataSync());
  if (raw.length !== m.n * yWidth) throw new Error(`model returned ${raw.length} values for ${m.n} rows`);
  return Float64Array.from(raw);
}

function regressionTestMetrics(yTrue: Float64Array, pred: Float64Array): Record<string, number> {
  const m = regressionMetrics(yTrue, pred);
  return { rmse: m.rmse, r2: m.r2, mae: m.mae };
}

function classificationMetrics(yTrue: Float64Array, proba: Float64Array, classes: string[]): Record<string, number> {
  const k = classes.length;
  const yPred = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    let bestC = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + bestC]) bestC = c;
    yPred[i] = bestC;
  }
  const out: Record<string, number> = { accuracy: accuracy(yTrue, yPred), log_loss: logLoss(yTrue, proba, k) };
  const scores = precisionRecallF1(yTrue, yPred);
  scores.labels.forEach((label, i) => {
    const name = metricKey(classes[label]);
    out[`precision_${name}`] = scores.precision[i];
    out[`recall_${name}`] = scores.recall[i];
    out[`f1_${name}`] = scores.f1[i];
  });
  out.precision_macro = scores.macro.precision;
  out.recall_macro = scores.macro.recall;
  out.f1_macro = scores.macro.f1;
  return out;
}

/**
 * The network was trained on (x − mean)/scale; rewrite the first kernel and bias so the
 * saved model takes raw features: W'ᵢ = Wᵢ/scaleᵢ, b' = b − Σᵢ meanᵢ·W'ᵢ.
 */
function foldScalerIntoFirstLayer(tf: Tf, model: LayersModel, scaler: StandardScaler): void {
  const layer = model.layers[0];
  const [kernel, bias] = layer.getWeights();
  const [inDim, units] = kernel.shape as [number, number];
  const w = kernel.dataSync().slice();
  const b = Float64Array.from(bias.dataSync());
  for (let i = 0; i < inDim; i++) {
    for (let u = 0; u < units; u++) {
      w[i * units + u] /= scaler.scale[i];
      b[u] -= scaler.mean[i] * w[i * units + u];
    }
  }
  const nk = tf.tensor2d(w, [inDim, units]);
  const nb = tf.tensor1d(Float32Array.from(b));
  layer.setWeights([nk, nb]);
  nk.dispose();
  nb.dispose();
}

async function saveModel(tf: Tf, model: LayersModel, spec: ResolvedTrainSpec, data: PreparedData, ctx: TrainContext): Promise<void> {
  let saved: TfModule.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const artifacts = saved as TfModule.io.ModelArtifacts | null;
  if (!artifacts?.weightData) throw new Error('TF.js saved no weights');
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  await logModelDirectory(ctx.logger, {
    files: { modelJson: modelJsonFromArtifacts(artifacts as never), weights },
    signature: tabularSignature(data.featureNames, { classes: data.classes }),
    flavor: {
      model_kind: spec.model,
      task: spec.task,
      feature_names: data.featureNames,
      ...(data.classes ? { classes: data.classes } : {}),
    },
    exampleRows: exampleRowsOf(data.columns, data.split.test.length ? data.split.test : data.split.train),
  });
}
