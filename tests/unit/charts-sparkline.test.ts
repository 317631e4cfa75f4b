import { describe, expect, it } from 'vitest';
import { sparkline } from '../../src/lib/charts/sparkline';
import { formatYTick, isLone, xRange } from '../../src/lib/charts/uplot-options';

const f64 = (xs: number[]) => Float64Array.from(xs);
const points = (d: string) => [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

describe('sparkline', () => {
  it('spans the box, high values at the top, and keeps a spike of a long history', () => {
    const n = 100_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) { x[i] = i; y[i] = i === 54_321 ? 10 : Math.sin(i / 1000); }
    const s = sparkline(x, y, 100, 20);
    const pts = points(s.d);
    expect(pts.length).toBeLessThanOrEqual(4 * 97);
    expect(Math.min(...pts.map((p) => p[0]))).toBeCloseTo(1.5, 5);
    expect(Math.max(...pts.map((p) => p[0]))).toBeCloseTo(98.5, 5);
    // The spike is the top of the box.
    expect(Math.min(...pts.map((p) => p[1]))).toBeCloseTo(1.5, 5);
    expect(s.dot).toBeNull();
  });

  it('skips NaN and infinities, sorts by x, and draws one point as a centred dot', () => {
    const s = sparkline(f64([2, 0, 1]), f64([3, NaN, Infinity]), 80, 20);
    expect(s).toEqual({ d: '', dot: { cx: 40, cy: 10 } });
    const t = sparkline(f64([3, 1, 2]), f64([1, 3, 2]), 40, 10, 0);
    expect(points(t.d)).toEqual([[0, 0], [20, 5], [40, 10]]);
    expect(sparkline(f64([]), f64([]), 40, 10)).toEqual({ d: '', dot: null });
  });

  it('a flat history is a line through the middle', () => {
    const s = sparkline(f64([0, 1, 2]), f64([5, 5, 5]), 40, 10);
    expect(points(s.d).every(([, y]) => y === 5)).toBe(true);
  });
});

describe('x range of a metric chart', () => {
  it('centres a single x value in a small range in the axis unit instead of 0..100', () => {
    expect(xRange(0, 0, 'step')).toEqual([-1, 1]);
    expect(xRange(1_700_000_000, 1_700_000_000, 'wall')).toEqual([1_699_999_940, 1_700_000_060]);
    expect(xRange(3, 3, 'relative')).toEqual([2, 4]);
    expect(xRange(0, 10, 'step')).toEqual([0, 10]);
    expect(xRange(null, null, 'step')).toEqual([null, null]);
  });
});

describe('y tick labels', () => {
  it('stay short: exponents below 1e-3 and from 1e6, else 4 significant digits', () => {
    expect([0.00015, 5e-5, 0, 0.5, 0.30000000000000004, 12345.678, 2e6, -0.0002].map(formatYTick))
      .toEqual(['1.5e-4', '5e-5', '0', '0.5', '0.3', '12350', '2e6', '-2e-4']);
    expect(formatYTick(null)).toBe('');
  });
});

describe('points on a metric chart', () => {
  it('are drawn only for a series with a single value in view', () => {
    expect(isLone([undefined, 3, undefined], 0, 2)).toBe(true);
    expect(isLone([1, 2, 3], 0, 2)).toBe(false);
    expect(isLone([1, undefined, 3], 1, 2)).toBe(true);
    expect(isLone([null, undefined], 0, 1)).toBe(false);
  });
});

