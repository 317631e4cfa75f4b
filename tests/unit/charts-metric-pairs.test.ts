import { describe, expect, it } from 'vitest';
import { pairMetrics } from '../../src/lib/charts/metric-pairs';

describe('pairMetrics', () => {
  it('puts x with val_x on one chart, in the order of the keys', () => {
    expect(pairMetrics(['loss', 'mae', 'train_mae', 'val_loss', 'val_mae'])).toEqual([
      { title: 'loss / val_loss', keys: ['loss', 'val_loss'] },
      { title: 'mae / val_mae', keys: ['mae', 'val_mae'] },
      { title: 'train_mae', keys: ['train_mae'] },
    ]);
  });
  it('leaves a val_x without its x alone, and single keys as they are', () => {
    expect(pairMetrics(['dual_gap', 'val_accuracy'])).toEqual([
      { title: 'dual_gap', keys: ['dual_gap'] },
      { title: 'val_accuracy', keys: ['val_accuracy'] },
    ]);
  });
  it('pairs x with val_x only, not val_x with val_val_x', () => {
    expect(pairMetrics(['val_x', 'val_val_x', 'x']).map((g) => g.keys)).toEqual([['val_val_x'], ['x', 'val_x']]);
  });
  it('never drops or repeats a key', () => {
    const keys = ['a', 'val_a', 'b', 'val_c', 'val_val_a', 'c'];
    expect(pairMetrics(keys).flatMap((g) => g.keys).sort()).toEqual([...keys].sort());
  });
});
