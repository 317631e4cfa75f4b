/**
 * Untrusted archive bytes (or a Blob/File read on demand) → PreparedImport: the safe unzip
 * (every refusal is an ArchiveError naming the entry and the rule), then either MLflow's SQL
 * store (`mlflow.db`, opened with the engine the caller gives) or the mlruns/ tree reader
 * (FormatError naming the file). This is the whole import step of the bundle worker; the worker
 * adds only the download and the transfer back to the page.
 *
 * A Blob over the whole-read limit, and a dropped folder, are read streamed: the central
 * directory first, then every entry except the big artifact files (lazy-entries.ts), which stay
 * where they are and come back as `lazy` artifacts with a `LazySource` to read them from in
 * pieces while the store writes them. So neither the worker nor the page holds the archive:
 * what is held is the store's small files, the metric histories, and an `mlflow.db` (sql.js
 * needs a database's bytes in its wasm memory; that is bounded by the database, not the artifacts).
 */
import { Scratch } from '../archive/zip-read-core';
import { loadInflater } from '../archive/fast-inflate';
import { unzipSafe, unzipSafeBlob, WHOLE_READ_LIMIT, type BlobLike, type UnzipOptions, type UnzipProgress } from '../archive/safe-zip';
import { openZipBlob } from '../archive/blob-zip';
import type { ZipEntry } from '../archive/zip-format';
import { prepareEntries, type PreparedImport } from './prepare-import';
import { findMlflowDb, prepareSqliteImport, type OpenDb } from './sqlite-import';
import { readDatasetFiles } from './dataset-files';
import { folderPieces, readFolder, type FolderFile } from './folder-source';
import { isLazyCandidate, LAZY_MIN_BYTES, lazyPlaceholder, markLazy } from './lazy-entries';
import { decodeMetricEntry, metricShares, mlrunsRootOf, runMetricFile, StagedSender, type DecodedShare, type ImportLane, type MetricSink } from './import-lanes';
import type { DecodedMetricFiles } from '../mlflow/read-tree';

export interface PrepareArchiveOptions extends UnzipOptions {
  /** Opens an `mlflow.db`; called only for archives that hold one (it loads a wasm engine). */
  openDb: OpenDb;
  /** Artifact files at least this big stay in the archive until written (default LAZY_MIN_BYTES). */
  lazyMinBytes?: number;
  /** Other workers that read a share of a streamed archive's metric files meanwhile (import-lanes.ts). */
  lanes?: readonly ImportLane[];
  /**
   * Where a streamed archive's decoded metric columns go as they are ready (the page, which
   * writes them while the rest is read: storage/metric-staging.ts); the prepared runs then hold
   * only their summaries. Without it they come back with the runs.
   */
  stage?: MetricSink;
}

/** Where the `lazy` artifacts of a prepared import are read from, in pieces (see the header). */
export interface LazySource {
  pieces(ref: string, pieceBytes: number, signal?: AbortSignal): AsyncGenerator<Uint8Array>;
}

export interface PreparedArchive {
  prep: PreparedImport;
  /** Milliseconds spent unzipping and reading the tree or the database. */
  timings: { unzip: number; read: number; lanes?: number };
  /** Set when some artifacts were left in the archive (`lazy`). */
  lazy?: LazySource;
}

export async function prepareArchive(source: Uint8Array | BlobLike, options: PrepareArchiveOptions): Promise<PreparedArchive> {
  const opts = { ...options, inflater: options.inflater ?? await loadInflater() };
  const { openDb, lazyMinBytes = LAZY_MIN_BYTES, ...unzipOpts } = opts;
  const t0 = performance.now();
  if (!(source instanceof Uint8Array) && source.size > (opts.wholeReadLimit ?? WHOLE_READ_LIMIT)) return prepareStreamed(source, opts, lazyMinBytes);
  const entries = source instanceof Uint8Array ? unzipSafe(source, unzipOpts) : await unzipSafeBlob(source, unzipOpts);
  const t1 = performance.now();
  return { prep: await prepareFromEntries(entries, openDb), timings: { unzip: t1 - t0, read: performance.now() - t1 } };
}

/** A big Blob: the entries read one by one from the blob, big artifacts left in it. */
async function prepareStreamed(blob: BlobLike, opts: PrepareArchiveOptions, lazyMinBytes: number): Promise<PreparedArchive> {
  const t0 = performance.now();
  const zip = await openZipBlob(blob, opts);
  const entries = new Map<string, Uint8Array>();
  const byName = new Map(zip.entries.map((en) => [en.name, en]));
  const progress: UnzipProgress = { entriesDone: 0, entriesTotal: zip.entries.length, bytesOut: 0, bytesTotal: zip.entries.reduce((s, e) => s + e.size, 0) };
  const lanes = opts.lanes ?? [];
  // Run metric files are decoded as they are read (their text is then let go), here for this
  // worker's share and in the lanes for theirs; each has a placeholder in `entries`, looked up in `decoded`.
  // The tree's root, found once (a scan of every name): no shares, and so no metric file, without one.
  const root = mlrunsRootOf(zip.entries);
  const shares = metricShares(zip.entries, lanes.length + 1, root);
  const mine = new Set(shares[0]);
  const elsewhere = new Set(shares.slice(1).flat());
  const decoded: DecodedMetricFiles = new WeakMap();
  const scratch = new Scratch();
  const item = (entry: ZipEntry) => ({ entry, start: zip.startOf(entry), ...runMetricFile(entry.name, root!)! });
  const fromLanes = shares.slice(1).map((share, i) => lanes[i].decodeShare(blob, share.map(item)));
  const sender = opts.stage && new StagedSender(opts.stage);
  fromLanes.forEach((p) => p.catch(() => undefined)); // awaited below, unless this side fails first
  for (const en of zip.entries) {
    opts.signal?.throwIfAborted();
    let held: Uint8Array;
    if (elsewhere.has(en)) held = new Uint8Array(0);
    else if (mine.has(en)) {
      const { runId, key } = runMetricFile(en.name, root!)!;
      const file = decodeMetricEntry(en.name, key, await zip.read(en, scratch));
      decoded.set((held = new Uint8Array(0)), sender ? sender.take(runId, key, file) : file);
    } else held = isLazyCandidate(en.name, en.size, lazyMinBytes) ? lazyPlaceholder(en.name, en.size, en.crc) : await zip.read(en);
    entries.set(en.name, held);
    progress.entriesDone++;
    progress.bytesOut += en.size;
    opts.onProgress?.({ ...progress });
  }
  sender?.flush();
  // How long this worker waited for the lanes after its own share (0: they were done first).
  const tOwn = performance.now();
  const laneShares = await unlessAborted(Promise.all(fromLanes), opts.signal);
  placeDecoded(entries, elsewhere, laneShares, decoded);
  const t1 = performance.now();
  const prep = await prepareFromEntries(entries, opts.openDb, decoded);
  // The page waits for this many staged files before it commits (they come on other ports).
  if (sender) prep.stagedFiles = sender.sent + laneShares.reduce((n, share) => n + [...share.values()].filter((f) => 'staged' in f).length, 0);
  const lazy: LazySource = {
    pieces(ref, pieceBytes, signal) {
      const en = byName.get(ref);
      if (!en) throw new Error(`${ref} is not an entry of the archive`);
      return zip.pieces(en, pieceBytes, signal);
    },
  };
  const timings = { unzip: tOwn - t0, ...(lanes.length ? { lanes: t1 - tOwn } : {}), read: performance.now() - t1 };
  return { prep, timings, lazy: markLazy(prep) ? lazy : undefined };
}

/** A dropped folder (folder-source.ts): read with the zip's rules, then prepared as its zip would be. */
export async function prepareFolder(files: readonly FolderFile[], opts: PrepareArchiveOptions): Promise<PreparedArchive> {
  const t0 = performance.now();
  const entries = await readFolder(files, {
    limits: opts.limits, signal: opts.signal, lazyMinBytes: opts.lazyMinBytes ?? LAZY_MIN_BYTES,
    onProgress: opts.onProgress && ((done, total) => opts.onProgress!({ bytesOut: done, bytesTotal: total, entriesDone: 0, entriesTotal: files.length })),
  });
  const t1 = performance.now();
  const prep = await prepareFromEntries(entries, opts.openDb);
  const lazy: LazySource = { pieces: (ref, pieceBytes, signal) => folderPieces(files, ref, pieceBytes, signal) };
  return { prep, timings: { unzip: t1 - t0, read: performance.now() - t1 }, lazy: markLazy(prep) ? lazy : undefined };
}

/** `p`, or the signal's reason as soon as it is aborted (a lane that died never answers). */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/** The lanes' columns keyed by the placeholder each file has in `entries` (read-tree.ts looks them up so). */
function placeDecoded(entries: Map<string, Uint8Array>, elsewhere: ReadonlySet<ZipEntry>, shares: readonly DecodedShare[], decoded: DecodedMetricFiles): void {
  for (const share of shares) for (const [name, file] of share) decoded.set(entries.get(name) ?? new Uint8Array(0), file);
  for (const en of elsewhere) if (!decoded.has(entries.get(en.name)!)) throw new Error(`${en.name} was left to another worker, which did not read it`);
}

async function prepareFromEntries(entries: Map<string, Uint8Array>, openDb: OpenDb, decoded?: DecodedMetricFiles): Promise<PreparedImport> {
  const dbPath = findMlflowDb(entries);
  const prep = dbPath ? await prepareSqliteImport(entries, dbPath, openDb) : prepareEntries(entries, decoded);
  const { datasets, warnings } = await readDatasetFiles(entries);
  if (datasets.length) prep.datasets = datasets;
  prep.warnings.push(...warnings);
  return prep;
}
