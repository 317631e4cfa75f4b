/**
 * Copy-on-write edits of stored run records with MLflow's rules. The store edits a copy inside
 * its transaction and swaps it into the cache only after commit, so a failed write leaves both
 * the database and the cache untouched.
 */
import { dictDelete, dictGet, dictHas, dictSet } from '../util/dict';
import { invalid, invalidState } from '../util/errors';
import { preview } from '../tracking/validation';
import type { DatasetInput, Run } from '../tracking/types';
import { TAG } from '../tracking/tags';
import type { StoredRun } from './schema';

/** A copy whose dicts and arrays can be edited without touching `r`. Spread keeps `__proto__` keys as own data. */
export function editableCopy(r: StoredRun): StoredRun {
  const copy: StoredRun = {
    info: { ...r.info },
    params: { ...r.params },
    tags: { ...r.tags },
    metrics: { ...r.metrics },
    inputs: [...r.inputs],
  };
  if (r.ownerLock !== undefined) copy.ownerLock = r.ownerLock;
  if (r.heartbeatAt !== undefined) copy.heartbeatAt = r.heartbeatAt;
  return copy;
}

/** The public shape, detached from the cache (callers may mutate it freely). */
export function toPublicRun(r: Run): Run {
  const metrics = { ...r.metrics };
  for (const k of Object.keys(metrics)) dictSet(metrics, k, { ...metrics[k] });
  return {
    info: { ...r.info },
    params: { ...r.params },
    tags: { ...r.tags },
    metrics,
    inputs: r.inputs.map((i) => ({ dataset: { ...i.dataset }, tags: { ...i.tags } })),
  };
}

export function assertActive(r: Run): void {
  if (r.info.lifecycleStage !== 'active') {
    throw invalidState(`Run ${r.info.runId} is deleted; restore it before logging to it.`);
  }
}

/** Params are immutable: the same value again is accepted, a different value is refused. */
export function applyParams(r: StoredRun, params: readonly { key: string; value: string }[]): void {
  for (const { key, value } of params) {
    const old = dictGet(r.params, key);
    if (old !== undefined && old !== value) {
      throw invalid(
        `Changing param values is not allowed. Param "${preview(key)}" of run ${r.info.runId} already has ` +
          `value "${preview(old)}"; the new value "${preview(value)}" was not saved.`,
      );
    }
    dictSet(r.params, key, value);
  }
}

/** Sets tags; `mlflow.runName` also renames the run, as MLflow keeps the two in step. */
export function applyTags(r: StoredRun, tags: readonly { key: string; value: string }[]): void {
  for (const { key, value } of tags) {
    dictSet(r.tags, key, value);
    if (key === TAG.runName) r.info.runName = value;
  }
}

export function removeTag(r: StoredRun, key: string): boolean {
  if (!dictHas(r.tags, key)) return false;
  dictDelete(r.tags, key);
  return true;
}

export function renameRun(r: StoredRun, name: string): void {
  r.info.runName = name;
  dictSet(r.tags, TAG.runName, name);
}

const inputKey = (i: DatasetInput) =>
  JSON.stringify([i.dataset.name, i.dataset.digest, dictGet(i.tags, TAG.datasetContext) ?? null]);

/** Adds inputs, skipping ones with the same dataset name, digest and context as an existing input. */
export function addInputs(r: StoredRun, inputs: readonly DatasetInput[]): boolean {
  const seen = new Set(r.inputs.map(inputKey));
  let changed = false;
  for (const i of inputs) {
    const k = inputKey(i);
    if (seen.has(k)) continue;
    seen.add(k);
    r.inputs.push({ dataset: { ...i.dataset }, tags: { ...i.tags } });
    changed = true;
  }
  return changed;
}

/** Time of the last sign of life: the heartbeat or the newest metric timestamp, whichever is later. */
export function lastActivity(r: StoredRun): number | null {
  let t = r.heartbeatAt ?? -Infinity;
  for (const k of Object.keys(r.metrics)) t = Math.max(t, r.metrics[k].timestamp);
  return Number.isFinite(t) ? t : null;
}
