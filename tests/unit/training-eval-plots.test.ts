import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  classificationPlotFiles, coefficientsFile, confusionMatrix, histogram, parseCoefficients, predictedVsActual,
  probabilityResiduals, regressionPlotFiles, residuals,
} from '../../src/lib/training/eval-plots';
import { escapeXml, niceTicks } from '../../src/lib/charts/plot-svg';

const text = (b: Uint8Array | ArrayBuffer) => new TextDecoder().decode(b);

describe('regression plot data', () => {
  const yTrue = [5, 6, 7, 4];
  const yPred = [5.5, 5.8, 6.1, 4.9];

  it('predicted vs actual: actual on x, predicted on y, one square domain holding every point', () => {
    const p = predictedVsActual(yTrue, yPred, 'quality');
    expect(Array.from(p.x)).toEqual(yTrue);
    expect(Array.from(p.y)).toEqual(yPred);
    expect(p.xDomain).toEqual(p.yDomain);
    expect(p.xDomain[0]).toBeLessThan(4);
    expect(p.xDomain[1]).toBeGreaterThan(7);
    expect(p.line).toBe('diagonal');
    expect(p.yLabel).toBe('predicted quality');
  });

  it('residuals: actual − predicted against predicted, symmetric about zero', () => {
    const p = residuals(yTrue, yPred, 'quality');
    expect(Array.from(p.x)).toEqual(yPred);
    expect(Array.from(p.y).map((v) => Number(v.toFixed(6)))).toEqual([-0.5, 0.2, 0.9, -0.9]);
    expect(p.yDomain[0]).toBe(-p.yDomain[1]);
    expect(p.yDomain[1]).toBeGreaterThanOrEqual(0.9);
  });

  it('thins big test sets to every n-th finite point, and says how many there were', () => {
    const n = 5000;
    const a = Array.from({ length: n }, (_, i) => (i === 7 ? NaN : i));
    const p = predictedVsActual(a, a, 'y', 1000);
    expect(p.total).toBe(n - 1);
    expect(p.x.length).toBeLessThanOrEqual(1000);
    expect(p.x.every(Number.isFinite)).toBe(true);
    expect(p.x[0]).toBe(0);
  });

  it('logs two SVG files that name the target and draw one dot per point', () => {
    const files = regressionPlotFiles(yTrue, yPred, 'quality');
    expect(files.map((f) => f.path)).toEqual(['plots/predicted_vs_actual.svg', 'plots/residuals.svg']);
    const svg = text(files[0].bytes);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain('predicted quality');
    expect(svg).not.toMatch(/<script|href=/i);
  });
});

describe('classification plot data', () => {
  // 3 classes; rows: actual 0 predicted 0, actual 1 predicted 2, actual 2 predicted 2, actual 1 predicted 1.
  const yTrue = [0, 1, 2, 1];
  const proba = [0.8, 0.1, 0.1, 0.2, 0.3, 0.5, 0, 0.1, 0.9, 0.1, 0.7, 0.2];

  it('counts actual rows against predicted columns', () => {
    expect(confusionMatrix(yTrue, proba, 3)).toEqual([[1, 0, 0], [0, 1, 1], [0, 0, 1]]);
  });

  it('a probability residual is 1 − p(actual class)', () => {
    expect(Array.from(probabilityResiduals(yTrue, proba, 3)).map((v) => Number(v.toFixed(6)))).toEqual([0.2, 0.7, 0.1, 0.3]);
  });

  it('histogram bins: equal widths, the top edge in the last bin, nothing outside counted', () => {
    expect(histogram([0, 0.05, 0.5, 1, 1.5, -0.1, NaN], 4, 0, 1)).toEqual([2, 0, 1, 1]);
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true })), fc.integer({ min: 1, max: 30 }), (vs, bins) =>
      histogram(vs, bins, 0, 1).reduce((s, c) => s + c, 0) === vs.length));
  });

  it('class names from the data are escaped in the SVG', () => {
    const files = classificationPlotFiles(yTrue, proba, ['a<b', 'x&y', '"q"'], 'kind');
    expect(files.map((f) => f.path)).toEqual(['plots/confusion_matrix.svg', 'plots/residuals.svg']);
    const svg = text(files[0].bytes);
    expect(svg).toContain('a&#60;b');
    expect(svg).not.toContain('a<b');
    expect(escapeXml(`<&>"'`)).toBe('&#60;&#38;&#62;&#34;&#39;');
  });
});

describe('coefficients and ticks', () => {
  it('coefficients.json reads back, and a malformed one is refused', () => {
    const f = coefficientsFile({ target: 'quality', features: ['a', 'b'], outputs: ['quality'], coef: [[0.5], [-2]], intercept: [5.6], standardized: true });
    expect(f.path).toBe('coefficients.json');
    expect(parseCoefficients(new Uint8Array(f.bytes))?.coef).toEqual([[0.5], [-2]]);
    const bad = new TextEncoder().encode(JSON.stringify({ format: 'mfflow-coefficients', features: ['a'], outputs: ['y'], coef: [[1, 2]], intercept: [0] }));
    expect(parseCoefficients(bad)).toBeNull();
    expect(parseCoefficients(new TextEncoder().encode('{'))).toBeNull();
  });

  it('ticks are round, inside the range, and about the asked count', () => {
    expect(niceTicks(3.1, 8.2)).toEqual([4, 5, 6, 7, 8]);
    expect(niceTicks(-0.93, 0.93)).toEqual([-0.5, 0, 0.5]);
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (lo, span) => {
      const t = niceTicks(lo, lo + span);
      return t.length >= 2 && t.length <= 11 && t.every((v) => v >= lo - span * 1e-6 && v <= lo + span * (1 + 1e-6));
    }));
  });
});
