import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clampSmoothing, smoothEma } from '../../src/lib/charts/smoothing';

/**
 * Reference: the debiased EMA written as what it is, a weighted mean of the finite values seen so
 * far with weight w^(age), recomputed from scratch at every point (quadratic, obviously right).
 */
function reference(values: number[], w: number): number[] {
  return values.map((v, i) => {
    if (!Number.isFinite(v)) return v;
    const seen = values.slice(0, i + 1).filter(Number.isFinite);
    let num = 0;
    let den = 0;
    seen.forEach((s, k) => { const weight = w ** (seen.length - 1 - k); num += weight * s; den += weight; });
    return num / den;
  });
}

describe('smoothEma', () => {
  it('matches the weighted-mean reference, NaN and ±∞ passing through', () => {
    const value = fc.oneof(
      { weight: 10, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
    );
    fc.assert(fc.property(fc.array(value, { maxLength: 60 }), fc.double({ min: 0, max: 0.99, noNaN: true }), (values, w) => {
      const got = Array.from(smoothEma(Float64Array.from(values), w));
      const want = reference(values, clampSmoothing(w));
      got.forEach((g, i) => {
        if (!Number.isFinite(want[i])) expect(g).toBe(want[i]);
        else expect(Math.abs(g - want[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want[i])));
      });
    }));
  });

  it('starts at the first value (debiased) and leaves a constant series constant', () => {
    const s = smoothEma(Float64Array.of(5, 5, 5, 5), 0.9);
    for (const v of s) expect(v).toBeCloseTo(5, 12);
    expect(smoothEma(Float64Array.of(3, 10), 0.6)[0]).toBeCloseTo(3, 12);
  });

  it('weight 0 is the raw series and weights beyond 0.99 are clamped', () => {
    const raw = Float64Array.of(1, 9, 2, 8);
    expect(Array.from(smoothEma(raw, 0))).toEqual([1, 9, 2, 8]);
    expect(Array.from(smoothEma(raw, 5))).toEqual(Array.from(smoothEma(raw, 0.99)));
    expect(clampSmoothing(-1)).toBe(0);
    expect(clampSmoothing(NaN)).toBe(0);
  });

  it('smooths TensorBoard-style: second point with w = 0.6 is (0.24·a + 0.4·b) / 0.64', () => {
    const [, second] = smoothEma(Float64Array.of(1, 2), 0.6);
    expect(second).toBeCloseTo((0.6 * 0.4 * 1 + 0.4 * 2) / (1 - 0.36), 12);
  });
});
