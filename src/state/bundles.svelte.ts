/**
 * Sharing runs: export runs / an experiment / the lab as an MLflow file-store zip, export a
 * run's model as an MLflow Model zip, and import either kind (or a zip of an mlruns folder MLflow
 * wrote) by drop, file picker, `mfflow.importBundle` or `?bundle=<url>` on open.
 *
 * The bundle worker unzips, checks and reads archives and builds export zips; the page gathers
 * run content from the store and commits an import in ONE IndexedDB transaction (all or nothing).
 */
import * as Comlink from 'comlink';
import type { Remote } from 'comlink';
import { bundleFileName, collectBundleBatches, type ExportSelection } from '../lib/bundles/collect';
import { parseRunsUri } from '../lib/bundles/model-export';
import { findModelDirs, parseMLmodel } from '../lib/mlflow/mlmodel';
import { EXPORT_LAYOUTS, runBuffers, type BundleFailure, type ExportLayout, type BundleProgress, type BundleResult, type BundleSource, type BundleWorkerApi } from '../lib/bundles/worker-api';
import type { ImportReport } from '../lib/storage/bundle-import';
import { withImportLock, type MetricStaging, type StagedMetricFile } from '../lib/storage/metric-staging';
import type { PreparedImport } from '../lib/bundles/prepare-import';
import { WHOLE_READ_LIMIT } from '../lib/archive/read-limit';
import { dictGet } from '../lib/util/dict';
import { invalid } from '../lib/util/errors';
import { registeredModelsForExport } from '../lib/bundles/registry-export';
import { tagImportSource } from '../lib/bundles/provenance';
import type { UnsavedRuns } from '../lib/bundles/unsaved-runs';
import { includeDatasets, usedDatasetDigests } from '../lib/bundles/dataset-files';
import type { StoredDataset } from '../lib/data/types';
import type { DatasetInput } from '../lib/tracking/types';
import { lab } from './lab.svelte';
import { datasets } from './datasets.svelte';
import { bundleWorker } from './workers';
import { registry } from './registry.svelte';

/** A failed import or export, with the archive entry / file and the rule when the archive is at fault. */
export class BundleError extends Error {
  constructor(readonly failure: BundleFailure) {
    super(failure.entry !== undefined || failure.file ? `${failure.message}${failure.rule ? ` (rule: ${failure.rule})` : ''}` : failure.message);
    this.name = failure.name === 'AbortError' ? 'AbortError' : 'BundleError';
  }
}

export type ImportInput = Uint8Array | ArrayBuffer | Blob | string;

export interface BundleJob {
  id: string;
  label: string;
  phase: BundleProgress['phase'] | 'saving' | 'collecting';
  done: number;
  total: number;
}

let jobCounter = 0;

/**
 * Phase times as performance measures (`mfflow:bundle:<phase>`), for the bench and DevTools:
 * page phases from `start` to now, worker phases by their duration.
 */
function measure(phase: string, start: number, duration?: number): void {
  try {
    performance.measure(`mfflow:bundle:${phase}`, duration === undefined ? { start, end: performance.now() } : { start, duration });
  } catch {
    // Measures are a diagnostic; a browser without them still imports.
  }
}

function measureWorker(prefix: string, start: number, timings: Record<string, number> | undefined): void {
  let t = start;
  for (const [phase, ms] of Object.entries(timings ?? {})) (measure(`${prefix}-${phase}`, t, ms), (t += ms));
}

export class Bundles {
  job = $state<BundleJob | null>(null);
  report = $state<ImportReport | null>(null);
  failure = $state<BundleFailure | null>(null);
  /** The label of the job that failed (or was cancelled): "Importing …", "Exporting", … */
  failedJob = $state('');
  /** The layout the UI's export buttons use (the header's "Export as"). */
  layout = $state<ExportLayout>('sqlite');
  /** The header's "Include datasets": when on, exports carry the runs' datasets if together under 50 MB. */
  includeDatasets = $state(true);
  private readonly worker = bundleWorker();
  /**
   * More bundle workers, started only for big jobs: an mlruns/ export's batches are spread over
   * them and the main one, which encode and deflate in parallel; a big import's metric files are
   * shared among them (import-lanes.ts). One per core beyond the first, up to 3.
   */
  private readonly lanes = Array.from({ length: Math.min(3, Math.max(0, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1)) }, () => bundleWorker());
  /** Aborts the job in progress (cancel()); its calls then ask the worker to stop. */
  private abort: AbortController | null = null;

  private api(): Remote<BundleWorkerApi> {
    return this.worker.api;
  }

  private unwrap<T>(r: BundleResult<T>): T {
    if (r.ok) return r.value;
    throw new BundleError(r.error);
  }

  private async run<T>(label: string, body: (job: BundleJob) => Promise<T>): Promise<T> {
    if (this.job) throw new Error(`Busy: ${this.job.label}. Wait for it or cancel it.`);
    const job: BundleJob = { id: `bundle-${++jobCounter}`, label, phase: 'collecting', done: 0, total: 0 };
    this.job = job;
    this.failure = null;
    this.abort = new AbortController();
    // An export feeds the worker batch by batch: it must not idle out between two calls.
    const release = this.worker.hold();
    try {
      return await body(job);
    } catch (e) {
      this.failedJob = label;
      this.failure = e instanceof BundleError ? e.failure : { name: (e as Error).name ?? 'Error', message: (e as Error).message ?? String(e) };
      throw e;
    } finally {
      release();
      this.abort = null;
      this.job = null;
    }
  }

  /** Imports an archive (bytes, a File/Blob, or a URL). Resolves to what was added, skipped and reported. */
  importBundle(input: ImportInput, label?: string): Promise<ImportReport> {
    const bad = badImportInput(input);
    if (bad) return Promise.reject(invalid(bad));
    const name = label ?? (typeof input === 'string' ? input : input instanceof File ? input.name : 'archive');
    const source: BundleSource = typeof input === 'string' ? { url: new URL(input, location.href).href }
      : input instanceof ArrayBuffer ? new Uint8Array(input) : input;
    return this.importSource(source, name);
  }

  /**
   * Imports a folder (dropped, or picked with a directory input) as its zip would be: e.g. the
   * one MLflow writes with its defaults, `mlflow.db` + `mlartifacts/`, or an `mlruns/` store.
   * `files`: each with its path inside the folder (webkitRelativePath, or built while walking a drop).
   */
  importFolder(files: readonly { path: string; file: File }[], label?: string): Promise<ImportReport> {
    if (!files.length) return Promise.reject(invalid('importFolder(files): the folder has no files.'));
    const name = label ?? (files[0].path.split('/')[0] || 'folder');
    return this.importSource({ folder: files.map((f) => ({ path: f.path, file: f.file })) }, `${name}/`);
  }

  private importSource(source: BundleSource, name: string): Promise<ImportReport> {
    return this.run(`Importing ${name}`, async (job) => {
      this.report = null;
      const t0 = performance.now();
      // A big import's metric chunks are written while the workers decode (metric-staging.ts);
      // imports wait for each other across tabs, so two never stage the same new run.
      const staging = this.isBig(source) ? lab.store.metricStaging() : null;
      try {
        return await withImportLock(() => this.importStaged(job, source, name, t0, staging));
      } catch (e) {
        await staging?.discard();
        throw e;
      }
    });
  }

  private async importStaged(job: BundleJob, source: BundleSource, name: string, t0: number, staging: MetricStaging | null): Promise<ImportReport> {
    const onProgress = Comlink.proxy((p: BundleProgress) => {
      if (this.job?.id !== job.id) return;
      this.job = { ...job, phase: p.phase, done: p.done, total: p.total };
    });
    const stages = staging ? [...this.lanes, this.worker].map(() => new MessageChannel()) : [];
    for (const { port2 } of stages) port2.onmessage = (e: MessageEvent<StagedMetricFile[]>) => staging!.add(e.data);
    const lanePorts = this.importLanes(source, stages.map((c) => c.port1));
    const ownStage = stages.length ? stages[stages.length - 1].port1 : undefined;
    const releases = this.lanes.map((l) => l.hold());
    // A lane that dies never answers the preparing worker: stop the import, nothing is kept.
    const stopOnCrash = this.lanes.map((l) => l.onCrash(() => {
      this.abort?.abort(new Error('A bundle worker stopped during the import; nothing was imported. Import again.'));
    }));
    let res: BundleResult<PreparedImport>;
    try {
      const ports = ownStage ? [...lanePorts, ownStage] : lanePorts;
      res = await this.worker.call<BundleResult<PreparedImport>>((w) => w.prepareImport(job.id, source, onProgress, Comlink.transfer(lanePorts, ports), ownStage), {
        signal: this.abort?.signal, cancel: (w) => w.cancel(job.id),
      });
    } finally {
      for (const off of stopOnCrash) off();
      for (const release of releases) release();
    }
    try {
      // Each run remembers which bundle brought it: the file's name, or the URL it came from.
      const prep = tagImportSource(this.unwrap(res), !(source instanceof Uint8Array) && 'url' in source ? source.url : name, new Date());
      measure('import-worker', t0);
      if (res.ok) measureWorker('import', t0, res.timings);
      // A streamed import's big files (lazy) are pulled from the worker piece by piece as the store writes them.
      const lazyBytes = prep.runs.reduce((n, r) => r.artifacts.reduce((m, a) => m + (a.lazy?.size ?? 0), n), 0);
      this.job = { ...job, phase: 'saving', done: 0, total: lazyBytes || prep.runs.length };
      const signal = this.abort?.signal;
      const api = this.api();
      const unwrap = <T>(r: BundleResult<T>) => this.unwrap(r);
      async function* readLazy(ref: string, pieceBytes: number): AsyncGenerator<Uint8Array> {
        for (;;) {
          signal?.throwIfAborted();
          const piece = unwrap(await api.lazyNext(job.id, ref, pieceBytes));
          if (!piece) return;
          yield piece;
        }
      }
      const onLazyBytes = (done: number) => {
        if (this.job?.id === job.id) this.job = { ...job, phase: 'saving', done, total: lazyBytes };
      };
      const t1 = performance.now();
      if (staging) await staging.settled(prep.stagedFiles ?? 0, signal);
      const report = await lab.store.importBundle(prep, readLazy, onLazyBytes, staging ?? undefined);
      measure('import-commit', t1);
      if (report.addedDatasets?.length) await datasets.refresh();
      this.report = report;
      return report;
    } finally {
      void this.api().importDone(job.id);
      for (const { port2 } of stages) port2.close();
    }
  }

  /**
   * The ports of lanes (import-lanes.ts) for a big File or a download: each lane reads a share of
   * the archive's metric files while the main bundle worker reads the rest. None for smaller
   * sources, which are read whole and fast in one worker.
   */
  private importLanes(source: BundleSource, stages: MessagePort[]): MessagePort[] {
    if (!this.isBig(source)) return [];
    return this.lanes.map((lane, i) => {
      const { port1, port2 } = new MessageChannel();
      const stage = stages[i];
      void lane.api.serveImportLane(Comlink.transfer(port1, stage ? [port1, stage] : [port1]), stage);
      return port2;
    });
  }

  /** A big File or a download: read streamed, with lanes and staging. */
  private isBig(source: BundleSource): boolean {
    return source instanceof Blob ? source.size > WHOLE_READ_LIMIT : !(source instanceof Uint8Array) && 'url' in source;
  }

  cancel(): void {
    if (this.job) {
      this.abort?.abort(new DOMException(`${this.job.label} was cancelled.`, 'AbortError'));
      void this.api().cancel(this.job.id);
    }
  }

  /**
   * An MLflow store zip of the selection, as a File (name included): `mlflow.db` + artifacts
   * (layout 'sqlite') or an `mlruns/` file store ('mlruns'); by default the UI's choice (`layout`, SQLite unless changed).
   * `datasets`: carry the datasets the runs used (dataset-files.ts) — true always, false never;
   * left out, when they total under 50 MB and the UI's "Include datasets" is on.
   */
  export(sel: ExportSelection, opts: { layout?: ExportLayout; datasets?: boolean } = {}): Promise<File> {
    const layout = opts.layout ?? this.layout;
    const withDatasets = opts.datasets ?? (this.includeDatasets ? undefined : false);
    if (!EXPORT_LAYOUTS.includes(layout)) return Promise.reject(invalid(`export layout must be ${EXPORT_LAYOUTS.map((l) => `'${l}'`).join(' or ')}, not ${JSON.stringify(layout)}.`));
    return this.run('Exporting', async (job) => {
      const t0 = performance.now();
      const api = this.api();
      // Each batch of runs goes to the worker as soon as it is read (transferred, not copied) and
      // is encoded there while the store reads the next one; failures are collected at the end.
      const sent: Promise<BundleResult<null>>[] = [];
      let done = 0;
      let finished = false;
      let res: BundleResult<Blob>;
      const runIds = new Set<string>();
      const inputs: { inputs: DatasetInput[] }[] = [];
      // The mlflow.db layout is one sql.js database: its batches all go to one worker.
      const lanes = layout === 'mlruns' ? this.lanes.map((l) => l.api) : [];
      const releases = this.lanes.map((l) => l.hold());
      let batches = 0;
      try {
        const experiments = await collectBundleBatches(lab.store, sel, (runs) => {
          this.abort?.signal.throwIfAborted();
          for (const r of runs) (runIds.add(r.run.info.runId), inputs.push({ inputs: r.run.inputs }));
          const to = [api, ...lanes][batches++ % (lanes.length + 1)];
          sent.push(to.exportAddRuns(job.id, Comlink.transfer(runs, runBuffers(runs)), layout));
          done += runs.length;
          this.job = { ...job, phase: 'collecting', done, total: 0 };
        });
        measure('export-collect', t0);
        this.job = { ...job, phase: 'zipping', done, total: done };
        for (const r of await Promise.all(sent)) this.unwrap(r);
        // Each lane's runs, encoded and deflated, go to the worker that zips.
        for (const lane of lanes) {
          const runs = this.unwrap(await lane.exportTakeRuns(job.id));
          if (runs.length) this.unwrap(await api.exportAddRuns(job.id, Comlink.transfer(runs, runBuffers(runs)), layout));
        }
        await registry.refresh();
        const models = registeredModelsForExport($state.snapshot(registry.models), sel, runIds);
        const datasets = withDatasets === false ? [] : await usedDatasets(usedDatasetDigests(inputs), withDatasets);
        this.abort?.signal.throwIfAborted();
        finished = true;
        // Cancel from here on reaches the worker's compression (cancel() → worker cancel(job.id)).
        const onProgress = Comlink.proxy((p: BundleProgress) => {
          if (this.job?.id === job.id) this.job = { ...job, phase: p.phase, done: p.done, total: p.total };
        });
        res = await api.exportFinish(job.id, experiments, models, layout, datasets, onProgress);
      } finally {
        if (!finished) for (const w of [api, ...lanes]) void w.exportDrop(job.id);
        for (const release of releases) release();
      }
      const zip = this.unwrap(res);
      measure('export-worker', t0);
      if (res.ok) measureWorker('export', t0, res.timings);
      const t2 = performance.now();
      const file = new File([zip], bundleFileName(sel), { type: 'application/zip' }); // a reference to the worker's Blob, no copy
      measure('export-file', t2);
      return file;
    });
  }

  /**
   * The runs the browser's storage lost under this page (lab.unsaved) as an mlruns zip that
   * importBundle (or MLflow) takes back: each run KILLED with the params, tags and metric points
   * only this page still held.
   */
  exportUnsaved(unsaved: UnsavedRuns): Promise<File> {
    return this.run('Exporting unsaved data', async () => {
      const zip = this.unwrap(await this.api().exportZip(unsaved.bundle));
      const first = unsaved.runs[0]?.runId.slice(0, 8) ?? 'runs';
      return new File([zip as Uint8Array<ArrayBuffer>], `mfflow-unsaved-${first}.zip`, { type: 'application/zip' });
    });
  }

  /** `runs:/<run id>/<path>` → an MLflow Model zip (MLmodel, model.onnx, TF.js files, examples). */
  exportModel(uri: string): Promise<File> {
    return this.run('Exporting the model', async () => {
      const { runId, path } = parseRunsUri(uri);
      const run = await lab.store.getRun(runId);
      const content = (await lab.store.readRunsContent([runId])).get(runId)!;
      const prefix = `${path}/`;
      const files = new Map(content.artifacts.filter((a) => a.path.startsWith(prefix)).map((a) => [a.path.slice(prefix.length), a.bytes]));
      if (!files.has('MLmodel')) {
        const dirs = findModelDirs(content.artifacts.map((a) => a.path));
        throw new Error(`Run ${runId} has no model at "${path}"${dirs.length ? `; it has: ${dirs.map((d) => `runs:/${runId}/${d}`).join(', ')}` : ''}.`);
      }
      const zip = this.unwrap(await this.api().exportModelZip({ run, dir: path, files, exampleRows: await exampleRows(run.inputs, files.get('MLmodel')!) }));
      return new File([zip as Uint8Array<ArrayBuffer>], `mfflow-model-${runId.slice(0, 8)}.zip`, { type: 'application/zip' });
    });
  }

  /** `?bundle=<url>` in the page URL: imports it once, then drops the parameter. */
  async importFromLocation(): Promise<void> {
    const url = new URL(location.href);
    const target = url.searchParams.get('bundle');
    if (!target) return;
    url.searchParams.delete('bundle');
    history.replaceState(history.state, '', url.href);
    await this.importBundle(target).catch(() => { /* shown through `failure` */ });
  }
}

/** Why `input` cannot be imported (a sentence naming what was given), or null. */
function badImportInput(input: unknown): string | null {
  if (typeof input === 'string') return input.trim() ? null : 'importBundle(source): the URL is empty.';
  if (input instanceof Uint8Array || input instanceof ArrayBuffer || input instanceof Blob) return null;
  const got = input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;
  return `importBundle(source): source must be a File, Blob, Uint8Array, ArrayBuffer or URL string, not ${got}.`;
}

/** The stored datasets of these digests (those the lab still has), if `asked` or their size says so. */
async function usedDatasets(digests: string[], asked: boolean | undefined): Promise<StoredDataset[]> {
  if (!digests.length) return [];
  const want = new Set(digests);
  const have = (await lab.store.listDatasets()).filter((d) => want.has(d.digest));
  if (!includeDatasets(asked, have.reduce((n, d) => n + d.byteSize, 0))) return [];
  return (await Promise.all(have.map((d) => lab.store.getDataset(d.digest)))).filter((d): d is StoredDataset => !!d);
}

/** Up to 5 rows of the training dataset's feature columns, when the lab still has it. */
async function exampleRows(inputs: { dataset: { digest: string }; tags: Record<string, string> }[], mlmodel: Uint8Array): Promise<number[][] | undefined> {
  try {
    const tfjs = dictGet(parseMLmodel(mlmodel).flavors, 'tfjs');
    const features = tfjs && Array.isArray(tfjs.feature_names) ? tfjs.feature_names.map(String) : null;
    if (!features) return undefined;
    for (const inp of inputs) {
      const ds = await lab.store.getDataset(inp.dataset.digest);
      if (!ds) continue;
      const cols = features.map((f) => ds.table.data[ds.table.columns.indexOf(f)]);
      if (cols.some((c) => !(c instanceof Float64Array))) continue;
      const n = Math.min(5, ds.table.rowCount);
      return Array.from({ length: n }, (_, i) => cols.map((c) => (c as Float64Array)[i]));
    }
  } catch {
    // No example rows: the export falls back to one row of zeros.
  }
  return undefined;
}

/** Saves a File through a temporary link (the browser's download). */
export function saveFile(file: File): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const bundles = new Bundles();
