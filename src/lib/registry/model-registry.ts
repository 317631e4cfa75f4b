/**
 * The model registry's rules as pure edits of one registered model (MLflow 3.17 file-store
 * semantics, docs/mlflow-formats.md §1.9). Every edit returns a new record and leaves its input alone,
 * so the store can apply it inside a transaction and keep the old one if the write fails.
 *
 * Records reuse the bundle types (src/lib/mlflow/bundle.ts), so export writes them as they are.
 * Deleted versions are dropped from `versions`, but their numbers are never given out again
 * (MLflow keeps them as `Deleted_Internal` and counts them), hence `nextVersion`.
 */
import type { ModelVersion, RegisteredModel } from '../mlflow/bundle';
import { dictDelete, dictFrom, dictGet, dictSet, newDict, type Dict } from '../util/dict';
import { invalid, notFound } from '../util/errors';
import { formatRunsUri, parseModelUri, parseRunsUri, type ModelUri } from './uri';
import {
  ACTIVE_STAGES, canonicalStage, validateAliasName, validateAliasNotReserved, validateModelName, validateRegistryTag,
  validateVersion, type Stage,
} from './validate';

export interface StoredRegisteredModel extends RegisteredModel {
  /** The number the next version gets: one more than any version ever created. */
  nextVersion: number;
}

export interface NewModelOptions {
  description?: string | null;
  tags?: Dict<string>;
}

export interface NewVersionOptions {
  /** `runs:/<run>/<path>` for a run's model, or any artifact URI. */
  source: string;
  runId?: string | null;
  runLink?: string | null;
  description?: string | null;
  userId?: string | null;
  tags?: Dict<string>;
  modelId?: string | null;
  /** Where the files are; by default the source. */
  storageLocation?: string | null;
}

function checkTags(tags: Dict<string> | undefined): Dict<string> {
  const out = newDict<string>();
  for (const k of Object.keys(tags ?? {})) {
    const v = dictGet(tags!, k);
    validateRegistryTag(k, v);
    dictSet(out, k, v!);
  }
  return out;
}

function copyModel(m: StoredRegisteredModel): StoredRegisteredModel {
  return {
    ...m,
    tags: dictFrom(Object.entries(m.tags)),
    aliases: dictFrom(Object.entries(m.aliases)),
    versions: m.versions.map((v) => ({ ...v, tags: dictFrom(Object.entries(v.tags)) })),
  };
}

export function newRegisteredModel(name: string, now: number, o: NewModelOptions = {}): StoredRegisteredModel {
  return {
    name: validateModelName(name),
    creationTimestamp: now,
    lastUpdatedTimestamp: now,
    description: o.description ?? null,
    tags: checkTags(o.tags),
    aliases: newDict<number>(),
    versions: [],
    nextVersion: 1,
  };
}

export function getVersion(m: RegisteredModel, version: unknown): ModelVersion {
  const n = validateVersion(version);
  const v = m.versions.find((x) => x.version === n);
  if (!v) throw notFound(`Model Version (name=${m.name}, version=${n}) not found`);
  return v;
}

/** Aliases pointing at a version, sorted (MLflow lists them on the version). */
export function aliasesOf(m: RegisteredModel, version: number): string[] {
  return Object.keys(m.aliases).filter((a) => dictGet(m.aliases, a) === version).sort();
}

export function createVersion(m: StoredRegisteredModel, o: NewVersionOptions, now: number): [StoredRegisteredModel, ModelVersion] {
  if (typeof o.source !== 'string' || o.source === '') throw invalid("Missing value for required parameter 'source'.");
  let runId = o.runId ?? null;
  if (/^runs:/i.test(o.source)) {
    const parsed = parseRunsUri(o.source);
    if (runId && runId !== parsed.runId) throw invalid(`The source ${o.source} names run ${parsed.runId}, not run ${runId}.`);
    runId = parsed.runId;
  }
  const next = copyModel(m);
  const v: ModelVersion = {
    version: m.nextVersion,
    creationTimestamp: now,
    lastUpdatedTimestamp: now,
    description: o.description ?? null,
    userId: o.userId ?? null,
    currentStage: 'None',
    source: o.source,
    runId,
    runLink: o.runLink ?? null,
    status: 'READY',
    statusMessage: null,
    modelId: o.modelId ?? null,
    storageLocation: o.storageLocation ?? o.source,
    tags: checkTags(o.tags),
  };
  next.versions.push(v);
  next.nextVersion = m.nextVersion + 1;
  next.lastUpdatedTimestamp = now;
  return [next, v];
}

/** The source MLflow records for a run's model directory. */
export function runModelSource(runId: string, artifactPath = 'model'): string {
  return formatRunsUri(runId, artifactPath);
}

export function setAlias(m: StoredRegisteredModel, alias: string, version: unknown, now: number): StoredRegisteredModel {
  validateAliasName(alias);
  validateAliasNotReserved(alias);
  const v = getVersion(m, version);
  const next = copyModel(m);
  dictSet(next.aliases, alias, v.version);
  next.lastUpdatedTimestamp = now;
  return next;
}

/** Deleting an alias that does not exist is not an error (as in MLflow). */
export function deleteAlias(m: StoredRegisteredModel, alias: string, now: number): StoredRegisteredModel {
  validateAliasName(alias);
  if (dictGet(m.aliases, alias) === undefined) return m;
  const next = copyModel(m);
  dictDelete(next.aliases, alias);
  next.lastUpdatedTimestamp = now;
  return next;
}

/** The version an alias names; `latest` (any case) is the highest live version. */
export function versionByAlias(m: RegisteredModel, alias: string): ModelVersion {
  if (alias.toLowerCase() === 'latest') {
    const latest = latestVersion(m);
    if (!latest) throw notFound(`No versions of model with name '${m.name}' found`);
    return latest;
  }
  const n = dictGet(m.aliases, alias);
  if (n === undefined) throw invalid(`Registered model alias ${alias} not found.`);
  return getVersion(m, n);
}

export function latestVersion(m: RegisteredModel, stage?: Stage): ModelVersion | undefined {
  let best: ModelVersion | undefined;
  for (const v of m.versions) if ((stage === undefined || v.currentStage === stage) && (!best || v.version > best.version)) best = v;
  return best;
}

/** MLflow's get_latest_versions: the highest version of each requested stage (all stages by default). */
export function latestVersions(m: RegisteredModel, stages?: readonly string[]): ModelVersion[] {
  const wanted = stages && stages.length > 0 ? [...new Set(stages.map(canonicalStage))] : (['None', 'Staging', 'Production', 'Archived'] as Stage[]);
  return wanted.map((s) => latestVersion(m, s)).filter((v): v is ModelVersion => v !== undefined);
}

function editVersion(m: StoredRegisteredModel, version: unknown, now: number, edit: (v: ModelVersion) => void): [StoredRegisteredModel, ModelVersion] {
  const n = getVersion(m, version).version;
  const next = copyModel(m);
  const v = next.versions.find((x) => x.version === n)!;
  edit(v);
  v.lastUpdatedTimestamp = now;
  next.lastUpdatedTimestamp = now;
  return [next, v];
}

export function transitionStage(m: StoredRegisteredModel, version: unknown, stage: string, archiveExisting: boolean, now: number): [StoredRegisteredModel, ModelVersion] {
  const target = canonicalStage(stage);
  if (archiveExisting && !ACTIVE_STAGES.includes(target)) {
    throw invalid(`Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${ACTIVE_STAGES.join(', ')}`);
  }
  const [next, v] = editVersion(m, version, now, (x) => { x.currentStage = target; });
  if (archiveExisting) {
    for (const other of next.versions) {
      if (other.version !== v.version && other.currentStage === target) {
        other.currentStage = 'Archived';
        other.lastUpdatedTimestamp = now;
      }
    }
  }
  return [next, v];
}

export function updateVersionDescription(m: StoredRegisteredModel, version: unknown, description: string, now: number): [StoredRegisteredModel, ModelVersion] {
  return editVersion(m, version, now, (v) => { v.description = description; });
}

export function setVersionTag(m: StoredRegisteredModel, version: unknown, key: string, value: string, now: number): StoredRegisteredModel {
  validateRegistryTag(key, value);
  return editVersion(m, version, now, (v) => dictSet(v.tags, key, value))[0];
}

export function deleteVersionTag(m: StoredRegisteredModel, version: unknown, key: string, now: number): StoredRegisteredModel {
  if (dictGet(getVersion(m, version).tags, key) === undefined) {
    throw notFound(`No tag with name: ${key} for model ${m.name} version ${String(version)}.`);
  }
  return editVersion(m, version, now, (v) => dictDelete(v.tags, key))[0];
}

/** Removes a version and every alias that pointed at it; its number stays used. */
export function deleteVersion(m: StoredRegisteredModel, version: unknown, now: number): StoredRegisteredModel {
  const n = getVersion(m, version).version;
  const next = copyModel(m);
  next.versions = next.versions.filter((v) => v.version !== n);
  for (const a of aliasesOf(next, n)) dictDelete(next.aliases, a);
  next.lastUpdatedTimestamp = now;
  return next;
}

export function updateModelDescription(m: StoredRegisteredModel, description: string, now: number): StoredRegisteredModel {
  const next = copyModel(m);
  next.description = description;
  next.lastUpdatedTimestamp = now;
  return next;
}

export function setModelTag(m: StoredRegisteredModel, key: string, value: string, now: number): StoredRegisteredModel {
  validateRegistryTag(key, value);
  const next = copyModel(m);
  dictSet(next.tags, key, value);
  next.lastUpdatedTimestamp = now;
  return next;
}

export function deleteModelTag(m: StoredRegisteredModel, key: string, now: number): StoredRegisteredModel {
  if (dictGet(m.tags, key) === undefined) throw notFound(`No tag with name: ${key} for registered model ${m.name}.`);
  const next = copyModel(m);
  dictDelete(next.tags, key);
  next.lastUpdatedTimestamp = now;
  return next;
}

/** The same model under a new name: versions follow, keeping their numbers, stages and aliases. */
export function renameModel(m: StoredRegisteredModel, newName: string, now: number): StoredRegisteredModel {
  validateModelName(newName, 'new_name');
  const next = copyModel(m);
  next.name = newName;
  next.lastUpdatedTimestamp = now;
  for (const v of next.versions) v.lastUpdatedTimestamp = now;
  return next;
}

/** The version a parsed models:/ URI names in this model (`modelId` URIs name no registered model). */
export function resolveInModel(m: RegisteredModel, uri: ModelUri): ModelVersion {
  switch (uri.kind) {
    case 'version': return getVersion(m, uri.version);
    case 'alias': return versionByAlias(m, uri.alias);
    case 'latest': case 'stage': {
      const stage = uri.kind === 'stage' ? canonicalStage(uri.stage) : undefined;
      const v = latestVersion(m, stage);
      if (!v) throw notFound(`No versions of model with name '${m.name}'${stage ? ` and stage '${stage}'` : ''} found`);
      return v;
    }
    case 'modelId': throw invalid(`models:/${uri.modelId} names a logged model, not a registered model version.`);
  }
}

/** Name of the registered model a models:/ URI refers to, or null for a logged-model URI. */
export function modelNameOf(uri: string): string | null {
  const u = parseModelUri(uri);
  return u.kind === 'modelId' ? null : u.name;
}

/** Where a version's files are: run and run-relative path when its source (or storage location) is a runs:/ URI. */
export function versionArtifacts(v: ModelVersion): { runId: string; artifactPath: string } | null {
  for (const uri of [v.source, v.storageLocation]) if (uri && /^runs:/i.test(uri)) return parseRunsUri(uri);
  return null;
}

/**
 * A registered model from an imported bundle (an mlruns tree): versions MLflow deleted
 * (`Deleted_Internal`) are dropped but still count for numbering, stages become canonical, and
 * aliases that point at no live version are dropped (MLflow would fail to resolve them).
 */
export function storedFromBundle(m: RegisteredModel): StoredRegisteredModel {
  validateModelName(m.name);
  const maxVersion = m.versions.reduce((x, v) => Math.max(x, v.version), 0);
  const versions = m.versions
    .filter((v) => v.currentStage !== 'Deleted_Internal')
    .map((v) => ({ ...v, currentStage: STAGE_OF.get(v.currentStage.toLowerCase()) ?? 'None', tags: dictFrom(Object.entries(v.tags)) }))
    .sort((a, b) => a.version - b.version);
  const live = new Set(versions.map((v) => v.version));
  const aliases = newDict<number>();
  for (const a of Object.keys(m.aliases)) {
    const n = dictGet(m.aliases, a)!;
    if (live.has(n)) dictSet(aliases, a, n);
  }
  return { ...m, tags: dictFrom(Object.entries(m.tags)), aliases, versions, nextVersion: maxVersion + 1 };
}

const STAGE_OF = new Map<string, Stage>([['none', 'None'], ['staging', 'Staging'], ['production', 'Production'], ['archived', 'Archived']]);

/** The bundle form (what the mlruns writer takes): the record without our bookkeeping. */
export function toBundleModel(m: StoredRegisteredModel): RegisteredModel {
  const { nextVersion: _next, ...rest } = m;
  return rest;
}
