/**
 * Experiment writes with MLflow's rules (docs/mlflow-formats.md §1.2, §1.6). Each returns what it
 * changed so the store can refresh its cache and notify only after the commit.
 */
import { dictSet } from '../util/dict';
import { exists, invalid, invalidState, notFound } from '../util/errors';
import { newExperimentId } from '../tracking/ids';
import { validateExperimentName, validateExperimentTag } from '../tracking/validation';
import { DEFAULT_EXPERIMENT_ID, type Experiment } from '../tracking/types';
import type { Connection } from './db';
import { putRunRecords } from './run-index';
import type { StoredRun } from './schema';

export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** Artifact URIs point at a tracking server's artifact proxy, which is where a push sends them. */
export const experimentArtifactLocation = (experimentId: string) => `mlflow-artifacts:/${experimentId}`;

export interface ExperimentChange {
  experiment: Experiment;
  runs: StoredRun[];
}

export function newExperimentRecord(id: string, name: string, tags: Record<string, string>, now: number): Experiment {
  const t: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) dictSet(t, k, v);
  return {
    experimentId: id, name, artifactLocation: experimentArtifactLocation(id), lifecycleStage: 'active',
    creationTime: now, lastUpdateTime: now, tags: t,
  };
}

export const defaultExperimentRecord = (now: number) => newExperimentRecord(DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, {}, now);

/** Puts the Default experiment in when it is missing (a new database, or one the browser cleared); idempotent. */
export function ensureDefaultExperiment(conn: Connection, now: number): Promise<Experiment | null> {
  return conn.write(['experiments'], () => 'the Default experiment', async (tx) => {
    const store = tx.objectStore('experiments');
    if (await store.get(DEFAULT_EXPERIMENT_ID)) return null;
    const exp = defaultExperimentRecord(now);
    await store.put(exp);
    return exp;
  }, 'strict');
}

export function createExperimentRecord(conn: Connection, name: string, tags: Record<string, string>, now: number): Promise<Experiment> {
  validateExperimentName(name);
  for (const [k, v] of Object.entries(tags)) validateExperimentTag(k, v);
  const id = newExperimentId();
  const exp = newExperimentRecord(id, name, tags, now);
  return conn.write(['experiments'], () => `experiment "${name}"`, async (tx) => {
    const store = tx.objectStore('experiments');
    if (await store.index('byName').getKey(name)) throw nameTaken(name);
    if (await store.getKey(id)) throw exists(`Experiment id ${id} already exists; please try again.`);
    await store.add(exp);
    return exp;
  }, 'strict');
}

function nameTaken(name: string) {
  return exists(
    `An experiment named "${name}" already exists. If it was deleted, restore it or choose another name ` +
      '(deleted experiments keep their names, as in MLflow).',
  );
}

/** Reads, edits and writes one experiment; `edit` may also return runs it changed. */
export function updateExperiment(conn: Connection, experimentId: string, what: string,
  edit: (exp: Experiment, runsOf: () => Promise<StoredRun[]>, takenBy: (name: string) => Promise<string | undefined>) => Promise<StoredRun[]>,
): Promise<ExperimentChange> {
  return conn.write(['experiments', 'runs', 'runDirty'], () => what, async (tx) => {
    const store = tx.objectStore('experiments');
    const old = await store.get(experimentId);
    if (!old) throw notFound(`No experiment with id ${experimentId}.`);
    const exp: Experiment = { ...old, tags: { ...old.tags } };
    const runsOf = () => tx.objectStore('runs').index('byExperiment').getAll(experimentId);
    const takenBy = async (name: string) => (await store.index('byName').getKey(name)) ?? undefined;
    const runs = await edit(exp, runsOf, takenBy);
    await putRunRecords(tx, runs);
    await store.put(exp);
    return { experiment: exp, runs };
  }, 'strict');
}

export function renameEdit(newName: string, now: number) {
  validateExperimentName(newName);
  return async (exp: Experiment, _runs: unknown, takenBy: (n: string) => Promise<string | undefined>) => {
    if (exp.lifecycleStage !== 'active') throw invalidState(`Experiment "${exp.name}" is deleted; restore it before renaming it.`);
    const holder = await takenBy(newName);
    if (holder !== undefined && holder !== exp.experimentId) throw nameTaken(newName);
    exp.name = newName;
    exp.lastUpdateTime = now;
    return [];
  };
}

/**
 * Deleting marks the experiment and its active runs deleted (as MLflow's stores do). The runs
 * get deletedTime = the experiment's deletion time, so a restore brings back exactly those runs
 * and not ones the user had deleted one by one before.
 */
export function deleteEdit(now: number) {
  return async (exp: Experiment, runsOf: () => Promise<StoredRun[]>) => {
    if (exp.experimentId === DEFAULT_EXPERIMENT_ID) throw invalid('The Default experiment (id 0) cannot be deleted.');
    if (exp.lifecycleStage === 'deleted') return [];
    exp.lifecycleStage = 'deleted';
    exp.lastUpdateTime = now;
    const runs = (await runsOf()).filter((r) => r.info.lifecycleStage === 'active');
    for (const r of runs) r.info = { ...r.info, lifecycleStage: 'deleted', deletedTime: now };
    return runs;
  };
}

export function restoreEdit(now: number) {
  return async (exp: Experiment, runsOf: () => Promise<StoredRun[]>) => {
    if (exp.lifecycleStage === 'active') return [];
    const deletedAt = exp.lastUpdateTime;
    exp.lifecycleStage = 'active';
    exp.lastUpdateTime = now;
    const runs = (await runsOf()).filter((r) => r.info.lifecycleStage === 'deleted' && r.info.deletedTime === deletedAt);
    for (const r of runs) r.info = { ...r.info, lifecycleStage: 'active', deletedTime: null };
    return runs;
  };
}

export function tagEdit(key: string, value: string, now: number) {
  validateExperimentTag(key, value);
  return async (exp: Experiment) => {
    if (exp.lifecycleStage !== 'active') throw invalidState(`Experiment "${exp.name}" is deleted; restore it before tagging it.`);
    dictSet(exp.tags, key, value);
    exp.lastUpdateTime = now;
    return [];
  };
}
