/**
 * Regression metrics with scikit-learn's definitions (and numpy's summation order, so values
 * agree with `sklearn.metrics` to the last bit or close).
 */
import { pairwiseMean, pairwiseSum } from './pairwise-sum';

function checkLengths(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`y_true has ${yTrue.length} values, y_pred has ${yPred.length}`);
  }
  return yTrue.length;
}

/** `mean_squared_error`: mean((y − ŷ)²). */
export function mse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkLengths(yTrue, yPred);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = (yTrue[i] - yPred[i]) ** 2;
  return pairwiseMean(sq);
}

/** `root_mean_squared_error`: √mse, the tutorial's `rmse` metric. */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return Math.sqrt(mse(yTrue, yPred));
}

/** `mean_absolute_error`: mean(|y − ŷ|). */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkLengths(yTrue, yPred);
  const abs = new Float64Array(n);
  for (let i = 0; i < n; i++) abs[i] = Math.abs(yPred[i] - yTrue[i]);
  return pairwiseMean(abs);
}

/**
 * `r2_score` (force_finite=True): 1 − SS_res/SS_tot. A constant y_true gives 1 for a perfect
 * prediction and 0 otherwise; fewer than two samples give NaN (sklearn warns and returns nan).
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkLengths(yTrue, yPred);
  if (n < 2) return NaN;
  const mean = pairwiseMean(yTrue);
  const res = new Float64Array(n);
  const tot = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    res[i] = (yTrue[i] - yPred[i]) ** 2;
    tot[i] = (yTrue[i] - mean) ** 2;
  }
  const ssRes = pairwiseSum(res);
  const ssTot = pairwiseSum(tot);
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

/** The three metrics the wine tutorial logs. */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  return { rmse: rmse(yTrue, yPred), mae: mae(yTrue, yPred), r2: r2(yTrue, yPred) };
}
