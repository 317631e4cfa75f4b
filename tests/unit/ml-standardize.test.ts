import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitStandardScaler, standardize, unstandardize } from '../../src/lib/ml/standardize';

describe('StandardScaler', () => {
  it('uses the population standard deviation (ddof = 0)', () => {
    const s = fitStandardScaler([Float64Array.of(1, 2, 3, 4)]);
    expect(s.mean[0]).toBe(2.5);
    expect(s.variance[0]).toBe(1.25);
    expect(s.scale[0]).toBe(Math.sqrt(1.25));
  });

  it('gives constant columns scale 1', () => {
    const s = fitStandardScaler([Float64Array.of(0.5, 0.5, 0.5), Float64Array.of(5, 5, 5)]);
    expect(Array.from(s.scale)).toEqual([1, 1]);
    expect(Array.from(standardize(s, [Float64Array.of(0.5), Float64Array.of(6)]).map((c) => c[0]))).toEqual([0, 1]);
  });

  it('fits on a row subset', () => {
    const s = fitStandardScaler([Float64Array.of(100, 1, 3, -50)], [1, 2]);
    expect(s.mean[0]).toBe(2);
    expect(s.variance[0]).toBe(1);
  });

  it('round-trips and standardises to mean 0, variance 1', () => {
    const col = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 20, maxLength: 20 });
    fc.assert(fc.property(fc.array(col, { minLength: 1, maxLength: 4 }), (raw) => {
      const cols = raw.map((c) => Float64Array.from(c));
      const s = fitStandardScaler(cols);
      const z = standardize(s, cols);
      const back = unstandardize(s, z);
      for (let j = 0; j < cols.length; j++) {
        const spread = Math.max(...cols[j].map(Math.abs), 1);
        for (let i = 0; i < 20; i++) if (Math.abs(back[j][i] - cols[j][i]) > 1e-9 * spread) return false;
        if (s.scale[j] !== 1) {
          const m = z[j].reduce((a, b) => a + b, 0) / 20;
          const v = z[j].reduce((a, b) => a + (b - m) ** 2, 0) / 20;
          if (Math.abs(m) > 1e-9 || Math.abs(v - 1) > 1e-9) return false;
        }
      }
      return true;
    }));
  });
});
