/**
 * A big mlruns/ import read by several bundle workers at once. Nearly all of such an archive is
 * run metric files (a 1,000-run lab: 10,000 files, 372 MB of text), and inflating, checking and
 * parsing them is most of the import (3.4 of 4.3 s in one worker). The worker that prepares the
 * import (prepare-archive.ts) opens and checks the archive, keeps a share of those files and
 * hands the others to lanes with where each one's data starts: a lane reads them from the same
 * Blob (a File or a downloaded file clones as a reference) with the same size and CRC checks
 * (blob-zip.ts zipBlobAt), decodes each into columns and sends them back.
 *
 * A file the lane cannot parse comes back as its problem, raised only if the tree reader reads
 * that file (as it would have been in one worker); an archive fault (a bad CRC) fails the lane's
 * call, and so the import, naming the entry.
 */
import { zipBlobAt, type BlobLike } from '../archive/blob-zip';
import { Scratch, type UnzipOptions } from '../archive/zip-read-core';
import { loadInflater } from '../archive/fast-inflate';
import type { ZipEntry } from '../archive/zip-format';
import { FormatError } from '../mlflow/errors';
import { decodeRunMetricBytes } from '../mlflow/metric-bytes';
import { EXP_RESERVED, summarize, type DecodedMetricFile } from '../mlflow/read-tree';
import type { StagedMetricFile } from '../storage/metric-staging';
import { findMlrunsRoot } from '../mlflow/tree';
import { findMlflowDb } from './sqlite-import';

/** What a lane gives back: each file of its share, by entry name. */
export type DecodedShare = Map<string, DecodedMetricFile>;

/** A run metric file of a lane's share: the entry, where its data starts, and its metric key. */
export interface LaneItem {
  entry: ZipEntry;
  start: number;
  key: string;
  /** The run folder's name (the run's id, as the tree reader checks). */
  runId: string;
}

/**
 * Where decoded metric columns go when the page stages them (storage/metric-staging.ts): a
 * worker posts them to the page as they are ready, transferring their buffers.
 */
export type MetricSink = (files: StagedMetricFile[], transfer: ArrayBuffer[]) => void;

/** Files per message to the page: ~150 messages for a 1,000-run lab, each worth one IDB batch's share. */
const SINK_BATCH = 64;

/**
 * Sends decoded files to a sink in batches and keeps only their summaries (the tree reader
 * needs no more: the page has the columns). Problems are kept as they are.
 */
export class StagedSender {
  private files: StagedMetricFile[] = [];
  private buffers: ArrayBuffer[] = [];
  /** Files sent (or gathered to be) so far. */
  sent = 0;

  constructor(private readonly sink: MetricSink) {}

  /** What to keep for the file: its summary once its columns are on their way, else the problem. */
  take(runId: string, key: string, file: DecodedMetricFile): DecodedMetricFile {
    if ('problem' in file || 'staged' in file) return file;
    const kept = { staged: summarize(file) };
    this.sent++;
    this.files.push({ runId, key, values: file.values, steps: file.steps, timestamps: file.timestamps });
    for (const a of [file.values.buffer, file.steps.buffer, file.timestamps.buffer]) {
      if (a instanceof ArrayBuffer && a.byteLength > 0 && !this.buffers.includes(a)) this.buffers.push(a);
    }
    if (this.files.length >= SINK_BATCH) this.flush();
    return kept;
  }

  flush(): void {
    if (!this.files.length) return;
    const files = this.files;
    const buffers = this.buffers;
    this.files = [];
    this.buffers = [];
    this.sink(files, buffers);
  }
}

/** A lane as the preparing worker sees it (workers/bundle-worker.ts serves it on a MessagePort the page gives both). */
export interface ImportLane {
  decodeShare(blob: BlobLike, items: LaneItem[]): Promise<DecodedShare>;
}

/**
 * The preparing worker's part of the metric bytes against a lane's. It also reads every other
 * file (and builds the tree after), a lane also has to start: on the 1,000-run lab an equal split
 * had both end within ~0.1 s of each other.
 */
const PREPARER_WEIGHT = 0.9;

/** The metric key of a run metric file of an mlruns/ tree rooted at `root`, or null for any other entry. */
export function runMetricKey(name: string, root: string): string | null {
  return runMetricFile(name, root)?.key ?? null;
}

/** The run folder and metric key of a run metric file of an mlruns/ tree rooted at `root`, or null for any other entry. */
export function runMetricFile(name: string, root: string): { runId: string; key: string } | null {
  if (!name.startsWith(root) || name.endsWith('/')) return null;
  const segs = name.slice(root.length).split('/');
  if (segs[0] === '.trash') segs.shift();
  if (segs.length < 4 || segs[2] !== 'metrics' || segs[0] === 'models' || EXP_RESERVED.has(segs[1])) return null;
  return { runId: segs[1], key: segs.slice(3).join('/') };
}

/**
 * The run metric files of `entries`, in `of` shares of about equal compressed bytes (the first,
 * the preparing worker's, weighted by PREPARER_WEIGHT), in central-directory order. Empty
 * shares when the archive is not an mlruns/ tree. `root`: mlrunsRootOf(entries), when the caller has it.
 */
export function metricShares(entries: readonly ZipEntry[], of: number, root = mlrunsRootOf(entries)): ZipEntry[][] {
  const shares: ZipEntry[][] = Array.from({ length: of }, () => []);
  if (root === null) return shares; // no mlruns/ tree (an mlflow.db, a model): nothing to share
  const files = entries.filter((e) => !e.isDir && runMetricKey(e.name, root) !== null);
  const total = files.reduce((n, e) => n + e.compressedSize, 0);
  const weights = Array.from({ length: of }, (_, i) => (i === 0 ? PREPARER_WEIGHT : 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  let share = 0;
  let bound = (total * weights[0]) / sum;
  let done = 0;
  for (const e of files) {
    while (share < of - 1 && done >= bound) bound += (total * weights[++share]) / sum;
    shares[share].push(e);
    done += e.compressedSize;
  }
  return shares;
}

/** The prefix of the archive's mlruns/ tree, or null when it has none or its store is an mlflow.db (read by sqlite-import.ts). */
export function mlrunsRootOf(entries: readonly ZipEntry[]): string | null {
  const names = entries.map((e) => e.name);
  if (findMlflowDb(new Map(names.map((n) => [n, NO_BYTES])))) return null;
  try {
    return findMlrunsRoot(names);
  } catch {
    return null;
  }
}

const NO_BYTES = new Uint8Array(0);

/**
 * A lane's work: its share of the archive's run metric files, read and decoded. With a `sink`,
 * the columns go there as they are ready and the share keeps their summaries (StagedSender).
 */
export async function decodeShare(blob: BlobLike, items: readonly LaneItem[], opts: UnzipOptions = {}, sink?: MetricSink): Promise<DecodedShare> {
  const zip = zipBlobAt(blob, items, { ...opts, inflater: opts.inflater ?? await loadInflater() });
  const out: DecodedShare = new Map();
  const scratch = new Scratch();
  const sender = sink && new StagedSender(sink);
  for (const { entry, key, runId } of items) {
    opts.signal?.throwIfAborted();
    const file = decodeMetricEntry(entry.name, key, await zip.read(entry, scratch));
    out.set(entry.name, sender ? sender.take(runId, key, file) : file);
  }
  sender?.flush();
  return out;
}

/** A run metric file's columns, or the problem that keeps it from being read (raised later, if it is read: see the header). */
export function decodeMetricEntry(name: string, key: string, bytes: Uint8Array): DecodedMetricFile {
  try {
    return decodeRunMetricBytes(name, key, bytes);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return e.field === undefined ? { problem: e.detail } : { problem: e.detail, field: e.field };
  }
}

/** Every distinct buffer of a decoded share, for a zero-copy transfer. */
export function shareBuffers(share: DecodedShare): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const d of share.values()) if (!('problem' in d) && !('staged' in d)) for (const a of [d.values, d.steps, d.timestamps]) set.add(a.buffer as ArrayBuffer);
  return [...set].filter((b) => b instanceof ArrayBuffer && b.byteLength > 0);
}
