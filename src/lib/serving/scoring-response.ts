/**
 * Answers of the scoring protocol (docs/mlflow-formats.md §4): `{"predictions": …}` on success and
 * `{"error_code", "message"}` with MLflow's HTTP status on failure. Numbers are written as
 * Python's json module writes them, so NaN and ±Infinity come out as `NaN` / `Infinity`, which
 * is what an MLflow server sends (clients that need strict JSON must expect it).
 */
import type { ErrorCode } from '../util/errors';
import { MlflowError } from '../util/errors';
import { UnsupportedContentType } from './scoring-request';

/** Regression: one value per row. Classification: a label and the class probabilities per row. */
export type Prediction =
  | Float64Array
  | { labels: string[]; classes: string[]; probabilities: Float64Array };

export interface ScoringAnswer {
  status: number;
  contentType: 'application/json' | 'text/plain';
  body: string;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
};

export function httpStatusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

function num(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return JSON.stringify(x);
}

/** The `{"predictions": …}` text. Classifiers give one record per row: `{"label", "probabilities"}`. */
export function predictionsJson(p: Prediction): string {
  const parts: string[] = [];
  if (p instanceof Float64Array) {
    for (let i = 0; i < p.length; i++) parts.push(num(p[i]));
  } else {
    const k = p.classes.length;
    for (let i = 0; i < p.labels.length; i++) {
      const probs: string[] = [];
      for (let j = 0; j < k; j++) probs.push(num(p.probabilities[i * k + j]));
      parts.push(`{"label": ${JSON.stringify(p.labels[i])}, "probabilities": [${probs.join(', ')}]}`);
    }
  }
  return `{"predictions": [${parts.join(', ')}]}`;
}

export function successAnswer(p: Prediction): ScoringAnswer {
  return { status: 200, contentType: 'application/json', body: predictionsJson(p) };
}

/** Any failure as the scoring server would answer it; unknown errors are 500 INTERNAL_ERROR. */
export function errorAnswer(e: unknown): ScoringAnswer {
  if (e instanceof UnsupportedContentType) return { status: 415, contentType: 'text/plain', body: e.message };
  const code: ErrorCode = e instanceof MlflowError ? e.code : 'INTERNAL_ERROR';
  const message = e instanceof Error ? e.message : String(e);
  return { status: httpStatusOf(code), contentType: 'application/json', body: JSON.stringify({ error_code: code, message }) };
}
