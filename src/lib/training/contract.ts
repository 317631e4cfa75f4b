/**
 * The contract between the page and the training workers. Everything here crosses comlink,
 * so every value is structured-cloneable data (no classes, no functions except on the
 * proxied logger port).
 *
 * Storage stays on the page: a worker never opens IndexedDB. It reports what it logs through
 * a `RunLoggerPort` (a comlink proxy of a page object), in batches.
 */
import type { LogBatchRequest } from '../tracking/types';

export const MODEL_KINDS = ['elasticnet', 'linear', 'logistic', 'mlp'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export type Task = 'regression' | 'classification';
export type ShuffleMode = 'numpy' | 'none';
export type TfBackend = 'wasm' | 'cpu';
export type HyperValue = string | number | boolean;

export interface SplitSpec {
  /** Fraction of rows held out for the test metrics, in (0, 1). Default 0.25 (sklearn's). */
  testSize?: number;
  /**
   * Seed of numpy's legacy MT19937. Default 40, as MLflow's wine tutorial
   * (`np.random.seed(40)` then `train_test_split`), so the tutorial's numbers come out exactly.
   */
  seed?: number;
  /** `numpy`: the permutation `train_test_split` draws; `none`: the last rows are the test set. */
  shuffle?: ShuffleMode;
}

export interface TrainSpec {
  model: ModelKind;
  /** Defaults: `logistic` ⇒ classification; other models ⇒ regression. */
  task?: Task;
  target: string;
  /** Default: every numeric column except the target, in table order. */
  features?: string[];
  /** Model hyperparameters (see `paramSchema(model)`); missing ones take their defaults. */
  params?: Record<string, HyperValue>;
  split?: SplitSpec;
  /**
   * Standardise features with the training split's mean and population std (StandardScaler).
   * Default: false for the elastic net (the tutorial does not scale), true for TF.js models.
   */
  standardize?: boolean;
  /** TF.js backend; ignored by the elastic net. Default wasm (SIMD), falling back to cpu. */
  backend?: TfBackend;
}

/** A spec with every default filled in; what trainers actually run. */
export interface ResolvedTrainSpec {
  model: ModelKind;
  task: Task;
  target: string;
  features: string[];
  params: Record<string, HyperValue>;
  split: Required<SplitSpec>;
  standardize: boolean;
  backend: TfBackend;
}

export type TrainStatus = 'FINISHED' | 'KILLED' | 'FAILED';

export interface TrainResult {
  status: TrainStatus;
  /** Final metrics (test metrics and the like), as logged. */
  metrics: Record<string, number>;
  error?: string;
  /** TF.js models: epochs completed (also when KILLED). */
  epochsDone?: number;
  durationMs?: number;
}

/** Live progress for the UI; sent at most every flush interval and at phase changes. */
export interface TrainProgress {
  jobId: string;
  phase: 'loading' | 'preparing' | 'training' | 'evaluating' | 'saving' | 'done';
  /** Iterations (elastic net) or epochs (TF.js) done so far, and the planned total. */
  step: number;
  total: number;
  message?: string;
}

/**
 * What the worker calls on the page, via `Comlink.proxy(port)`. It maps one to one onto the
 * tracking backend: `logBatch` → `TrackingBackend.logBatch(runId, batch)` (params and tags as
 * strings, metric histories as Float64Array columns), `logArtifact` →
 * `TrackingBackend.logArtifact(runId, path, bytes)`. Metrics arrive at most every 250 ms and
 * once more before `train` resolves; artifact and metric buffers are transferred, not copied.
 */
export interface RunLoggerPort {
  logBatch(batch: LogBatchRequest): Promise<void>;
  logArtifact(path: string, bytes: Uint8Array, contentType?: string): Promise<void>;
  /** Several files in one message and one transaction, all or none (a model folder). Optional. */
  logArtifacts?(files: { path: string; bytes: Uint8Array; contentType?: string }[]): Promise<void>;
  progress(update: TrainProgress): Promise<void> | void;
}
