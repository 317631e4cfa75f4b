import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mae, mse, r2, rmse } from '../../src/lib/ml/regression-metrics';
import { accuracy, logLoss, precisionRecallF1 } from '../../src/lib/ml/classification-metrics';
import { pairwiseSum } from '../../src/lib/ml/pairwise-sum';

describe('regression metrics (sklearn definitions)', () => {
  it('computes hand-checked values', () => {
    const y = [3, -0.5, 2, 7];
    const p = [2.5, 0.0, 2, 8];
    // sklearn docs examples: mse 0.375, mae 0.5, r2 0.948...
    expect(mse(y, p)).toBe(0.375);
    expect(rmse(y, p)).toBe(Math.sqrt(0.375));
    expect(mae(y, p)).toBe(0.5);
    // SS_res = 1.5; ȳ = 2.875, SS_tot = 29.1875
    expect(r2(y, p)).toBeCloseTo(1 - 1.5 / 29.1875, 15);
  });

  it('follows sklearn for constant targets and tiny samples', () => {
    expect(r2([1, 1, 1], [1, 1, 1])).toBe(1);
    expect(r2([1, 1, 1], [1, 2, 1])).toBe(0);
    expect(Number.isNaN(r2([1], [1]))).toBe(true);
    expect(() => mse([1, 2], [1])).toThrow(RangeError);
  });

  it('r2 of the mean prediction is 0 and of the truth is 1', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 300 }), (y) => {
      const mean = y.reduce((a, b) => a + b, 0) / y.length;
      if (y.reduce((a, b) => a + (b - mean) ** 2, 0) < 1e-6) return true; // r2 of a near-constant target is ill-conditioned
      return r2(y, y) === 1 && Math.abs(r2(y, y.map(() => mean))) < 1e-9 && rmse(y, y) === 0;
    }));
  });
});

describe('pairwiseSum', () => {
  it('equals the exact sum for integers and is close for floats at every block boundary', () => {
    for (const n of [0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 1000, 4096]) {
      const a = Float64Array.from({ length: n }, (_, i) => i + 1);
      expect(pairwiseSum(a)).toBe((n * (n + 1)) / 2);
      expect(pairwiseSum(a, 3, Math.max(0, n - 5))).toBe(Array.from(a.slice(3, Math.max(3, n - 2))).reduce((s, v) => s + v, 0));
    }
    expect(Object.is(pairwiseSum([-0]), -0)).toBe(true);
  });
});

describe('classification metrics (sklearn definitions)', () => {
  it('accuracy', () => {
    expect(accuracy([0, 1, 2, 3], [0, 2, 1, 3])).toBe(0.5);
  });

  it('log loss clips to [ε, 1−ε] and averages −log p(true class)', () => {
    // sklearn docs example: log_loss(["spam","ham","ham","spam"], [[.1,.9],[.9,.1],[.8,.2],[.35,.65]]) ≈ 0.21616
    const y = [1, 0, 0, 1];
    const p = [0.1, 0.9, 0.9, 0.1, 0.8, 0.2, 0.35, 0.65];
    expect(logLoss(y, p, 2)).toBeCloseTo(-(Math.log(0.9) + Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4, 15);
    expect(logLoss(y, p, 2)).toBeCloseTo(0.21616, 5);
    expect(logLoss([0], [0, 1], 2)).toBeCloseTo(-Math.log(2.220446049250313e-16), 12);
    expect(() => logLoss([2], [0.5, 0.5], 2)).toThrow(RangeError);
  });

  it('per-class precision, recall and F1 with zero_division = 0', () => {
    // sklearn docs example for precision_recall_fscore_support(average=None).
    const yTrue = [0, 1, 2, 0, 1, 2];
    const yPred = [0, 2, 1, 0, 0, 1];
    const s = precisionRecallF1(yTrue, yPred);
    expect(s.labels).toEqual([0, 1, 2]);
    expect(s.precision).toEqual([2 / 3, 0, 0]);
    expect(s.recall).toEqual([1, 0, 0]);
    expect(s.f1).toEqual([0.8, 0, 0]);
    expect(s.support).toEqual([2, 2, 2]);
    expect(s.macro.f1).toBeCloseTo(0.26666666666666666, 15);
  });
});
