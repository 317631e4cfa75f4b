/**
 * Untrusted archive bytes (or a Blob/File read in slices) → PreparedImport: the safe unzip
 * (every refusal is an ArchiveError naming the entry and the rule), then either MLflow's SQL
 * store (`mlflow.db`, opened with the engine the caller gives) or the mlruns/ tree reader
 * (FormatError naming the file). This is the whole import step of the bundle worker; the worker
 * adds only the download and the transfer back to the page.
 */
import { unzipSafe, unzipSafeBlob, type BlobLike, type UnzipOptions } from '../archive/safe-zip';
import { prepareEntries, type PreparedImport } from './prepare-import';
import { findMlflowDb, prepareSqliteImport, type OpenDb } from './sqlite-import';
import { readDatasetFiles } from './dataset-files';
import { readFolder, type FolderFile } from './folder-source';

export interface PrepareArchiveOptions extends UnzipOptions {
  /** Opens an `mlflow.db`; called only for archives that hold one (it loads a wasm engine). */
  openDb: OpenDb;
}

export interface PreparedArchive {
  prep: PreparedImport;
  /** Milliseconds spent unzipping and reading the tree or the database. */
  timings: { unzip: number; read: number };
}

export async function prepareArchive(source: Uint8Array | BlobLike, opts: PrepareArchiveOptions): Promise<PreparedArchive> {
  const { openDb, ...unzipOpts } = opts;
  const t0 = performance.now();
  const entries = source instanceof Uint8Array ? unzipSafe(source, unzipOpts) : await unzipSafeBlob(source, unzipOpts);
  const t1 = performance.now();
  return { prep: await prepareFromEntries(entries, openDb), timings: { unzip: t1 - t0, read: performance.now() - t1 } };
}

/** A dropped folder (folder-source.ts): read with the zip's rules, then prepared as its zip would be. */
export async function prepareFolder(files: readonly FolderFile[], opts: PrepareArchiveOptions): Promise<PreparedArchive> {
  const t0 = performance.now();
  const entries = await readFolder(files, {
    limits: opts.limits, signal: opts.signal,
    onProgress: opts.onProgress && ((done, total) => opts.onProgress!({ bytesOut: done, bytesTotal: total, entriesDone: 0, entriesTotal: files.length })),
  });
  const t1 = performance.now();
  return { prep: await prepareFromEntries(entries, opts.openDb), timings: { unzip: t1 - t0, read: performance.now() - t1 } };
}

async function prepareFromEntries(entries: Map<string, Uint8Array>, openDb: OpenDb): Promise<PreparedImport> {
  const dbPath = findMlflowDb(entries);
  const prep = dbPath ? await prepareSqliteImport(entries, dbPath, openDb) : prepareEntries(entries);
  const { datasets, warnings } = await readDatasetFiles(entries);
  if (datasets.length) prep.datasets = datasets;
  prep.warnings.push(...warnings);
  return prep;
}
