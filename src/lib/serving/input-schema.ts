/**
 * What a scoring request must supply, read from a model's MLmodel signature (docs/mlflow-formats.md
 * §2.2). In-page serving feeds numeric models, so columns of numeric or boolean type are
 * supported; string, binary, datetime and composite columns are refused up front.
 */
import type { ModelSignature } from '../mlflow/mlmodel';
import { invalid } from '../util/errors';

export type NumericColumnType = 'double' | 'float' | 'integer' | 'long' | 'boolean';

export interface InputColumn {
  /** null for an unnamed column: matched by position. */
  name: string | null;
  type: NumericColumnType;
  required: boolean;
}

export type InputSchema =
  /** Named (or unnamed) columns, the common tabular signature. */
  | { kind: 'columns'; columns: InputColumn[] }
  /** One 2-D numeric tensor `[-1, width]` (width null when variable). */
  | { kind: 'tensor'; width: number | null; dtype: string }
  /** No signature: every column the request sends, in its order, must be numeric. */
  | { kind: 'none' };

export interface ParamSpec {
  name: string;
  type: string;
  default: unknown;
}

const NUMERIC = new Set<string>(['double', 'float', 'integer', 'long', 'boolean']);
const NUMERIC_DTYPE = /^(float(16|32|64)|int(8|16|32|64)|uint(8|16|32|64)|bool)$/;

export function inputSchemaOf(signature: ModelSignature | undefined | null): InputSchema {
  const inputs = signature?.inputs;
  if (!inputs || inputs.length === 0) return { kind: 'none' };
  const first = inputs[0] as { type?: unknown };
  if (first.type === 'tensor') {
    if (inputs.length !== 1) throw invalid('In-page serving supports one input tensor; this signature has several.');
    const spec = (first as { 'tensor-spec'?: { dtype?: unknown; shape?: unknown } })['tensor-spec'];
    const shape = Array.isArray(spec?.shape) ? spec.shape : null;
    const dtype = String(spec?.dtype ?? '');
    if (!shape || shape.length !== 2 || !NUMERIC_DTYPE.test(dtype)) {
      throw invalid(`In-page serving supports 2-D numeric tensors; this one is ${dtype} with shape ${JSON.stringify(shape)}.`);
    }
    const w = Number(shape[1]);
    return { kind: 'tensor', width: w >= 0 ? w : null, dtype };
  }
  const columns = inputs.map((c, i): InputColumn => {
    const item = c as { type?: unknown; name?: unknown; required?: unknown };
    const type = String(item.type);
    if (!NUMERIC.has(type)) {
      throw invalid(`Input ${typeof item.name === 'string' ? `'${item.name}'` : i} has type ${type}; in-page serving supports numeric and boolean columns.`);
    }
    return { name: typeof item.name === 'string' ? item.name : null, type: type as NumericColumnType, required: item.required !== false };
  });
  return { kind: 'columns', columns };
}

export function paramSpecsOf(signature: ModelSignature | undefined | null): ParamSpec[] | null {
  if (!signature?.params) return null;
  return signature.params.map((p) => ({ name: String(p.name), type: String(p.type), default: p.default ?? null }));
}

/** The names a batch's columns come in (signature order); positional names for unnamed ones. */
export function schemaColumnNames(schema: InputSchema): string[] | null {
  return schema.kind === 'columns' ? schema.columns.map((c, i) => c.name ?? String(i)) : null;
}
