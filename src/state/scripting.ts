/**
 * `window.mfflow`: MLflow's fluent API for the page and the browser console. It is the same
 * Fluent object scripts get inside workers (`mfflow.runScript`), plus the lab's extras; later
 * features add methods here, never change these signatures (documented in README.md).
 */
import type { Fluent } from '../lib/tracking/fluent';
import type { TrackingBackend } from '../lib/tracking/backend';
import { crashWorkers, runScriptInWorker } from './workers';
import { checkOptionalString, checkString } from '../lib/tracking/call-checks';
import { invalid } from '../lib/util/errors';
import { checkMemoryLimitMB } from '../lib/projects/memory-limit';
import { bundles } from './bundles.svelte';
import { EXPORT_LAYOUTS, type ExportLayout } from '../lib/bundles/worker-api';
import { datasets, type DatasetSource, type LoadOptions } from './datasets.svelte';
import { training, type SweepRequest, type TrainRequest } from './training.svelte';
import { registry } from './registry.svelte';
import { serving } from './serving.svelte';
import { servers, type PushScope, type ServerInput } from './servers.svelte';
import type { StartRunOptions } from '../lib/tracking/fluent';
import type { PullSelection } from '../lib/remote/pull';
import { projects, type RunProjectOptions } from './projects.svelte';

/** `mirror: '<server name>'` on startRun / train / sweep / runProject: the run's tags that ask for the live mirror. */
async function mirrored<T extends { tags?: Record<string, string> }>(opts: T & { mirror?: string }): Promise<T> {
  const { mirror, ...rest } = opts;
  if (!mirror) return rest as unknown as T;
  await servers.refresh();
  return { ...rest, tags: { ...rest.tags, ...servers.mirrorTags(mirror) } } as unknown as T;
}

export type MfflowApi = ReturnType<typeof createScriptingApi>;

export interface ExportOptions { layout?: ExportLayout; datasets?: boolean }

/** The export options checked at the call (a typo in `layout` names itself, before anything is read). */
function exportOptions(opts: unknown): ExportOptions {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw invalid(`export options must be an object like {layout: 'sqlite'}; got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts}.`);
  const { layout, datasets, ...rest } = opts as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) throw invalid(`export options: unknown option ${extra.map((k) => `'${k}'`).join(', ')} (known: layout, datasets).`);
  if (layout !== undefined && !EXPORT_LAYOUTS.includes(layout as ExportLayout)) throw invalid(`export options: layout must be 'sqlite' or 'mlruns', not ${JSON.stringify(layout)}.`);
  if (datasets !== undefined && typeof datasets !== 'boolean') throw invalid(`export options: datasets must be true or false (left out: included when under 50 MB), not ${JSON.stringify(datasets)}.`);
  const out: ExportOptions = {};
  if (layout !== undefined) out.layout = layout as ExportLayout;
  if (datasets !== undefined) out.datasets = datasets;
  return out;
}

function scopeOf(runs: string[] | { experimentId: string } | 'lab'): PushScope {
  if (runs === 'lab') return { kind: 'lab' };
  if (Array.isArray(runs)) return { kind: 'runs', runIds: runs };
  return { kind: 'experiment', experimentId: runs.experimentId };
}

export function createScriptingApi(fluent: Fluent, backend: TrackingBackend) {
  return {
    setExperiment: fluent.setExperiment.bind(fluent),
    setExperimentById: fluent.setExperimentById.bind(fluent),
    /** `startRun({ ..., mirror: 'server name' })` logs live to that server too (README, "MLflow servers"). */
    startRun: async (opts: StartRunOptions & { mirror?: string } = {}) => fluent.startRun(await mirrored(opts)),
    endRun: fluent.endRun.bind(fluent),
    withRun: fluent.withRun.bind(fluent),
    activeRun: fluent.activeRun.bind(fluent),
    logParam: fluent.logParam.bind(fluent),
    logParams: fluent.logParams.bind(fluent),
    logMetric: fluent.logMetric.bind(fluent),
    logMetrics: fluent.logMetrics.bind(fluent),
    setTag: fluent.setTag.bind(fluent),
    setTags: fluent.setTags.bind(fluent),
    deleteTag: fluent.deleteTag.bind(fluent),
    logArtifact: fluent.logArtifact.bind(fluent),
    logText: fluent.logText.bind(fluent),
    logDict: fluent.logDict.bind(fluent),
    logInput: fluent.logInput.bind(fluent),
    flush: fluent.flush.bind(fluent),
    getRun: fluent.getRun.bind(fluent),
    getMetricHistory: fluent.getMetricHistory.bind(fluent),
    searchRuns: fluent.searchRuns.bind(fluent),
    deleteRun: fluent.deleteRun.bind(fluent),
    restoreRun: fluent.restoreRun.bind(fluent),
    listArtifacts: fluent.listArtifacts.bind(fluent),
    /** Client-style experiment management. */
    createExperiment: backend.createExperiment.bind(backend),
    listExperiments: backend.listExperiments.bind(backend),
    /** The bytes of one artifact file of a run (as `mlflow.artifacts.download_artifacts`). */
    readArtifact: (runId: string, path: string) => backend.readArtifact(runId, path),
    /** Runs `source` (an async function body using `mfflow`) in a Web Worker; `{ memoryLimitMB }` (default 1024) bounds its buffers and typed arrays. */
    runScript: async (source: string, opts: { memoryLimitMB?: number } = {}) => {
      checkString('runScript() source', source, { allowEmpty: true });
      return runScriptInWorker(backend, source, checkMemoryLimitMB(opts?.memoryLimitMB, 'runScript() memoryLimitMB'));
    },
    /** Trains in a worker of the pool; resolves to the ended run (README, "Training"). */
    train: async (spec: TrainRequest & { mirror?: string }) => training.train(await mirrored(spec)),
    /** Grid or random sweep: a parent run with nested children; resolves to the ended parent. */
    sweep: async (spec: SweepRequest & { mirror?: string }) => training.sweep(await mirrored(spec)),
    /** Loads a CSV (URL, File or Blob) into the lab; resolves to its summary (digest, name, columns, rows). */
    loadDataset: (source: string | DatasetSource, options?: LoadOptions) =>
      datasets.load(typeof source === 'string' ? { url: source } : source, options),
    listDatasets: async () => {
      await datasets.refresh();
      return datasets.list.map(({ profile: _p, ...rest }) => rest);
    },
    /** Cancels a training job or sweep by job id, run id, sweep id or parent run id. */
    cancel: (id: string) => training.cancel(id),
    /** Imports an MLflow zip (bytes, File/Blob or URL); resolves to the report (README, "Share and open runs"). */
    importBundle: async (source: Uint8Array | ArrayBuffer | Blob | string) => {
      if (!(typeof source === 'string' || source instanceof Uint8Array || source instanceof ArrayBuffer || source instanceof Blob)) {
        throw invalid(`importBundle() takes the zip's bytes (Uint8Array, ArrayBuffer), a File or Blob, or a URL; got ${source === null ? 'null' : typeof source}.`);
      }
      return bundles.importBundle(source);
    },
    /**
     * MLflow store zips, as Files: of runs, of an experiment, of the whole lab. `{layout}`:
     * 'sqlite' (default: mlflow.db + artifacts, MLflow 3.7+'s default store) or 'mlruns' (file store, MLflow 2).
     * `{datasets}`: carry the datasets the runs used, so the importer can re-train (default: when under 50 MB).
     */
    exportRuns: (runIds: string[], opts?: ExportOptions) => bundles.export({ kind: 'runs', runIds }, exportOptions(opts)),
    exportExperiment: (experimentId: string, opts?: ExportOptions) => bundles.export({ kind: 'experiment', experimentId }, exportOptions(opts)),
    exportLab: (opts?: ExportOptions) => bundles.export({ kind: 'lab' }, exportOptions(opts)),
    /** `runs:/<run id>/model` → an MLflow Model zip (ONNX + pyfunc + tfjs flavors), as a File. */
    exportModel: (uri: string) => bundles.exportModel(uri),
    /**
     * Fault injection for people and tests: `crashWorkers('training' | 'CSV' | 'bundle' | 'predict')`
     * makes those running workers close themselves, as a crash would (README, "What survives what").
     */
    debug: { crashWorkers: (label: string) => crashWorkers(label) },
    /** This tab's training jobs, newest first: status, progress, final metrics and phase times. */
    jobs: () => training.jobs.map((j) => j.snapshot()),
    /** `mlflow.register_model("runs:/<runId>/<path>", name)`: a new version (the model is created if new). */
    registerModel: (runId: string, path: string, name: string) => registry.register(runId, path, name),
    /** Points `models:/<name>@<alias>` at a version (moves it if it exists). */
    setAlias: (name: string, alias: string, version: number | string) => registry.setAlias(name, alias, version),
    /** Registered models with their versions and aliases, by name. */
    listRegisteredModels: async () => { await registry.refresh(); return registry.models; },
    /** MLflow's scoring protocol in the page: payload (object, JSON or CSV text) → `{predictions}`; MLflow errors reject. */
    predict: async (uri: string, payload: unknown, contentType?: string) => {
      checkString('predict() model URI', uri);
      if (typeof payload !== 'string' && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) {
        throw invalid(
          'predict() takes a payload object ({dataframe_split}, {dataframe_records}, {instances} or {inputs}) or its JSON or CSV text; ' +
            `got ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}.`,
        );
      }
      checkOptionalString('predict() content type', contentType);
      return serving.predict(uri, payload, contentType);
    },
    /** MLflow tracking servers of this browser (credentials never leave it). */
    servers: {
      list: async () => { await servers.refresh(); return servers.list.map(({ auth, ...s }) => ({ ...s, auth: auth?.kind ?? 'none' })); },
      add: async (input: ServerInput) => { const { auth: _a, ...s } = await servers.add(input); return s; },
      remove: (name: string) => servers.remove(name),
      /** `{ ok, version, artifactsProxied, error?, fix? }` */
      test: async (name: string) => { await servers.refresh(); return servers.test(name); },
      experiments: (name: string) => servers.experiments(name),
      /** Resolves when the live mirror's outbox is empty. */
      mirrorDrained: (timeoutMs?: number) => servers.mirrorDrained(timeoutMs),
      /** The mirror state of a run: `{ status, serverRunId?, error? }` or null. */
      mirrorState: async (runId: string) => { await servers.refresh(); return servers.mirrors.get(runId) ?? null; },
      /** Tags that make a run mirror to `name` (for callers that create runs themselves, e.g. projects). */
      mirrorTags: async (name: string) => { await servers.refresh(); return servers.mirrorTags(name); },
    },
    /**
     * `mlflow run <uri> -e <entryPoint> -P k=v`: `uri` is `examples/<name>`, the URL of a project
     * zip, or of an MLproject with its files beside it. Wrong `-P` types reject before a run exists.
     */
    runProject: async (uri: string, opts: RunProjectOptions & { mirror?: string } = {}) => {
      checkString('runProject() project URI', uri);
      return projects.run(await projects.open(uri), await mirrored(opts));
    },
    /** The projects the lab ships (available offline): `{ uri, name, description }`. */
    listProjects: () => projects.examples.map((e) => ({ ...e })),
    /** Re-runs a run with recorded source; `changes.params` overrides hyperparameters. Tagged mfflow.rerun_of. */
    rerun: (runId: string, changes?: { params: Record<string, string | number | boolean> }) => projects.rerun(runId, changes),
    /** An elastic-net run as an MLflow Project zip (File) for `mlflow run`. */
    exportProject: (runId: string) => projects.exportProject(runId),
    /** Pushes runs (ids, or `{ experimentId }`, or `'lab'`) and their registered models; resolves to the report. */
    pushRuns: (server: string, runs: string[] | { experimentId: string } | 'lab') => servers.push(server, scopeOf(runs)),
    /** Pulls runs of a server's experiment (name or id) matching `filter`; keeps the server's run ids. */
    pullRuns: (server: string, selection: PullSelection) => servers.pull(server, selection),
  };
}
