import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitElasticNet, predictElasticNet, prepareElasticNet, solveElasticNet } from '../../src/lib/ml/elastic-net';
import { regressionMetrics } from '../../src/lib/ml/regression-metrics';
import { pairwiseSum, pairwiseSumF64 } from '../../src/lib/ml/pairwise-sum';
import { trainTestSplitNumpy } from '../../src/lib/ml/split';
import { loadWine, type Wine } from './ml-wine-helper';

/** |a − b| ≤ rel·|b|, or ≤ abs when b is ~0. */
function near(a: number, b: number, rel = 1e-9, abs = 1e-12): boolean {
  return Math.abs(a - b) <= Math.max(rel * Math.abs(b), abs);
}
function expectNear(a: number, b: number, what: string, rel = 1e-9, abs = 1e-12) {
  expect(near(a, b, rel, abs), `${what}: ${a} vs ${b}`).toBe(true);
}

function tutorial(wine: Wine, alpha: number, l1Ratio: number) {
  const split = trainTestSplitNumpy(wine.nRows, { seed: 40 });
  const fit = fitElasticNet(wine.columns, wine.quality, { alpha, l1Ratio, rows: split.train });
  const pred = predictElasticNet(fit, wine.columns, split.test);
  const truth = Float64Array.from(split.test, (r) => wine.quality[r]);
  return { fit, metrics: regressionMetrics(truth, pred) };
}

describe('ElasticNet on the wine tutorial (reference numbers of docs/mlflow-formats.md §6.5)', () => {
  let red: Wine;
  let white: Wine;
  beforeAll(async () => {
    red = await loadWine('winequality-red.csv');
    white = await loadWine('wine-quality.csv');
  });

  it('red, α=0.5, ρ=0.5 (train.py defaults)', () => {
    const { fit, metrics } = tutorial(red, 0.5, 0.5);
    expectNear(metrics.rmse, 0.7931640229276851, 'rmse');
    expectNear(metrics.mae, 0.6271946374319586, 'mae');
    expectNear(metrics.r2, 0.10862644997792614, 'r2');
    expect(fit.nIter).toBe(9);
    expect(fit.converged).toBe(true);
    expectNear(fit.intercept, 4.946541376763105, 'intercept');
    const coef = [0, 0, 0, 0, 0, 0.004775710688, -0.005124166205, 0, 0, 0, 0.08000334296];
    // The spec prints 10 significant digits.
    coef.forEach((c, j) => expectNear(fit.coef[j], c, `coef ${j}`, 1e-9, 1e-12));
  });

  it('red, α=0.5, ρ=0.1 (MLproject default)', () => {
    const { fit, metrics } = tutorial(red, 0.5, 0.1);
    expectNear(metrics.rmse, 0.7460550348172179, 'rmse');
    expectNear(metrics.mae, 0.576381895873763, 'mae');
    expectNear(metrics.r2, 0.21136606570632266, 'r2');
    expect(fit.nIter).toBe(10);
    expectNear(fit.intercept, 3.194690419781477, 'intercept');
  });

  it('white, α=0.5, ρ=0.5 (the well-known 0.822 tutorial figures)', () => {
    const { metrics } = tutorial(white, 0.5, 0.5);
    expectNear(metrics.rmse, 0.82224284975954, 'rmse');
    expectNear(metrics.mae, 0.6278761410160693, 'mae');
    expectNear(metrics.r2, 0.12678721972772689, 'r2');
  });

  it('reports progress per sweep and stops when the callback returns false', () => {
    const split = trainTestSplitNumpy(red.nRows, { seed: 40 });
    const seen: [number, number][] = [];
    const full = fitElasticNet(red.columns, red.quality, {
      alpha: 0.01, l1Ratio: 0.5, rows: split.train, onIteration: (i, g) => void seen.push([i, g]),
    });
    expect(seen.map((s) => s[0])).toEqual(Array.from({ length: full.nIter }, (_, i) => i + 1));
    expect(seen[seen.length - 1][1]).toBe(full.dualGap);
    const stopped = fitElasticNet(red.columns, red.quality, {
      alpha: 0.01, l1Ratio: 0.5, rows: split.train, onIteration: (i) => i < 3,
    });
    expect(stopped).toMatchObject({ nIter: 3, stopped: true, converged: false });
  });

  it('flags non-convergence when max_iter runs out, with the last gap computed', () => {
    const split = trainTestSplitNumpy(white.nRows, { seed: 40 });
    const fit = fitElasticNet(white.columns, white.quality, { alpha: 1e-4, l1Ratio: 0.5, rows: split.train, maxIter: 3 });
    expect(fit).toMatchObject({ nIter: 3, converged: false, stopped: false });
    expect(fit.dualGap).toBeGreaterThan(0);
  });

  it('a prepared problem can be solved repeatedly with the same answers', () => {
    const split = trainTestSplitNumpy(red.nRows, { seed: 40 });
    const problem = prepareElasticNet(red.columns, red.quality, { rows: split.train });
    const a = solveElasticNet(problem, { alpha: 0.5, l1Ratio: 0.5 });
    solveElasticNet(problem, { alpha: 0.01, l1Ratio: 0.9 });
    const b = solveElasticNet(problem, { alpha: 0.5, l1Ratio: 0.5 });
    expect(Array.from(b.coef)).toEqual(Array.from(a.coef));
  });
});

describe('ElasticNet optimality and edge cases', () => {
  /** Random small regression problems: n×p columns and a target with a sparse signal plus noise. */
  const problemArb = fc.record({
    n: fc.integer({ min: 3, max: 40 }),
    p: fc.integer({ min: 1, max: 6 }),
    seed: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 300, maxLength: 300 }),
    alpha: fc.double({ min: 1e-3, max: 2, noNaN: true }),
    l1Ratio: fc.double({ min: 0.05, max: 1, noNaN: true }),
    fitIntercept: fc.boolean(),
  });

  it('satisfies the KKT conditions at convergence', () => {
    let runs = 0;
    let missed = 0;
    fc.assert(fc.property(problemArb, ({ n, p, seed, alpha, l1Ratio, fitIntercept }) => {
      const cols = Array.from({ length: p }, (_, j) => Float64Array.from({ length: n }, (_, i) => seed[(i * p + j) % 300]));
      const y = Float64Array.from({ length: n }, (_, i) => 2 * cols[0][i] - (p > 1 ? cols[1][i] : 0) + 0.3 * seed[(i * 7 + 13) % 300] + 1);
      const fit = fitElasticNet(cols, y, { alpha, l1Ratio, fitIntercept, tol: 1e-12, maxIter: 20_000 });
      runs++;
      if (!fit.converged) {
        missed++; // nearly collinear draws may not reach 1e-12; counted below
        return true;
      }
      // Gradient of the smooth part of the objective (1/n scale) at the solution.
      const xm = cols.map((c) => (fitIntercept ? c.reduce((a, b) => a + b, 0) / n : 0));
      const ym = fitIntercept ? y.reduce((a, b) => a + b, 0) / n : 0;
      const r = Float64Array.from(y, (yi, i) => yi - ym - cols.reduce((s, c, j) => s + (c[i] - xm[j]) * fit.coef[j], 0));
      const scale = Math.sqrt(y.reduce((s, v) => s + (v - ym) ** 2, 0) / n) * Math.max(1, ...cols.map((c) => Math.max(...c.map(Math.abs))));
      const tolK = 1e-5 * Math.max(scale, 1e-3);
      for (let j = 0; j < p; j++) {
        const g = cols[j].reduce((s, v, i) => s + (v - xm[j]) * r[i], 0) / n - alpha * (1 - l1Ratio) * fit.coef[j];
        const w = fit.coef[j];
        if (w !== 0 && Math.abs(g - alpha * l1Ratio * Math.sign(w)) > tolK) return false;
        if (w === 0 && Math.abs(g) > alpha * l1Ratio + tolK) return false;
      }
      // Intercept = ȳ − x̄·w.
      const b = ym - xm.reduce((s, m, j) => s + m * fit.coef[j], 0);
      return Math.abs(fit.intercept - b) <= 1e-9 * Math.max(1, Math.abs(b));
    }), { numRuns: 200 });
    // The stopping rule itself must work: almost every random problem converges.
    expect(missed).toBeLessThan(runs * 0.1);
  });

  it('gives w = 0 when α·ρ reaches max|Xᵀy|/n (the lasso α_max), and the mean as intercept', () => {
    const x = [Float64Array.of(1, 2, 3, 4)];
    const y = Float64Array.of(2, 4, 5, 9);
    // centred: x̄=2.5, ȳ=5; Σ(x−x̄)(y−ȳ) = 11 → α_max·ρ = 11/4.
    const fit = fitElasticNet(x, y, { alpha: 11 / 4, l1Ratio: 1 });
    expect(fit.coef[0]).toBe(0);
    expect(fit.intercept).toBe(5);
    expect(fit.nIter).toBe(1);
    const below = fitElasticNet(x, y, { alpha: 2, l1Ratio: 1 });
    // Closed form for one feature: (11 − 2·4)/Σ(x−x̄)² = 3/5.
    expectNear(below.coef[0], 0.6, 'single-feature lasso', 1e-12);
  });

  it('skips constant columns (zero norm) and leaves their coefficient 0', () => {
    const fit = fitElasticNet([Float64Array.of(3, 3, 3, 3), Float64Array.of(1, 2, 3, 4)], Float64Array.of(1, 2, 3, 4), { alpha: 0.01 });
    expect(fit.coef[0]).toBe(0);
    expect(fit.coef[1]).toBeGreaterThan(0.9);
  });

  it('rejects bad parameters and data like sklearn', () => {
    const x = [Float64Array.of(1, 2, 3)];
    const y = Float64Array.of(1, 2, 3);
    expect(() => fitElasticNet(x, y, { alpha: -1 })).toThrow(/alpha/);
    expect(() => fitElasticNet(x, y, { l1Ratio: 1.5 })).toThrow(/l1_ratio/);
    expect(() => fitElasticNet(x, y, { maxIter: 0 })).toThrow(/max_iter/);
    expect(() => fitElasticNet(x, y, { tol: -1 })).toThrow(/tol/);
    expect(() => fitElasticNet([Float64Array.of(1, NaN, 3)], y)).toThrow(/NaN/);
    expect(() => fitElasticNet([Float64Array.of(1, 2)], y)).toThrow(/rows/);
    expect(() => fitElasticNet(x, y, { rows: [0, 5] })).toThrow(/out of range/);
  });

  it('fits reusing the design-matrix buffer give what fresh buffers give, across shapes and from inside onIteration', () => {
    const rand = (seed: number) => () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    const problem = (rows: number, cols: number, seed: number) => {
      const r = rand(seed);
      const columns = Array.from({ length: cols }, () => Float64Array.from({ length: rows }, r));
      const y = Float64Array.from({ length: rows }, (_, i) => columns.reduce((s, c, j) => s + c[i] * (j - 1), 0) + r());
      return { columns, y, rows: trainTestSplitNumpy(rows, { seed }).train };
    };
    const fresh = (p: ReturnType<typeof problem>, o: { alpha: number; l1Ratio: number }) =>
      solveElasticNet(prepareElasticNet(p.columns, p.y, { rows: p.rows }), o);
    const same = (a: { coef: Float64Array; intercept: number; nIter: number; dualGap: number }, b: typeof a) => {
      expect(Array.from(a.coef)).toEqual(Array.from(b.coef));
      expect([a.intercept, a.nIter, a.dualGap]).toEqual([b.intercept, b.nIter, b.dualGap]);
    };
    const o = { alpha: 0.05, l1Ratio: 0.5 };
    // Big, then smaller (a view of the kept buffer), then bigger again (a new one).
    for (const [rows, cols, seed] of [[4000, 11, 1], [300, 4, 2], [5000, 13, 3], [4000, 11, 1]]) {
      const p = problem(rows, cols, seed);
      same(fitElasticNet(p.columns, p.y, { ...o, rows: p.rows }), fresh(p, o));
    }
    // A fit started from onIteration must not write into the buffer the outer fit is using.
    const outer = problem(2000, 6, 4), inner = problem(3000, 9, 5);
    let innerFit: ReturnType<typeof fitElasticNet> | null = null;
    const got = fitElasticNet(outer.columns, outer.y, { ...o, rows: outer.rows, onIteration: (it) => { if (it === 1) innerFit = fitElasticNet(inner.columns, inner.y, { ...o, rows: inner.rows }); } });
    same(got, fresh(outer, o));
    same(innerFit!, fresh(inner, o));
  });

  it('pairwiseSumF64 sums in numpy\'s order exactly as pairwiseSum does', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { maxLength: 1200 }), fc.nat(20), (xs, skip) => {
      const a = Float64Array.from(xs);
      const start = Math.min(skip, a.length);
      expect(Object.is(pairwiseSumF64(a, start, a.length - start), pairwiseSum(a, start, a.length - start))).toBe(true);
    }));
  });

  it('predicts X·w + b', () => {
    const out = predictElasticNet({ coef: Float64Array.of(2, -1), intercept: 0.5 }, [Float64Array.of(1, 2), Float64Array.of(3, 5)]);
    expect(Array.from(out)).toEqual([2 - 3 + 0.5, 4 - 5 + 0.5]);
  });
});
