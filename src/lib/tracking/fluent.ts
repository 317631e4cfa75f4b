/**
 * MLflow's fluent tracking API (`mlflow.set_experiment`, `start_run`, `log_metric`, ...) in
 * TypeScript, over any TrackingBackend: the IndexedDB store in the page, or a comlink proxy of
 * it in a worker. Metrics are buffered and flushed as columns at least every 250 ms and on
 * endRun; params and tags are written at once (they are few, and must fail loudly).
 */
import type { TrackingBackend } from './backend';
import { MetricBuffer } from './metric-buffer';
import type {
  ArtifactInfo, DatasetInput, Experiment, MetricColumns, Run, RunInfo, RunStatus, SearchRunsResult, ViewType,
} from './types';
import { DEFAULT_EXPERIMENT_ID } from './types';
import { TAG } from './tags';
import { MlflowError, invalid, invalidState } from '../util/errors';
import type { ParamValue, RunLogger } from './run-logger';
import {
  checkBytes, checkExperimentName, checkInput, checkParam, checkParams, checkPoint, checkSearchOptions,
  checkStartRunOptions, checkStatus, checkString, checkTag, checkTags,
} from './call-checks';
import { validateMetricColumns } from './validation';

export interface FluentOptions {
  /** Milliseconds between metric flushes (MLflow-style async logging; default 250). */
  flushIntervalMs?: number;
  /** Flush early when this many points are buffered (default 100,000). */
  flushPoints?: number;
  /** Takes an exclusive lock held while a run is RUNNING; returns its release function. */
  acquireLock?: (name: string) => Promise<() => void>;
  /** Called when a background flush fails (the points stay buffered for the next try). */
  onError?: (error: unknown) => void;
  /** Default tags for new runs, e.g. `mlflow.source.name`. */
  defaultTags?: Record<string, string>;
}

export interface StartRunOptions {
  runName?: string;
  experimentId?: string;
  /** Start under the currently active run (sets `mlflow.parentRunId`). */
  nested?: boolean;
  /** Explicit parent, e.g. a sweep's parent run. Implies nested. */
  parentRunId?: string;
  tags?: Record<string, string>;
  /** Stored as `mlflow.note.content`. */
  description?: string;
  /** Dataset inputs recorded with the new run, in its one write (as logInput for each, right after). */
  inputs?: DatasetInput[];
}

export interface EndRunOptions {
  /** Tags set with the end, in the same write (a job's outcome tags). */
  tags?: Record<string, string>;
}

export interface SearchOptions {
  experimentIds?: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  runViewType?: ViewType;
}

interface ActiveRun {
  info: RunInfo;
  buffer: MetricBuffer;
  timer: ReturnType<typeof setTimeout> | null;
  flushing: Promise<void>;
  /** A size-triggered flush is queued and has not drained the buffer yet. */
  sizeFlushQueued: boolean;
  releaseLock: (() => void) | null;
  /** Another writer of this run (see onAbandon). */
  stopWriter?: (killed: RunInfo) => Promise<WriterHold>;
}

/** What another writer of a run (a training job's worker) held when the data went. */
export interface WriterHold {
  metrics: MetricColumns[];
  params?: { key: string; value: string }[];
  tags?: { key: string; value: string }[];
}

/**
 * A run ended by abandonRuns(): its info (KILLED), the metric points no store holds, and the
 * params and tags another writer of the run logged (the store's cache has the rest).
 */
export interface AbandonedRun {
  info: RunInfo;
  unsaved: MetricColumns[];
  params?: { key: string; value: string }[];
  tags?: { key: string; value: string }[];
}

const textEncoder = new TextEncoder();

function randomToken(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '');
}

export class Fluent implements RunLogger {
  private experimentId: string = DEFAULT_EXPERIMENT_ID;
  private stack: ActiveRun[] = [];
  private readonly flushIntervalMs: number;
  private readonly flushPoints: number;
  /** Metric keys already checked, so the logging hot path tests each key's characters once. */
  private readonly metricKeys = new Set<string>();

  constructor(readonly backend: TrackingBackend, private readonly options: FluentOptions = {}) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.flushPoints = options.flushPoints ?? 100_000;
  }

  // ---- experiments -------------------------------------------------------------------

  /** Makes an experiment current, creating it by name when it does not exist (as MLflow). */
  async setExperiment(name: string): Promise<Experiment> {
    checkExperimentName(name);
    let exp = await this.backend.getExperimentByName(name);
    if (exp && exp.lifecycleStage === 'deleted') {
      throw invalidState(`Cannot set a deleted experiment '${name}' as the active experiment. Restore it first.`);
    }
    if (!exp) exp = await this.backend.getExperiment(await this.backend.createExperiment(name));
    this.experimentId = exp.experimentId;
    return exp;
  }

  /** Makes an existing experiment current by id. */
  async setExperimentById(experimentId: string): Promise<Experiment> {
    checkString('setExperimentById() experimentId', experimentId);
    const exp = await this.backend.getExperiment(experimentId);
    this.experimentId = exp.experimentId;
    return exp;
  }

  get currentExperimentId(): string {
    return this.experimentId;
  }

  // ---- run lifecycle -----------------------------------------------------------------

  activeRun(): RunInfo | null {
    return this.top()?.info ?? null;
  }

  async startRun(opts: StartRunOptions = {}): Promise<RunInfo> {
    checkStartRunOptions(opts);
    const parent = this.top();
    const parentRunId = opts.parentRunId ?? (opts.nested ? parent?.info.runId : undefined);
    if (parent && !opts.nested && !opts.parentRunId) {
      throw new MlflowError(
        'INVALID_STATE',
        `Run ${parent.info.runId} is already active. End it with endRun() first, or start this one with { nested: true }.`,
      );
    }
    if (opts.nested && !parentRunId) throw invalidState('A nested run needs an active parent run.');
    const inputs = opts.inputs?.map(checkInput);
    const tags: Record<string, string> = { ...this.options.defaultTags, ...opts.tags };
    if (opts.description !== undefined) tags[TAG.note] = opts.description;
    const lockName = `mfflow-run:${randomToken()}`;
    const releaseLock = this.options.acquireLock ? await this.options.acquireLock(lockName) : null;
    try {
      const info = await this.backend.createRun({
        experimentId: opts.experimentId ?? this.experimentId,
        runName: opts.runName,
        tags,
        parentRunId,
        ownerLock: releaseLock ? lockName : undefined,
        ...(inputs?.length ? { inputs } : {}),
      });
      this.stack.push({ info, buffer: new MetricBuffer(), timer: null, flushing: Promise.resolve(), sizeFlushQueued: false, releaseLock });
      return info;
    } catch (e) {
      releaseLock?.();
      throw e;
    }
  }

  /** Ends the active run: flushes every buffered metric, then records status, end time and `opts.tags` in one write. */
  async endRun(status: RunStatus = 'FINISHED', opts: EndRunOptions = {}): Promise<RunInfo | null> {
    checkStatus(status);
    const tags = opts.tags === undefined ? undefined : checkTags('endRun() tags', opts.tags);
    const run = this.top();
    if (!run) return null;
    try {
      await this.flushRun(run);
      const info = await this.backend.updateRun(run.info.runId, { status, endTime: Date.now(), ...(tags?.length ? { tags } : {}) });
      this.stack.pop();
      return info;
    } finally {
      if (this.stack[this.stack.length - 1] !== run) run.releaseLock?.();
    }
  }

  /**
   * The store under this page's runs was deleted (site data cleared): every active run ends
   * KILLED here, in memory, since no write can reach it any more; its lock is released and
   * `startRun` works again at once, in the Default experiment (the current one went with the
   * data, Default is made again). Resolves, once the flushes in flight have given their points
   * back, to each run with the metric points that were never written (the caller offers them).
   */
  abandonRuns(now = Date.now()): Promise<AbandonedRun[]> {
    const runs = this.stack.splice(0).reverse();
    this.experimentId = DEFAULT_EXPERIMENT_ID;
    for (const run of runs) {
      if (run.timer !== null) clearTimeout(run.timer);
      run.timer = null;
      run.releaseLock?.();
      run.releaseLock = null;
    }
    return Promise.all(runs.map(async (run) => {
      const info = { ...run.info, status: 'KILLED' as const, endTime: now };
      // Called before anything is awaited: the writer learns at once, before the write that found out fails.
      const held = run.stopWriter?.(info).catch((): WriterHold => ({ metrics: [] }));
      await run.flushing.catch(() => undefined); // a failed flush puts its batch back in the buffer
      const writer = await held;
      return { info, unsaved: [...run.buffer.drain(), ...(writer?.metrics ?? [])], params: writer?.params, tags: writer?.tags };
    }));
  }

  /**
   * The active run has another writer that logs to the store itself (a training job's worker,
   * through the session). If the data is deleted while the run is active, abandonRuns calls
   * `stop` at once: it ends that writer and resolves to what only it still holds.
   */
  onAbandon(stop: (killed: RunInfo) => Promise<WriterHold>): void {
    this.requireRun().stopWriter = stop;
  }

  /** Runs `fn` inside a run and ends it FINISHED, or FAILED if `fn` throws (like `with mlflow.start_run()`). */
  async withRun<T>(opts: StartRunOptions, fn: (run: RunInfo) => Promise<T> | T): Promise<T> {
    const info = await this.startRun(opts);
    try {
      const result = await fn(info);
      await this.endRun('FINISHED');
      return result;
    } catch (e) {
      await this.endRun('FAILED').catch(() => undefined);
      throw e;
    }
  }

  // ---- logging -----------------------------------------------------------------------

  async logParam(key: string, value: ParamValue): Promise<void> {
    const param = checkParam(key, value);
    await this.backend.logBatch(this.requireRun().info.runId, { params: [param] });
  }

  /** Every key is checked before anything is written; one transaction when the backend offers it (linear in keys). */
  async logParams(params: Record<string, ParamValue>): Promise<void> {
    const list = checkParams(params);
    const runId = this.requireRun().info.runId;
    if (this.backend.logParamList) return this.backend.logParamList(runId, list);
    for (let i = 0; i < list.length; i += 100) await this.backend.logBatch(runId, { params: list.slice(i, i + 100) });
  }

  /** Buffered; the point is checked here, so a bad one throws at this call and never reaches a flush. */
  logMetric(key: string, value: number, step = 0, timestamp = Date.now()): void {
    const run = this.requireRun();
    checkPoint(key, value, step, timestamp, this.metricKeys);
    run.buffer.push(key, value, step, timestamp);
    this.scheduleFlush(run);
  }

  /** Logs several metrics at one step; the hot path of training loops. All are checked before any is buffered. */
  logMetrics(metrics: Record<string, number>, step = 0, timestamp = Date.now()): void {
    const run = this.requireRun();
    if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
      throw invalid(`logMetrics() takes an object of metric name → number, got ${metrics === null ? 'null' : typeof metrics}.`);
    }
    for (const key in metrics) {
      if (Object.prototype.hasOwnProperty.call(metrics, key)) checkPoint(key, metrics[key], step, timestamp, this.metricKeys);
    }
    for (const key in metrics) {
      if (Object.prototype.hasOwnProperty.call(metrics, key)) run.buffer.push(key, metrics[key], step, timestamp);
    }
    this.scheduleFlush(run);
  }

  /** Logs whole histories at once (columns), e.g. batches forwarded from a training worker. */
  logMetricColumns(columns: MetricColumns[]): void {
    const run = this.requireRun();
    for (const c of columns) validateMetricColumns(c);
    for (const c of columns) run.buffer.pushColumns(c);
    this.scheduleFlush(run);
  }

  async setTag(key: string, value: string): Promise<void> {
    const tag = checkTag(key, value);
    await this.backend.logBatch(this.requireRun().info.runId, { tags: [tag] });
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    const list = checkTags('setTags() argument', tags);
    const runId = this.requireRun().info.runId;
    for (let i = 0; i < list.length; i += 100) await this.backend.logBatch(runId, { tags: list.slice(i, i + 100) });
  }

  async deleteTag(key: string): Promise<void> {
    checkString('deleteTag() key', key);
    await this.backend.deleteTag(this.requireRun().info.runId, key);
  }

  async logArtifact(artifactPath: string, bytes: Uint8Array | ArrayBuffer | string, contentType?: string): Promise<void> {
    checkString('logArtifact() path', artifactPath);
    checkBytes('logArtifact() content', bytes);
    if (contentType !== undefined) checkString('logArtifact() contentType', contentType);
    const data = typeof bytes === 'string' ? textEncoder.encode(bytes) : bytes;
    await this.backend.logArtifact(this.requireRun().info.runId, artifactPath, data, contentType ?? guessContentType(artifactPath));
  }

  async logText(text: string, artifactFile: string): Promise<void> {
    checkString('logText() text', text, { allowEmpty: true });
    checkString('logText() path', artifactFile);
    await this.logArtifact(artifactFile, textEncoder.encode(text), guessContentType(artifactFile));
  }

  /** Writes a JSON file (as `mlflow.log_dict` does for `.json`; other extensions get JSON text too). */
  async logDict(value: unknown, artifactFile: string): Promise<void> {
    checkString('logDict() path', artifactFile);
    const json = JSON.stringify(value, null, 2) as string | undefined;
    if (json === undefined) throw invalid(`logDict() needs a value JSON can hold, got ${typeof value}.`);
    await this.logArtifact(artifactFile, textEncoder.encode(json), 'application/json');
  }

  async logInput(input: DatasetInput): Promise<void> {
    await this.backend.logInputs(this.requireRun().info.runId, [checkInput(input)]);
  }

  /** Writes buffered metrics of the active run now. */
  async flush(): Promise<void> {
    for (const run of this.stack) await this.flushRun(run);
  }

  // ---- queries (MlflowClient-style; work on any run) -----------------------------------

  async getRun(runId: string): Promise<Run> {
    return this.backend.getRun(checkString('getRun() runId', runId));
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricColumns> {
    return this.backend.getMetricHistory(checkString('getMetricHistory() runId', runId), checkString('getMetricHistory() key', key));
  }

  async searchRuns(opts: SearchOptions = {}): Promise<SearchRunsResult> {
    checkSearchOptions(opts);
    return this.backend.searchRuns({ experimentIds: opts.experimentIds ?? [this.experimentId], ...opts });
  }

  async deleteRun(runId: string): Promise<void> {
    return this.backend.deleteRun(checkString('deleteRun() runId', runId));
  }

  async restoreRun(runId: string): Promise<void> {
    return this.backend.restoreRun(checkString('restoreRun() runId', runId));
  }

  async listArtifacts(runId: string, dir?: string): Promise<ArtifactInfo[]> {
    checkString('listArtifacts() runId', runId);
    if (dir !== undefined) checkString('listArtifacts() dir', dir, { allowEmpty: true });
    return this.backend.listArtifacts(runId, dir);
  }

  // ---- internals ---------------------------------------------------------------------

  private top(): ActiveRun | undefined {
    return this.stack[this.stack.length - 1];
  }

  private requireRun(): ActiveRun {
    const run = this.top();
    if (!run) throw invalidState('No active run: call startRun() first.');
    return run;
  }

  private scheduleFlush(run: ActiveRun): void {
    if (run.buffer.size >= this.flushPoints) {
      // One queued flush drains everything logged until it runs; more would only chain no-ops.
      if (run.sizeFlushQueued) return;
      run.sizeFlushQueued = true;
      void this.flushRun(run).catch((e) => this.options.onError?.(e));
      return;
    }
    if (run.timer !== null) return;
    run.timer = setTimeout(() => {
      run.timer = null;
      void this.flushRun(run).catch((e) => this.options.onError?.(e));
    }, this.flushIntervalMs);
  }

  /** Flushes are chained per run so batches land in logging order. */
  private flushRun(run: ActiveRun): Promise<void> {
    if (run.timer !== null) {
      clearTimeout(run.timer);
      run.timer = null;
    }
    const next = run.flushing.catch(() => undefined).then(async () => {
      run.sizeFlushQueued = false;
      if (run.buffer.size === 0) return;
      const columns = run.buffer.drain();
      try {
        await this.backend.logBatch(run.info.runId, { metrics: columns });
      } catch (e) {
        run.buffer.restore(columns);
        throw e;
      }
    });
    run.flushing = next;
    return next;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain', log: 'text/plain', md: 'text/markdown', json: 'application/json', yaml: 'application/yaml',
  yml: 'application/yaml', csv: 'text/csv', html: 'text/html', svg: 'image/svg+xml', png: 'image/png',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', onnx: 'application/octet-stream', bin: 'application/octet-stream',
};

export function guessContentType(path: string): string {
  const name = path.split('/').pop() ?? '';
  if (name === 'MLmodel' || name === 'MLproject') return 'application/yaml';
  const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
