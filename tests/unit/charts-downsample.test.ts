import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bucketOf, downsampleRange, interpolateAt, lowerBound, m4Indices, upperBound, type XY } from '../../src/lib/charts/downsample';

/** Sorted x (duplicates allowed) and finite y, as stored histories look once prepared. */
const series = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 0, maxLength: 400 })
  .map((pts): XY => {
    const x = new Float64Array(pts.length);
    const y = new Float64Array(pts.length);
    let acc = 0;
    pts.forEach(([dx, v], i) => { acc += dx; x[i] = acc; y[i] = v; });
    return { x, y };
  });

/** Raw min/max per bucket of the points inside [x0, x1], by brute force. */
function rawExtremes(s: XY, x0: number, x1: number, buckets: number) {
  const m = new Map<number, { min: number; max: number }>();
  for (let i = 0; i < s.x.length; i++) {
    if (s.x[i] < x0 || s.x[i] > x1) continue;
    const b = bucketOf(s.x[i], x0, x1, buckets);
    const e = m.get(b) ?? { min: Infinity, max: -Infinity };
    e.min = Math.min(e.min, s.y[i]);
    e.max = Math.max(e.max, s.y[i]);
    m.set(b, e);
  }
  return m;
}

describe('m4Indices', () => {
  it('keeps every bucket min and max, at most 4 points per bucket, in x order', () => {
    fc.assert(fc.property(series, fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
      (s, buckets, a, b) => {
        const span = s.x.length ? s.x[s.x.length - 1] : 0;
        const x0 = Math.min(a, b) * span;
        const x1 = Math.max(a, b) * span;
        const idx = m4Indices(s, x0, x1, buckets);
        expect(idx.length).toBeLessThanOrEqual(4 * buckets);
        for (let k = 1; k < idx.length; k++) expect(idx[k]).toBeGreaterThan(idx[k - 1]);
        const kept = rawExtremes({ x: Float64Array.from(idx, (i) => s.x[i]), y: Float64Array.from(idx, (i) => s.y[i]) }, x0, x1, buckets);
        const raw = rawExtremes(s, x0, x1, buckets);
        expect(kept).toEqual(raw);
        // Every kept point is a raw point inside the range.
        for (const i of idx) { expect(s.x[i]).toBeGreaterThanOrEqual(x0); expect(s.x[i]).toBeLessThanOrEqual(x1); }
      }), { numRuns: 300 });
  });

  it('keeps a single spike in a 1,000,000-point series drawn into 800 buckets', () => {
    const n = 1_000_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) { x[i] = i; y[i] = Math.sin(i / 1000); }
    y[654_321] = 50;
    y[123_457] = -40;
    const idx = m4Indices({ x, y }, 0, n - 1, 800);
    expect(idx.length).toBeLessThanOrEqual(3200);
    const ys = Array.from(idx, (i) => y[i]);
    expect(Math.max(...ys)).toBe(50);
    expect(Math.min(...ys)).toBe(-40);
  });

  it('returns every point when there are fewer points than buckets', () => {
    const s = { x: Float64Array.of(0, 1, 2, 3), y: Float64Array.of(4, 3, 2, 1) };
    expect(Array.from(m4Indices(s, 0, 3, 100))).toEqual([0, 1, 2, 3]);
  });
});

describe('downsampleRange', () => {
  it('adds interpolated edge points where the series continues beyond the range', () => {
    const s = { x: Float64Array.of(0, 10, 20), y: Float64Array.of(0, 100, 0) };
    const d = downsampleRange(s, 5, 15, 10);
    expect(Array.from(d.x)).toEqual([5, 10, 15]);
    expect(Array.from(d.y)).toEqual([50, 100, 50]);
  });

  it('re-bucketing a zoomed range keeps every raw point once it holds few enough', () => {
    const n = 100_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
    const d = downsampleRange({ x, y }, 5000, 5099, 800);
    expect(d.x.length).toBe(100);
    expect(Array.from(d.y)).toEqual(Array.from(y.subarray(5000, 5100)));
  });

  it('gives an empty series for a range with no points and nothing around it', () => {
    expect(downsampleRange({ x: new Float64Array(), y: new Float64Array() }, 0, 1, 10).x.length).toBe(0);
  });
});

describe('search helpers', () => {
  it('lowerBound/upperBound/interpolateAt agree with linear scans', () => {
    fc.assert(fc.property(series, fc.integer({ min: -2, max: 500 }), (s, v) => {
      const lin = (pred: (x: number) => boolean) => { let i = 0; while (i < s.x.length && pred(s.x[i])) i++; return i; };
      expect(lowerBound(s.x, v)).toBe(lin((x) => x < v));
      expect(upperBound(s.x, v)).toBe(lin((x) => x <= v));
      const y = interpolateAt(s, v);
      if (s.x.length === 0 || v < s.x[0] || v > s.x[s.x.length - 1]) expect(y).toBeUndefined();
      else expect(Number.isFinite(y)).toBe(true);
    }));
  });
});
