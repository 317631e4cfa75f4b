/**
 * The tracking backend: everything the fluent API and the UI need from storage.
 * Every method is async and takes and returns structured-cloneable data, so the same
 * interface is served directly in the page and through comlink to workers
 * (the page owns the only IndexedDB connection; workers call it through a MessagePort).
 */
import type {
  ArtifactInfo, CreateRunRequest, DatasetInput, Experiment, LogBatchRequest, MetricColumns,
  Run, RunInfo, RunStatus, SearchRunsRequest, SearchRunsResult, ViewType,
} from './types';

export interface RunUpdate {
  status?: RunStatus;
  endTime?: number | null;
  runName?: string;
  tags?: { key: string; value: string }[];
}

export interface TrackingBackend {
  // Experiments
  createExperiment(name: string, tags?: Record<string, string>): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment | null>;
  listExperiments(viewType?: ViewType): Promise<Experiment[]>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;

  // Runs
  createRun(req: CreateRunRequest): Promise<RunInfo>;
  /** `tags`: set in the same transaction (a run's last tags and its end, one write). */
  updateRun(runId: string, update: RunUpdate): Promise<RunInfo>;
  getRun(runId: string): Promise<Run>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  /** Params, tags and metric columns in one transaction; all or nothing. */
  logBatch(runId: string, batch: LogBatchRequest): Promise<void>;
  /**
   * Any number of params in one transaction (the fluent logParams's bulk path, linear in the
   * keys; MLflow's 100-per-LogBatch cap would make a run re-written once per 100 keys).
   * Optional: without it the fluent API falls back to batches of 100.
   */
  logParamList?(runId: string, params: { key: string; value: string }[]): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logInputs(runId: string, inputs: DatasetInput[]): Promise<void>;
  getMetricHistory(runId: string, key: string): Promise<MetricColumns>;
  searchRuns(req: SearchRunsRequest): Promise<SearchRunsResult>;

  // Artifacts (a file tree per run)
  logArtifact(runId: string, path: string, bytes: ArrayBuffer | Uint8Array, contentType?: string): Promise<void>;
  /** Several files in one transaction, all or none. Optional: without it callers write them one by one. */
  logArtifacts?(runId: string, files: readonly { path: string; bytes: ArrayBuffer | Uint8Array; contentType?: string }[]): Promise<void>;
  listArtifacts(runId: string, dir?: string): Promise<ArtifactInfo[]>;
  readArtifact(runId: string, path: string): Promise<Uint8Array>;
}
