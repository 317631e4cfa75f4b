/**
 * Argument checks for the fluent API, run when a method is called (reliability: "validation at
 * the call"). Metrics are buffered, so a bad point that got in would only fail at the next flush
 * and take the good points of the same batch with it; these checks use the very rules the store
 * applies (validation.ts), so whatever passes here is written, and whatever fails never enters
 * a buffer. Every failure is an MlflowError with MLflow's code and a sentence naming the argument.
 */
import { invalid } from '../util/errors';
import { RUN_STATUSES, type DatasetInput, type RunStatus } from './types';
import {
  preview, validateDataset, validateExperimentName, validateInputTag, validateMetricKey, validateParam,
  validateRunTag,
} from './validation';
import type { ParamValue } from './run-logger';

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

/** A plain `{key: value}` object (not null, not an array, not a Map). */
export function checkRecord(what: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Map) {
    throw invalid(`${what} must be an object of key → value, got ${kindOf(v)}.`);
  }
  return v as Record<string, unknown>;
}

export function checkString(what: string, v: unknown, { allowEmpty = false } = {}): string {
  if (typeof v !== 'string') throw invalid(`${what} must be a string, got ${kindOf(v)}.`);
  if (!allowEmpty && v === '') throw invalid(`${what} must not be empty.`);
  return v;
}

export function checkOptionalString(what: string, v: unknown): string | undefined {
  return v === undefined ? undefined : checkString(what, v, { allowEmpty: true });
}

/**
 * Param and tag values: strings, or numbers and booleans (stringified as the lab always has).
 * Objects, arrays, null and undefined are refused: `String({a: 1})` would store "[object Object]".
 */
export function valueText(kind: 'param' | 'tag', key: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalid(`Value of ${kind} "${preview(String(key))}" must be a string, number or boolean, got ${kindOf(v)}.`);
}

export function checkParam(key: unknown, value: unknown): { key: string; value: string } {
  const text = valueText('param', String(key), value);
  validateParam(key, text);
  return { key: key as string, value: text };
}

/** Params of one logParams call: each checked, and no key twice with different values. */
export function checkParams(params: unknown): { key: string; value: string }[] {
  const rec = checkRecord('logParams() argument', params);
  const out: { key: string; value: string }[] = [];
  for (const key of Object.keys(rec)) out.push(checkParam(key, rec[key as keyof typeof rec] as ParamValue));
  return out;
}

export function checkTag(key: unknown, value: unknown): { key: string; value: string } {
  const text = valueText('tag', String(key), value);
  validateRunTag(key, text);
  return { key: key as string, value: text };
}

export function checkTags(what: string, tags: unknown): { key: string; value: string }[] {
  const rec = checkRecord(what, tags);
  return Object.keys(rec).map((key) => checkTag(key, rec[key]));
}

/** JavaScript numbers hold integers exactly up to 2^53 − 1; MLflow's int64 steps beyond that would be rounded. */
const MAX_STEP = Number.MAX_SAFE_INTEGER;

/**
 * One metric point, with the store's rules: key, a number value (NaN and ±Infinity allowed,
 * as in MLflow), an integer step within ±(2^53 − 1), a whole non-negative millisecond timestamp.
 */
export function checkPoint(key: unknown, value: unknown, step: unknown, timestamp: unknown, knownKeys?: Set<string>): void {
  if (typeof key !== 'string' || !knownKeys?.has(key)) {
    validateMetricKey(key);
    knownKeys?.add(key as string);
  }
  if (typeof value !== 'number') throw invalid(`Value of metric "${preview(key as string)}" must be a number, got ${kindOf(value)}.`);
  if (typeof step !== 'number' || !Number.isInteger(step) || Math.abs(step) > MAX_STEP) {
    throw invalid(
      `Step ${String(step)} of metric "${preview(key as string)}" must be a whole number between ` +
        `-${MAX_STEP} and ${MAX_STEP} (MLflow's int64 steps, as far as JavaScript numbers hold them exactly).`,
    );
  }
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw invalid(`Timestamp ${String(timestamp)} of metric "${preview(key as string)}" must be a whole number of milliseconds ≥ 0.`);
  }
}

export function checkStatus(status: unknown): RunStatus {
  if (!RUN_STATUSES.includes(status as RunStatus)) {
    throw invalid(`Unknown run status ${JSON.stringify(status) ?? String(status)}; expected one of ${RUN_STATUSES.join(', ')}.`);
  }
  return status as RunStatus;
}

export function checkExperimentName(name: unknown): string {
  return validateExperimentName(name);
}

export function checkBytes(what: string, v: unknown): void {
  if (typeof v === 'string' || v instanceof Uint8Array || v instanceof ArrayBuffer) return;
  throw invalid(`${what} must be a string, a Uint8Array or an ArrayBuffer, got ${kindOf(v)}.`);
}

export function checkInput(input: unknown): DatasetInput {
  const rec = checkRecord('logInput() argument', input);
  const dataset = checkRecord('logInput() dataset', rec.dataset);
  validateDataset(dataset as unknown as DatasetInput['dataset']);
  const tags = rec.tags === undefined ? {} : checkRecord('logInput() tags', rec.tags);
  for (const [k, v] of Object.entries(tags)) validateInputTag(k, v);
  return { dataset: dataset as unknown as DatasetInput['dataset'], tags: tags as DatasetInput['tags'] };
}

export function checkStartRunOptions(opts: unknown): void {
  if (opts === undefined) return;
  const o = checkRecord('startRun() options', opts);
  checkOptionalString('startRun() runName', o.runName);
  checkOptionalString('startRun() experimentId', o.experimentId);
  checkOptionalString('startRun() parentRunId', o.parentRunId);
  checkOptionalString('startRun() description', o.description);
  if (o.nested !== undefined && typeof o.nested !== 'boolean') throw invalid(`startRun() nested must be true or false, got ${kindOf(o.nested)}.`);
  if (o.tags !== undefined) checkTags('startRun() tags', o.tags);
  if (o.inputs !== undefined && !Array.isArray(o.inputs)) throw invalid(`startRun() inputs must be an array of dataset inputs, got ${kindOf(o.inputs)}.`);
}

export function checkSearchOptions(opts: unknown): void {
  if (opts === undefined) return;
  const o = checkRecord('searchRuns() options', opts);
  checkOptionalString('searchRuns() filter', o.filter);
  checkOptionalString('searchRuns() pageToken', o.pageToken);
  for (const field of ['experimentIds', 'orderBy'] as const) {
    const v = o[field];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid(`searchRuns() ${field} must be an array of strings.`);
  }
  if (o.maxResults !== undefined && (typeof o.maxResults !== 'number' || !Number.isSafeInteger(o.maxResults) || o.maxResults < 1)) {
    throw invalid(`searchRuns() maxResults must be a positive integer, got ${String(o.maxResults)}.`);
  }
  if (o.runViewType !== undefined && !['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'].includes(o.runViewType as string)) {
    throw invalid(`searchRuns() runViewType must be ACTIVE_ONLY, DELETED_ONLY or ALL, got ${String(o.runViewType)}.`);
  }
}
