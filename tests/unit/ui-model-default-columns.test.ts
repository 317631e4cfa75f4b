import { describe, expect, it } from 'vitest';
import { columnId } from '../../src/lib/ui-model/columns';
import { chooseDefaultColumns, lowerIsBetter } from '../../src/lib/ui-model/default-columns';
import { TAG, TRAIN_TAG } from '../../src/lib/tracking/tags';
import { distinctRunColors, runColor, WIDE_PALETTE } from '../../src/lib/ui-model/run-color';
import { makeRun } from './search-helpers';

const ids = (runs: Parameters<typeof chooseDefaultColumns>[0]) => chooseDefaultColumns(runs).map(columnId);

// The lab: three elastic nets, a sweep (parent with best_rmse, children with alpha), then an MLP.
function lab() {
  const en = (id: string, alpha: string, l1: string, rmse: number) => makeRun({
    id, params: [['alpha', alpha], ['l1_ratio', l1]], metrics: [['rmse', rmse], ['mae', 0.6], ['r2', 0.1], ['dual_gap', 1e-5]],
  });
  return [
    en('a', '0.5', '0.5', 0.79), en('b', '0.5', '0.1', 0.75), en('c', '1', '0.5', 0.82),
    makeRun({ id: 'p', tags: [[TRAIN_TAG.sweepMetric, 'rmse']], metrics: [['best_rmse', 0.7]], params: [['sweep_runs', '2']] }),
    makeRun({ id: 'p1', tags: [[TAG.parentRunId, 'p']], params: [['alpha', '0.01'], ['l1_ratio', '0.5']], metrics: [['rmse', 0.7], ['mae', 0.5], ['r2', 0.2], ['dual_gap', 1e-6]] }),
    makeRun({ id: 'm', params: [['epochs', '5'], ['hidden_layers', '64,32']], metrics: [['rmse', 0.66], ['mae', 0.5], ['r2', 0.3], ['loss', 0.4], ['val_loss', 0.45]] }),
  ];
}

describe('default runs-table columns', () => {
  it('put the sweep metric first, then shared headline metrics; params only where values differ', () => {
    const cols = ids(lab());
    expect(cols.slice(0, 4)).toEqual(['a:status', 'a:name', 'a:start', 'a:duration']);
    const metrics = cols.filter((c) => c.startsWith('m:'));
    expect(metrics.slice(0, 4)).toEqual(['m:rmse', 'm:r2', 'm:mae', 'm:dual_gap']);
    expect(metrics).toContain('m:loss');
    const params = cols.filter((c) => c.startsWith('p:'));
    expect(params).toEqual(['p:alpha', 'p:l1_ratio']);
  });

  it('never drop rmse or l1_ratio when another model type adds keys', () => {
    const runs = lab();
    for (let i = 0; i < 12; i++) {
      runs.push(makeRun({ id: `x${i}`, params: [[`aaa_${i}`, String(i)]], metrics: [['rmse', 0.7], ['mae', 0.5], ['r2', 0.1], [`aaa_metric_${i}`, i]] }));
    }
    const cols = ids(runs);
    expect(cols.filter((c) => c.startsWith('m:'))[0]).toBe('m:rmse');
    expect(cols).toContain('p:alpha');
  });

  it('show a single run\'s params, and attributes only when they differ', () => {
    const one = [makeRun({ id: 'a', params: [['alpha', '0.5']], metrics: [['rmse', 0.79]] })];
    expect(ids(one)).toEqual(['a:status', 'a:name', 'a:start', 'a:duration', 'm:rmse', 'p:alpha']);
    const users = [makeRun({ id: 'a', user: 'ana' }), makeRun({ id: 'b', user: 'ben' })];
    expect(ids(users)).toContain('a:user');
  });

  it('know which metrics are best when small', () => {
    for (const k of ['rmse', 'mae', 'loss', 'val_loss', 'log_loss', 'training_mse']) expect(lowerIsBetter(k)).toBe(true);
    for (const k of ['r2', 'accuracy', 'f1', 'best_r2']) expect(lowerIsBetter(k)).toBe(false);
  });
});

describe('colours of runs shown together', () => {
  it('never repeat up to 24 runs and keep each run its own colour when free', () => {
    const runIds = Array.from({ length: 24 }, (_, i) => `${i.toString(16).padStart(2, '0')}${'ab'.repeat(15)}`);
    const colors = distinctRunColors(runIds);
    expect(new Set(colors).size).toBe(24);
    expect(colors[0]).toBe(runColor(runIds[0]));
    for (const c of colors) expect(WIDE_PALETTE).toContain(c);
    expect(new Set(WIDE_PALETTE).size).toBe(24);
  });
});
