import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bestChild, defaultDirection, expandSweep, gridSize, MAX_SWEEP_RUNS } from '../../src/lib/training/sweep';

describe('grid sweeps', () => {
  it('give every combination once, last parameter fastest, merged over the base params', () => {
    const res = expandSweep('elasticnet', { strategy: 'grid', params: { alpha: [0.1, 0.5, 1], l1_ratio: [0.1, 0.9] } }, { max_iter: 500 });
    if (!res.ok) throw new Error(JSON.stringify(res.errors));
    expect(res.children).toHaveLength(6);
    expect(res.children.slice(0, 2)).toEqual([
      { max_iter: 500, alpha: 0.1, l1_ratio: 0.1 },
      { max_iter: 500, alpha: 0.1, l1_ratio: 0.9 },
    ]);
    const keys = new Set(res.children.map((c) => `${c.alpha}/${c.l1_ratio}`));
    expect(keys.size).toBe(6);
  });

  it('count = product of the list lengths (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.constantFrom('sgd', 'adam', 'rmsprop'), { minLength: 1, maxLength: 3 }),
      (lr, l2, opt) => {
        const params = { learning_rate: lr.map((x) => x + 1e-3), l2, optimizer: opt };
        const res = expandSweep('mlp', { strategy: 'grid', params });
        return res.ok && res.children.length === lr.length * l2.length * opt.length && gridSize(params) === res.children.length;
      },
    ));
  });

  it('rejects unknown params, invalid values and oversized grids with field errors', () => {
    const bad = expandSweep('elasticnet', { strategy: 'grid', params: { alpha: [0.1, -1], nope: [1] } });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((e) => e.field)).toContain('sweep.params.nope');
    const neg = expandSweep('elasticnet', { strategy: 'grid', params: { alpha: [0.1, -1] } });
    expect(!neg.ok && neg.errors[0].message).toMatch(/alpha must be at least 0/);
    const big = Array.from({ length: 40 }, (_, i) => i / 40);
    const huge = expandSweep('elasticnet', { strategy: 'grid', params: { alpha: big, l1_ratio: big } });
    expect(!huge.ok && huge.errors[0].message).toContain(String(MAX_SWEEP_RUNS));
  });
});

describe('random sweeps', () => {
  const spec = {
    strategy: 'random' as const, samples: 50, seed: 12,
    params: {
      learning_rate: { kind: 'loguniform' as const, min: 1e-4, max: 1e-1 },
      validation_split: { kind: 'uniform' as const, min: 0.1, max: 0.3 },
      batch_size: { kind: 'loguniform' as const, min: 8, max: 256 },
      epochs: { kind: 'uniform' as const, min: 5, max: 10 },
      optimizer: { kind: 'choice' as const, choices: ['sgd', 'adam'] },
    },
  };

  it('are reproducible by seed and differ across seeds', () => {
    const a = expandSweep('mlp', spec), b = expandSweep('mlp', spec), c = expandSweep('mlp', { ...spec, seed: 13 });
    expect(a).toEqual(b);
    expect(a.ok && c.ok && a.children[0].learning_rate !== c.children[0].learning_rate).toBe(true);
  });

  it('stay inside their ranges, give whole numbers for int params, and use every choice', () => {
    const res = expandSweep('mlp', spec);
    if (!res.ok) throw new Error(JSON.stringify(res.errors));
    expect(res.children).toHaveLength(50);
    for (const c of res.children) {
      expect(c.learning_rate).toBeGreaterThanOrEqual(1e-4);
      expect(c.learning_rate).toBeLessThan(1e-1);
      expect(c.validation_split).toBeGreaterThanOrEqual(0.1);
      expect(Number.isInteger(c.batch_size) && Number(c.batch_size) >= 8 && Number(c.batch_size) <= 256).toBe(true);
      expect(Number.isInteger(c.epochs) && Number(c.epochs) >= 5 && Number(c.epochs) <= 10).toBe(true);
    }
    expect(new Set(res.children.map((c) => c.optimizer))).toEqual(new Set(['sgd', 'adam']));
    // Log-uniform: about as many samples below 1e-2.5 as above.
    const low = res.children.filter((c) => Number(c.learning_rate) < 10 ** -2.5).length;
    expect(low).toBeGreaterThan(12);
    expect(low).toBeLessThan(38);
  });

  it('rejects bad ranges', () => {
    const res = expandSweep('mlp', { strategy: 'random', samples: 3, seed: 1, params: { learning_rate: { kind: 'loguniform', min: 0, max: 1 } } });
    expect(!res.ok && res.errors[0].message).toMatch(/min > 0/);
  });
});

describe('best child', () => {
  const kids: { metrics: Record<string, number> }[] = [{ metrics: { rmse: 0.8, r2: 0.1 } }, { metrics: { rmse: 0.7, r2: 0.3 } }, { metrics: { rmse: NaN } }, { metrics: {} }];
  it('minimises errors and maximises scores by default, skipping missing values', () => {
    expect(bestChild(kids, 'rmse')).toBe(1);
    expect(bestChild(kids, 'r2')).toBe(1);
    expect(bestChild(kids, 'rmse', 'max')).toBe(0);
    expect(bestChild(kids, 'log_loss')).toBe(-1);
    expect(defaultDirection('val_accuracy')).toBe('max');
    expect(defaultDirection('f1_macro')).toBe('max');
    expect(defaultDirection('val_loss')).toBe('min');
  });
});
