/**
 * sklearn's ElasticNet, trained as MLflow's `sklearn_elasticnet_wine` tutorial does: numpy
 * split, fit, test-set rmse/r2/mae at step 0. Never loads TF.js: the TF.js model files are
 * written directly (src/lib/training/tfjs-format.ts).
 */
import { fitElasticNet, predictElasticNet } from '../../src/lib/ml/elastic-net';
import { regressionMetrics } from '../../src/lib/ml/regression-metrics';
import { fitStandardScaler, standardize, type StandardScaler } from '../../src/lib/ml/standardize';
import type { ResolvedTrainSpec } from '../../src/lib/training/contract';
import type { PreparedData } from '../../src/lib/training/dataset';
import { exampleRowsOf, logModelDirectory, tabularSignature } from '../../src/lib/training/model-artifacts';
import { runParams } from '../../src/lib/training/params';
import { coefficientsFile, logFiles, regressionPlotFiles } from '../../src/lib/training/eval-plots';
import { denseStackModel } from '../../src/lib/training/tfjs-format';
import type { TrainContext, TrainOutcome } from './context';
import { TRAIN_TAG } from '../../src/lib/tracking/tags';

/** The exact model, for float64 serving: y = Σ coef_j·(x_j − mean_j)/scale_j + intercept. */
export interface LinearModelFile {
  format: 'mfflow-linear';
  version: 1;
  feature_names: string[];
  target: string;
  coef: number[];
  intercept: number;
  /** null when the features were not standardised. */
  scaler: { mean: number[]; scale: number[] } | null;
  /** The same model on raw features (what the TF.js model computes, in float32). */
  raw_coef: number[];
  raw_intercept: number;
}

/** Folds the scaler into the coefficients so the model takes raw features. */
export function rawLinear(coef: ArrayLike<number>, intercept: number, scaler: StandardScaler | null) {
  if (!scaler) return { coef: Array.from(coef), intercept };
  const raw = Array.from(coef, (w, j) => w / scaler.scale[j]);
  let b = intercept;
  for (let j = 0; j < raw.length; j++) b -= raw[j] * scaler.mean[j];
  return { coef: raw, intercept: b };
}

export function elasticNetParams(spec: ResolvedTrainSpec, data: PreparedData): Record<string, string> {
  return runParams(spec, data);
}

export async function trainElasticNet(spec: ResolvedTrainSpec, data: PreparedData, ctx: TrainContext): Promise<TrainOutcome> {
  const { logger } = ctx;
  const p = spec.params;
  const maxIter = Number(p.max_iter);
  // Not awaited before the fit (it needs no answer from the page); awaited with the model files.
  const paramsLogged = logger.logParams(elasticNetParams(spec, data));
  paramsLogged.catch(() => undefined); // a fit that throws leaves it to the final flush

  const { train, test } = data.split;
  const scaler = spec.standardize ? fitStandardScaler(data.columns, train) : null;
  const columns = scaler ? standardize(scaler, data.columns) : data.columns;

  if (ctx.cancelled()) return { status: 'KILLED', metrics: {} };
  ctx.progress('training', 0, maxIter);
  const fit = fitElasticNet(columns, data.y, {
    alpha: Number(p.alpha),
    l1Ratio: Number(p.l1_ratio),
    fitIntercept: Boolean(p.fit_intercept),
    maxIter,
    tol: Number(p.tol),
    rows: train,
    onIteration: (iter, gap) => {
      // The gap is only computed on some sweeps (sklearn's rule); log the ones we have.
      if (!Number.isNaN(gap)) logger.logMetric('dual_gap', gap, iter);
      ctx.progress('training', iter, maxIter);
      return !ctx.cancelled();
    },
  });
  if (fit.stopped || ctx.cancelled()) return { status: 'KILLED', metrics: {} };

  ctx.progress('evaluating', fit.nIter, maxIter);
  const testTrue = Array.from(test, (r) => data.y[r]);
  const testPred = predictElasticNet(fit, columns, test);
  const testM = regressionMetrics(testTrue, testPred);
  const trainM = regressionMetrics(Array.from(train, (r) => data.y[r]), predictElasticNet(fit, columns, train));
  // The tutorial's order: rmse, r2, mae.
  const metrics: Record<string, number> = {
    rmse: testM.rmse, r2: testM.r2, mae: testM.mae,
    n_iter: fit.nIter,
    train_rmse: trainM.rmse, train_r2: trainM.r2, train_mae: trainM.mae,
  };
  logger.logMetrics(metrics, 0);
  const tagged = logger.setTags({ [TRAIN_TAG.converged]: fit.converged ? 'true' : 'false' });
  tagged.catch(() => undefined); // awaited below

  ctx.progress('saving', fit.nIter, maxIter);
  const raw = rawLinear(fit.coef, fit.intercept, scaler);
  const linear: LinearModelFile = {
    format: 'mfflow-linear',
    version: 1,
    feature_names: data.featureNames,
    target: spec.target,
    coef: Array.from(fit.coef),
    intercept: fit.intercept,
    scaler: scaler ? { mean: Array.from(scaler.mean), scale: Array.from(scaler.scale) } : null,
    raw_coef: raw.coef,
    raw_intercept: raw.intercept,
  };
  const files = denseStackModel(data.featureNames.length, [
    { units: 1, activation: 'linear', kernel: raw.coef, bias: [raw.intercept] },
  ]);
  const modelLogged = logModelDirectory(logger, {
    files,
    signature: tabularSignature(data.featureNames, {}),
    flavor: { model_kind: 'elasticnet', task: 'regression', exact_model: 'linear.json', feature_names: data.featureNames },
    extra: { 'linear.json': new TextEncoder().encode(JSON.stringify(linear, null, 2)) },
    exampleRows: exampleRowsOf(data.columns, test.length ? test : train),
  });
  const plotsLogged = logFiles(logger, [
    ...regressionPlotFiles(testTrue, testPred, spec.target),
    coefficientsFile({
      target: spec.target, features: data.featureNames, outputs: [spec.target],
      coef: Array.from(fit.coef, (w) => [w]), intercept: [fit.intercept], standardized: scaler !== null,
    }),
  ]);
  await Promise.all([paramsLogged, tagged, modelLogged, plotsLogged]);
  return { status: 'FINISHED', metrics };
}
