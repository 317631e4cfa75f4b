import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MT19937 } from '../../src/lib/ml/mt19937';
import { testCount, trainTestSplitNumpy } from '../../src/lib/ml/split';

describe('MT19937 (numpy legacy RandomState)', () => {
  it('gives the reference generator output for the canonical seed 5489', () => {
    // First outputs of Matsumoto & Nishimura's mt19937ar / C++ std::mt19937 default seed.
    const g = new MT19937(5489);
    expect([g.nextUint32(), g.nextUint32()]).toEqual([3499211612, 581869302]);
  });

  it('matches numpy RandomState(40) raw 32-bit draws', () => {
    // np.random.RandomState(40).randint(0, 2**32, size=5, dtype=np.uint32)
    const g = new MT19937(40);
    expect(Array.from({ length: 5 }, () => g.nextUint32())).toEqual([1751002438, 2765994203, 237795335, 481769637, 3386731512]);
  });

  it('matches numpy permutations', () => {
    expect(Array.from(new MT19937(0).permutation(10))).toEqual([2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    expect(Array.from(new MT19937(2 ** 32 - 1).permutation(20))).toEqual(
      [11, 17, 19, 15, 1, 5, 8, 16, 13, 18, 14, 9, 10, 6, 0, 4, 7, 12, 2, 3]);
    expect(Array.from(new MT19937(1).permutation(1))).toEqual([0]);
    expect(new MT19937(1).permutation(0).length).toBe(0);
  });

  it('rejects seeds numpy rejects', () => {
    for (const s of [-1, 2 ** 32, 1.5, NaN]) expect(() => new MT19937(s)).toThrow(RangeError);
  });

  it('permutation(n) is a permutation of 0..n−1 and bounded draws stay in range', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 3000 }), (seed, n) => {
      const p = new MT19937(seed).permutation(n);
      const seen = new Uint8Array(n);
      for (const v of p) {
        if (v < 0 || v >= n || seen[v]) return false;
        seen[v] = 1;
      }
      return p.length === n;
    }));
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (seed, max) => {
      const g = new MT19937(seed);
      for (let k = 0; k < 20; k++) {
        const v = g.interval(max);
        if (!(Number.isInteger(v) && v >= 0 && v <= max)) return false;
      }
      return true;
    }));
  });
});

describe('trainTestSplitNumpy', () => {
  it('reproduces the wine tutorial split (red, seed 40): docs/mlflow-formats.md §6.3', () => {
    const s = trainTestSplitNumpy(1599, { seed: 40 });
    expect(s.test.length).toBe(400);
    expect(s.train.length).toBe(1199);
    expect(Array.from(s.test.slice(0, 10))).toEqual([1035, 49, 799, 538, 660, 990, 398, 1068, 1155, 468]);
    expect(Array.from(s.train.slice(0, 5))).toEqual([1316, 1507, 849, 82, 644]);
    expect(s.seed).toBe(40);
  });

  it('reproduces the white-wine split (seed 40)', () => {
    const s = trainTestSplitNumpy(4898, { seed: 40 });
    expect(s.test.length).toBe(1225);
    expect(s.train.length).toBe(4898 - 1225);
    expect(Array.from(s.test.slice(0, 10))).toEqual([1876, 147, 3121, 4778, 4207, 70, 2870, 1969, 4289, 1239]);
  });

  it('uses ceil(test_size·n) test rows, or an explicit count', () => {
    expect(testCount(10, 0.25)).toBe(3);
    expect(testCount(1599)).toBe(400);
    expect(testCount(4898)).toBe(1225);
    expect(testCount(10, 4)).toBe(4);
    expect(() => testCount(10, 10)).toThrow(RangeError);
    expect(() => testCount(10, 2.5)).toThrow(RangeError);
    expect(() => testCount(10, 0)).toThrow(RangeError);
  });

  it('shuffle: false keeps file order, train first', () => {
    const s = trainTestSplitNumpy(10, { shuffle: false, testSize: 0.3 });
    expect(Array.from(s.train)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(s.test)).toEqual([7, 8, 9]);
    expect(s.seed).toBeUndefined();
  });

  it('without a seed draws one, reports it, and the reported seed replays the split', () => {
    const a = trainTestSplitNumpy(500);
    expect(Number.isInteger(a.seed)).toBe(true);
    const b = trainTestSplitNumpy(500, { seed: a.seed });
    expect(Array.from(b.train)).toEqual(Array.from(a.train));
    expect(Array.from(b.test)).toEqual(Array.from(a.test));
  });

  it('train and test partition the rows', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 2000 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.nat(), (n, t, seed) => {
      let s;
      try { s = trainTestSplitNumpy(n, { testSize: t, seed }); } catch { return Math.ceil(t * n) >= n; }
      const all = [...s.train, ...s.test].sort((a, b) => a - b);
      return s.test.length === Math.ceil(t * n) && all.every((v, i) => v === i);
    }));
  });
});
