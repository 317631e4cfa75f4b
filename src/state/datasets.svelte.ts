/**
 * Datasets in the lab: load a CSV (file, drop, URL or a built-in example) through the CSV
 * worker with progress and cancel, store it once per content digest, list, delete, and hand
 * tables to training. Parsing never runs on the page; the page only receives the finished
 * columns (transferred, not copied) and writes them to IndexedDB.
 */
import * as Comlink from 'comlink';
import { unwrapCsvOutcome, type CsvWorkerOutcome, type CsvWorkerResult } from '../lib/data/worker-api';
import type { CsvProgress } from '../lib/data/csv';
import { requireNumeric } from '../lib/data/csv-errors';
import { isMissingText, isNumberText } from '../lib/data/cells';
import { pyJson } from '../lib/data/digest';
import { EXAMPLE_DATASETS, exampleById } from '../lib/data/examples';
import type { DataTable, StoredDataset } from '../lib/data/types';
import type { DatasetSummary } from '../lib/storage/dataset-store';
import { lab } from './lab.svelte';
import { csvWorker } from './workers';
import { errorMessage } from '../lib/util/errors';

export type DatasetSource = File | Blob | { url: string; name?: string };

/** What `mfflow.loadDataset` resolves to: enough to name the dataset in a TrainSpec. */
export interface LoadedDataset {
  digest: string;
  name: string;
  columns: string[];
  types: string[];
  rows: number;
  byteSize: number;
  sourceType: string;
  source: string;
  /** True when the same content was already stored (nothing new was written). */
  reused: boolean;
}

/** Load progress for scripts: bytes and rows while reading, then the later phases. */
export interface LoadProgress extends CsvProgress {
  phase: LoadJob['phase'];
}

export interface LoadOptions {
  /** Name to store the dataset under (default: the example's name, the file name, or the URL's last segment). */
  name?: string;
  onProgress?: (p: LoadProgress) => void;
  /**
   * false: parse and check only, store nothing (batch scoring's input is not a dataset unless
   * the person says so); the table is kept in the in-memory cache for `table(digest)`.
   */
  keep?: boolean;
}

export class LoadJob {
  loadedBytes = $state(0);
  totalBytes = $state<number | undefined>(undefined);
  rows = $state(0);
  phase = $state<'reading' | 'checking' | 'storing'>('reading');
  constructor(readonly id: string, readonly label: string) {}
}

/**
 * A text column is taken for a numeric column with a few bad cells when at least this share
 * of its non-missing cells are numbers; loading it then fails naming the first bad cell.
 */
const MOSTLY_NUMERIC = 0.9;
/** Rows checked between yields to the event loop, so big tables never block the page. */
const CHECK_SLICE = 50_000;
/** Parsed tables kept in memory for training (the rest are read back from IndexedDB). */
const TABLE_CACHE = 4;

let loadCounter = 0;

export class Datasets {
  /** Stored datasets, newest first, without their tables. */
  list = $state.raw<DatasetSummary[]>([]);
  /** Loads in progress (download + parse + store). */
  jobs = $state<LoadJob[]>([]);
  /** The last load's failure, in words for a person (row and column when the CSV is at fault). */
  error = $state<string | null>(null);
  loaded = $state(false);

  private readonly worker = csvWorker();
  private readonly tables = new Map<string, DataTable>();
  /** One controller per load in progress, by job id (cancel aborts it). */
  private readonly aborts = new Map<string, AbortController>();

  async refresh(): Promise<void> {
    this.list = await lab.store.listDatasets();
    this.loaded = true;
  }

  /**
   * Parses and stores a dataset. A built-in example's URL that is already stored is not
   * fetched again; any content already stored (same digest) is reused, not written twice.
   * Rejects with the parser's error (CsvError names row and column) and stores nothing.
   */
  async load(source: DatasetSource, options: LoadOptions = {}): Promise<LoadedDataset> {
    if (!this.loaded) await this.refresh();
    const isUrl = !(source instanceof Blob);
    const url = isUrl ? (source as { url: string }).url : null;
    const example = url ? EXAMPLE_DATASETS.find((e) => e.url === url) : undefined;
    if (example) {
      const cached = this.list.find((d) => d.sourceType === 'http' && d.source === pyJson({ url: example.url }));
      if (cached) return summaryOf(cached, await this.table(cached.digest), true);
    }
    const name = options.name ?? (isUrl ? (source as { name?: string }).name : undefined)
      ?? example?.name ?? (isUrl ? lastSegment(url!) : (source as File).name || 'data.csv');
    const job = new LoadJob(`load-${Date.now().toString(36)}-${++loadCounter}`, name);
    this.jobs.push(job);
    const view = this.jobs[this.jobs.length - 1];
    this.error = null;
    try {
      // A built-in example is read from the copy shipped with the lab (precached, so offline and
      // behind a firewall too), while its source stays MLflow's URL: same bytes, same digest.
      const from = example ? { url: new URL(example.file, document.baseURI).href, sourceUrl: example.url } : isUrl ? { url: url! } : (source as Blob);
      const abort = new AbortController();
      this.aborts.set(job.id, abort);
      const outcome = await this.worker.call<CsvWorkerOutcome>((api) => api.parse(
        from,
        { jobId: job.id },
        Comlink.proxy((p: CsvProgress) => {
          view.loadedBytes = p.loadedBytes;
          view.totalBytes = p.totalBytes;
          view.rows = p.rows;
          options.onProgress?.({ ...p, phase: 'reading' });
        }),
      ), { signal: abort.signal, cancel: (api) => api.cancel(job.id) });
      const result = unwrapCsvOutcome(outcome);
      // The stream is over; let the page paint before the checks and the (synchronous,
      // size-proportional) serialisation of the IndexedDB write start.
      await nextTask();
      view.phase = 'checking';
      options.onProgress?.({ loadedBytes: result.byteSize, totalBytes: result.byteSize, rows: result.table.rowCount, phase: 'checking' });
      await checkNumericColumns(result.table);
      if (options.keep === false) {
        this.remember(result.digest, result.table);
        const stored = this.list.some((d) => d.digest === result.digest);
        return {
          digest: result.digest, name, columns: [...result.table.columns], types: [...result.table.types], rows: result.table.rowCount,
          byteSize: result.byteSize, sourceType: result.sourceType, source: result.source, reused: stored,
        };
      }
      view.phase = 'storing';
      await nextTask();
      options.onProgress?.({ loadedBytes: result.byteSize, totalBytes: result.byteSize, rows: result.table.rowCount, phase: 'storing' });
      return await this.store(result, name);
    } catch (e) {
      this.error = e instanceof DOMException && e.name === 'AbortError' ? null : errorMessage(e);
      throw e;
    } finally {
      this.aborts.delete(job.id);
      this.jobs = this.jobs.filter((j) => j.id !== job.id);
    }
  }

  loadExample(id: string): Promise<LoadedDataset> {
    const ex = exampleById(id);
    if (!ex) return Promise.reject(new Error(`no built-in dataset "${id}"`));
    return this.load({ url: ex.url, name: ex.name });
  }

  /** Stops a load; its promise rejects with an AbortError and nothing is stored. */
  cancel(jobId: string): void {
    this.aborts.get(jobId)?.abort(new DOMException('The load was cancelled.', 'AbortError'));
  }

  async remove(digest: string): Promise<void> {
    await lab.store.deleteDataset(digest);
    this.tables.delete(digest);
    await this.refresh();
  }

  /** The stored record (without table) of a digest, or undefined. */
  summary(digest: string): DatasetSummary | undefined {
    return this.list.find((d) => d.digest === digest);
  }

  /** The parsed table of a stored dataset (kept in a small in-memory cache). */
  async table(digest: string): Promise<DataTable> {
    const hit = this.tables.get(digest);
    if (hit) {
      this.tables.delete(digest);
      this.tables.set(digest, hit);
      return hit;
    }
    const stored = await lab.store.getDataset(digest);
    if (!stored) throw new Error(`no stored dataset with digest ${digest}`);
    this.remember(digest, stored.table);
    return stored.table;
  }

  /** Resolves a digest, a stored dataset's name, or a URL (loaded if needed) to a stored dataset. */
  async resolve(ref: string): Promise<DatasetSummary> {
    if (!this.loaded) await this.refresh();
    const byDigest = this.list.find((d) => d.digest === ref) ?? this.list.find((d) => d.name === ref);
    if (byDigest) return byDigest;
    if (/^https?:\/\//i.test(ref)) {
      const loaded = await this.load({ url: ref });
      return this.summary(loaded.digest)!;
    }
    throw new Error(`no dataset "${ref}": give a stored dataset's digest or name, or a URL`);
  }

  private async store(result: CsvWorkerResult, name: string): Promise<LoadedDataset> {
    const existing = this.list.find((d) => d.digest === result.digest);
    if (existing) {
      this.remember(existing.digest, result.table);
      return summaryOf(existing, result.table, true);
    }
    const dataset: StoredDataset = {
      digest: result.digest,
      name,
      sourceType: result.sourceType,
      source: result.source,
      createdAt: Date.now(),
      byteSize: result.byteSize,
      delimiter: result.delimiter,
      profile: result.profile,
      table: result.table,
    };
    await lab.store.putDataset(dataset);
    this.remember(dataset.digest, dataset.table);
    const { table: _t, ...summary } = dataset;
    this.list = [summary, ...this.list];
    return summaryOf(summary, dataset.table, false);
  }

  private remember(digest: string, table: DataTable): void {
    this.tables.delete(digest);
    this.tables.set(digest, table);
    while (this.tables.size > TABLE_CACHE) this.tables.delete(this.tables.keys().next().value!);
  }
}

function summaryOf(d: DatasetSummary, table: DataTable, reused: boolean): LoadedDataset {
  return {
    digest: d.digest, name: d.name, columns: [...table.columns], types: [...table.types], rows: table.rowCount,
    byteSize: d.byteSize, sourceType: d.sourceType, source: d.source, reused,
  };
}

/**
 * A column the parser had to keep as text although nearly all of it is numbers is almost
 * always a typo in a numeric column ("n/a ", "1,5", "abc"): refuse the file and name the cell,
 * rather than silently dropping the column from training.
 */
async function checkNumericColumns(table: DataTable): Promise<void> {
  const suspects: string[] = [];
  for (let j = 0; j < table.columns.length; j++) {
    const col = table.data[j];
    if (col instanceof Float64Array) continue;
    let numbers = 0;
    let present = 0;
    for (let start = 0; start < col.length; start += CHECK_SLICE) {
      const end = Math.min(col.length, start + CHECK_SLICE);
      for (let i = start; i < end; i++) {
        const s = col[i];
        if (isMissingText(s)) continue;
        present++;
        if (isNumberText(s)) numbers++;
      }
      if (end < col.length) await nextTask();
    }
    if (present > 0 && numbers < present && numbers >= MOSTLY_NUMERIC * present) suspects.push(table.columns[j]);
  }
  if (suspects.length) requireNumeric(table, suspects);
}

function nextTask(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

function lastSegment(url: string): string {
  try {
    const path = new URL(url).pathname;
    return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || url;
  } catch {
    return url;
  }
}

export const datasets = new Datasets();
