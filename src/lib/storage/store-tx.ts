/**
 * Read-modify-write of run records inside one transaction. The edit works on a copy; the
 * caller puts the returned records into its cache only after the commit resolved.
 */
import type { IDBPTransaction } from 'idb';
import { notFound } from '../util/errors';
import type { Connection } from './db';
import { issueRunRecords } from './run-index';
import { editableCopy } from './run-records';
import type { StoredRun, TrackingDBSchema } from './schema';

export type RunTx = IDBPTransaction<TrackingDBSchema, ['runs', 'metricChunks', 'runDirty'], 'readwrite'>;

export class StoreTx {
  constructor(readonly conn: Connection) {}

  /** `edit` may only await requests of `tx`; throwing aborts everything it did. */
  editRun(runId: string, what: string, edit: (run: StoredRun, tx: RunTx) => Promise<void>,
    durability: IDBTransactionDurability = 'default'): Promise<StoredRun> {
    return this.conn.write(['runs', 'metricChunks', 'runDirty'], () => what, async (tx) => {
      const old = await tx.objectStore('runs').get(runId);
      if (!old) throw notFound(`No run with id ${runId}.`);
      const run = editableCopy(old);
      await edit(run, tx);
      issueRunRecords(tx, [run]);
      return run;
    }, durability);
  }

  /** Edits several runs at once; `edit` returns false to leave a run as it is. Missing runs are skipped. */
  editRuns(runIds: readonly string[], what: string, edit: (run: StoredRun, before: StoredRun) => boolean): Promise<StoredRun[]> {
    return this.conn.write(['runs', 'runDirty'], () => what, async (tx) => {
      const store = tx.objectStore('runs');
      const olds = await Promise.all(runIds.map((id) => store.get(id)));
      const changed: StoredRun[] = [];
      for (const old of olds) {
        if (!old) continue;
        const run = editableCopy(old);
        if (edit(run, old)) changed.push(run);
      }
      issueRunRecords(tx, changed);
      return changed;
    }, 'strict');
  }
}
