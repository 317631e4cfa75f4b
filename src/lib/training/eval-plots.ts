/**
 * The training plots every model logs with its run, as MLflow's autologging logs its training
 * plots: computed in the training worker from the test-set predictions, drawn as SVG text
 * (src/lib/charts/plot-svg.ts; no TF.js, no canvas, no DOM), logged under `plots/`.
 * - regression: predicted vs actual (with the y = x line) and residuals (actual − predicted)
 *   against predicted (with the zero line);
 * - classification: the confusion matrix (actual rows, predicted columns: predicted vs actual
 *   for classes) and a histogram of the probability residual 1 − p(actual class).
 * Linear models also log `coefficients.json` (the fitted weights, one column per output).
 */
import { confusionSvg, histogramSvg, scatterSvg, type ScatterPlot } from '../charts/plot-svg';
import type { LoggedFile, RunLogger } from '../tracking/run-logger';

/** Drawn points at most: beyond this every n-th point (the file stays small, the cloud's shape stays). */
export const MAX_PLOT_POINTS = 2000;

/** Every `ceil(n / max)`-th index of the finite pairs (deterministic, in order). */
function thin(a: ArrayLike<number>, b: ArrayLike<number>, max: number): { x: Float64Array; y: Float64Array; total: number } {
  const keep: number[] = [];
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i])) keep.push(i);
  const every = Math.max(1, Math.ceil(keep.length / max));
  const idx = keep.filter((_, j) => j % every === 0);
  return { x: Float64Array.from(idx, (i) => a[i]), y: Float64Array.from(idx, (i) => b[i]), total: keep.length };
}

function extent(...arrays: Float64Array[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) for (const v of a) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (lo > hi) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/** Actual on x, predicted on y, one square domain for both so y = x is the diagonal. */
export function predictedVsActual(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, target: string, max = MAX_PLOT_POINTS): ScatterPlot {
  const { x, y, total } = thin(yTrue, yPred, max);
  const d = extent(x, y);
  return { title: 'Predicted vs actual (test set)', xLabel: `actual ${target}`, yLabel: `predicted ${target}`, x, y, total, xDomain: d, yDomain: d, line: 'diagonal' };
}

/** Predicted on x, residual = actual − predicted on y, symmetric about zero. */
export function residuals(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, target: string, max = MAX_PLOT_POINTS): ScatterPlot {
  const r = Float64Array.from({ length: yTrue.length }, (_, i) => yTrue[i] - yPred[i]);
  const { x, y, total } = thin(yPred, r, max);
  const [lo, hi] = extent(y);
  const m = Math.max(Math.abs(lo), Math.abs(hi));
  return { title: 'Residuals (test set)', xLabel: `predicted ${target}`, yLabel: 'actual − predicted', x, y, total, xDomain: extent(x), yDomain: [-m, m], line: 'zero' };
}

/** counts[actual][predicted]; the predicted class is the most probable one (first on ties). */
export function confusionMatrix(yTrue: ArrayLike<number>, proba: ArrayLike<number>, k: number): number[][] {
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
    const a = yTrue[i];
    if (a >= 0 && a < k) counts[a][best]++;
  }
  return counts;
}

/** 1 − p(actual class) per row: 0 is a sure right answer, 1 a sure wrong one. */
export function probabilityResiduals(yTrue: ArrayLike<number>, proba: ArrayLike<number>, k: number): Float64Array {
  return Float64Array.from({ length: yTrue.length }, (_, i) => 1 - proba[i * k + yTrue[i]]);
}

/** Counts of `values` in `bins` equal bins over [lo, hi] (hi falls in the last bin; outside values are left out). */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
  }
  return counts;
}

/** The fitted weights of a linear model: coef[feature][output]. */
export interface CoefficientsFile {
  format: 'mfflow-coefficients';
  version: 1;
  target: string;
  features: string[];
  /** The target for one output, the classes for a softmax. */
  outputs: string[];
  coef: number[][];
  intercept: number[];
  /** True when the weights apply to standardised features (comparable sizes). */
  standardized: boolean;
}

const enc = new TextEncoder();
const svgFile = (path: string, text: string): LoggedFile => ({ path, bytes: enc.encode(text), contentType: 'image/svg+xml' });

/** The plot files of a regression run. */
export function regressionPlotFiles(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, target: string): LoggedFile[] {
  return [
    svgFile('plots/predicted_vs_actual.svg', scatterSvg(predictedVsActual(yTrue, yPred, target))),
    svgFile('plots/residuals.svg', scatterSvg(residuals(yTrue, yPred, target))),
  ];
}

/** The plot files of a classification run (proba is row-major n × k). */
export function classificationPlotFiles(yTrue: ArrayLike<number>, proba: ArrayLike<number>, classes: readonly string[], target: string): LoggedFile[] {
  const k = classes.length;
  return [
    svgFile('plots/confusion_matrix.svg', confusionSvg(confusionMatrix(yTrue, proba, k), classes, target)),
    svgFile('plots/residuals.svg', histogramSvg(histogram(probabilityResiduals(yTrue, proba, k), 20, 0, 1), 0, 1,
      'Probability residuals (test set)', '1 − p(actual class)')),
  ];
}

export function coefficientsFile(c: Omit<CoefficientsFile, 'format' | 'version'>): LoggedFile {
  const body: CoefficientsFile = { format: 'mfflow-coefficients', version: 1, ...c };
  return { path: 'coefficients.json', bytes: enc.encode(JSON.stringify(body, null, 2)), contentType: 'application/json' };
}

/** Reads a logged coefficients.json; null when it is not one (artifacts are untrusted). */
export function parseCoefficients(bytes: Uint8Array): CoefficientsFile | null {
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as CoefficientsFile;
    const strs = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
    const nums = (a: unknown, n: number) => Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'number');
    if (v?.format !== 'mfflow-coefficients' || !strs(v.features) || !strs(v.outputs)) return null;
    const k = v.outputs.length;
    if (!Array.isArray(v.coef) || v.coef.length !== v.features.length || !v.coef.every((row) => nums(row, k)) || !nums(v.intercept, k)) return null;
    return v;
  } catch {
    return null;
  }
}

/** Logs the files together where the logger can overlap them (from a worker each is a round trip). */
export async function logFiles(logger: RunLogger, files: readonly LoggedFile[]): Promise<void> {
  if (logger.logArtifacts) await logger.logArtifacts(files);
  else for (const f of files) await logger.logArtifact(f.path, f.bytes, f.contentType);
}
