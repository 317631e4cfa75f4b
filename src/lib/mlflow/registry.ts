/**
 * Model registry records of the file store, `mlruns/models/<name>/` (docs/mlflow-formats.md §1.9).
 * Tags and aliases live in files next to meta.yaml; the tree reader/writer handles those.
 */
import type { ModelVersion, RegisteredModel } from './bundle';
import { Fields, type YamlMap } from './fields';
import type { YamlValue } from './yaml';

export const REGISTERED_MODEL_NAME_BAD = /[/%:]/;
export const ALIAS_RE = /^[\w-]{1,255}$/;

export function encodeRegisteredModelMeta(m: RegisteredModel): YamlMap {
  return {
    creation_timestamp: m.creationTimestamp,
    description: m.description,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    name: m.name,
  };
}

export function decodeRegisteredModelMeta(file: string, v: YamlValue): Omit<RegisteredModel, 'tags' | 'aliases' | 'versions'> {
  const f = Fields.of(file, v);
  return {
    name: f.string('name'),
    creationTimestamp: f.int('creation_timestamp'),
    lastUpdatedTimestamp: f.optInt('last_updated_timestamp', 0) ?? 0,
    description: f.optString('description'),
  };
}

export function encodeModelVersionMeta(name: string, v: ModelVersion): YamlMap {
  return {
    creation_timestamp: v.creationTimestamp,
    current_stage: v.currentStage,
    description: v.description,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    model_id: v.modelId,
    name,
    run_id: v.runId,
    run_link: v.runLink,
    source: v.source,
    status: v.status,
    status_message: v.statusMessage,
    storage_location: v.storageLocation,
    user_id: v.userId,
    version: v.version,
  };
}

export function decodeModelVersionMeta(file: string, v: YamlValue): Omit<ModelVersion, 'tags'> {
  const f = Fields.of(file, v);
  const raw = f.raw('version');
  const version = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : f.int('version');
  return {
    version,
    creationTimestamp: f.int('creation_timestamp'),
    lastUpdatedTimestamp: f.optInt('last_updated_timestamp', 0) ?? 0,
    description: f.optString('description'),
    userId: f.optString('user_id'),
    currentStage: f.optString('current_stage', 'None') ?? 'None',
    source: f.optString('source', '') ?? '',
    runId: f.optString('run_id'),
    runLink: f.optString('run_link'),
    status: f.optString('status', 'READY') ?? 'READY',
    statusMessage: f.optString('status_message'),
    modelId: f.optString('model_id'),
    storageLocation: f.optString('storage_location'),
  };
}
