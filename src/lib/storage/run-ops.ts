/**
 * Run writes: validation and preparation happen before a transaction opens (nothing but IDB
 * may be awaited inside one); the transactional part only reads, edits and puts.
 */
import { dictGet, dictSet, newDict, type Dict } from '../util/dict';
import { invalid } from '../util/errors';
import {
  preview, validateBatchLimits, validateDataset, validateInputTag, validateNoDuplicateParams,
  validateParam, validateRunTag, validateTimestamp,
} from '../tracking/validation';
import { RUN_STATUSES, type CreateRunRequest, type DatasetInput, type LogBatchRequest } from '../tracking/types';
import type { RunUpdate } from '../tracking/backend';
import { TAG } from '../tracking/tags';
import { appendToChunks, checkMetricColumns, updateSummary, type PointColumns } from './metric-columns';
import { experimentArtifactLocation } from './experiment-ops';
import { addInputs, applyParams, applyTags, assertActive, renameRun } from './run-records';
import type { StoredRun } from './schema';
import type { StoreTx } from './store-tx';
import { issuePuts } from './db';

export const DEFAULT_SOURCE_NAME = 'mfflow';
export const DEFAULT_SOURCE_TYPE = 'LOCAL';

/** The record of a new RUNNING run with MLflow's system tags; callers' tags override defaults. */
export function newRunRecord(req: CreateRunRequest, runId: string, now: number, defaultUser: string,
  generateName: () => string): StoredRun {
  const given = req.tags ?? {};
  for (const [k, v] of Object.entries(given)) validateRunTag(k, v);
  const tagName = dictGet(given, TAG.runName);
  if (req.runName !== undefined && tagName !== undefined && req.runName !== tagName) {
    throw invalid(`Run name "${preview(req.runName)}" and tag ${TAG.runName}="${preview(tagName)}" disagree; give one of them.`);
  }
  const runName = req.runName ?? tagName ?? generateName();
  validateRunTag(TAG.runName, runName);
  const userId = req.userId ?? dictGet(given, TAG.user) ?? defaultUser;
  const startTime = req.startTime ?? now;
  validateTimestamp('startTime', startTime);
  if (req.parentRunId !== undefined) {
    const inTag = dictGet(given, TAG.parentRunId);
    if (inTag !== undefined && inTag !== req.parentRunId) throw invalid('parentRunId and the mlflow.parentRunId tag disagree.');
  }

  const tags: Dict<string> = newDict();
  dictSet(tags, TAG.user, userId);
  dictSet(tags, TAG.sourceName, DEFAULT_SOURCE_NAME);
  dictSet(tags, TAG.sourceType, DEFAULT_SOURCE_TYPE);
  for (const [k, v] of Object.entries(given)) dictSet(tags, k, v);
  dictSet(tags, TAG.runName, runName);
  if (req.parentRunId !== undefined) dictSet(tags, TAG.parentRunId, req.parentRunId);

  const run: StoredRun = {
    info: {
      runId, experimentId: req.experimentId, runName, userId, status: 'RUNNING', startTime, endTime: null,
      lifecycleStage: 'active', deletedTime: null,
      artifactUri: `${experimentArtifactLocation(req.experimentId)}/${runId}/artifacts`,
    },
    params: newDict(), tags, metrics: newDict(), inputs: [],
  };
  if (req.ownerLock !== undefined) {
    run.ownerLock = req.ownerLock;
    run.heartbeatAt = now;
  }
  if (req.inputs?.length) {
    prepareInputs(req.inputs);
    addInputs(run, req.inputs);
  }
  return run;
}

export function prepareRunUpdate(update: RunUpdate) {
  if (update.status !== undefined && !RUN_STATUSES.includes(update.status)) {
    throw invalid(`Unknown run status "${String(update.status)}"; expected one of ${RUN_STATUSES.join(', ')}.`);
  }
  if (update.endTime !== undefined && update.endTime !== null) validateTimestamp('endTime', update.endTime);
  if (update.runName !== undefined) validateRunTag(TAG.runName, update.runName);
  const tags = update.tags ?? [];
  if (tags.length) {
    validateBatchLimits({ metrics: 0, params: 0, tags: tags.length });
    for (const t of tags) validateRunTag(t.key, t.value);
  }
  return (run: StoredRun) => {
    const info = { ...run.info };
    if (update.status !== undefined) info.status = update.status;
    if (update.endTime !== undefined) info.endTime = update.endTime;
    run.info = info;
    applyTags(run, tags);
    if (update.runName !== undefined) renameRun(run, update.runName);
  };
}

export interface PreparedBatch {
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  /** Points per key, concatenated in logging order when a key appears more than once. */
  metrics: Map<string, PointColumns>;
  points: number;
}

export function prepareBatch(batch: LogBatchRequest): PreparedBatch {
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  validateBatchLimits({ metrics: 0, params: params.length, tags: tags.length });
  for (const p of params) validateParam(p.key, p.value);
  validateNoDuplicateParams(params);
  for (const t of tags) validateRunTag(t.key, t.value);
  const metrics = new Map<string, PointColumns>();
  let points = 0;
  for (const cols of batch.metrics ?? []) {
    checkMetricColumns(cols);
    points += cols.values.length;
    const prev = metrics.get(cols.key);
    metrics.set(cols.key, prev ? concat(prev, cols) : cols);
  }
  return { params, tags, metrics, points };
}

/** Params without LogBatch's cap of 100: each checked, no key twice. */
export function prepareParamList(params: readonly { key: string; value: string }[]): PreparedBatch {
  if (!Array.isArray(params)) throw invalid('Params must be a list of {key, value}.');
  for (const p of params) validateParam(p.key, p.value);
  validateNoDuplicateParams(params);
  return { params: [...params], tags: [], metrics: new Map(), points: 0 };
}

function concat(a: PointColumns, b: PointColumns): PointColumns {
  const join = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    const out = new Float64Array(x.length + y.length);
    out.set(x); out.set(y, x.length);
    return out;
  };
  return { values: join(a.values, b.values), steps: join(a.steps, b.steps), timestamps: join(a.timestamps, b.timestamps) };
}

/** "1,000 points of metric `loss`", "3 params, 2 tags", ... for quota messages. */
export function describeBatch(b: PreparedBatch, runId: string): string {
  const parts: string[] = [];
  const keys = [...b.metrics.keys()];
  if (keys.length === 1) parts.push(`${b.points.toLocaleString('en-US')} points of metric \`${keys[0]}\``);
  else if (keys.length > 1) parts.push(`${b.points.toLocaleString('en-US')} points of ${keys.length} metrics`);
  if (b.params.length) parts.push(`${b.params.length} param(s)`);
  if (b.tags.length) parts.push(`${b.tags.length} tag(s)`);
  return `${parts.join(', ') || 'an empty batch'} for run ${runId.slice(0, 8)}…`;
}

/** Params, tags, metric chunks and the run's summaries in one transaction. */
export function writeBatch(tx: StoreTx, runId: string, b: PreparedBatch, now: number): Promise<StoredRun> {
  return tx.editRun(runId, describeBatch(b, runId), async (run, t) => {
    assertActive(run);
    applyParams(run, b.params);
    applyTags(run, b.tags);
    const chunks = t.objectStore('metricChunks');
    for (const [key, cols] of b.metrics) {
      // A key's chunks and its summary are written together, so a key without a summary has no
      // chunk to extend: its first chunks are added without looking for one (a sweep's child
      // logs ~8 new keys at once). `add`, not `put`: were a chunk there after all, the write
      // fails instead of overwriting it.
      const prev = dictGet(run.metrics, key);
      if (prev === undefined) issuePuts(chunks, appendToChunks(runId, key, undefined, cols), 'add');
      else {
        const range = IDBKeyRange.bound([runId, key, -Infinity], [runId, key, Infinity]);
        const last = (await chunks.openCursor(range, 'prev'))?.value;
        issuePuts(chunks, appendToChunks(runId, key, last, cols));
      }
      const summary = updateSummary(prev, cols);
      if (summary) dictSet(run.metrics, key, summary);
    }
    if (run.ownerLock !== undefined) run.heartbeatAt = now;
  }, 'relaxed');
}

export function prepareInputs(inputs: readonly DatasetInput[]): void {
  for (const i of inputs) {
    validateDataset(i.dataset);
    for (const [k, v] of Object.entries(i.tags)) validateInputTag(k, v);
  }
}
