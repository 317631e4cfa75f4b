/**
 * The tracking domain, with MLflow's semantics (docs/mlflow-formats.md §1). Field names are
 * camelCase here; the MLflow file/REST formats are produced by src/lib/mlflow.
 * All records are plain structured-cloneable data: they cross comlink and IndexedDB as is.
 */
import type { Dict } from '../util/dict';

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** MLflow's numeric status codes, as written in the file store's run meta.yaml. */
export const RUN_STATUS_CODE: Record<RunStatus, number> = {
  RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5,
};
export type LifecycleStage = 'active' | 'deleted';
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export const DEFAULT_EXPERIMENT_ID = '0';

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Dict<string>;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  deletedTime: number | null;
  artifactUri: string;
}

/** Per-key summary kept on the run so tables never read histories. */
export interface MetricSummary {
  /** Value of the point with the largest (step, timestamp, value), as MLflow's "latest". */
  latest: number;
  step: number;
  timestamp: number;
  min: number;
  max: number;
  count: number;
  /**
   * Sum of the non-NaN values and how many values were NaN (absent = 0), kept as points are
   * logged so a table can show the mean without reading histories. Absent on summaries written
   * before they were kept (then the mean is known only when min, max and count imply it).
   */
  sum?: number;
  nans?: number;
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** A metric history as columns; index i of each array is one point. */
export interface MetricColumns {
  key: string;
  values: Float64Array;
  steps: Float64Array;
  timestamps: Float64Array;
}

export interface Dataset {
  name: string;
  digest: string;
  /** `local`, `http`, `code`, ... */
  sourceType: string;
  /** JSON text, e.g. `{"url": "..."}`. */
  source: string;
  /** JSON text `{"mlflow_colspec": [...]}` or null. */
  schema: string | null;
  /** JSON text `{"num_rows": N, ...}` or null. */
  profile: string | null;
}

export interface DatasetInput {
  dataset: Dataset;
  /** Normally `{ "mlflow.data.context": "training" | "evaluation" | ... }`. */
  tags: Dict<string>;
}

/** A run as stored and listed: info plus everything a table or a filter needs. */
export interface Run {
  info: RunInfo;
  params: Dict<string>;
  tags: Dict<string>;
  metrics: Dict<MetricSummary>;
  inputs: DatasetInput[];
}

export interface ArtifactInfo {
  path: string;
  isDir: boolean;
  /** Bytes; 0 for directories. */
  size: number;
  contentType?: string;
}

export interface SearchRunsRequest {
  experimentIds: string[];
  filter?: string;
  runViewType?: ViewType;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface SearchRunsResult {
  runs: Run[];
  nextPageToken?: string;
}

export interface CreateRunRequest {
  experimentId: string;
  runName?: string;
  startTime?: number;
  userId?: string;
  tags?: Dict<string>;
  /** Makes this a nested run (tag `mlflow.parentRunId`). */
  parentRunId?: string;
  /**
   * Name of the Web Lock whose holder owns this RUNNING run. A run whose lock is free when
   * the lab opens was orphaned by a closed or crashed tab and is marked KILLED.
   */
  ownerLock?: string;
  /** Dataset inputs the run starts with: as logInputs right after, in the run's own transaction. */
  inputs?: DatasetInput[];
}

export interface LogBatchRequest {
  metrics?: MetricColumns[];
  params?: { key: string; value: string }[];
  tags?: { key: string; value: string }[];
}
