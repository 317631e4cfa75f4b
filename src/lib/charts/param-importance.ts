/**
 * Parameter importance for a sweep: which params move the chosen metric. Two measures, as
 * sweep dashboards show them side by side:
 * - correlation: Pearson's r of a numeric param with the metric (sign = direction); for a
 *   text param, the correlation ratio η (0..1, no sign);
 * - tree importance: the impurity-decrease (MSE) importance of one CART regression tree of
 *   depth ≤ maxDepth (3) grown on every param, normalised to sum 1, computed as scikit-learn's
 *   DecisionTreeRegressor.feature_importances_ is (tests/unit/param-importance.test.ts checks
 *   it against sklearn's numbers).
 * Pure and synchronous; the page runs it in a worker (workers/analysis-worker.ts).
 */

export interface ImportanceInput {
  /** Param names, one column each. */
  params: string[];
  /** Per run: the param values as text (undefined = not logged). */
  rows: (string | undefined)[][];
  /** Per run: the metric value (runs without a finite value are left out). */
  metric: (number | undefined)[];
  maxDepth?: number;
}

export interface ParamImportance {
  param: string;
  /** Pearson r (numeric params) or η (text params); NaN when it cannot be computed (constant). */
  correlation: number;
  kind: 'numeric' | 'text';
  importance: number;
}

export interface ImportanceResult {
  metricRuns: number;
  /** Sorted by importance, then |correlation|. */
  params: ParamImportance[];
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Correlation ratio η: sqrt(between-group sum of squares / total sum of squares). */
export function correlationRatio(groups: readonly string[], y: ArrayLike<number>): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  const sums = new Map<string, { s: number; c: number }>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const g = sums.get(groups[i]) ?? { s: 0, c: 0 };
    g.s += y[i]; g.c++;
    sums.set(groups[i], g);
    total += (y[i] - mean) ** 2;
  }
  let between = 0;
  for (const { s, c } of sums.values()) between += c * (s / c - mean) ** 2;
  return total === 0 ? NaN : Math.sqrt(between / total);
}

/** sklearn's FEATURE_THRESHOLD: values closer than this are not split apart. */
const FEATURE_THRESHOLD = 1e-7;

/**
 * Impurity-decrease importances of a CART regression tree (MSE, best splits, min 1 sample per
 * leaf, depth ≤ maxDepth), normalised to sum 1 (all zero when the tree never splits).
 * X is column-major: X[f][i].
 */
export function treeImportances(X: readonly Float64Array[], y: Float64Array, maxDepth: number): Float64Array {
  const nf = X.length, n = y.length;
  const imp = new Float64Array(nf);
  const grow = (idx: Uint32Array, depth: number) => {
    const m = idx.length;
    let s = 0, s2 = 0;
    for (const i of idx) { s += y[i]; s2 += y[i] * y[i]; }
    const impurity = s2 / m - (s / m) ** 2;
    if (depth >= maxDepth || m < 2 || impurity <= Number.EPSILON) return;
    let best: { f: number; score: number; order: Uint32Array; cut: number } | null = null;
    for (let f = 0; f < nf; f++) {
      const col = X[f];
      const order = Uint32Array.from(idx).sort((a, b) => col[a] - col[b]);
      let ls = 0, ls2 = 0;
      for (let k = 0; k < m - 1; k++) {
        const i = order[k];
        ls += y[i]; ls2 += y[i] * y[i];
        if (col[order[k + 1]] <= col[i] + FEATURE_THRESHOLD) continue;
        const nl = k + 1, nr = m - nl;
        const rs = s - ls;
        // sklearn's proxy: maximise sum_l²/n_l + sum_r²/n_r (the rest of the impurity is constant).
        const score = (ls * ls) / nl + (rs * rs) / nr;
        if (!best || score > best.score) best = { f, score, order, cut: nl };
      }
    }
    if (!best) return;
    const left = best.order.slice(0, best.cut), right = best.order.slice(best.cut);
    const childImpurity = (part: Uint32Array) => {
      let a = 0, b = 0;
      for (const i of part) { a += y[i]; b += y[i] * y[i]; }
      return b / part.length - (a / part.length) ** 2;
    };
    imp[best.f] += (m * impurity - left.length * childImpurity(left) - right.length * childImpurity(right)) / n;
    grow(left, depth + 1);
    grow(right, depth + 1);
  };
  grow(Uint32Array.from({ length: n }, (_, i) => i), 0);
  let total = 0;
  for (const v of imp) total += v;
  if (total > 0) for (let f = 0; f < nf; f++) imp[f] /= total;
  return imp;
}

const isNumber = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));

export function paramImportance(input: ImportanceInput): ImportanceResult {
  const keep: number[] = [];
  input.metric.forEach((v, i) => { if (v !== undefined && Number.isFinite(v)) keep.push(i); });
  const y = Float64Array.from(keep, (i) => input.metric[i]!);
  const cols: Float64Array[] = [];
  const stats: Omit<ParamImportance, 'importance'>[] = [];
  input.params.forEach((param, p) => {
    const vals = keep.map((i) => input.rows[i][p]);
    const numeric = vals.every((v) => v !== undefined && isNumber(v));
    if (numeric) {
      const x = Float64Array.from(vals, (v) => Number(v));
      cols.push(x);
      stats.push({ param, kind: 'numeric', correlation: y.length > 1 ? pearson(x, y) : NaN });
    } else {
      // Text (or partly missing) params: ordinal codes in sorted order for the tree, η for correlation.
      const text = vals.map((v) => v ?? '\u0000(missing)');
      const codes = new Map([...new Set(text)].sort().map((v, k) => [v, k] as const));
      cols.push(Float64Array.from(text, (v) => codes.get(v)!));
      stats.push({ param, kind: 'text', correlation: y.length > 1 ? correlationRatio(text, y) : NaN });
    }
  });
  const imp = y.length > 1 ? treeImportances(cols, y, input.maxDepth ?? 3) : new Float64Array(cols.length);
  const params = stats.map((s, f) => ({ ...s, importance: imp[f] }))
    .sort((a, b) => b.importance - a.importance || (Math.abs(b.correlation) || 0) - (Math.abs(a.correlation) || 0));
  return { metricRuns: y.length, params };
}
