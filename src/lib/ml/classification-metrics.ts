/** Classification metrics with scikit-learn's definitions. Labels are numbers (class ids). */
import { pairwiseMean } from './pairwise-sum';

const EPS = 2.220446049250313e-16; // np.finfo(float64).eps, sklearn's log_loss clip

/** `accuracy_score`: share of exact matches. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) throw new RangeError('y_true and y_pred differ in length');
  const hit = new Float64Array(yTrue.length);
  for (let i = 0; i < hit.length; i++) hit[i] = yTrue[i] === yPred[i] ? 1 : 0;
  return pairwiseMean(hit);
}

/**
 * `log_loss` for class ids 0..k−1 and row-major probabilities `proba[i·k + c]`:
 * mean over rows of −log(clip(p[i, y_i], ε, 1−ε)). Like sklearn 1.6 it does not renormalise
 * rows (it only warns when they do not sum to 1).
 */
export function logLoss(yTrue: ArrayLike<number>, proba: ArrayLike<number>, k: number): number {
  const n = yTrue.length;
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`log loss needs at least two classes, got ${k}`);
  if (proba.length !== n * k) throw new RangeError(`expected ${n}×${k} probabilities, got ${proba.length}`);
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = yTrue[i];
    if (!(Number.isInteger(c) && c >= 0 && c < k)) throw new RangeError(`class id ${c} is not in 0..${k - 1}`);
    const p = Math.min(Math.max(proba[i * k + c], EPS), 1 - EPS);
    loss[i] = -Math.log(p);
  }
  return pairwiseMean(loss);
}

export interface PerClassScores {
  /** Sorted labels present in y_true or y_pred (sklearn's default `labels`). */
  labels: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  /** Unweighted means over labels (`average='macro'`). */
  macro: { precision: number; recall: number; f1: number };
}

/**
 * `precision_recall_fscore_support(average=None)` with zero_division → 0, and the macro means.
 * F1 uses sklearn's count form 2·tp/(2·tp + fp + fn).
 */
export function precisionRecallF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): PerClassScores {
  if (yTrue.length !== yPred.length) throw new RangeError('y_true and y_pred differ in length');
  const labels = [...new Set([...Array.from(yTrue), ...Array.from(yPred)])].sort((a, b) => a - b);
  const index = new Map(labels.map((l, i) => [l, i] as const));
  const k = labels.length;
  const tp = new Float64Array(k), predSum = new Float64Array(k), trueSum = new Float64Array(k);
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i])!;
    const p = index.get(yPred[i])!;
    trueSum[t]++;
    predSum[p]++;
    if (t === p) tp[t]++;
  }
  const div = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = labels.map((_, c) => div(tp[c], predSum[c]));
  const recall = labels.map((_, c) => div(tp[c], trueSum[c]));
  const f1 = labels.map((_, c) => div(2 * tp[c], trueSum[c] + predSum[c]));
  const mean = (a: number[]) => (a.length ? pairwiseMean(a) : 0);
  return {
    labels, precision, recall, f1, support: Array.from(trueSum),
    macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1) },
  };
}
