/**
 * An export built as runs arrive (the bundle worker's side of collectBundleBatches): each
 * batch's histories are encoded into metric files at once and the columns dropped, so encoding
 * overlaps the store reading the next batch, and the worker never holds columns and text of
 * the whole lab at once. Without a deflater, `finish` gives the same bytes as
 * exportMlflowZip(collectBundle(...)).
 *
 * With a deflater (fast-deflate.ts), each metric file is deflated as it is encoded and only the
 * deflated body is kept: the text of a 1,000-run lab (372 MB) is never held, and compression
 * runs while the page reads, in as many workers as the page spreads the batches over (lanes:
 * `take` hands a lane's finished runs to the worker that zips).
 */
import type { BundleRun, RegisteredModel } from '../mlflow/bundle';
import { encodeRunMetricBytes } from '../mlflow/metric-bytes';
import { writeMlrunsTreeData, type WriteTreeOptions } from '../mlflow/write-tree';
import { crc32 } from '../archive/crc32';
import { packFile, PACK_MAX_BYTES, type Deflater } from '../archive/fast-deflate';
import { zipParts, type ZipData, type ZipWriteOptions } from '../archive/zip-write';
import type { Experiment } from '../tracking/types';
import { deriveLoggedModels } from './logged-models';
import { upgradeModelFolders } from './upgrade-models';

export class StreamedExport {
  private readonly runs: BundleRun[] = [];
  /** CRC-32 of each metric file, computed on arrival too (zipping then only copies). */
  private readonly crcs = new WeakMap<Uint8Array, number>();
  /** Milliseconds spent encoding (and deflating, with a deflater) so far. */
  encodeMs = 0;

  /** `deflate`: deflate metric files on arrival (see the header). */
  constructor(private readonly deflate?: Deflater) {}

  /** Encodes a batch; runs a lane already encoded (metrics empty, metricFiles set) pass as they are. */
  add(runs: readonly BundleRun[]): void {
    const t0 = performance.now();
    for (const br of runs) {
      upgradeModelFolders(br);
      const files = br.metrics.filter((m) => m.values.length > 0).map((m) => ({ key: m.key, bytes: this.fileOf(encodeRunMetricBytes(m)) }));
      this.runs.push({ ...br, metrics: [], metricFiles: [...(br.metricFiles ?? []), ...files] });
    }
    this.encodeMs += performance.now() - t0;
  }

  private fileOf(bytes: Uint8Array): ZipData {
    if (this.deflate && bytes.length <= PACK_MAX_BYTES) return packFile(bytes, this.deflate);
    this.crcs.set(bytes, crc32(bytes));
    return bytes;
  }

  /** The runs added so far, encoded, for the worker that zips (a lane's part of an export); forgotten here. */
  take(): BundleRun[] {
    return this.runs.splice(0);
  }

  /**
   * The zip as parts for `new Blob(parts)` (see zipParts), and the time of each phase (encode,
   * tree, zip) in ms. `registeredModels`: what registeredModelsForExport chose for the selection.
   */
  finishParts(experiments: Experiment[], opts: WriteTreeOptions & ZipWriteOptions = {}, registeredModels: RegisteredModel[] = []): { parts: Uint8Array[]; timings: Record<string, number> } {
    const { files, crcs, timings } = this.finishFiles(experiments, opts, registeredModels);
    const t1 = performance.now();
    const parts = zipParts(files, { ...opts, crcs });
    return { parts, timings: { ...timings, zip: performance.now() - t1 } };
  }

  /** The archive's files (and their CRCs known so far), before zipping (the worker may deflate them first). */
  finishFiles(experiments: Experiment[], opts: WriteTreeOptions = {}, registeredModels: RegisteredModel[] = []): { files: Map<string, ZipData>; crcs: WeakMap<Uint8Array, number>; timings: Record<string, number> } {
    const t0 = performance.now();
    const files = writeMlrunsTreeData({ experiments, runs: this.runs, loggedModels: deriveLoggedModels(this.runs), registeredModels }, opts);
    this.runs.length = 0;
    return { files, crcs: this.crcs, timings: { encode: this.encodeMs, tree: performance.now() - t0 } };
  }

  /** The zip in one buffer. */
  finish(experiments: Experiment[], opts: WriteTreeOptions & ZipWriteOptions = {}, registeredModels: RegisteredModel[] = []): Uint8Array<ArrayBuffer> {
    const { parts } = this.finishParts(experiments, opts, registeredModels);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) (out.set(p, o), (o += p.length));
    return out;
  }
}
