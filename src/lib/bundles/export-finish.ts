/**
 * The last step of an export, shared by the bundle worker and the tests: a streamed export's
 * files (mlruns/ tree or mlflow.db + artifacts) → zip parts for `new Blob(parts)`.
 * Small exports deflate with fflate (level 1) inside zipParts; big ones (over AUTO_STORE_ABOVE,
 * where JS DEFLATE is too slow) go through the native CompressionStream first.
 */
import { AUTO_STORE_ABOVE, sizeOf, zipParts } from '../archive/zip-write';
import { deflateBodies } from '../archive/deflate-native';
import type { Experiment } from '../tracking/types';
import type { RegisteredModel } from '../mlflow/bundle';
import { SqliteExport } from './sqlite-export';
import type { StreamedExport } from './streamed-export';
import type { StoredDataset } from '../data/types';
import { datasetFiles } from './dataset-files';

export interface FinishedExport {
  parts: Uint8Array[];
  /** Milliseconds per phase: encode and tree (or db), deflate, zip. */
  timings: Record<string, number>;
}

/** `datasets`: the runs' datasets to carry beside the store (dataset-files.ts), when the export includes them. */
export interface FinishOptions {
  /** Stops the compression between two 1 MiB chunks (deflate-native.ts). */
  signal?: AbortSignal;
  /** Bytes compressed so far, of the total. */
  onProgress?: (done: number, total: number) => void;
}

export async function finishExport(job: StreamedExport | SqliteExport, experiments: Experiment[], registeredModels: RegisteredModel[] = [], datasets: readonly StoredDataset[] = [], opts: FinishOptions = {}): Promise<FinishedExport> {
  const { files, crcs, timings } = job instanceof SqliteExport ? job.finishFiles(experiments, registeredModels) : job.finishFiles(experiments, {}, registeredModels);
  const t0 = performance.now();
  for (const [path, bytes] of datasetFiles(datasets)) files.set(path, bytes);
  let total = 0;
  const raw = new Map<string, Uint8Array>();
  for (const [path, b] of files) {
    total += sizeOf(b);
    if (b instanceof Uint8Array) raw.set(path, b);
  }
  // Files a streamed export deflated as they came (streamed-export.ts) are not deflated again.
  const bodies = total > AUTO_STORE_ABOVE ? (await deflateBodies(raw, opts)).bodies : undefined;
  const t1 = performance.now();
  const parts = zipParts(files, { method: 'auto', level: 1, crcs, bodies });
  return { parts, timings: { ...timings, deflate: t1 - t0, zip: performance.now() - t1 } };
}
