/**
 * Archives holding an `mlflow.db` (MLflow's default store since 3.7) and its artifact folders:
 * found here, opened by the engine the caller gives (sql.js in the bundle worker, loaded only
 * for such archives), read by readMlflowDb, then prepared as any MLflow bundle.
 */
import { FormatError } from '../mlflow/errors';
import { readMlflowDb, type OpenedDb } from '../mlflow/sqlite-read';
import { findMlrunsRoot } from '../mlflow/tree';
import { prepareBundle, type PreparedImport } from './prepare-import';

export type { OpenedDb };
export type OpenDb = (bytes: Uint8Array) => Promise<OpenedDb>;

/** The archive's `mlflow.db` (the shallowest one) when the archive has no `mlruns/` store; else null. */
export function findMlflowDb(entries: Map<string, Uint8Array>): string | null {
  const dbs = [...entries.keys()].filter((p) => p === 'mlflow.db' || p.endsWith('/mlflow.db')).sort((a, b) => a.split('/').length - b.split('/').length);
  if (!dbs.length) return null;
  try {
    findMlrunsRoot(entries.keys());
    // Both: a store MLflow wrote with a database next to an mlruns/ artifact root. The database
    // is the store then, unless the folder is a file store (its experiments have meta.yaml).
    if ([...entries.keys()].some((p) => /(^|\/)mlruns\/\d+\/meta\.yaml$/.test(p))) return null;
  } catch {
    /* no file store: the database it is */
  }
  return dbs[0];
}

/** SQLite's header says how many pages the file has: a shorter file was cut off. */
export function checkSqliteFile(file: string, bytes: Uint8Array): void {
  const magic = 'SQLite format 3\0';
  if (bytes.length < 100 || new TextDecoder().decode(bytes.subarray(0, 16)) !== magic) {
    throw new FormatError(file, bytes.length < 100 ? `is truncated (${bytes.length} bytes, not even a SQLite header)` : 'is not a SQLite database');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = dv.getUint16(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = dv.getUint32(28);
  const want = pageSize * pages;
  if (pages > 0 && bytes.length < want) throw new FormatError(file, `is truncated: ${bytes.length} bytes of the ${want} its header announces`);
}

export async function prepareSqliteImport(entries: Map<string, Uint8Array>, dbPath: string, open: OpenDb): Promise<PreparedImport> {
  const bytes = entries.get(dbPath)!;
  checkSqliteFile(dbPath, bytes);
  let db: OpenedDb;
  try {
    db = await open(bytes);
  } catch (e) {
    throw new FormatError(dbPath, `cannot be opened as SQLite: ${(e as Error).message}`);
  }
  try {
    const files = new Map([...entries].filter(([p]) => p !== dbPath));
    let read;
    try {
      read = readMlflowDb(db, dbPath, files);
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(dbPath, `is damaged: ${(e as Error).message}`);
    }
    return prepareBundle(read.bundle, read.warnings);
  } finally {
    db.close();
  }
}
