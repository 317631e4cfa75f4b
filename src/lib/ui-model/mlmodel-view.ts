/**
 * An MLmodel file (YAML from a model artifact, untrusted) turned into what the run page shows:
 * its flavors with their settings, and the signature as column tables. Parsing goes through
 * the lab's safe YAML reader (no tags, no alias bombs: the js-yaml `!!js/function` XSS in
 * MLflow's own UI came from exactly this file, docs/reliability.md §4).
 */
import { isYamlMap, parseYamlSafe, type YamlValue } from '../mlflow/yaml';

export interface SignatureColumn {
  name: string;
  type: string;
  /** Shape of a tensor spec, e.g. "(-1, 11)". */
  shape?: string;
  required?: boolean;
}

export interface MlmodelView {
  /** Top-level scalar fields: artifact_path, run_id, model_uuid, utc_time_created, ... */
  fields: [string, string][];
  flavors: { name: string; settings: [string, string][] }[];
  signature: { inputs: SignatureColumn[] | null; outputs: SignatureColumn[] | null; params: SignatureColumn[] | null } | null;
}

function show(v: YamlValue): string {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A signature part is a JSON string holding a list of column or tensor specs. */
function parseSpecList(v: YamlValue | undefined): SignatureColumn[] | null {
  if (typeof v !== 'string') return null;
  let parsed: unknown;
  try { parsed = JSON.parse(v); } catch { return null; }
  if (!Array.isArray(parsed)) return null;
  return parsed.map((raw: unknown, i): SignatureColumn => {
    const o = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const name = typeof o.name === 'string' ? o.name : `#${i}`;
    const tensor = o['tensor-spec'];
    if (o.type === 'tensor' && tensor !== null && typeof tensor === 'object') {
      const t = tensor as Record<string, unknown>;
      const shape = Array.isArray(t.shape) ? `(${t.shape.map(String).join(', ')})` : undefined;
      return { name, type: `tensor ${String(t.dtype ?? '?')}`, shape };
    }
    const type = typeof o.type === 'string' ? o.type : JSON.stringify(o.type ?? null);
    return { name, type, required: typeof o.required === 'boolean' ? o.required : undefined };
  });
}

/** Parses MLmodel text; throws a FormatError for unsafe or malformed YAML. */
export function readMlmodel(text: string | Uint8Array): MlmodelView {
  const doc = parseYamlSafe(text, 'MLmodel');
  if (!isYamlMap(doc)) throw new Error('MLmodel is not a YAML mapping');
  const fields: [string, string][] = [];
  const flavors: MlmodelView['flavors'] = [];
  let signature: MlmodelView['signature'] = null;
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'flavors' && isYamlMap(value)) {
      for (const [name, conf] of Object.entries(value)) {
        const settings: [string, string][] = isYamlMap(conf) ? Object.entries(conf).map(([k, v]) => [k, show(v)]) : [['', show(conf)]];
        flavors.push({ name, settings });
      }
    } else if (key === 'signature' && isYamlMap(value)) {
      signature = {
        inputs: parseSpecList(value.inputs ?? undefined),
        outputs: parseSpecList(value.outputs ?? undefined),
        params: parseSpecList(value.params ?? undefined),
      };
    } else {
      fields.push([key, show(value)]);
    }
  }
  return { fields, flavors, signature };
}

function columnsText(cols: SignatureColumn[]): string {
  if (cols.length === 1 && cols[0].type.startsWith('tensor')) return `${cols[0].type}${cols[0].shape ? ` ${cols[0].shape}` : ''}`;
  const types = [...new Set(cols.map((c) => c.type))];
  return `${cols.length} column${cols.length === 1 ? '' : 's'} (${types.join(', ')})`;
}

/** A signature in one line for a list of versions: `11 columns (double) → tensor float64 (-1)`. */
export function signatureSummary(signature: MlmodelView['signature']): string {
  if (!signature || (!signature.inputs && !signature.outputs)) return 'no signature';
  const inputs = signature.inputs ? columnsText(signature.inputs) : '?';
  return signature.outputs ? `${inputs} → ${columnsText(signature.outputs)}` : inputs;
}

/** The input column names of a signature, for a tooltip (none for tensor inputs). */
export function signatureInputNames(signature: MlmodelView['signature']): string[] {
  return signature?.inputs?.filter((c) => !c.type.startsWith('tensor')).map((c) => c.name) ?? [];
}
