/**
 * The data an MLflow export/import carries: what `writeMlrunsTree` turns into an mlruns tree
 * and `readMlrunsTree` rebuilds from one (docs/mlflow-formats.md §1). Plain structured-cloneable data.
 */
import type { Dict } from '../util/dict';
import type { ZipData } from '../archive/zip-write';
import type { Experiment, MetricColumns, Run } from '../tracking/types';

export interface BundleArtifact {
  /** Relative to the run's (or logged model's) artifact root, `/`-separated. */
  path: string;
  bytes: Uint8Array;
  contentType?: string;
}

export const LOGGED_MODEL_STATUSES = ['UNSPECIFIED', 'PENDING', 'READY', 'FAILED'] as const;
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number];

export interface ModelMetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  runId: string;
  datasetName?: string;
  datasetDigest?: string;
}

/** An MLflow 3 logged model: `<exp>/models/<model_id>/` (§1.8). */
export interface LoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  artifactLocation: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  lifecycleStage: 'active' | 'deleted';
  modelType: string | null;
  sourceRunId: string | null;
  status: LoggedModelStatus;
  statusMessage: string | null;
  params: Dict<string>;
  tags: Dict<string>;
  metrics: ModelMetricPoint[];
}

export interface BundleLoggedModel {
  model: LoggedModel;
  artifacts: BundleArtifact[];
}

/** Run → logged model link, `<run>/outputs/<model_id>/meta.yaml`. */
export interface RunOutput {
  modelId: string;
  step: number;
}

/**
 * A run metric file already written (encodeRunMetricBytes), so big exports can encode as runs
 * arrive; a streamed export keeps it deflated (PackedFile) rather than as its bytes.
 */
export interface EncodedMetricFile {
  key: string;
  bytes: ZipData;
}

export interface BundleRun {
  run: Run;
  /** Full histories, one per key, points in logging order. */
  metrics: MetricColumns[];
  /** Histories already encoded as metric files; written as they are (keys must not repeat `metrics`). */
  metricFiles?: EncodedMetricFile[];
  artifacts: BundleArtifact[];
  /** Logged models this run produced (MLflow 3). */
  outputs?: RunOutput[];
}

export interface ModelVersion {
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  userId: string | null;
  currentStage: string;
  source: string;
  runId: string | null;
  runLink: string | null;
  status: string;
  statusMessage: string | null;
  modelId: string | null;
  storageLocation: string | null;
  tags: Dict<string>;
}

/** A registry entry, `mlruns/models/<name>/` (§1.9). */
export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  tags: Dict<string>;
  /** alias → version number */
  aliases: Dict<number>;
  versions: ModelVersion[];
}

export interface MlflowBundle {
  experiments: Experiment[];
  runs: BundleRun[];
  loggedModels: BundleLoggedModel[];
  registeredModels: RegisteredModel[];
}
