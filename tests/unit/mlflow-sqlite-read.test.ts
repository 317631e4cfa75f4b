/**
 * mlflow.db import refusals: a truncated file and a schema revision the lab does not know are
 * refused with a FormatError naming the file and what is wrong (the revision), before anything
 * is read. Reading real MLflow databases is proven in tests/interop/mlflow-sqlite.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { findMlflowDb, prepareSqliteImport } from '../../src/lib/bundles/sqlite-import';
import { FormatError } from '../../src/lib/mlflow/errors';
import { MLFLOW_DB_HEAD } from '../../src/lib/mlflow/sqlite-revisions';
import { openDb, sqlJs } from './sqlite-helpers';

/** A database with MLflow's bookkeeping table at `revision` and a few hundred rows (several pages). */
async function dbBytes(revision: string): Promise<Uint8Array> {
  const db = new (await sqlJs()).Database();
  db.run('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)');
  db.run('INSERT INTO alembic_version VALUES (?)', [revision]);
  db.run('CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT)');
  db.run('CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, name TEXT)');
  for (let i = 0; i < 300; i++) db.run('INSERT INTO runs VALUES (?, ?)', [String(i).padStart(32, '0'), `run ${i} `.repeat(10)]);
  const bytes = db.export();
  db.close();
  return bytes;
}

async function failure(entries: Map<string, Uint8Array>): Promise<FormatError> {
  const path = findMlflowDb(entries)!;
  try {
    await prepareSqliteImport(entries, path, openDb);
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('the import did not fail');
}

describe('mlflow.db import refusals', () => {
  it('a truncated mlflow.db names the file and how much of it is there', async () => {
    const full = await dbBytes(MLFLOW_DB_HEAD);
    expect(full.length).toBeGreaterThan(8192);
    const cut = full.slice(0, full.length - 4096);
    const e = await failure(new Map([['store/mlflow.db', cut]]));
    expect(e.file).toBe('store/mlflow.db');
    expect(e.message).toMatch(new RegExp(`truncated: ${cut.length} bytes of the ${full.length}`));
    const tiny = await failure(new Map([['mlflow.db', full.slice(0, 40)]]));
    expect(tiny.message).toMatch(/truncated \(40 bytes/);
  });

  it('an unknown schema revision names the revision', async () => {
    const e = await failure(new Map([['mlflow.db', await dbBytes('0123456789ab')]]));
    expect(e.file).toBe('mlflow.db');
    expect(e.message).toMatch(/schema revision "0123456789ab"/);
    expect(e.message).toContain(MLFLOW_DB_HEAD);
  });

  it('a file that is not SQLite, or SQLite without MLflow tables, is refused by name', async () => {
    const e = await failure(new Map([['mlflow.db', new TextEncoder().encode('x'.repeat(200))]]));
    expect(e.message).toMatch(/not a SQLite database/);
    const db = new (await sqlJs()).Database();
    db.run('CREATE TABLE t (a)');
    const other = await failure(new Map([['mlflow.db', db.export()]]));
    expect(other.message).toMatch(/not an MLflow tracking database/);
  });

  it('finds the database of an archive, not when a file store is there', () => {
    const b = new Uint8Array(1);
    expect(findMlflowDb(new Map([['a/mlflow.db', b], ['a/mlartifacts/1/x/artifacts/f', b]]))).toBe('a/mlflow.db');
    expect(findMlflowDb(new Map([['mlruns/0/meta.yaml', b], ['mlflow.db', b]]))).toBeNull();
    expect(findMlflowDb(new Map([['mlruns/0/meta.yaml', b]]))).toBeNull();
  });
});
