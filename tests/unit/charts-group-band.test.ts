import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { XY } from '../../src/lib/charts/downsample';
import { aggregateBand, bandLines, groupFrame, thinBand, unionX } from '../../src/lib/charts/group-band';
import { buildChartOptions, legendSeriesIndex } from '../../src/lib/charts/uplot-options';

/** A run's history: distinct integer steps (any order, as logged), values that may be NaN or ±Infinity. */
const runArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 0, maxLength: 60 })
  .chain((steps) => fc.array(
    fc.oneof({ weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) }),
    { minLength: steps.length, maxLength: steps.length },
  ).map((ys): XY => ({ x: Float64Array.from(steps), y: Float64Array.from(ys) })));

/** Finite values only, steps ascending. */
const cleanRunArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 })
  .chain((steps) => fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: steps.length, maxLength: steps.length })
    .map((ys): XY => {
      const order = steps.map((_, i) => i).sort((a, b) => steps[a] - steps[b]);
      return { x: Float64Array.from(order, (i) => steps[i]), y: Float64Array.from(order, (i) => ys[i]) };
    }));

const xy = (x: number[], y: number[]): XY => ({ x: Float64Array.from(x), y: Float64Array.from(y) });

describe('aggregateBand', () => {
  it('min ≤ mean ≤ max wherever a run covers x, NaN everywhere else', () => {
    fc.assert(fc.property(fc.array(runArb, { minLength: 1, maxLength: 6 }), (runs) => {
      const b = aggregateBand(runs);
      for (let i = 0; i < b.x.length; i++) {
        if (b.count[i] === 0) {
          expect([b.mean[i], b.min[i], b.max[i]]).toEqual([NaN, NaN, NaN]);
          continue;
        }
        expect(Number.isFinite(b.mean[i])).toBe(true);
        expect(b.min[i]).toBeLessThanOrEqual(b.mean[i]);
        expect(b.mean[i]).toBeLessThanOrEqual(b.max[i]);
        expect(b.count[i]).toBeLessThanOrEqual(runs.length);
      }
    }));
  });

  it('a group of one run is that run at its steps', () => {
    fc.assert(fc.property(cleanRunArb, (run) => {
      const b = aggregateBand([run]);
      expect(Array.from(b.x)).toEqual(Array.from(run.x));
      expect(Array.from(b.mean)).toEqual(Array.from(run.y));
      expect(Array.from(b.min)).toEqual(Array.from(run.y));
      expect(Array.from(b.max)).toEqual(Array.from(run.y));
      expect(Array.from(b.count)).toEqual(Array.from(run.x, () => 1));
    }));
  });

  it('the same run twice is that run, mean included (no rounding outside min..max)', () => {
    fc.assert(fc.property(cleanRunArb, fc.integer({ min: 2, max: 5 }), (run, copies) => {
      const b = aggregateBand(Array.from({ length: copies }, () => run));
      expect(Array.from(b.mean)).toEqual(Array.from(run.y));
      expect(Array.from(b.count)).toEqual(Array.from(run.x, () => copies));
    }));
  });

  it('reads runs with different steps by interpolation, each only inside its own range', () => {
    // Seed A logs every 10 steps; seed B every 5 steps but stopped at 10; seed C has a NaN at 10.
    const a = xy([0, 10, 20], [1, 3, 5]);
    const b = xy([0, 5, 10], [2, 2, 2]);
    const c = xy([0, 10, 20], [0, NaN, 4]);
    const band = aggregateBand([a, b, c]);
    expect(Array.from(band.x)).toEqual([0, 5, 10, 20]);
    expect(Array.from(band.count)).toEqual([3, 3, 3, 2]);
    // x = 5: A interpolates to 2, B is 2, C interpolates over its NaN from 0 (x 0) to 4 (x 20): 1.
    expect(band.min[1]).toBe(1);
    expect(band.max[1]).toBe(2);
    expect(band.mean[1]).toBeCloseTo(5 / 3, 12);
    // x = 10: A 3, B 2, C 2.
    expect([band.min[2], band.mean[2], band.max[2]]).toEqual([2, 7 / 3, 3]);
    // x = 20: B has stopped; A 5 and C 4.
    expect([band.min[3], band.mean[3], band.max[3]]).toEqual([4, 4.5, 5]);
  });

  it('takes the last value of a step logged twice', () => {
    const band = aggregateBand([xy([0, 1, 1, 2], [0, 5, 7, 0])]);
    expect(Array.from(band.mean)).toEqual([0, 7, 0]);
  });

  it('leaves a gap where no run covers x', () => {
    const band = aggregateBand([xy([0, 1], [1, 1]), xy([5, 6], [2, 2])], Float64Array.from([0, 3, 6]));
    expect(Array.from(band.count)).toEqual([1, 0, 1]);
    expect(band.mean[1]).toBeNaN();
    expect(bandLines(band)[0]).toEqual(xy([0, 6], [1, 2]));
  });

  it('is empty for runs without a finite point', () => {
    const band = aggregateBand([xy([], []), xy([1, 2], [NaN, Infinity])]);
    expect(band.x.length).toBe(0);
  });
});

describe('thinBand', () => {
  it('keeps the envelope (lowest min, highest max) of the points in view in at most 2 points per column', () => {
    fc.assert(fc.property(fc.array(runArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 400 }),
      (runs, buckets, x0, span) => {
        const band = aggregateBand(runs);
        const x1 = x0 + span;
        const thin = thinBand(band, x0, x1, buckets);
        const inView = (b: typeof band) => Array.from(b.x.keys()).filter((i) => b.x[i] >= x0 && b.x[i] <= x1 && b.count[i] > 0);
        const lows = (b: typeof band) => inView(b).map((i) => b.min[i]);
        const highs = (b: typeof band) => inView(b).map((i) => b.max[i]);
        expect(inView(thin).length).toBeLessThanOrEqual(Math.max(2 * buckets, inView(band).length));
        if (inView(band).length > 0) {
          expect(Math.min(...lows(thin))).toBe(Math.min(...lows(band)));
          expect(Math.max(...highs(thin))).toBe(Math.max(...highs(band)));
        }
        for (let i = 0; i < thin.x.length; i++) {
          if (i > 0) expect(thin.x[i]).toBeGreaterThan(thin.x[i - 1]);
          if (thin.count[i] > 0) {
            expect(thin.min[i]).toBeLessThanOrEqual(thin.mean[i]);
            expect(thin.mean[i]).toBeLessThanOrEqual(thin.max[i]);
          }
        }
      }));
  });
});

describe('groupFrame', () => {
  it('gives each group a mean, a min and a max column on one x', () => {
    const g1 = [xy([0, 1, 2], [1, 2, 3]), xy([0, 1, 2], [3, 4, 5])];
    const g2 = [xy([0, 2], [10, 10])];
    const f = groupFrame([g1, g2], 0, 2, 100);
    expect(Array.from(f.data[0])).toEqual([0, 1, 2]);
    expect(f.data.slice(1)).toEqual([[2, 3, 4], [1, 2, 3], [3, 4, 5], [10, undefined, 10], [10, undefined, 10], [10, undefined, 10]]);
  });
});

describe('unionX', () => {
  it('is the sorted distinct x of the finite points', () => {
    expect(Array.from(unionX([xy([3, 1, 2], [0, 0, NaN]), xy([1, 5], [1, 1])]))).toEqual([1, 3, 5]);
  });
});

describe('buildChartOptions with bands', () => {
  it('draws a group as its mean line plus min and max lines that bound a filled band', () => {
    const opts = buildChartOptions({
      width: 400, height: 200, smoothed: false, bands: true, xMode: 'step', logY: false, theme: { text: '#000', grid: '#ccc' }, onZoom: () => {},
      lines: [{ label: 'lr = 0.1 (3 runs)', color: '#112233' }, { label: 'lr = 0.5 (3 runs)', color: '#445566' }],
    });
    expect(opts.series.map((s) => s.label)).toEqual(['Step', 'lr = 0.1 (3 runs)', 'lr = 0.1 (3 runs) min', 'lr = 0.1 (3 runs) max', 'lr = 0.5 (3 runs)', 'lr = 0.5 (3 runs) min', 'lr = 0.5 (3 runs) max']);
    // Each band runs from its group's max series down to its min series, in the group's colour.
    expect(opts.bands).toEqual([{ series: [3, 2], fill: '#11223333' }, { series: [6, 5], fill: '#44556633' }]);
    expect([0, 1].map((i) => legendSeriesIndex(i, false, 2, true))).toEqual([1, 4]);
  });

  it('has no bands when lines are runs', () => {
    const opts = buildChartOptions({
      width: 400, height: 200, smoothed: false, xMode: 'step', logY: false, theme: { text: '#000', grid: '#ccc' }, onZoom: () => {},
      lines: [{ label: 'a', color: '#112233' }],
    });
    expect(opts.bands).toBeUndefined();
    expect(opts.series).toHaveLength(2);
  });
});
