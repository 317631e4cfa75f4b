/**
 * Opening a lab that has its Default experiment reads and writes nothing else first: the store
 * makes Default only when its load found none (before, every open began with a strict readwrite
 * transaction that the run index read had to wait for).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { uniqueDbName } from './storage-helpers';

const stores: TrackingStore[] = [];
afterEach(() => { for (const s of stores.splice(0)) s.close(); });

/** Counts the readwrite transactions begun while `fn` runs. */
async function readwrites<T>(fn: () => Promise<T>): Promise<{ value: T; count: number }> {
  const proto = IDBDatabase.prototype;
  const original = proto.transaction;
  let count = 0;
  proto.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (args[1] === 'readwrite') count++;
    return original.apply(this, args);
  } as IDBDatabase['transaction'];
  try {
    return { value: await fn(), count };
  } finally {
    proto.transaction = original;
  }
}

describe('opening the store', () => {
  it('a new lab gets its Default experiment, announced; a lab that has it opens without a write', async () => {
    const dbName = uniqueDbName('open-ro');
    const first = await readwrites(() => TrackingStore.open({ dbName }));
    stores.push(first.value);
    expect(first.count).toBeGreaterThan(0);
    expect((await first.value.getExperiment('0')).name).toBe('Default');
    const { runId } = await first.value.createRun({ experimentId: '0', runName: 'kept' });
    first.value.close();

    const again = await readwrites(() => TrackingStore.open({ dbName }));
    stores.push(again.value);
    expect(again.count).toBe(0);
    expect((await again.value.getExperiment('0')).name).toBe('Default');
    expect((await again.value.getRun(runId)).info.runName).toBe('kept');
  });
});
