/**
 * A run's start with its dataset inputs, and its end with its last tags, are one write each
 * (createRun's `inputs`, updateRun's `tags`; the training session starts and ends every sweep
 * child this way). All or nothing: a bad input or tag refuses the whole write.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackingStore } from '../../src/lib/storage/tracking-store';
import type { StoreChange } from '../../src/lib/storage/change-feed';
import { createFluent } from '../../src/lib/tracking/create-fluent';
import type { DatasetInput } from '../../src/lib/tracking/types';
import { openStore } from './storage-helpers';

const stores: TrackingStore[] = [];
afterEach(() => { for (const s of stores.splice(0)) s.close(); });

async function store(): Promise<{ s: TrackingStore; writes: StoreChange[] }> {
  const s = await openStore();
  stores.push(s);
  const writes: StoreChange[] = [];
  s.subscribe((c) => writes.push(c));
  return { s, writes };
}

const wine: DatasetInput = {
  dataset: { name: 'wine', digest: 'abcd1234', sourceType: 'local', source: '{}', schema: null, profile: null },
  tags: { 'mlflow.data.context': 'training' },
};

describe('a run started with its inputs, ended with its tags', () => {
  it('createRun with inputs: one write, the inputs there at once', async () => {
    const { s, writes } = await store();
    const { runId } = await s.createRun({ experimentId: '0', runName: 'child', inputs: [wine, wine] });
    expect(writes).toHaveLength(1);
    const run = await s.getRun(runId);
    expect(run.inputs).toEqual([wine]); // the same input twice is kept once, as logInputs does
    expect(run.info.status).toBe('RUNNING');
  });

  it('a bad input refuses the run: nothing is created', async () => {
    const { s, writes } = await store();
    const bad = { ...wine, dataset: { ...wine.dataset, name: '' } };
    await expect(s.createRun({ experimentId: '0', inputs: [bad] })).rejects.toThrow(/name/i);
    expect(writes).toHaveLength(0);
    expect(s.listRuns()).toHaveLength(0);
  });

  it('updateRun with tags: status, end time and tags in one write; a bad tag changes nothing', async () => {
    const { s, writes } = await store();
    const { runId } = await s.createRun({ experimentId: '0' });
    await expect(s.updateRun(runId, { status: 'FAILED', endTime: 5, tags: [{ key: '', value: 'x' }] })).rejects.toThrow();
    expect((await s.getRun(runId)).info.status).toBe('RUNNING');
    writes.length = 0;
    await s.updateRun(runId, { status: 'FAILED', endTime: 5, tags: [{ key: 'mfflow.error', value: 'boom' }, { key: 'mlflow.runName', value: 'renamed' }] });
    expect(writes).toHaveLength(1);
    const run = await s.getRun(runId);
    expect(run.info).toMatchObject({ status: 'FAILED', endTime: 5, runName: 'renamed' });
    expect(run.tags['mfflow.error']).toBe('boom');
  });

  it('Fluent: startRun({ inputs }) and endRun(status, { tags }) are one write each', async () => {
    const { s, writes } = await store();
    const fluent = createFluent(s, 'page');
    const info = await fluent.startRun({ runName: 'job', inputs: [wine] });
    await fluent.endRun('KILLED', { tags: { 'mfflow.error': 'cancelled' } });
    expect(writes).toHaveLength(2);
    const run = await s.getRun(info.runId);
    expect(run.inputs).toEqual([wine]);
    expect(run.info.status).toBe('KILLED');
    expect(run.tags['mfflow.error']).toBe('cancelled');
    expect(fluent.activeRun()).toBeNull();
    await expect(fluent.startRun({ inputs: 'wine' as unknown as DatasetInput[] })).rejects.toThrow(/inputs must be an array/);
  });
});
