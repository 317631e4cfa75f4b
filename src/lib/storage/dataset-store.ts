/**
 * Parsed datasets, stored once per content digest (src/lib/data/types.ts). Runs refer to them
 * through their DatasetInput records by digest.
 */
import type { StoredDataset } from '../data/types';
import type { Connection } from './db';

export type DatasetSummary = Omit<StoredDataset, 'table'>;

export function putDataset(conn: Connection, dataset: StoredDataset): Promise<void> {
  const what = () => `dataset "${dataset.name}" (${dataset.byteSize.toLocaleString('en-US')} bytes)`;
  return conn.write(['datasets'], what, async (tx) => {
    await tx.objectStore('datasets').put(dataset);
  });
}

export function getDataset(conn: Connection, digest: string): Promise<StoredDataset | undefined> {
  return conn.read(['datasets'], (tx) => tx.objectStore('datasets').get(digest));
}

/** Every dataset without its table, newest first. */
export function listDatasets(conn: Connection): Promise<DatasetSummary[]> {
  return conn.read(['datasets'], async (tx) => {
    const out: DatasetSummary[] = [];
    let cursor = await tx.objectStore('datasets').openCursor();
    while (cursor) {
      const { table: _table, ...summary } = cursor.value;
      out.push(summary);
      cursor = await cursor.continue();
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  });
}

export function deleteDataset(conn: Connection, digest: string): Promise<void> {
  return conn.write(['datasets'], () => `the deletion of dataset ${digest}`, async (tx) => {
    await tx.objectStore('datasets').delete(digest);
  });
}
