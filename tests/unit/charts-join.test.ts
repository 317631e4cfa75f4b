import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { downsampleRange, type XY } from '../../src/lib/charts/downsample';
import { buildFrame, joinExact, joinSlots, xExtent, type Cell } from '../../src/lib/charts/join';

const seriesArb = fc
  .array(fc.tuple(fc.double({ min: 0.001, max: 50, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true })), { minLength: 1, maxLength: 300 })
  .map((pts): XY => {
    let acc = 0;
    const x = Float64Array.from(pts, ([dx]) => (acc += dx));
    return { x, y: Float64Array.from(pts, ([, v]) => v) };
  });

/** The (x, y) cells a joined column fills, in order. */
function pointsOf(data: [Float64Array, ...Cell[][]], k: number): [number, number][] {
  const col = data[k + 1];
  const out: [number, number][] = [];
  for (let i = 0; i < col.length; i++) { const v = col[i]; if (v !== undefined) out.push([data[0][i], v]); }
  return out;
}

describe('joinExact', () => {
  it('puts every point of every series on the union x, nothing else', () => {
    fc.assert(fc.property(fc.array(seriesArb, { minLength: 1, maxLength: 5 }), (series) => {
      const f = joinExact(series);
      for (let i = 1; i < f.data[0].length; i++) expect(f.data[0][i]).toBeGreaterThan(f.data[0][i - 1]);
      series.forEach((s, k) => expect(pointsOf(f.data, k)).toEqual(Array.from(s.x, (x, i) => [x, s.y[i]])));
      expect(f.points).toBe(series.reduce((n, s) => n + s.x.length, 0));
    }));
  });

  it('reuses the shared x when every run logged the same steps', () => {
    const x = Float64Array.of(0, 1, 2);
    const f = joinExact([{ x, y: Float64Array.of(1, 2, 3) }, { x: Float64Array.of(0, 1, 2), y: Float64Array.of(4, 5, 6) }]);
    expect(f.data[0]).toBe(x);
    expect(f.data[2]).toEqual([4, 5, 6]);
  });
});

describe('joinSlots', () => {
  it('keeps each downsampled point, in order, within one bucket of its real x', () => {
    fc.assert(fc.property(fc.array(seriesArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 40 }), (series, buckets) => {
      const [x0, x1] = xExtent(series)!;
      fc.pre(x1 > x0);
      const parts = series.map((s) => downsampleRange(s, x0, x1, buckets));
      const f = joinSlots(parts, x0, x1, buckets);
      expect(f.data[0].length).toBe(4 * buckets + 2);
      const width = (x1 - x0) / buckets;
      parts.forEach((p, k) => {
        // Same values in the same order, each cell's x within one bucket of the point's real x.
        const cells = pointsOf(f.data, k);
        expect(cells.map(([, y]) => y)).toEqual(Array.from(p.y));
        cells.forEach(([x], i) => expect(Math.abs(x - p.x[i])).toBeLessThanOrEqual(width * (1 + 1e-9)));
      });
    }));
  });
});

describe('buildFrame', () => {
  it('keeps every run’s extremes in range whichever join it picks', () => {
    fc.assert(fc.property(fc.array(seriesArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 30 }), (series, buckets) => {
      const [x0, x1] = xExtent(series)!;
      const f = buildFrame(series, { x0, x1, buckets });
      expect(f.data[0].length).toBeLessThanOrEqual(Math.max(4 * buckets + 2, f.points));
      series.forEach((s, k) => {
        const drawn = f.data[k + 1].filter((v): v is number => v !== undefined);
        expect(Math.max(...drawn)).toBe(Math.max(...s.y));
        expect(Math.min(...drawn)).toBe(Math.min(...s.y));
      });
    }));
  });

  it('100 runs × 10,000 wall-time points stay a bounded grid', () => {
    const series: XY[] = Array.from({ length: 100 }, (_, r) => {
      const x = Float64Array.from({ length: 10_000 }, (_, i) => 1.7e9 + i * 0.25 + r * 0.0137);
      const y = Float64Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50 + r) + (i === 4321 + r ? 9 : 0));
      return { x, y };
    });
    const [x0, x1] = xExtent(series)!;
    const f = buildFrame(series, { x0, x1, buckets: 800 });
    expect(f.data[0].length).toBe(3202);
    for (let r = 0; r < 100; r++) {
      expect(Math.max(...f.data[r + 1].filter((v): v is number => v !== undefined))).toBe(Math.max(...series[r].y));
    }
  });
});
