/**
 * Metric files of the file store (docs/mlflow-formats.md §1.4, §1.8): one `ts value step` line per
 * point. MLflow reads the timestamp and step with Python `int()` and the value with `float()`,
 * so numbers are written in a form both accept and read with the same grammar.
 */
import type { MetricColumns } from '../tracking/types';
import { FormatError } from './errors';

/** A number as Python `float()` reads it back bit-exactly. */
export function formatMetricValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0.0';
  return String(v); // shortest round-trip form; Python parses 1e-7, 1e+21, 5
}

const PY_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const PY_SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;
const PY_INT = /^[+-]?\d(?:_?\d)*$/;

/** Python `float(s)` for the strings it accepts, else null. */
export function parsePyFloat(s: string): number | null {
  const t = s.trim();
  const m = PY_SPECIAL.exec(t);
  if (m) return m[2].toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
  if (!PY_FLOAT.test(t)) return null;
  return Number(t.replace(/_/g, ''));
}

/** Python `int(s)` for values that fit a double exactly, else null. */
export function parsePyInt(s: string): number | null {
  const t = s.trim();
  if (!PY_INT.test(t)) return null;
  const n = Number(t.replace(/_/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

function checkInt(v: number, what: string, key: string): string {
  if (!Number.isSafeInteger(v)) throw new Error(`metric '${key}': ${what} must be an integer, found ${v}`);
  return String(v);
}

/** The run metric file for one history: `ts value step\n` per point, in the given order. */
export function encodeRunMetricFile(m: MetricColumns): string {
  let out = '';
  for (let i = 0; i < m.values.length; i++) {
    out += `${checkInt(m.timestamps[i], 'timestamp', m.key)} ${formatMetricValue(m.values[i])} ${checkInt(m.steps[i], 'step', m.key)}\n`;
  }
  return out;
}

export interface ParsedPoint {
  timestamp: number;
  value: number;
  step: number;
  /** Model metric files: the run that logged the point. */
  runId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

/** Splits like Python `readlines()` then `strip().split(" ")` per line. */
function lines(text: string): string[] {
  const out = text.split(/(?<=\n)/);
  return out.filter((l) => l.length > 0);
}

function point(file: string, line: string, n: number, fields: string[]): ParsedPoint {
  const ts = parsePyInt(fields[0]);
  if (ts === null) throw new FormatError(file, `line ${n}: timestamp must be an integer, found '${fields[0]}'`, 'timestamp');
  const value = parsePyFloat(fields[1]);
  if (value === null) throw new FormatError(file, `line ${n}: value must be a number, found '${fields[1]}'`, 'value');
  return { timestamp: ts, value, step: 0 };
}

function parseStep(file: string, n: number, s: string): number {
  const step = parsePyInt(s);
  if (step === null) throw new FormatError(file, `line ${n}: step must be an integer, found '${s}'`, 'step');
  return step;
}

/**
 * A run metric file. Accepts 2 fields (legacy, step 0), 3 fields, and 5 fields (dataset name
 * and digest; MLflow reads the step of such lines as 0 and so do we). Anything else, or an
 * empty file, is an error, as in MLflow.
 */
export function decodeRunMetricFile(file: string, text: string): ParsedPoint[] {
  const out: ParsedPoint[] = [];
  lines(text).forEach((line, i) => {
    const f = line.trim().split(' ');
    if (f.length !== 2 && f.length !== 3 && f.length !== 5) {
      throw new FormatError(file, `line ${i + 1}: metric line has ${f.length} fields, expected 2, 3 or 5`);
    }
    const p = point(file, line, i + 1, f);
    if (f.length === 3) p.step = parseStep(file, i + 1, f[2]);
    if (f.length === 5) {
      parseStep(file, i + 1, f[2]);
      p.datasetName = f[3];
      p.datasetDigest = f[4];
    }
    out.push(p);
  });
  if (out.length === 0) throw new FormatError(file, 'metric file is empty');
  return out;
}

/** A logged-model metric file (MLflow 3): `ts value step run_id [dataset_name dataset_digest]`. */
export function decodeModelMetricFile(file: string, text: string): ParsedPoint[] {
  const out: ParsedPoint[] = [];
  lines(text).forEach((line, i) => {
    const f = line.trim().split(' ');
    if (f.length !== 4 && f.length !== 6) throw new FormatError(file, `line ${i + 1}: model metric line has ${f.length} fields, expected 4 or 6`);
    const p = point(file, line, i + 1, f);
    p.step = parseStep(file, i + 1, f[2]);
    p.runId = f[3];
    if (f.length === 6) {
      p.datasetName = f[4];
      p.datasetDigest = f[5];
    }
    out.push(p);
  });
  if (out.length === 0) throw new FormatError(file, 'metric file is empty');
  return out;
}

export function encodeModelMetricLine(p: ParsedPoint & { runId: string }): string {
  const ds = p.datasetName !== undefined && p.datasetDigest !== undefined ? ` ${p.datasetName} ${p.datasetDigest}` : '';
  return `${checkInt(p.timestamp, 'timestamp', 'model')} ${formatMetricValue(p.value)} ${checkInt(p.step, 'step', 'model')} ${p.runId}${ds}\n`;
}

/** Points → columns, keeping file order. */
export function toColumns(key: string, points: ParsedPoint[]): MetricColumns {
  const n = points.length;
  const m: MetricColumns = { key, values: new Float64Array(n), steps: new Float64Array(n), timestamps: new Float64Array(n) };
  points.forEach((p, i) => {
    m.values[i] = p.value;
    m.steps[i] = p.step;
    m.timestamps[i] = p.timestamp;
  });
  return m;
}
