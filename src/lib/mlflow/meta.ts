/**
 * meta.yaml records of the file store: experiments (§1.2), runs (§1.3), datasets and run
 * inputs (§1.7), run outputs and logged models (§1.8). Encoders return YAML-ready maps;
 * decoders validate types and throw FormatError naming the file and field.
 */
import { RUN_STATUSES, RUN_STATUS_CODE, type Dataset, type Experiment, type LifecycleStage, type RunInfo, type RunStatus } from '../tracking/types';
import { dictFrom, dictGet, dictSet, newDict, type Dict } from '../util/dict';
import { LOGGED_MODEL_STATUSES, type LoggedModel } from './bundle';
import { FormatError } from './errors';
import { Fields, type YamlMap } from './fields';
import type { YamlValue } from './yaml';

const STAGES: readonly LifecycleStage[] = ['active', 'deleted'];

export function encodeExperimentMeta(e: Experiment, artifactLocation: string): YamlMap {
  return {
    artifact_location: artifactLocation,
    creation_time: e.creationTime,
    experiment_id: e.experimentId,
    last_update_time: e.lastUpdateTime,
    lifecycle_stage: e.lifecycleStage,
    name: e.name,
  };
}

/** Experiment meta; tags are read separately from `tags/`. */
export function decodeExperimentMeta(file: string, v: YamlValue): Omit<Experiment, 'tags'> {
  const f = Fields.of(file, v);
  return {
    experimentId: f.id('experiment_id'),
    name: f.string('name'),
    artifactLocation: (f.has('artifact_location') ? f.optString('artifact_location', '') : f.missing('artifact_location')) ?? '',
    lifecycleStage: f.oneOf('lifecycle_stage', STAGES),
    creationTime: f.optInt('creation_time', 0) ?? 0,
    lastUpdateTime: f.optInt('last_update_time', 0) ?? 0,
  };
}

export function encodeRunMeta(r: RunInfo, artifactUri: string): YamlMap {
  return {
    artifact_uri: artifactUri,
    deleted_time: r.deletedTime,
    end_time: r.endTime,
    entry_point_name: '',
    experiment_id: r.experimentId,
    lifecycle_stage: r.lifecycleStage,
    run_id: r.runId,
    run_name: r.runName,
    run_uuid: r.runId, // MLflow 2.x readers require run_uuid; 3.x ignores it
    source_name: '',
    source_type: 4,
    source_version: '',
    start_time: r.startTime,
    status: RUN_STATUS_CODE[r.status],
    tags: [],
    user_id: r.userId,
  };
}

/**
 * Run meta as MLflow 3 reads it: run_id, start_time, user_id and the end_time key are required;
 * status defaults to RUNNING but must not be null. `runName` falls back to '' (the caller
 * uses the mlflow.runName tag then, as MLflow does).
 */
export function decodeRunMeta(file: string, v: YamlValue): RunInfo {
  const f = Fields.of(file, v);
  const runId = f.has('run_id') ? f.string('run_id') : f.has('run_uuid') ? f.string('run_uuid') : f.missing('run_id');
  let status: RunStatus = 'RUNNING';
  if (f.has('status')) {
    const s = f.raw('status');
    const byCode = RUN_STATUSES.find((x) => RUN_STATUS_CODE[x] === s);
    const byName = RUN_STATUSES.find((x) => x === s);
    if (!byCode && !byName) f.fail('status', 'a run status code 1-5', s);
    status = (byCode ?? byName)!;
  }
  const userId = f.string('user_id');
  return {
    runId,
    experimentId: f.id('experiment_id'),
    runName: f.optString('run_name', '') ?? '',
    userId,
    status,
    startTime: f.int('start_time'),
    endTime: f.nullableInt('end_time'),
    lifecycleStage: f.oneOf('lifecycle_stage', STAGES, 'active'),
    deletedTime: f.optInt('deleted_time'),
    artifactUri: f.optString('artifact_uri', '') ?? '',
  };
}

export function encodeDatasetMeta(d: Dataset): YamlMap {
  return { digest: d.digest, name: d.name, profile: d.profile, schema: d.schema, source: d.source, source_type: d.sourceType };
}

export function decodeDatasetMeta(file: string, v: YamlValue): Dataset {
  const f = Fields.of(file, v);
  return {
    name: f.string('name'),
    digest: f.string('digest'),
    sourceType: f.string('source_type'),
    source: f.string('source'),
    schema: f.optString('schema'),
    profile: f.optString('profile'),
  };
}

export interface InputRecord {
  sourceType: 'DATASET' | 'MODEL';
  sourceId: string;
  destinationId: string;
  tags: Dict<string>;
}

export function encodeInputMeta(dsId: string, tags: Dict<string>): YamlMap {
  // MLflow writes the dataset id as destination_id too (§1.7); we do the same.
  return { destination_id: dsId, destination_type: 'RUN', source_id: dsId, source_type: 'DATASET', tags: stringMap(tags) };
}

function stringMap(d: Dict<string>): YamlMap {
  return dictFrom(Object.keys(d).map((k) => [k, dictGet(d, k)!] as const)) as YamlMap;
}

export function decodeInputMeta(file: string, v: YamlValue): InputRecord {
  const f = Fields.of(file, v);
  const tags = newDict<string>();
  const raw = f.optMap('tags') ?? {};
  for (const k of Object.keys(raw)) {
    const t = dictGet(raw, k);
    if (typeof t !== 'string') f.fail(`tags.${k}`, 'a string', t);
    dictSet(tags, k, t);
  }
  return {
    sourceType: f.oneOf('source_type', ['DATASET', 'MODEL'] as const),
    sourceId: f.string('source_id'),
    destinationId: f.optString('destination_id', '') ?? '',
    tags,
  };
}

export function encodeOutputMeta(modelId: string, step: number): YamlMap {
  return { destination_id: modelId, destination_type: 'MODEL_OUTPUT', source_id: modelId, source_type: 'RUN_OUTPUT', step, tags: {} };
}

/** Returns null for outputs that are not model outputs (MLflow skips them). */
export function decodeOutputMeta(file: string, v: YamlValue): { modelId: string; step: number } | null {
  const f = Fields.of(file, v);
  if (f.string('destination_type') !== 'MODEL_OUTPUT') return null;
  return { modelId: f.string('destination_id'), step: f.optInt('step', 0) ?? 0 };
}

export function encodeLoggedModelMeta(m: LoggedModel, artifactLocation: string): YamlMap {
  return {
    artifact_location: artifactLocation,
    creation_timestamp: m.creationTimestamp,
    experiment_id: m.experimentId,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    lifecycle_stage: m.lifecycleStage,
    model_id: m.modelId,
    model_type: m.modelType,
    name: m.name,
    source_run_id: m.sourceRunId,
    status: LOGGED_MODEL_STATUSES.indexOf(m.status),
    status_message: m.statusMessage,
  };
}

export function decodeLoggedModelMeta(file: string, v: YamlValue): Omit<LoggedModel, 'params' | 'tags' | 'metrics'> {
  const f = Fields.of(file, v);
  const s = f.raw('status');
  let status: LoggedModel['status'] = 'UNSPECIFIED';
  if (typeof s === 'number' && LOGGED_MODEL_STATUSES[s]) status = LOGGED_MODEL_STATUSES[s];
  else if (typeof s === 'string' && (LOGGED_MODEL_STATUSES as readonly string[]).includes(s)) status = s as LoggedModel['status'];
  else if (s !== undefined && s !== null) f.fail('status', 'a logged model status 0-3', s);
  return {
    modelId: f.string('model_id'),
    experimentId: f.id('experiment_id'),
    name: f.string('name'),
    artifactLocation: f.string('artifact_location'),
    creationTimestamp: f.int('creation_timestamp'),
    lastUpdatedTimestamp: f.int('last_updated_timestamp'),
    lifecycleStage: f.oneOf('lifecycle_stage', STAGES, 'active'),
    modelType: f.optString('model_type'),
    sourceRunId: f.optString('source_run_id'),
    status,
    statusMessage: f.optString('status_message'),
  };
}

export { FormatError };
