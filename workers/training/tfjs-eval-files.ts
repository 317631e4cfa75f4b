/**
 * The training plots and, for the one-layer models (linear, logistic), the coefficients of a
 * TF.js run, read from the model before the scaler is folded into its first layer (so the
 * weights are those of the standardised features when the run standardised them).
 */
import type * as TfModule from '@tensorflow/tfjs';
import type { ResolvedTrainSpec } from '../../src/lib/training/contract';
import type { PreparedData } from '../../src/lib/training/dataset';
import { classificationPlotFiles, coefficientsFile, regressionPlotFiles } from '../../src/lib/training/eval-plots';
import type { LoggedFile } from '../../src/lib/tracking/run-logger';

export function tfjsEvalFiles(
  model: TfModule.Sequential, spec: ResolvedTrainSpec, data: PreparedData, yTrue: Float64Array, pred: Float64Array,
): LoggedFile[] {
  const classes = data.classes;
  const files = classes
    ? classificationPlotFiles(yTrue, pred, classes, spec.target)
    : regressionPlotFiles(yTrue, pred, spec.target);
  if (spec.model === 'linear' || spec.model === 'logistic') {
    const [kernel, bias] = model.layers[0].getWeights();
    const k = kernel.shape[1] ?? 1;
    const w = kernel.dataSync();
    const features = data.featureNames;
    files.push(coefficientsFile({
      target: spec.target,
      features,
      outputs: classes ? [...classes] : [spec.target],
      coef: features.map((_, j) => Array.from({ length: k }, (_, c) => w[j * k + c])),
      intercept: bias ? Array.from(bias.dataSync()) : new Array<number>(k).fill(0),
      standardized: spec.standardize,
    }));
  }
  return files;
}
