/**
 * The CSV worker's API (workers/csv-worker.ts exposes it with comlink) and the plain functions
 * behind it, which run the same in Node tests.
 *
 * `parse` resolves to an outcome instead of throwing, because comlink's error transfer keeps only
 * `name` and `message`: the row and column of a CsvError would be lost. `unwrapCsvOutcome` turns
 * an outcome back into a result or a thrown CsvError / AbortError on the page side.
 */
import { parseCsv, type CsvProgress } from './csv';
import { CsvError, type CsvErrorData } from './csv-errors';
import { datasetSource, tableDigest } from './digest';
import { profileTable } from './profile';
import type { ColumnProfile, DataTable } from './types';
import { errorMessage } from '../util/errors';

/** `sourceUrl`: what to record as the dataset's source when `url` is a copy of it (a shipped example). */
export type CsvWorkerSource = Blob | { url: string; sourceUrl?: string };

export interface CsvWorkerOptions {
  /** Lets `cancel(jobId)` stop this parse. */
  jobId?: string;
  delimiter?: string;
  maxBytes?: number;
  encoding?: string;
  raggedRows?: 'error' | 'skip';
}

export interface CsvWorkerResult {
  table: DataTable;
  profile: ColumnProfile[];
  digest: string;
  byteSize: number;
  delimiter: string;
  /** MLflow source fields: `http` + `{"url": ...}` or `local` + `{"uri": <file name>}`. */
  sourceType: string;
  source: string;
  skippedRows: number[];
  skippedCount: number;
}

export type CsvWorkerFailure = CsvErrorData | { name: 'AbortError' | 'Error'; message: string };

export type CsvWorkerOutcome = { ok: true; result: CsvWorkerResult } | { ok: false; error: CsvWorkerFailure };

export interface CsvWorkerApi {
  parse(source: CsvWorkerSource, options: CsvWorkerOptions, onProgress?: (p: CsvProgress) => unknown): Promise<CsvWorkerOutcome>;
  cancel(jobId: string): void;
}

export function createCsvWorkerApi(deps: { fetch?: typeof fetch } = {}): CsvWorkerApi {
  const jobs = new Map<string, AbortController>();
  let nextJob = 0;
  return {
    async parse(source, options, onProgress) {
      const jobId = options.jobId ?? `job-${++nextJob}`;
      const controller = new AbortController();
      jobs.set(jobId, controller);
      try {
        const result = await runParse(source, options, controller.signal, onProgress, deps.fetch ?? fetch);
        return { ok: true, result };
      } catch (e) {
        return { ok: false, error: failureOf(e) };
      } finally {
        jobs.delete(jobId);
      }
    },
    cancel(jobId) {
      jobs.get(jobId)?.abort();
    },
  };
}

async function runParse(
  source: CsvWorkerSource,
  options: CsvWorkerOptions,
  signal: AbortSignal,
  onProgress: ((p: CsvProgress) => unknown) | undefined,
  fetchImpl: typeof fetch,
): Promise<CsvWorkerResult> {
  const progress = onProgress
    ? (p: CsvProgress) => {
        // A remote callback returns a promise; a page that went away must not crash the worker.
        void Promise.resolve(onProgress(p)).catch(() => {});
      }
    : undefined;
  const common = { ...options, signal, onProgress: progress };
  let parsed;
  let from: { url: string } | { fileName: string };
  if (source instanceof Blob) {
    from = { fileName: (source as File).name || 'data.csv' };
    parsed = await parseCsv(source, common);
  } else {
    from = { url: source.sourceUrl ?? source.url };
    const res = await download(source.url, signal, fetchImpl);
    parsed = await parseCsv(res.body!, { ...common, totalBytes: res.total });
  }
  const { table } = parsed;
  return {
    table,
    profile: profileTable(table),
    digest: tableDigest(table),
    byteSize: parsed.byteSize,
    delimiter: parsed.delimiter,
    ...datasetSource(from),
    skippedRows: parsed.skippedRows,
    skippedCount: parsed.skippedCount,
  };
}

async function download(url: string, signal: AbortSignal, fetchImpl: typeof fetch): Promise<{ body: ReadableStream<Uint8Array>; total?: number }> {
  let res: Response;
  try {
    res = await fetchImpl(url, { signal });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new Error(`Could not download ${url}: ${(e as Error).message}. Check the address, your connection, and that the server allows cross-origin requests (CORS).`);
  }
  if (!res.ok || !res.body) throw new Error(`Could not download ${url}: the server answered ${res.status} ${res.statusText}.`);
  // Content-Length counts compressed bytes when the response is encoded; then it is no total.
  const length = Number(res.headers.get('content-length'));
  const encoded = !!res.headers.get('content-encoding');
  return { body: res.body, total: length > 0 && !encoded ? length : undefined };
}

function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Error).name === 'AbortError';
}

function failureOf(e: unknown): CsvWorkerFailure {
  if (e instanceof CsvError) return e.toJSON();
  if (isAbort(e)) return { name: 'AbortError', message: (e as Error).message };
  return { name: 'Error', message: errorMessage(e) };
}

/** Page side: the result, or the worker's failure thrown again with its original type. */
export function unwrapCsvOutcome(outcome: CsvWorkerOutcome): CsvWorkerResult {
  if (outcome.ok) return outcome.result;
  const f = outcome.error;
  if (f.name === 'CsvError') throw CsvError.fromJSON(f as CsvErrorData);
  if (f.name === 'AbortError') throw new DOMException(f.message, 'AbortError');
  throw new Error(f.message);
}

/** The buffers a result can hand over without copying (each numeric column owns its buffer). */
export function tableTransferables(table: DataTable): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const col of table.data) if (col instanceof Float64Array) out.push(col.buffer as ArrayBuffer);
  return out;
}
