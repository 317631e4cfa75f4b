import { describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import type { StoredDataset } from '../../src/lib/data/types';
import { Connection } from '../../src/lib/storage/db';
import { deleteDataset, getDataset, listDatasets, putDataset } from '../../src/lib/storage/dataset-store';
import { uniqueDbName } from './storage-helpers';

function table(rows: number): StoredDataset {
  const x = Float64Array.from({ length: rows }, (_, i) => (i === 4 ? NaN : i / 2));
  const label = Array.from({ length: rows }, (_, i) => `row-${i}`);
  return {
    digest: 'abcd1234', name: 'parts', sourceType: 'local', source: '{"uri":"p.csv"}', createdAt: 5, byteSize: 999,
    delimiter: ',', profile: [{ name: 'x', type: 'number', count: rows - 1, missing: 1 }, { name: 'label', type: 'string', count: rows, missing: 0 }],
    table: { columns: ['x', 'label'], types: ['number', 'string'], data: [x, label], rowCount: rows },
  };
}

async function rawKeys(name: string): Promise<string[]> {
  const db = await openDB(name);
  const keys = (await db.getAllKeys('datasets')) as string[];
  db.close();
  return keys;
}

describe('datasets stored in parts', () => {
  it('a table cut into parts comes back whole; listing and deleting cover every part', async () => {
    const name = uniqueDbName('datasets');
    const conn = await Connection.open({ name });
    const ds = table(10);
    await putDataset(conn, ds, 3); // 4 parts per column
    expect((await rawKeys(name)).filter((k) => k.includes('#'))).toHaveLength(8);
    const back = await getDataset(conn, ds.digest);
    expect(back).toEqual(ds);
    expect(back!.table.data[0]).toBeInstanceOf(Float64Array);
    const list = await listDatasets(conn);
    expect(list).toHaveLength(1);
    expect(list[0]).toEqual({ digest: ds.digest, name: 'parts', sourceType: 'local', source: ds.source, createdAt: 5, byteSize: 999, delimiter: ',', profile: ds.profile });
    await deleteDataset(conn, ds.digest);
    expect(await rawKeys(name)).toEqual([]);
    conn.close();
  });

  it('a failure while writing parts stores no dataset and leaves no part behind', async () => {
    const name = uniqueDbName('datasets');
    const conn = await Connection.open({ name });
    const ds = table(10);
    // A value IndexedDB cannot clone in the last string part: that write fails after others landed.
    (ds.table.data[1] as unknown[])[9] = () => 'not cloneable';
    await expect(putDataset(conn, ds, 3)).rejects.toThrow();
    expect(await getDataset(conn, ds.digest)).toBeUndefined();
    expect(await listDatasets(conn)).toEqual([]);
    expect(await rawKeys(name)).toEqual([]);
    conn.close();
  });

  it('reads datasets stored whole by earlier versions', async () => {
    const name = uniqueDbName('datasets');
    const conn = await Connection.open({ name });
    const ds = table(6);
    const db = await openDB(name);
    await db.put('datasets', ds);
    db.close();
    expect(await getDataset(conn, ds.digest)).toEqual(ds);
    expect((await listDatasets(conn)).map((d) => d.digest)).toEqual([ds.digest]);
    conn.close();
  });
});
