/**
 * The tracking backend on IndexedDB, with MLflow's semantics (docs/mlflow-formats.md §1).
 *
 * All run records live in an in-memory cache, so listing and searching 100,000 runs never
 * touches IndexedDB. Open fills it from the run index (one columnar record) plus the few runs
 * written since, or from every record when there is no index yet (run-index.ts). Every write edits a copy inside one
 * transaction and swaps it into the cache only after the commit; then listeners in this page
 * and, through BroadcastChannel, other tabs are told which records changed.
 *
 * Choices (documented differences or interpretations):
 * - artifact URIs are `mlflow-artifacts:/<experimentId>/<runId>/artifacts`, what a tracking
 *   server with artifact proxying uses, so a pushed run needs no rewrite;
 * - metric history is returned ordered by step, then timestamp, then logging order, which is what
 *   charts need. MLflow itself differs by backend (checked with mlflow 3.17.2): the file store
 *   returns logging order, the SQL store orders by timestamp, step, value;
 * - the "latest" value follows the file store when NaN ties a point on (step, timestamp): the
 *   earlier point stays (the SQL store stores NaN as 0 and would let a later 8.0 win);
 * - logBatch enforces MLflow's limits on params and tags but not its 1,000-point cap on
 *   metrics: metric columns are our bulk path and one transaction is the cheap unit;
 * - over-long param/tag values are errors, not silently truncated (see validation.ts).
 */
import type { StoredDataset } from '../data/types';
import { searchRunList } from '../search/index';
import type { RunUpdate, TrackingBackend } from '../tracking/backend';
import { newRunId } from '../tracking/ids';
import { generateRunName } from '../tracking/run-names';
import type {
  ArtifactInfo, CreateRunRequest, DatasetInput, Experiment, LogBatchRequest, MetricColumns, Run, RunInfo,
  SearchRunsRequest, SearchRunsResult, ViewType,
} from '../tracking/types';
import { DEFAULT_EXPERIMENT_ID } from '../tracking/types';
import { dictGet } from '../util/dict';
import { invalidState, notFound } from '../util/errors';
import { listArtifactDir, readArtifactBytes, writeArtifact, writeArtifacts, type ArtifactFile } from './artifact-store';
import { ChangeFeed, type ChangeListener, type StoreChange } from './change-feed';
import { deleteDataset, getDataset, listDatasets, putDataset, type DatasetSummary } from './dataset-store';
import { Connection, type StorageCallbacks } from './db';
import { RegistryStore } from './registry-store';
import { ProjectStore } from './project-store';
import { RemoteStore } from './remote-store';
import {
  createExperimentRecord, defaultExperimentRecord, deleteEdit, ensureDefaultExperiment, renameEdit, restoreEdit, tagEdit, updateExperiment,
} from './experiment-ops';
import type { LazyReader, PreparedImport } from './prepared-import';
import { MetricStaging, type StagedMetrics } from './metric-staging';
import { importPrepared, readRunsContent, type ImportReport, type RunContent } from './bundle-import';
import { assembleHistory } from './metric-columns';
import { loadAllRunsAndWriteIndex, loadRunsFromIndex, LOAD_STORES, measure, issueRunRecords } from './run-index';
import { RunIndexUpkeep } from './run-index-upkeep';
import { newRunRecord, prepareBatch, prepareInputs, prepareParamList, prepareRunUpdate, writeBatch } from './run-ops';
import { addInputs, assertActive, lastActivity, removeTag, toPublicRun } from './run-records';
import { DEFAULT_DB_NAME, type StoredRun } from './schema';
import { StoreTx } from './store-tx';
import { TAG } from '../tracking/tags';

export interface TrackingStoreOptions extends StorageCallbacks {
  /** IndexedDB database name; tests use a unique one each. */
  dbName?: string;
  blockedTimeoutMs?: number;
  /** `mlflow.user` when a run gives none. */
  defaultUser?: string;
  now?: () => number;
  /**
   * The run index is rewritten this long after an open that found more than `runIndexDirtyLimit`
   * runs written since it (or could not write one), and after this store wrote that many.
   * Default 3,000 ms, so the rewrite stays off the lab's first paint; negative: never on its own.
   */
  runIndexDelayMs?: number;
  runIndexDirtyLimit?: number;
  /**
   * The browser deleted the database under this page: the runs and experiments this page had
   * cached (now gone from storage), so the page can offer what only it still holds.
   */
  onRecordsLost?(runs: Run[], experiments: Experiment[]): void;
}

export class TrackingStore implements TrackingBackend {
  private readonly runs = new Map<string, StoredRun>();
  private readonly experiments = new Map<string, Experiment>();
  private readonly feed: ChangeFeed;
  private readonly tx: StoreTx;
  private readonly upkeep: RunIndexUpkeep;
  /** The model registry on this store's connection; its writes go out on this store's change feed (`models`). */
  readonly registry: RegistryStore;
  /** Projects kept in the lab, on this store's connection. */
  readonly projects: ProjectStore;
  /** Tracking servers and the live mirror's outbox, on this store's connection. */
  readonly remote: RemoteStore;

  private defaultUser: string | undefined;

  private constructor(private readonly conn: Connection, private readonly options: TrackingStoreOptions) {
    this.defaultUser = options.defaultUser;
    this.feed = new ChangeFeed(conn.name, (c) => this.reload(c));
    this.registry = new RegistryStore(conn, () => this.now(), (names) => this.feed.publish([], [], names));
    this.projects = new ProjectStore(conn);
    this.remote = new RemoteStore(conn);
    this.tx = new StoreTx(conn);
    this.upkeep = new RunIndexUpkeep(conn, this.runs, () => this.now(),
      { delayMs: options.runIndexDelayMs, dirtyLimit: options.runIndexDirtyLimit });
  }

  static async open(options: TrackingStoreOptions = {}): Promise<TrackingStore> {
    let store: TrackingStore | null = null;
    const conn = await Connection.open({
      ...options, name: options.dbName ?? DEFAULT_DB_NAME,
      onCleared: () => { store?.forgetClearedData(); options.onCleared?.(); },
    });
    store = new TrackingStore(conn, options);
    await store.loadAll();
    // Default is made only when the load found none: an open of a lab that has it (every open
    // but the first) needs no write transaction (strict, before the read) at all.
    if (!store.experiments.has(DEFAULT_EXPERIMENT_ID)) {
      const created = await ensureDefaultExperiment(conn, store.now());
      if (created) store.committed([], [created]);
      else await store.reload({ runIds: [], experimentIds: [DEFAULT_EXPERIMENT_ID], origin: 'remote' }); // another tab made it meanwhile
    }
    return store;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async loadAll(): Promise<void> {
    const t0 = performance.now();
    const [exps, fromIndex] = await this.conn.read(['experiments', ...LOAD_STORES], (tx) =>
      Promise.all([tx.objectStore('experiments').getAll(), loadRunsFromIndex(tx)]));
    const loaded = fromIndex ?? await loadAllRunsAndWriteIndex(this.conn, this.now());
    for (const e of exps) this.experiments.set(e.experimentId, e);
    for (const r of loaded.runs) this.runs.set(r.info.runId, r);
    measure(loaded.fromIndex ? 'mfflow:runs-loaded-from-index' : 'mfflow:runs-loaded-from-records', t0);
    this.upkeep.loaded(loaded);
  }

  /**
   * Rewrites the run index from the cache and the runs written since the last one, in one
   * transaction (run-index.ts). False when another store rewrote it first. The store also does
   * it on its own (see runIndexDelayMs); an importer of many runs may call it right away.
   */
  writeRunIndex(): Promise<boolean> {
    return this.upkeep.rewrite();
  }

  /**
   * The browser deleted the database under this page: drop every cached run and experiment (so
   * no search lists runs that no longer exist), put the Default experiment back, and tell
   * listeners which ids went away.
   */
  private forgetClearedData(): void {
    const runIds = [...this.runs.keys()];
    const experimentIds = [...this.experiments.keys()];
    const lostRuns = [...this.runs.values()].map(toPublicRun);
    const lostExperiments = [...this.experiments.values()];
    this.runs.clear();
    this.experiments.clear();
    this.feed.publish(runIds, experimentIds);
    this.options.onRecordsLost?.(lostRuns, lostExperiments);
    setTimeout(() => {
      void ensureDefaultExperiment(this.conn, this.now()).then((created) => {
        if (created) this.committed([], [created]);
      }, () => undefined);
    }, 0);
  }

  /** Re-reads records another tab or store changed. */
  private async reload(change: StoreChange): Promise<void> {
    const [exps, runs] = await this.conn.read(['experiments', 'runs'], (tx) => Promise.all([
      Promise.all(change.experimentIds.map((id) => tx.objectStore('experiments').get(id))),
      Promise.all(change.runIds.map((id) => tx.objectStore('runs').get(id))),
    ]));
    change.experimentIds.forEach((id, i) => (exps[i] ? this.experiments.set(id, exps[i]!) : this.experiments.delete(id)));
    change.runIds.forEach((id, i) => (runs[i] ? this.runs.set(id, runs[i]!) : this.runs.delete(id)));
  }

  /** Called after every local commit and every remote change, with the ids that changed. */
  subscribe(listener: ChangeListener): () => void {
    return this.feed.subscribe(listener);
  }

  private committed(runs: StoredRun[], experiments: Experiment[] = [], models: string[] = []): void {
    for (const r of runs) this.runs.set(r.info.runId, r);
    for (const e of experiments) this.experiments.set(e.experimentId, e);
    const runIds = runs.map((r) => r.info.runId);
    this.upkeep.written(runIds);
    this.feed.publish(runIds, experiments.map((e) => e.experimentId), models);
  }

  /** Closes the connection; a pending index rewrite is dropped (the next open redoes it). */
  close(): void {
    this.upkeep.close();
    this.feed.close();
    this.conn.close();
  }

  // ---- experiments ----

  async createExperiment(name: string, tags: Record<string, string> = {}): Promise<string> {
    const exp = await createExperimentRecord(this.conn, name, tags, this.now());
    this.committed([], [exp]);
    return exp.experimentId;
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const e = this.experiments.get(experimentId);
    if (!e) throw notFound(`No experiment with id ${experimentId}.`);
    return { ...e, tags: { ...e.tags } };
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    for (const e of this.experiments.values()) if (e.name === name) return this.getExperiment(e.experimentId);
    return null;
  }

  /** Newest first; the Default experiment last among equals. */
  async listExperiments(viewType: ViewType = 'ACTIVE_ONLY'): Promise<Experiment[]> {
    return [...this.experiments.values()]
      .filter((e) => viewType === 'ALL' || (viewType === 'ACTIVE_ONLY') === (e.lifecycleStage === 'active'))
      .sort((a, b) => b.creationTime - a.creationTime || (a.experimentId < b.experimentId ? 1 : -1))
      .map((e) => ({ ...e, tags: { ...e.tags } }));
  }

  private async editExperiment(id: string, what: string, edit: Parameters<typeof updateExperiment>[3]): Promise<void> {
    const { experiment, runs } = await updateExperiment(this.conn, id, what, edit);
    this.committed(runs, [experiment]);
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.editExperiment(experimentId, `the new name of experiment ${experimentId}`, renameEdit(newName, this.now()));
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    return this.editExperiment(experimentId, `the deletion of experiment ${experimentId}`, deleteEdit(this.now()));
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    return this.editExperiment(experimentId, `the restore of experiment ${experimentId}`, restoreEdit(this.now()));
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.editExperiment(experimentId, `tag "${key}" of experiment ${experimentId}`, tagEdit(key, value, this.now()));
  }

  // ---- runs ----

  /** The person's name (Settings), written as `mlflow.user` on runs created from now on. */
  setDefaultUser(name: string | undefined): void {
    this.defaultUser = name || undefined;
  }

  async createRun(req: CreateRunRequest): Promise<RunInfo> {
    const run = newRunRecord(req, newRunId(), this.now(), this.defaultUser ?? 'browser', generateRunName);
    let made: Experiment | null = null;
    await this.conn.write(['experiments', 'runs', 'runDirty'], () => `new run "${run.info.runName}"`, async (tx) => {
      let exp = await tx.objectStore('experiments').get(req.experimentId);
      // Default always exists: made here, in the run's transaction, when the data was just deleted.
      if (!exp && req.experimentId === DEFAULT_EXPERIMENT_ID) await tx.objectStore('experiments').put(made = exp = defaultExperimentRecord(run.info.startTime));
      if (!exp) throw notFound(`No experiment with id ${req.experimentId}.`);
      if (exp.lifecycleStage !== 'active') throw invalidState(`Experiment "${exp.name}" is deleted; restore it before adding runs.`);
      const parent = dictGet(run.tags, TAG.parentRunId);
      if (parent !== undefined && !(await tx.objectStore('runs').getKey(parent))) {
        throw notFound(`Parent run ${parent} does not exist.`);
      }
      issueRunRecords(tx, [run], 'add');
    }, 'strict');
    this.committed([run], made ? [made] : []);
    return { ...run.info };
  }

  async updateRun(runId: string, update: RunUpdate): Promise<RunInfo> {
    const edit = prepareRunUpdate(update);
    const r = await this.tx.editRun(runId, `the status of run ${runId}`, async (run) => { assertActive(run); edit(run); }, 'strict');
    this.committed([r]);
    return { ...r.info };
  }

  async getRun(runId: string): Promise<Run> {
    return toPublicRun(this.cachedRun(runId));
  }

  private cachedRun(runId: string): StoredRun {
    const r = this.runs.get(runId);
    if (!r) throw notFound(`No run with id ${runId}.`);
    return r;
  }

  /** Cached runs, cheaply, for tables. Treat them as read-only: they are the cache itself. */
  listRuns(experimentIds?: readonly string[]): readonly Run[] {
    const all = [...this.runs.values()];
    if (!experimentIds) return all;
    const ids = new Set(experimentIds);
    return all.filter((r) => ids.has(r.info.experimentId));
  }

  async deleteRun(runId: string): Promise<void> {
    const now = this.now();
    const r = await this.tx.editRun(runId, `the deletion of run ${runId}`, async (run) => {
      run.info = { ...run.info, lifecycleStage: 'deleted', deletedTime: now };
    }, 'strict');
    this.committed([r]);
  }

  async restoreRun(runId: string): Promise<void> {
    const r = await this.tx.editRun(runId, `the restore of run ${runId}`, async (run) => {
      run.info = { ...run.info, lifecycleStage: 'active', deletedTime: null };
    }, 'strict');
    this.committed([r]);
  }

  async logBatch(runId: string, batch: LogBatchRequest): Promise<void> {
    const prepared = prepareBatch(batch);
    const now = this.now();
    const r = await writeBatch(this.tx, runId, prepared, now);
    this.committed([r]);
  }

  async logParamList(runId: string, params: { key: string; value: string }[]): Promise<void> {
    const prepared = prepareParamList(params);
    const r = await writeBatch(this.tx, runId, prepared, this.now());
    this.committed([r]);
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { tags: [{ key, value }] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    const r = await this.tx.editRun(runId, `the deletion of tag "${key}"`, async (run) => {
      assertActive(run);
      if (!removeTag(run, key)) throw notFound(`Run ${runId} has no tag "${key}".`);
    });
    this.committed([r]);
  }

  /** Refreshes `heartbeatAt` of an owned run (the logger calls it when it has nothing to flush). */
  async heartbeat(runId: string): Promise<void> {
    const now = this.now();
    const r = await this.tx.editRun(runId, `the heartbeat of run ${runId}`, async (run) => { run.heartbeatAt = now; }, 'relaxed');
    this.committed([r]);
  }

  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    prepareInputs(inputs);
    const what = `${inputs.length} dataset input(s) of run ${runId}`;
    let changed = false;
    const r = await this.tx.editRun(runId, what, async (run) => { assertActive(run); changed = addInputs(run, inputs); });
    if (changed) this.committed([r]);
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricColumns> {
    this.cachedRun(runId);
    const chunks = await this.conn.read(['metricChunks'], (tx) =>
      tx.objectStore('metricChunks').getAll(IDBKeyRange.bound([runId, key, -Infinity], [runId, key, Infinity])));
    return assembleHistory(key, chunks);
  }

  async searchRuns(req: SearchRunsRequest): Promise<SearchRunsResult> {
    const result = searchRunList(this.runs.values(), req);
    return { ...result, runs: result.runs.map(toPublicRun) };
  }

  /**
   * Marks RUNNING runs whose owner is gone as KILLED (docs/reliability.md §2, M1). endTime is the
   * last sign of life (heartbeat or newest metric) or now; every committed metric is kept.
   * Runs without an owner lock (imported ones) are never touched. Returns the killed run ids.
   */
  async killOrphanedRuns(isOwnerAlive: (run: StoredRun) => Promise<boolean>): Promise<string[]> {
    const dead: string[] = [];
    for (const r of [...this.runs.values()]) {
      if (r.info.status === 'RUNNING' && r.ownerLock && !(await isOwnerAlive(r))) dead.push(r.info.runId);
    }
    if (dead.length === 0) return [];
    const now = this.now();
    const killed = await this.tx.editRuns(dead, `the end of ${dead.length} interrupted run(s)`, (run, before) =>
      run.info.status === 'RUNNING' && run.ownerLock === before.ownerLock
        ? ((run.info = { ...run.info, status: 'KILLED', endTime: lastActivity(run) ?? now }), true)
        : false);
    this.committed(killed);
    return killed.map((r) => r.info.runId);
  }

  // ---- artifacts ----

  async logArtifact(runId: string, path: string, bytes: ArrayBuffer | Uint8Array, contentType?: string): Promise<void> {
    assertActive(this.cachedRun(runId));
    await writeArtifact(this.conn, runId, path, bytes, contentType, this.now());
    this.feed.publish([runId], []);
  }

  /** Several files in one transaction, all or none (a model folder), announced once. */
  async logArtifacts(runId: string, files: readonly ArtifactFile[]): Promise<void> {
    assertActive(this.cachedRun(runId));
    if (files.length === 0) return;
    await writeArtifacts(this.conn, runId, files, this.now());
    this.feed.publish([runId], []);
  }

  async listArtifacts(runId: string, dir?: string): Promise<ArtifactInfo[]> {
    return listArtifactDir(this.conn, runId, dir);
  }

  /** An artifact's bytes; `maxBytes` reads only its head (previews). */
  async readArtifact(runId: string, path: string, maxBytes?: number): Promise<Uint8Array> {
    return readArtifactBytes(this.conn, runId, path, maxBytes);
  }

  // ---- bundles (bundle-import.ts) ----

  /** Imports a prepared bundle in ONE transaction; existing ids are compared by content, never overwritten. */
  /**
   * `readLazy`: where a streamed import's big files are read from (bundle-import.ts, lazy-artifacts.ts);
   * `onLazyBytes`: how many of their bytes are written so far.
   */
  /**
   * A staging for the metric chunks of a big import, written while its workers decode
   * (metric-staging.ts); hand it to importBundle, or `discard()` it if the import fails first.
   */
  metricStaging(): MetricStaging {
    return new MetricStaging(this.conn, (id) => this.runs.has(id));
  }

  async importBundle(prep: PreparedImport, readLazy?: LazyReader, onLazyBytes?: (done: number) => void, staged?: StagedMetrics): Promise<ImportReport> {
    const look = {
      run: (id: string) => this.runs.get(id),
      experiment: (id: string) => this.experiments.get(id),
      experimentIdByName: (name: string) => [...this.experiments.values()].find((e) => e.name === name)?.experimentId,
    };
    // An import big enough that the store would rewrite the run index after it writes the index
    // in its own transaction: the next open then reads one record, not every imported run.
    const { report, runs, experiments, indexed } = await importPrepared(this.conn, prep, look, this.now(),
      (tx, added) => (this.upkeep.wouldRewriteAfter(added.length) ? this.upkeep.inTx(tx, added) : Promise.resolve(null)), readLazy, onLazyBytes, staged);
    if (runs.length || experiments.length || report.addedRegisteredModels.length) this.committed(runs, experiments, report.addedRegisteredModels);
    if (indexed) this.upkeep.adopt(indexed);
    // Datasets after the runs: each is stored once per digest (dataset-store.ts writes a big one in
    // parts, outside any one transaction), so a run never waits on rows it does not need.
    if (prep.datasets?.length) {
      const have = new Set((await listDatasets(this.conn)).map((d) => d.digest));
      report.addedDatasets = [];
      report.unchangedDatasets = [];
      for (const d of prep.datasets) {
        if (have.has(d.digest)) report.unchangedDatasets.push(d.digest);
        else (await putDataset(this.conn, d), have.add(d.digest), report.addedDatasets.push(d.digest));
      }
    }
    return report;
  }

  /** Full metric histories (logging order) and artifact bytes of runs, for export. */
  async readRunsContent(runIds: readonly string[]): Promise<Map<string, RunContent>> {
    for (const id of runIds) this.cachedRun(id);
    return readRunsContent(this.conn, runIds);
  }

  // ---- datasets (stored once per digest) ----

  async putDataset(dataset: StoredDataset): Promise<void> { return putDataset(this.conn, dataset); }
  async getDataset(digest: string): Promise<StoredDataset | undefined> { return getDataset(this.conn, digest); }
  async listDatasets(): Promise<DatasetSummary[]> { return listDatasets(this.conn); }
  async deleteDataset(digest: string): Promise<void> { return deleteDataset(this.conn, digest); }
}
