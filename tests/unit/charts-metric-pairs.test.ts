import { describe, expect, it } from 'vitest';
import { pairMetrics } from '../../src/lib/charts/metric-pairs';

describe('pairMetrics', () => {
  it('puts x with val_x on one chart, pairs first, in the order of the keys', () => {
    expect(pairMetrics(['accuracy', 'loss', 'mae', 'val_loss', 'val_mae'])).toEqual([
      { title: 'loss / val_loss', keys: ['loss', 'val_loss'] },
      { title: 'mae / val_mae', keys: ['mae', 'val_mae'] },
      { title: 'accuracy', keys: ['accuracy'] },
    ]);
  });
  it('pairs train_x with val_x when x has no history (the lab\'s MLP: loss, train_mae, val_loss, val_mae)', () => {
    expect(pairMetrics(['dual_gap', 'loss', 'train_mae', 'val_loss', 'val_mae'])).toEqual([
      { title: 'loss / val_loss', keys: ['loss', 'val_loss'] },
      { title: 'train_mae / val_mae', keys: ['train_mae', 'val_mae'] },
      { title: 'dual_gap', keys: ['dual_gap'] },
    ]);
  });
  it('loss leads even when another pair sorts before it', () => {
    expect(pairMetrics(['acc', 'loss', 'val_acc', 'val_loss']).map((g) => g.title)).toEqual(['loss / val_loss', 'acc / val_acc']);
  });
  it('prefers x over train_x, and leaves a val_x without a partner alone', () => {
    expect(pairMetrics(['mae', 'train_mae', 'val_mae', 'val_accuracy']).map((g) => g.keys)).toEqual([['mae', 'val_mae'], ['train_mae'], ['val_accuracy']]);
  });
  it('pairs x with val_x only, not val_x with val_val_x', () => {
    expect(pairMetrics(['val_x', 'val_val_x', 'x']).map((g) => g.keys)).toEqual([['x', 'val_x'], ['val_val_x']]);
  });
  it('never drops or repeats a key', () => {
    const keys = ['a', 'val_a', 'b', 'val_c', 'val_val_a', 'c', 'train_d', 'val_d', 'val_e'];
    expect(pairMetrics(keys).flatMap((g) => g.keys).sort()).toEqual([...keys].sort());
  });
});
