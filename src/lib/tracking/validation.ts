/**
 * MLflow's validation rules (docs/mlflow-formats.md §1.10) as pure functions. Each throws
 * MlflowError('INVALID_PARAMETER_VALUE') with a message that names the offending key or value.
 *
 * Deliberate difference from MLflow: over-long param and tag values raise an error instead of
 * being silently truncated (MLflow truncates by default, with a warning). A lab that keeps
 * exact provenance should not change what the user logged behind their back; the caller can
 * truncate explicitly if it wants to.
 */
import { invalid } from '../util/errors';

export const LIMITS = {
  keyLength: 250,
  paramValue: 6000,
  tagValue: 8000,
  experimentName: 500,
  experimentTagKey: 250,
  experimentTagValue: 5000,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  datasetName: 500,
  datasetDigest: 36,
  datasetSource: 65535,
  datasetSchema: 1048575,
  datasetProfile: 16777215,
  inputTagKey: 255,
  inputTagValue: 500,
} as const;

/**
 * Python's Unicode `\w` is letters (L*), numbers (N*) and `_`; combining marks are not included,
 * so a decomposed `é` is rejected just as MLflow rejects it. Plus `/ . - space :`.
 */
const KEY_CHARS = /^[/\p{L}\p{N}_.\- :]*$/u;

/** Shortens a value for an error message so a 6000-character param does not flood the UI. */
export function preview(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

/**
 * A key must already be a normalised relative path, because the MLflow file store turns
 * `a/b` into folders: no empty, `.` or `..` segments, no leading `/`, not empty.
 */
export function isNormalisedKeyPath(key: string): boolean {
  if (key === '' || key.startsWith('/') || key.startsWith('..')) return false;
  return key.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

function validateKey(kind: string, key: unknown, maxLength: number = LIMITS.keyLength): string {
  if (typeof key !== 'string') throw invalid(`${kind} key must be a string, got ${typeof key}.`);
  if (!KEY_CHARS.test(key)) {
    throw invalid(
      `Invalid ${kind} key "${preview(key)}": keys may only contain letters, digits, underscores (_), ` +
        'dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).',
    );
  }
  if (!isNormalisedKeyPath(key)) {
    throw invalid(
      `Invalid ${kind} key "${preview(key)}": it must be a normalised relative path ` +
        '(not empty, no leading "/", no "//", no "." or ".." parts, no trailing "/").',
    );
  }
  if (key.length > maxLength) {
    throw invalid(`${kind} key "${preview(key)}" is ${key.length} characters long; the limit is ${maxLength}.`);
  }
  return key;
}

function validateValueLength(kind: string, key: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw invalid(`Value of ${kind} "${key}" must be a string, got ${typeof value}.`);
  if (value.length > max) {
    throw invalid(`Value of ${kind} "${preview(key)}" is ${value.length} characters long; the limit is ${max}.`);
  }
  return value;
}

export function validateMetricKey(key: unknown): string {
  return validateKey('metric', key);
}

export function validateParam(key: unknown, value: unknown): void {
  const k = validateKey('param', key);
  validateValueLength('param', k, value, LIMITS.paramValue);
}

export function validateRunTag(key: unknown, value: unknown): void {
  const k = validateKey('tag', key);
  validateValueLength('tag', k, value, LIMITS.tagValue);
}

export function validateExperimentTag(key: unknown, value: unknown): void {
  const k = validateKey('experiment tag', key, LIMITS.experimentTagKey);
  validateValueLength('experiment tag', k, value, LIMITS.experimentTagValue);
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string') throw invalid(`Experiment name must be a string, got ${typeof name}.`);
  if (name === '') throw invalid('Experiment name must not be empty.');
  if (name.length > LIMITS.experimentName) {
    throw invalid(`Experiment name "${preview(name)}" is ${name.length} characters long; the limit is ${LIMITS.experimentName}.`);
  }
  return name;
}

/** Metric values may be any double, including NaN and ±Infinity. */
export function validateMetricValue(key: string, value: unknown): number {
  if (typeof value !== 'number') throw invalid(`Value of metric "${preview(key)}" must be a number, got ${typeof value}.`);
  return value;
}

export function validateTimestamp(key: string, timestamp: unknown): number {
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw invalid(`Timestamp ${String(timestamp)} of metric "${preview(key)}" must be a whole number of milliseconds ≥ 0.`);
  }
  return timestamp;
}

export function validateStep(key: string, step: unknown): number {
  if (typeof step !== 'number' || !Number.isSafeInteger(step)) {
    throw invalid(`Step ${String(step)} of metric "${preview(key)}" must be a whole number.`);
  }
  return step;
}

/** Validates one metric history column set: equal lengths, integer steps and timestamps. */
export function validateMetricColumns(cols: {
  key: string; values: ArrayLike<number>; steps: ArrayLike<number>; timestamps: ArrayLike<number>;
}): void {
  validateMetricKey(cols.key);
  const n = cols.values.length;
  if (cols.steps.length !== n || cols.timestamps.length !== n) {
    throw invalid(
      `Metric "${preview(cols.key)}": values, steps and timestamps must have the same length ` +
        `(got ${n}, ${cols.steps.length}, ${cols.timestamps.length}).`,
    );
  }
  for (let i = 0; i < n; i++) {
    validateMetricValue(cols.key, cols.values[i]);
    validateStep(cols.key, cols.steps[i]);
    validateTimestamp(cols.key, cols.timestamps[i]);
  }
}

/** MLflow's LogBatch limits. `metrics` counts points, as MLflow counts Metric entities. */
export function validateBatchLimits(counts: { metrics: number; params: number; tags: number }): void {
  const { metrics, params, tags } = counts;
  if (metrics > LIMITS.batchMetrics) throw invalid(`A batch may hold at most ${LIMITS.batchMetrics} metric points; got ${metrics}.`);
  if (params > LIMITS.batchParams) throw invalid(`A batch may hold at most ${LIMITS.batchParams} params; got ${params}.`);
  if (tags > LIMITS.batchTags) throw invalid(`A batch may hold at most ${LIMITS.batchTags} tags; got ${tags}.`);
  const total = metrics + params + tags;
  if (total > LIMITS.batchTotal) {
    throw invalid(`A batch may hold at most ${LIMITS.batchTotal} metrics, params and tags together; got ${total}.`);
  }
}

/** One batch may not log the same param key twice (even with the same value). */
export function validateNoDuplicateParams(params: readonly { key: string }[]): void {
  const seen = new Set<string>();
  for (const { key } of params) {
    if (seen.has(key)) throw invalid(`Param "${preview(key)}" appears more than once in the same batch.`);
    seen.add(key);
  }
}

export interface DatasetLike {
  name: string; digest: string; source: string; schema: string | null; profile: string | null;
}

export function validateDataset(d: DatasetLike): void {
  const check = (field: string, value: string | null, max: number, required: boolean) => {
    if (value === null || value === undefined) {
      if (required) throw invalid(`Dataset ${field} is required.`);
      return;
    }
    if (typeof value !== 'string') throw invalid(`Dataset ${field} must be a string.`);
    if (required && value === '') throw invalid(`Dataset ${field} must not be empty.`);
    if (value.length > max) {
      throw invalid(`Dataset ${field} of "${preview(String(d.name))}" is ${value.length} characters long; the limit is ${max}.`);
    }
  };
  check('name', d.name, LIMITS.datasetName, true);
  check('digest', d.digest, LIMITS.datasetDigest, true);
  check('source', d.source, LIMITS.datasetSource, true);
  check('schema', d.schema, LIMITS.datasetSchema, false);
  check('profile', d.profile, LIMITS.datasetProfile, false);
}

export function validateInputTag(key: unknown, value: unknown): void {
  if (typeof key !== 'string' || key === '') throw invalid('Dataset input tag key must be a non-empty string.');
  if (key.length > LIMITS.inputTagKey) {
    throw invalid(`Dataset input tag key "${preview(key)}" is ${key.length} characters long; the limit is ${LIMITS.inputTagKey}.`);
  }
  validateValueLength('dataset input tag', key, value, LIMITS.inputTagValue);
}
