/**
 * The lab's ElasticNet, split, metrics and StandardScaler against real scikit-learn
 * (tests/interop/requirements.txt pins the release), on both wine files of MLflow's
 * sklearn_elasticnet_wine tutorial.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runPython } from './python';
import { winePath } from '../data/wine';
import { loadWine, type Wine } from '../unit/ml-wine-helper';
import { fitElasticNet, predictElasticNet } from '../../src/lib/ml/elastic-net';
import { mae, mse, r2, rmse } from '../../src/lib/ml/regression-metrics';
import { accuracy, logLoss, precisionRecallF1 } from '../../src/lib/ml/classification-metrics';
import { fitStandardScaler } from '../../src/lib/ml/standardize';
import { trainTestSplitNumpy } from '../../src/lib/ml/split';
import { MT19937 } from '../../src/lib/ml/mt19937';

interface SkFit {
  alpha: number; l1_ratio: number; extra: { fit_intercept?: boolean; max_iter?: number; tol?: number }; coef: number[]; intercept: number; n_iter: number;
  dual_gap: number; converged: boolean; rmse: number; mae: number; r2: number;
}
interface SkFile {
  columns: string[]; train_index: number[]; test_index: number[]; fits: SkFit[]; extra_fits: SkFit[];
  seed7_test30: { train_index: number[]; test_index: number[] };
}
interface SkOut { sklearn: string; files: { red: SkFile; white: SkFile } }

/** Relative 1e-9, or absolute 1e-12 for values that are ~0 (lasso zeros, tiny R²). */
function expectClose(ours: number, theirs: number, what: string, rel = 1e-9, abs = 1e-12) {
  const ok = Math.abs(ours - theirs) <= Math.max(rel * Math.abs(theirs), abs);
  expect(ok, `${what}: ours ${ours}, sklearn ${theirs}`).toBe(true);
}

let sk: SkOut;
const wines: Record<'red' | 'white', Wine> = {} as never;

beforeAll(async () => {
  const [red, white] = [await winePath('winequality-red.csv'), await winePath('wine-quality.csv')];
  sk = runPython<SkOut>('sklearn_enet.py', [red, white]);
  wines.red = await loadWine('winequality-red.csv');
  wines.white = await loadWine('wine-quality.csv');
});

describe.each(['red', 'white'] as const)('%s wine vs scikit-learn', (name) => {
  it('is running the pinned scikit-learn', () => {
    expect(sk.sklearn).toBe('1.6.1');
  });

  it('splits exactly as np.random.seed(40); train_test_split(data)', () => {
    const s = trainTestSplitNumpy(wines[name].nRows, { seed: 40 });
    expect(Array.from(s.train)).toEqual(sk.files[name].train_index);
    expect(Array.from(s.test)).toEqual(sk.files[name].test_index);
    expect(wines[name].names).toEqual(sk.files[name].columns);
  });

  it('splits exactly as train_test_split(data, random_state=7, test_size=0.3)', () => {
    const s = trainTestSplitNumpy(wines[name].nRows, { seed: 7, testSize: 0.3 });
    expect(Array.from(s.train)).toEqual(sk.files[name].seed7_test30.train_index);
    expect(Array.from(s.test)).toEqual(sk.files[name].seed7_test30.test_index);
  });

  it('fits ElasticNet like sklearn over the α × l1_ratio grid and off-default settings', () => {
    const w = wines[name];
    const split = trainTestSplitNumpy(w.nRows, { seed: 40 });
    const truth = Float64Array.from(split.test, (r) => w.quality[r]);
    expect(sk.files[name].fits.length).toBe(12);
    // The extras: fit_intercept=False, a max_iter too small to converge, a tight tol.
    expect(sk.files[name].extra_fits.map((f) => f.converged)).toEqual([true, false, true]);
    for (const f of [...sk.files[name].fits, ...sk.files[name].extra_fits]) {
      const tag = `${name} α=${f.alpha} ρ=${f.l1_ratio} ${JSON.stringify(f.extra)}`;
      const fit = fitElasticNet(w.columns, w.quality, {
        alpha: f.alpha, l1Ratio: f.l1_ratio, rows: split.train,
        fitIntercept: f.extra.fit_intercept, maxIter: f.extra.max_iter, tol: f.extra.tol,
      });
      expect(fit.nIter, `${tag} n_iter`).toBe(f.n_iter);
      expect(fit.converged, `${tag} converged`).toBe(f.converged);
      f.coef.forEach((c, j) => expectClose(fit.coef[j], c, `${tag} coef[${j}]`));
      expectClose(fit.intercept, f.intercept, `${tag} intercept`);
      // The gap is a difference of large terms; BLAS summation order shows at ~1e-9.
      expectClose(fit.dualGap, f.dual_gap, `${tag} dual_gap`, 1e-6, 1e-12);
      const pred = predictElasticNet(fit, w.columns, split.test);
      expectClose(rmse(truth, pred), f.rmse, `${tag} rmse`);
      expectClose(mae(truth, pred), f.mae, `${tag} mae`);
      expectClose(r2(truth, pred), f.r2, `${tag} r2`);
    }
  });
});

describe('metrics and StandardScaler vs scikit-learn', () => {
  it('agree on random inputs', () => {
    const g = new MT19937(2024);
    const u = () => g.nextUint32() / 2 ** 32;
    const n = 1000;
    const k = 4;
    const y = Array.from({ length: n }, () => 5 + 3 * u());
    const pred = y.map((v) => v + (u() - 0.5));
    const yc = Array.from({ length: n }, () => Math.floor(u() * k));
    const pc = yc.map((c) => (u() < 0.6 ? c : Math.floor(u() * k)));
    const proba = yc.map(() => {
      const row = Array.from({ length: k }, () => u() + (u() < 0.01 ? -1 : 0)); // some clip at ε
      const s = row.reduce((a, b) => a + Math.max(b, 0), 0);
      return row.map((v) => Math.max(v, 0) / s);
    });
    const rows = Array.from({ length: 300 }, (_, i) => [u() * 100, 1e6 + u(), 7, i % 2 ? 0.1 : 0.3]);
    const req = { regression: { y, pred }, classification: { y: yc, pred: pc, proba }, scaler: { rows } };
    const ref = runPython<any>('sklearn_enet_metrics.py', [], JSON.stringify(req));

    expectClose(mse(y, pred), ref.mse, 'mse', 1e-14);
    expectClose(rmse(y, pred), ref.rmse, 'rmse', 1e-14);
    expectClose(mae(y, pred), ref.mae, 'mae', 1e-14);
    expectClose(r2(y, pred), ref.r2, 'r2', 1e-13);
    expect(accuracy(yc, pc)).toBe(ref.accuracy);
    expectClose(logLoss(yc, proba.flat(), k), ref.log_loss, 'log_loss', 1e-14);
    const prf = precisionRecallF1(yc, pc);
    expect(prf.labels).toEqual(ref.labels);
    expect(prf.support).toEqual(ref.support);
    for (const key of ['precision', 'recall', 'f1'] as const) {
      prf[key].forEach((v, c) => expectClose(v, ref[key][c], `${key}[${c}]`, 1e-15));
      expectClose(prf.macro[key], ref.macro[key], `macro ${key}`, 1e-15);
    }
    const cols = [0, 1, 2, 3].map((j) => Float64Array.from(rows, (r) => r[j]));
    const sc = fitStandardScaler(cols);
    cols.forEach((_, j) => {
      expectClose(sc.mean[j], ref.scaler.mean[j], `scaler mean[${j}]`, 1e-15);
      expectClose(sc.variance[j], ref.scaler.var[j], `scaler var[${j}]`, 1e-12, 1e-20);
      expectClose(sc.scale[j], ref.scaler.scale[j], `scaler scale[${j}]`, 1e-12);
    });
  });
});
