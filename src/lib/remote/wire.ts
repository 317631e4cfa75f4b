/**
 * MLflow REST 2.0 JSON shapes and their conversion to and from the lab's records. Doubles travel
 * as JSON numbers (shortest round-trip text, so bit for bit), non-finite ones as "NaN",
 * "Infinity", "-Infinity" as protobuf's JSON mapping spells them; int64 fields may come back as
 * numbers or strings.
 */
import type { DatasetInput, Experiment, MetricSummary, Run, RunStatus } from '../tracking/types';
import { RUN_STATUSES } from '../tracking/types';
import { dictFrom, newDict, dictSet, type Dict } from '../util/dict';

export interface KV { key: string; value: string }
export interface WireMetric { key: string; value: number | string; timestamp: number | string; step?: number | string; model_id?: string; run_id?: string }

export interface WireExperiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  creation_time?: number | string;
  last_update_time?: number | string;
  tags?: KV[];
}

export interface WireDataset {
  name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string;
}
export interface WireDatasetInput { tags?: KV[]; dataset: WireDataset }

export interface WireRun {
  info: {
    run_id: string; experiment_id: string; run_name?: string; user_id?: string; status?: string;
    start_time?: number | string; end_time?: number | string; artifact_uri?: string; lifecycle_stage?: string;
  };
  data?: { metrics?: WireMetric[]; params?: KV[]; tags?: KV[] };
  inputs?: { dataset_inputs?: WireDatasetInput[] };
}

export const num = (v: number | string | undefined | null): number => {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number(v);
};

/** A double as MLflow's JSON parser takes it. */
export const wireValue = (v: number): number | string =>
  Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';

export const kvDict = (list: readonly KV[] | undefined): Dict<string> =>
  dictFrom((list ?? []).map((t) => [t.key, t.value ?? ''] as const));

export const dictKv = (d: Dict<string>): KV[] => Object.keys(d).map((key) => ({ key, value: d[key] }));

export function experimentFromWire(e: WireExperiment): Experiment {
  return {
    experimentId: String(e.experiment_id),
    name: e.name,
    artifactLocation: `mlflow-artifacts:/${e.experiment_id}`,
    lifecycleStage: e.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    creationTime: num(e.creation_time),
    lastUpdateTime: num(e.last_update_time ?? e.creation_time),
    tags: kvDict(e.tags),
  };
}

export function datasetInputToWire(d: DatasetInput): WireDatasetInput {
  const ds = d.dataset;
  const out: WireDataset = { name: ds.name, digest: ds.digest, source_type: ds.sourceType, source: ds.source };
  if (ds.schema !== null) out.schema = ds.schema;
  if (ds.profile !== null) out.profile = ds.profile;
  return { tags: dictKv(d.tags), dataset: out };
}

export function datasetInputFromWire(d: WireDatasetInput): DatasetInput {
  const ds = d.dataset;
  return {
    dataset: { name: ds.name, digest: ds.digest, sourceType: ds.source_type, source: ds.source, schema: ds.schema ?? null, profile: ds.profile ?? null },
    tags: kvDict(d.tags),
  };
}

export const inputKey = (d: { dataset: { name: string; digest: string } }, context = '') => `${d.dataset.name}\u0000${d.dataset.digest}\u0000${context}`;

/** A server run as a lab run record (metric summaries are filled in from the histories later). */
export function runFromWire(w: WireRun): Run {
  const i = w.info;
  const status = (RUN_STATUSES as readonly string[]).includes(i.status ?? '') ? (i.status as RunStatus) : 'FINISHED';
  const end = i.end_time === undefined || i.end_time === null ? null : num(i.end_time);
  return {
    info: {
      runId: i.run_id,
      experimentId: String(i.experiment_id),
      runName: i.run_name ?? '',
      userId: i.user_id ?? '',
      status,
      startTime: num(i.start_time),
      endTime: end,
      lifecycleStage: i.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      deletedTime: null,
      artifactUri: `mlflow-artifacts:/${i.experiment_id}/${i.run_id}/artifacts`,
    },
    params: kvDict(w.data?.params),
    tags: kvDict(w.data?.tags),
    metrics: newDict<MetricSummary>(),
    inputs: (w.inputs?.dataset_inputs ?? []).map(datasetInputFromWire),
  };
}

/** The latest point of each key the server reports (`run.data.metrics`). */
export function latestMetrics(w: WireRun): Dict<{ value: number; step: number; timestamp: number }> {
  const out = newDict<{ value: number; step: number; timestamp: number }>();
  for (const m of w.data?.metrics ?? []) dictSet(out, m.key, { value: num(m.value), step: num(m.step), timestamp: num(m.timestamp) });
  return out;
}
