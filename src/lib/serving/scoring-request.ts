/**
 * MLflow's scoring protocol (`POST /invocations`, docs/mlflow-formats.md §4), parsed into numeric
 * columns for a model signature. Errors are MlflowErrors with the codes MLflow's server uses:
 * BAD_REQUEST for a body that is not one of the accepted shapes, INVALID_PARAMETER_VALUE for
 * data that does not fit the signature (missing inputs, values of the wrong type); a wrong
 * content type is a 415 (UnsupportedContentType), as in MLflow.
 *
 * Like MLflow: columns the signature does not name are ignored with a warning; `params` without
 * a params schema are ignored with a warning; a list of rows under `instances`/`inputs` becomes
 * columns named 0, 1, … (so a model with named inputs reports them missing).
 */
import { parseCsv } from '../data/csv';
import { dictGet, dictHas, dictSet, newDict, type Dict } from '../util/dict';
import { MlflowError } from '../util/errors';
import type { InputColumn, InputSchema, ParamSpec } from './input-schema';

export const SUPPORTED_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;
export const CONTENT_TYPES = ['text/csv', 'application/json'] as const;

export interface ScoringBatch {
  /** Column names in the order of `columns` (the signature's order when there is one). */
  names: string[];
  columns: Float64Array[];
  rowCount: number;
  /** Params after applying the params schema's defaults; null when the model has no params schema. */
  params: Dict<unknown> | null;
  /** What MLflow would log as warnings (ignored columns or params). */
  warnings: string[];
}

/** A 415 answer: MLflow sends these as text/plain, not as an error JSON. */
export class UnsupportedContentType extends Error {
  readonly status = 415;
}

const badRequest = (m: string) => new MlflowError('BAD_REQUEST', m);
const badValue = (m: string) => new MlflowError('INVALID_PARAMETER_VALUE', m);

const REQUIRED_FORMAT = `The input must be a JSON dictionary with exactly one of the input fields {${SUPPORTED_FORMATS.map((f) => `'${f}'`).join(', ')}}`;

/** Raw values by column, before the signature is applied. */
interface Frame {
  names: string[];
  values: unknown[][];
  rowCount: number;
}

const isObject = (v: unknown): v is Dict<unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const pyList = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/** Mime type and charset check, as MLflow's `invocations` does before reading the body. */
export function checkContentType(contentType: string): 'text/csv' | 'application/json' {
  const parts = contentType.split(';').map((p) => p.trim());
  const params = newDict<string>();
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    dictSet(params, eq < 0 ? p : p.slice(0, eq), eq < 0 ? '' : p.slice(eq + 1));
  }
  if ((dictGet(params, 'charset') ?? 'utf-8').toLowerCase() !== 'utf-8') throw new UnsupportedContentType('The scoring server only supports UTF-8');
  const unexpected = Object.keys(params).filter((k) => k !== 'charset');
  if (unexpected.length) throw new UnsupportedContentType(`Unrecognized content type parameters: ${unexpected.join(', ')}.`);
  const mime = parts[0];
  if (mime !== 'text/csv' && mime !== 'application/json') {
    throw new UnsupportedContentType(`This predictor only supports the following content types: Types: ${JSON.stringify(CONTENT_TYPES)}. Got '${contentType}'.`);
  }
  return mime;
}

/** A request body in either accepted content type. */
export async function parseScoringRequest(body: string | Uint8Array, contentType: string, schema: InputSchema, paramSpecs: ParamSpec[] | null = null): Promise<ScoringBatch> {
  const mime = checkContentType(contentType);
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (e) {
    throw badRequest(`Ensure that input is a valid UTF-8 encoded string. Error: '${String(e)}'`);
  }
  if (mime === 'application/json') return parseJsonScoringBody(text, schema, paramSpecs);
  return applySchema(await csvFrame(text), schema, null, [], true);
}

export function parseJsonScoringBody(text: string, schema: InputSchema, paramSpecs: ParamSpec[] | null = null): ScoringBatch {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw badRequest(`Failed to parse input from JSON. Ensure that input is a valid JSON formatted string. Error: '${(e as Error).message}'`);
  }
  if (!isObject(json)) throw badRequest(`${REQUIRED_FORMAT}. Received ${Array.isArray(json) ? 'a list' : typeof json}.`);
  const keys = Object.keys(json).filter((k) => (SUPPORTED_FORMATS as readonly string[]).includes(k));
  if (keys.length !== 1) throw badRequest(`${REQUIRED_FORMAT}. Received dictionary with input fields: ${pyList(Object.keys(json))}`);
  const format = keys[0];
  const warnings: string[] = [];
  const params = readParams(dictHas(json, 'params') ? dictGet(json, 'params') : undefined, paramSpecs, warnings);
  const data = dictGet(json, format);
  const frame = format === 'dataframe_split' ? splitFrame(data)
    : format === 'dataframe_records' ? recordsFrame(data, format)
      : tfServingFrame(data, format, schema);
  return applySchema(frame, schema, params, warnings, false);
}

function readParams(raw: unknown, specs: ParamSpec[] | null, warnings: string[]): Dict<unknown> | null {
  if (raw !== undefined && raw !== null && !isObject(raw)) throw badRequest(`'params' must be a JSON object, got ${JSON.stringify(raw)}.`);
  if (!specs) {
    if (raw !== undefined && raw !== null) warnings.push('`params` can only be given at inference time if the model signature defines a params schema. This model does not define one; ignoring the provided params.');
    return null;
  }
  const out = newDict<unknown>();
  for (const s of specs) dictSet(out, s.name, s.default);
  if (raw) {
    for (const k of Object.keys(raw)) {
      if (specs.some((s) => s.name === k)) dictSet(out, k, dictGet(raw, k));
      else warnings.push(`Unrecognized param '${k}' is ignored: the params schema does not define it.`);
    }
  }
  return out;
}

function splitFrame(v: unknown): Frame {
  if (!isObject(v)) throw badRequest('dataframe_split must be a JSON object with "columns" and "data".');
  const extra = Object.keys(v).filter((k) => k !== 'columns' && k !== 'data' && k !== 'index');
  if (extra.length) throw badRequest(`dataframe_split has unexpected keys ${pyList(extra)}; allowed are 'columns', 'data' and 'index'.`);
  const data = dictGet(v, 'data');
  if (!Array.isArray(data) || !data.every(Array.isArray)) throw badRequest("Dataframe split format must have a 'data' field that is a list of rows.");
  const rows = data as unknown[][];
  const cols = dictGet(v, 'columns');
  if (cols !== undefined && !Array.isArray(cols)) throw badRequest("dataframe_split 'columns' must be a list.");
  const width = cols ? cols.length : rows[0]?.length ?? 0;
  const names = cols ? cols.map(String) : Array.from({ length: width }, (_, i) => String(i));
  rows.forEach((r, i) => {
    if (r.length !== width) throw badRequest(`dataframe_split row ${i} has ${r.length} values for ${width} columns.`);
  });
  const index = dictGet(v, 'index');
  if (index !== undefined && (!Array.isArray(index) || index.length !== rows.length)) throw badRequest(`dataframe_split 'index' must be a list of ${rows.length} labels.`);
  return { names, values: names.map((_, j) => rows.map((r) => r[j])), rowCount: rows.length };
}

function recordsFrame(v: unknown, format: string): Frame {
  if (!Array.isArray(v) || !v.every(isObject)) throw badRequest(`${format} must be a list of JSON objects, one per row.`);
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of v) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); names.push(k); }
  return { names, values: names.map((k) => v.map((r) => dictGet(r, k))), rowCount: v.length };
}

function tfServingFrame(v: unknown, format: string, schema: InputSchema): Frame {
  if (isObject(v)) {
    // A column map: lists of equal length, or all scalars (one row).
    const names = Object.keys(v);
    const cols = names.map((k) => dictGet(v, k));
    if (cols.every((c) => !Array.isArray(c))) return { names, values: cols.map((c) => [c]), rowCount: names.length ? 1 : 0 };
    if (!cols.every(Array.isArray)) throw badRequest(`${format}: every column must be a list when any is.`);
    const n = (cols[0] as unknown[]).length;
    if (!(cols as unknown[][]).every((c) => c.length === n)) throw badRequest(`${format}: all columns must have the same length.`);
    return { names, values: cols as unknown[][], rowCount: n };
  }
  if (!Array.isArray(v)) throw badRequest(`${format} must be a list or a JSON object of columns.`);
  if (v.length > 0 && v.every(isObject)) return recordsFrame(v, format);
  // Rows of a tensor: list of lists, or a list of scalars (one column).
  const rows = v.every(Array.isArray) ? (v as unknown[][]) : v.some(Array.isArray) ? null : v.map((x) => [x]);
  if (!rows) throw badRequest(`${format}: a list must hold only rows (lists), only objects or only values.`);
  const width = rows[0]?.length ?? (schema.kind === 'tensor' ? schema.width ?? 0 : 0);
  rows.forEach((r, i) => {
    if (r.length !== width) throw badRequest(`${format}: row ${i} has ${r.length} values, row 0 has ${width}.`);
  });
  return { names: Array.from({ length: width }, (_, i) => String(i)), values: Array.from({ length: width }, (_, j) => rows.map((r) => r[j])), rowCount: rows.length };
}

async function csvFrame(text: string): Promise<Frame> {
  try {
    const { table } = await parseCsv(text, { delimiter: ',' });
    return { names: table.columns, values: table.data as unknown[][], rowCount: table.rowCount };
  } catch (e) {
    throw badRequest(`Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the \`pandas.DataFrame.to_csv()\` method. Error: '${(e as Error).message}'`);
  }
}

function describe(v: unknown): string {
  return v === null || v === undefined ? 'None' : typeof v === 'string' ? `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'` : typeof v === 'boolean' ? (v ? 'True' : 'False') : JSON.stringify(v);
}

/** Python's float() of a string (what pandas' astype(float64) uses): spaces, `_` between digits, nan/inf. */
export function pyFloat(text: string): number | null {
  const t = text.trim();
  const digits = String.raw`\d(?:_?\d)*`;
  const re = new RegExp(String.raw`^[+-]?(?:(?:${digits})?\.?(?:${digits})?(?:[eE][+-]?${digits})?)$`);
  if (/^[+-]?(nan|inf|infinity)$/i.test(t)) return /nan/i.test(t) ? NaN : t.startsWith('-') ? -Infinity : Infinity;
  if (!re.test(t) || !/\d/.test(t.split(/[eE]/)[0])) return null;
  return Number(t.replace(/_/g, ''));
}

/**
 * One column's raw values as float64, by the rules of its signature type. With a signature,
 * MLflow casts JSON values the way pandas' astype does: numeric strings and booleans become
 * numbers; a value that cannot be cast is a BAD_REQUEST. A number that does not fit an integer
 * column fails schema enforcement (INVALID_PARAMETER_VALUE).
 */
function toColumn(values: ArrayLike<unknown> | Float64Array, rowCount: number, name: string, type: InputColumn['type'] | 'double', fromCsv: boolean, cast: boolean): Float64Array {
  if (values instanceof Float64Array) {
    if (type === 'float') return Float64Array.from(values, Math.fround);
    if (type === 'double') return values;
  }
  const floating = type === 'double' || type === 'float';
  const out = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    let v = values[i];
    if (cast && typeof v === 'string') {
      const parsed = floating ? pyFloat(v) : /^\s*[+-]?\d(?:_?\d)*\s*$/.test(v) ? Number(v.trim().replace(/_/g, '')) : null;
      if (parsed === null) {
        throw badRequest(`${fromCsv ? 'Failed to parse input as a Pandas DataFrame. ' : ''}Could not convert ${describe(v)} in column ${name} (row ${i}) to ${floating ? 'float64' : type === 'boolean' ? 'bool' : 'int64'}.`);
      }
      v = parsed;
    }
    if (cast && typeof v === 'boolean') v = v ? 1 : 0;
    let x: number;
    if (typeof v === 'number' && (floating || Number.isInteger(v) || Number.isNaN(v))) x = type === 'float' ? Math.fround(v) : type === 'boolean' ? (v !== 0 ? 1 : 0) : v;
    else if (v === null || v === undefined) {
      if (!floating) throw badValue(`Failed to enforce schema of data. Error: column ${name} (type ${type}) has a missing value at row ${i}.`);
      x = NaN;
    } else {
      const msg = `Incompatible input types for column ${name}. Can not safely convert ${describe(v)} (row ${i}) to ${type === 'float' ? 'float32' : type === 'boolean' ? 'bool' : floating ? 'float64' : 'int64'}.`;
      // With a signature the cast fails first (BAD_REQUEST); without one, schema enforcement does.
      throw fromCsv ? badRequest(`Failed to parse input as a Pandas DataFrame. ${msg}`) : cast && (typeof v !== 'number') ? badRequest(msg) : badValue(`Failed to enforce schema of data. Error: ${msg}`);
    }
    if (!floating && type !== 'boolean' && Number.isNaN(x)) throw badValue(`Failed to enforce schema of data. Error: column ${name} (type ${type}) has a missing value at row ${i}.`);
    out[i] = x;
  }
  return out;
}

function applySchema(frame: Frame, schema: InputSchema, params: Dict<unknown> | null, warnings: string[], fromCsv: boolean): ScoringBatch {
  const { names, values, rowCount } = frame;
  if (schema.kind === 'none') {
    return { names, columns: names.map((n, j) => toColumn(values[j], rowCount, n, 'double', fromCsv, false)), rowCount, params, warnings };
  }
  if (schema.kind === 'tensor') {
    if (schema.width !== null && names.length !== schema.width) {
      throw badValue(`Shape of input (${rowCount}, ${names.length}) does not match expected shape (-1, ${schema.width}).`);
    }
    return { names, columns: names.map((n, j) => toColumn(values[j], rowCount, n, 'double', fromCsv, true)), rowCount, params, warnings };
  }
  const cols = schema.columns;
  if (cols.every((c) => c.name === null)) {
    if (names.length < cols.length) {
      throw badValue(`Model inference is missing inputs. The model signature declares ${cols.length} inputs but the provided value only has ${names.length} inputs. Note: the inputs were not named in the signature so we can only verify their count.`);
    }
    return { names: names.slice(0, cols.length), columns: cols.map((c, j) => toColumn(values[j], rowCount, names[j], c.type, fromCsv, true)), rowCount, params, warnings };
  }
  const position = new Map<string, number>();
  names.forEach((n, j) => { if (!position.has(n)) position.set(n, j); });
  const wanted = new Set(cols.map((c) => c.name));
  const missing = cols.filter((c) => c.required && !position.has(c.name!)).map((c) => c.name!);
  const extra = names.filter((n) => !wanted.has(n));
  if (missing.length) {
    throw badValue(`Failed to enforce schema of data with schema. Error: Model is missing inputs ${pyList(missing)}.${extra.length ? ` Note that there were extra inputs: ${pyList(extra)}.` : ''}`);
  }
  if (extra.length) warnings.push(`Found extra inputs in the model input that are not defined in the model signature: ${pyList(extra)}. These inputs will be ignored.`);
  const columns = cols.map((c) => {
    const j = position.get(c.name!);
    return j === undefined ? new Float64Array(rowCount).fill(NaN) : toColumn(values[j], rowCount, c.name!, c.type, fromCsv, true);
  });
  return { names: cols.map((c) => c.name!), columns, rowCount, params, warnings };
}

/**
 * What an sklearn regressor (the tutorial's model) demands at predict time: at least one row and
 * no NaN or infinite inputs. MLflow's server turns the model's exception into this BAD_REQUEST;
 * the exact linear engine applies it so served answers match `mlflow models serve`.
 */
export function requireFiniteRows(batch: ScoringBatch): void {
  const fail = (detail: string) => badRequest(`Encountered an unexpected error while evaluating the model. Verify that the serialized input Dataframe is compatible with the model for inference. (${detail})`);
  if (batch.rowCount === 0) throw fail('the input has no rows');
  for (let j = 0; j < batch.columns.length; j++) {
    const c = batch.columns[j];
    for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i])) throw fail(`column ${batch.names[j]} row ${i} is ${c[i]}`);
  }
}
