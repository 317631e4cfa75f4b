import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { droppedNote, parseXMode, prepareSeries, xValues } from '../../src/lib/charts/prepare';
import type { MetricColumns } from '../../src/lib/tracking/types';

const cols = (values: number[], steps?: number[], timestamps?: number[]): MetricColumns => ({
  key: 'm',
  values: Float64Array.from(values),
  steps: Float64Array.from(steps ?? values.map((_, i) => i)),
  timestamps: Float64Array.from(timestamps ?? values.map((_, i) => 1_700_000_000_000 + i * 1000)),
});

describe('prepareSeries', () => {
  it('drops non-positive values on a log scale and counts them', () => {
    const p = prepareSeries(cols([1, 0, -2, 3, 0.5]), { xMode: 'step', smoothing: 0, logY: true });
    expect(Array.from(p.x)).toEqual([0, 3, 4]);
    expect(Array.from(p.y)).toEqual([1, 3, 0.5]);
    expect(p.droppedNonPositive).toBe(2);
    expect(droppedNote(0, 2)).toBe('2 values ≤ 0 not shown on the log scale');
  });

  it('keeps exactly the finite (and, on log, positive) points, whatever the input', () => {
    const v = fc.oneof(fc.double({ noNaN: false }), fc.constantFrom(0, -0, NaN, Infinity));
    fc.assert(fc.property(fc.array(v, { maxLength: 80 }), fc.boolean(), (values, logY) => {
      const p = prepareSeries(cols(values), { xMode: 'step', smoothing: 0, logY });
      const keep = values.map((y, i) => [i, y] as const).filter(([, y]) => Number.isFinite(y) && (!logY || y > 0));
      expect(Array.from(p.x)).toEqual(keep.map(([i]) => i));
      expect(Array.from(p.y)).toEqual(keep.map(([, y]) => y));
      expect(p.droppedNonFinite + p.droppedNonPositive).toBe(values.length - keep.length);
    }));
  });

  it('maps x to wall seconds or seconds since start, sorted when timestamps go backwards', () => {
    const c = cols([10, 20, 30], [0, 1, 2], [5000, 3000, 9000]);
    expect(Array.from(xValues(c, 'wall'))).toEqual([5, 3, 9]);
    expect(Array.from(xValues(c, 'relative'))).toEqual([2, 0, 6]);
    expect(Array.from(xValues(c, 'relative', 1000))).toEqual([4, 2, 8]);
    const p = prepareSeries(c, { xMode: 'relative', smoothing: 0, logY: false });
    expect(Array.from(p.x)).toEqual([0, 2, 6]);
    expect(Array.from(p.y)).toEqual([20, 10, 30]);
  });

  it('smooths in logging order before the x sort', () => {
    const p = prepareSeries(cols([0, 10]), { xMode: 'step', smoothing: 0.5, logY: false });
    expect(p.y[1]).toBeCloseTo((0.25 * 0 + 0.5 * 10) / 0.75, 12);
    expect(parseXMode('nonsense')).toBe('step');
    expect(parseXMode('wall')).toBe('wall');
  });
});
