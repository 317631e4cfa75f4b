/**
 * The comlink interface of workers/bundle-worker.ts. The worker does the CPU-heavy, untrusted
 * parts (unzip + validate + read the tree + digest; build and deflate export zips) so the page
 * stays responsive; the page only commits (ONE IndexedDB transaction) or saves the bytes.
 *
 * Failures come back as values, not throws: comlink keeps only an Error's message, and the UI
 * needs the archive entry and the rule it broke.
 */
import type { BundleRun, MlflowBundle, RegisteredModel } from '../mlflow/bundle';
import type { Experiment } from '../tracking/types';
import type { StoredDataset } from '../data/types';
import type { ModelExportInput } from './model-export';
import type { PreparedImport } from './prepare-import';
import type { DecodedShare, ImportLane, LaneItem, MetricSink } from './import-lanes';
import type { BlobLike } from '../archive/blob-zip';
import { ArchiveError } from '../archive/errors';

/**
 * How an export lays MLflow's store out: `sqlite` (default) is `mlflow.db` + artifacts, MLflow's
 * default store since 3.7; `mlruns` is the file store (MLflow 2, or 3.13+ with MLFLOW_ALLOW_FILE_STORE).
 */
export type ExportLayout = 'sqlite' | 'mlruns';
export const EXPORT_LAYOUTS: readonly ExportLayout[] = ['sqlite', 'mlruns'];

export interface BundleProgress {
  phase: 'downloading' | 'reading' | 'zipping' | 'compressing';
  done: number;
  total: number;
}

export interface BundleFailure {
  /** `ArchiveError` (the zip), `FormatError` (a file in it), `AbortError` (cancelled), or another error name. */
  name: string;
  message: string;
  /** ArchiveError: the entry to blame (null: the archive as a whole) and the rule it broke. */
  entry?: string | null;
  rule?: string;
  /** FormatError: the file at fault. */
  file?: string;
}

/** `timings`: milliseconds per phase in the worker (e.g. unzip, read; tree, zip). */
export type BundleResult<T> = { ok: true; value: T; timings?: Record<string, number> } | { ok: false; error: BundleFailure };

/** Bytes, a Blob/File, a URL to fetch from the worker, or the files of a dropped folder (folder-source.ts). */
export type BundleSource = Uint8Array | Blob | { url: string } | { folder: { path: string; file: Blob }[] };

export interface BundleWorkerApi {
  /**
   * Reads and checks an archive. Big artifact files of a File/Blob, a download or a folder come
   * back `lazy` (streamed import, prepare-archive.ts): the worker keeps the source until
   * `importDone(jobId)`, and the page pulls each such file with `lazyNext`.
   */
  /**
   * `stage`: a port on which the worker posts a streamed archive's decoded metric columns as
   * they are ready (StagedMetricFile[] per message, storage/metric-staging.ts), so the page
   * writes them meanwhile; the prepared runs then carry their summaries only.
   */
  prepareImport(jobId: string, source: BundleSource, onProgress?: (p: BundleProgress) => void, lanes?: MessagePort[], stage?: MessagePort): Promise<BundleResult<PreparedImport>>;
  /**
   * Makes this worker a lane of another's import (import-lanes.ts): it serves ImportLaneApi on
   * `port`, whose other end the page gives the preparing worker as one of `prepareImport`'s
   * `lanes`. `stage`: as prepareImport's, for this lane's share.
   */
  serveImportLane(port: MessagePort, stage?: MessagePort): void;
  /**
   * The next piece (exactly `pieceBytes`, the last shorter; transferred) of the lazy artifact `ref`
   * of an import, or null after the last one. A failure (a bad CRC at the end) comes back as a value.
   */
  lazyNext(jobId: string, ref: string, pieceBytes: number): Promise<BundleResult<Uint8Array | null>>;
  /** The page is done with an import: the worker drops its source (and a downloaded temporary file). */
  importDone(jobId: string): Promise<void>;
  /** A small bundle in one go (a run's unsaved data); whole-lab exports stream instead. */
  exportZip(bundle: MlflowBundle): Promise<BundleResult<Uint8Array>>;
  /**
   * A streamed export: runs arrive in batches (transferred) and their metric files are encoded
   * on arrival, while the page reads the next batch; `exportFinish` adds the experiments,
   * derives the logged models, adds the registered models (registeredModelsForExport) and zips.
   * `exportDrop` forgets an export the page gave up on. `layout` (default 'mlruns') is read on
   * the job's first batch.
   */
  exportAddRuns(jobId: string, runs: BundleRun[], layout?: ExportLayout): Promise<BundleResult<null>>;
  /**
   * A lane's share of an mlruns/ export: the page spreads the batches over several bundle
   * workers, so encoding and compression run in parallel, then takes each lane's runs (encoded
   * and deflated, transferred) to the worker that finishes the export. The job is forgotten here.
   */
  exportTakeRuns(jobId: string): Promise<BundleResult<BundleRun[]>>;
  /** The zip as a Blob made in the worker from its parts (never one 400 MB buffer). */
  exportFinish(jobId: string, experiments: Experiment[], registeredModels?: RegisteredModel[], layout?: ExportLayout, datasets?: StoredDataset[],
    onProgress?: (p: BundleProgress) => void): Promise<BundleResult<Blob>>;
  exportDrop(jobId: string): void;
  exportModelZip(input: ModelExportInput): Promise<BundleResult<Uint8Array>>;
  /** Aborts a running prepareImport or exportFinish (its compression); it then resolves with an AbortError failure. */
  cancel(jobId: string): void;
}

/** What a lane serves on its port; failures as values, like the rest of this contract. */
export interface ImportLaneApi {
  decodeShare(blob: BlobLike, items: LaneItem[]): Promise<BundleResult<DecodedShare>>;
}

/** The preparing worker's view of a lane's port: a failure is thrown again as the error it was (ArchiveError keeps its entry and rule). */
export function importLaneOf(remote: { decodeShare: (...a: Parameters<ImportLaneApi['decodeShare']>) => Promise<BundleResult<DecodedShare>> }): ImportLane {
  return {
    async decodeShare(blob, items) {
      const r = await remote.decodeShare(blob, items);
      if (r.ok) return r.value;
      const f = r.error;
      if (f.name === 'ArchiveError') throw new ArchiveError(f.entry ?? null, f.rule ?? 'corrupt', f.entry ? f.message.slice(f.entry.length + 2) : f.message);
      throw Object.assign(new Error(f.message), { name: f.name });
    },
  };
}

export function describeFailure(e: unknown): BundleFailure {
  const err = e as { name?: string; message?: string; entry?: string | null; rule?: string; file?: string };
  const out: BundleFailure = { name: err?.name ?? 'Error', message: err?.message ?? String(e) };
  if (err?.name === 'ArchiveError') (out.entry = err.entry ?? null), (out.rule = err.rule);
  if (err?.name === 'FormatError') out.file = err.file;
  return out;
}

/** A MetricSink (import-lanes.ts) posting StagedMetricFile[] to the page on `port`. */
export function portSink(port: MessagePort): MetricSink {
  return (files, transfer) => port.postMessage(files, transfer);
}

/** Every distinct ArrayBuffer under some runs (histories, metric files, artifacts). */
export function runBuffers(runs: readonly BundleRun[]): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const r of runs) {
    for (const m of r.metrics) for (const a of [m.values, m.steps, m.timestamps]) set.add(a.buffer as ArrayBuffer);
    for (const f of r.metricFiles ?? []) set.add((f.bytes instanceof Uint8Array ? f.bytes : f.bytes.deflated).buffer as ArrayBuffer);
    for (const a of r.artifacts) set.add(a.bytes.buffer as ArrayBuffer);
  }
  return [...set].filter((b) => b instanceof ArrayBuffer && b.byteLength > 0);
}

/** Every distinct ArrayBuffer under a prepared import, for a zero-copy transfer. */
export function buffersOf(prep: PreparedImport): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const r of prep.runs) {
    for (const m of r.metrics) for (const a of [m.values, m.steps, m.timestamps]) set.add(a.buffer as ArrayBuffer);
    for (const a of r.artifacts) set.add(a.bytes.buffer as ArrayBuffer);
  }
  for (const d of prep.datasets ?? []) for (const c of d.table.data) if (c instanceof Float64Array) set.add(c.buffer as ArrayBuffer);
  return [...set].filter((b) => b instanceof ArrayBuffer && b.byteLength > 0);
}
