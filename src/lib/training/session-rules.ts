/**
 * The decisions of a training session (lib/training/session.ts): what part of a request the
 * worker gets, how a sweep is planned and how it ends, and what a job's run records when it
 * ends. Nothing here touches storage or workers.
 */
import { MlflowError } from '../util/errors';
import { TAG, TRAIN_TAG } from '../tracking/tags';
import type { HyperValue, TrainResult, TrainSpec } from './contract';
import { defaultDirection, expandSweep, type Direction, type SweepSpec } from './sweep';
import type { FieldError } from './validate';

/** Thrown (rejected) when a request does not validate; `errors` name the fields. */
export class TrainValidationError extends MlflowError {
  constructor(readonly errors: FieldError[]) {
    super('INVALID_PARAMETER_VALUE', `Invalid training request: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  }
}

/** The worker's part of a request (no page-only fields, nothing uncloneable, copies). */
export function specOf(req: TrainSpec): TrainSpec {
  const spec: TrainSpec = { model: req.model, target: req.target };
  if (req.task !== undefined) spec.task = req.task;
  if (req.features !== undefined) spec.features = [...req.features];
  if (req.params !== undefined) spec.params = { ...req.params };
  if (req.split !== undefined) spec.split = { ...req.split };
  if (req.standardize !== undefined) spec.standardize = req.standardize;
  if (req.backend !== undefined) spec.backend = req.backend;
  return spec;
}

export interface SweepPlan {
  /** Each child's params (the base params with the swept values). */
  children: Record<string, HyperValue>[];
  /** The metric that picks the best child, and which way is better. */
  metric: string;
  direction: Direction;
}

/**
 * Expands a sweep and settles its metric: `rmse` for regression, `accuracy` for classification
 * unless the request names one. Throws TrainValidationError naming the bad fields.
 */
export function planSweep(req: TrainSpec & { sweep: SweepSpec; metric?: string; direction?: Direction }): SweepPlan {
  const expanded = expandSweep(req.model, req.sweep, req.params ?? {});
  if (!expanded.ok) throw new TrainValidationError(expanded.errors);
  const task = req.task ?? (req.model === 'logistic' ? 'classification' : 'regression');
  const metric = req.metric ?? (task === 'classification' ? 'accuracy' : 'rmse');
  return { children: expanded.children, metric, direction: req.direction ?? defaultDirection(metric) };
}

/** A sweep's parent ends KILLED if cancelled, FINISHED if any child finished, else FAILED. */
export function sweepStatus(cancelled: boolean, results: readonly TrainResult[]): 'FINISHED' | 'FAILED' | 'KILLED' {
  return cancelled ? 'KILLED' : results.some((r) => r.status === 'FINISHED') ? 'FINISHED' : 'FAILED';
}

/** Longest error text kept in a tag (MLflow allows 8000 characters). */
export const MAX_ERROR_CHARS = 4000;

/**
 * The tags a job's run gets when it ends: the error (truncated) in `mfflow.error` and, for a
 * failure, in `mlflow.note.content` so MLflow's UI shows it as the description; the epochs done.
 */
export function endTags(result: TrainResult): { key: string; value: string }[] {
  const tags: { key: string; value: string }[] = [];
  if (result.error) {
    const text = result.error.length > MAX_ERROR_CHARS ? `${result.error.slice(0, MAX_ERROR_CHARS - 1)}…` : result.error;
    tags.push({ key: TRAIN_TAG.error, value: text });
    if (result.status === 'FAILED') tags.push({ key: TAG.note, value: `Training failed: ${text}` });
  }
  if (result.epochsDone !== undefined) tags.push({ key: TRAIN_TAG.epochsDone, value: String(result.epochsDone) });
  return tags;
}
