import { describe, expect, it } from 'vitest';
import { endTags, MAX_ERROR_CHARS, planSweep, specOf, sweepStatus, TrainValidationError } from '../../src/lib/training/session';

describe('training session decisions', () => {
  it('specOf keeps only the worker fields, as copies', () => {
    const req = { model: 'mlp' as const, target: 'quality', params: { epochs: 3 }, features: ['a'], dataset: 'x', runName: 'r', tags: { t: '1' } };
    const spec = specOf(req);
    expect(spec).toEqual({ model: 'mlp', target: 'quality', params: { epochs: 3 }, features: ['a'] });
    expect(spec.params).not.toBe(req.params);
  });

  it('planSweep expands the grid and picks rmse / accuracy by task; a bad sweep names the field', () => {
    const plan = planSweep({ model: 'elasticnet', target: 'y', sweep: { strategy: 'grid', params: { alpha: [0.1, 0.5], l1_ratio: [0.2, 0.8] } } });
    expect(plan.children).toHaveLength(4);
    expect(plan).toMatchObject({ metric: 'rmse', direction: 'min' });
    expect(planSweep({ model: 'elasticnet', target: 'y', task: 'classification', sweep: { strategy: 'grid', params: { alpha: [1, 2] } } })).toMatchObject({ metric: 'accuracy', direction: 'max' });
    expect(() => planSweep({ model: 'elasticnet', target: 'y', sweep: { strategy: 'grid', params: { nope: [1] } } })).toThrow(TrainValidationError);
  });

  it('a sweep ends KILLED when cancelled, FINISHED if any child finished, else FAILED', () => {
    const r = (status: 'FINISHED' | 'FAILED' | 'KILLED') => ({ status, metrics: {} });
    expect(sweepStatus(true, [r('FINISHED')])).toBe('KILLED');
    expect(sweepStatus(false, [r('FAILED'), r('FINISHED')])).toBe('FINISHED');
    expect(sweepStatus(false, [r('FAILED'), r('KILLED')])).toBe('FAILED');
  });

  it('endTags records the error (cut to the limit), the note for a failure, and the epochs done', () => {
    expect(endTags({ status: 'FINISHED', metrics: {} })).toEqual([]);
    expect(endTags({ status: 'KILLED', metrics: {}, error: 'stopped', epochsDone: 4 })).toEqual([
      { key: 'mfflow.error', value: 'stopped' }, { key: 'mfflow.training.epochs_done', value: '4' },
    ]);
    const long = endTags({ status: 'FAILED', metrics: {}, error: 'x'.repeat(9000) });
    expect(long[0].value).toHaveLength(MAX_ERROR_CHARS);
    expect(long[1]).toEqual({ key: 'mlflow.note.content', value: `Training failed: ${long[0].value}` });
  });
});
