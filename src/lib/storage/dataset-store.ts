/**
 * Parsed datasets, stored once per content digest (src/lib/data/types.ts). Runs refer to them
 * through their DatasetInput records by digest.
 *
 * A big table is not written as one record: IndexedDB clones a value on the calling thread, and a
 * 200 MB table froze the page for 0.4–2 s. Each column is cut into parts of at most
 * `PART_CELLS` cells, written one transaction at a time with a turn of the event loop between,
 * then the dataset record (the table's shape, no cells) is written last. Until that record
 * exists the parts are invisible, so a failure midway stores no dataset; its parts are removed.
 */
import type { DataTable, StoredDataset } from '../data/types';
import type { Connection } from './db';

export type DatasetSummary = Omit<StoredDataset, 'table'>;

/** Cells per part: 1M numbers are 8 MB to clone, a few ms. */
export const PART_CELLS = 1 << 20;

interface PartRef {
  column: number;
  start: number;
  end: number;
}

/** A part record shares the store with dataset records; its key is `<digest>#<n>`. */
interface DatasetPart {
  digest: string;
  cells: Float64Array | string[];
}

type DatasetRecord = StoredDataset & { parts?: PartRef[] };

const partKey = (digest: string, n: number) => `${digest}#${n}`;
const partRange = (digest: string) => IDBKeyRange.bound(`${digest}#`, `${digest}#\uffff`);
const isPartKey = (key: string) => key.includes('#');

function planParts(table: DataTable, cells: number): PartRef[] {
  const parts: PartRef[] = [];
  table.data.forEach((col, column) => {
    for (let start = 0; start < col.length; start += cells) parts.push({ column, start, end: Math.min(col.length, start + cells) });
  });
  return parts;
}

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function putDataset(conn: Connection, dataset: StoredDataset, partCells = PART_CELLS): Promise<void> {
  const what = () => `dataset "${dataset.name}" (${dataset.byteSize.toLocaleString('en-US')} bytes)`;
  const parts = planParts(dataset.table, partCells);
  try {
    for (let n = 0; n < parts.length; n++) {
      const p = parts[n];
      const col = dataset.table.data[p.column];
      const cells = col.slice(p.start, p.end) as Float64Array | string[];
      await conn.write(['datasets'], what, async (tx) => {
        await tx.objectStore('datasets').put({ digest: partKey(dataset.digest, n), cells } as DatasetPart as unknown as StoredDataset);
      });
      await nextTurn();
    }
    const record: DatasetRecord = { ...dataset, table: { ...dataset.table, data: [] }, parts };
    await conn.write(['datasets'], what, async (tx) => {
      await tx.objectStore('datasets').put(record);
    });
  } catch (e) {
    await conn.write(['datasets'], what, async (tx) => { await tx.objectStore('datasets').delete(partRange(dataset.digest)); }).catch(() => undefined);
    throw e;
  }
}

export function getDataset(conn: Connection, digest: string): Promise<StoredDataset | undefined> {
  return conn.read(['datasets'], async (tx) => {
    const store = tx.objectStore('datasets');
    const record = (await store.get(digest)) as DatasetRecord | undefined;
    if (!record || !record.parts) return record;
    const partRecords = (await store.getAll(partRange(digest))) as unknown as DatasetPart[];
    const byKey = new Map(partRecords.map((p) => [p.digest, p.cells]));
    const { parts, ...rest } = record;
    const data = assemble(record.table, parts, (n) => byKey.get(partKey(digest, n)));
    return { ...rest, table: { ...record.table, data } };
  });
}

function assemble(table: DataTable, parts: PartRef[], cellsOf: (n: number) => Float64Array | string[] | undefined): (Float64Array | string[])[] {
  const data: (Float64Array | string[])[] = table.types.map((t) => (t === 'number' ? new Float64Array(table.rowCount) : new Array<string>(table.rowCount)));
  parts.forEach((p, n) => {
    const cells = cellsOf(n);
    if (!cells || cells.length !== p.end - p.start) throw new Error(`Dataset part ${n} of column ${table.columns[p.column]} is missing or damaged.`);
    const col = data[p.column];
    if (col instanceof Float64Array) col.set(cells as Float64Array, p.start);
    else for (let i = 0; i < cells.length; i++) col[p.start + i] = (cells as string[])[i];
  });
  return data;
}

/** Every dataset without its table, newest first; part records are skipped by key, never read. */
export function listDatasets(conn: Connection): Promise<DatasetSummary[]> {
  return conn.read(['datasets'], async (tx) => {
    const store = tx.objectStore('datasets');
    const keys = (await store.getAllKeys()).filter((k) => !isPartKey(k));
    const records = await Promise.all(keys.map((k) => store.get(k)));
    const out: DatasetSummary[] = [];
    for (const r of records) {
      if (!r) continue;
      const { table: _table, parts: _parts, ...summary } = r as DatasetRecord;
      out.push(summary);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  });
}

export function deleteDataset(conn: Connection, digest: string): Promise<void> {
  return conn.write(['datasets'], () => `the deletion of dataset ${digest}`, async (tx) => {
    const store = tx.objectStore('datasets');
    await Promise.all([store.delete(digest), store.delete(partRange(digest))]);
  });
}
