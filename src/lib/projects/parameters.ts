/**
 * `-P` values against an entry point, as `EntryPoint.compute_parameters` and `compute_command`
 * do it: every declared parameter takes the user's value or its default (none → "No value given
 * for missing parameters"), `uri` values must have a scheme, undeclared ones pass through as
 * extras (appended to the command as `--key value`). MLflow leaves `float` and `int` to the
 * program; the lab checks them before a run exists, in MLflow's wording for `uri`.
 */
import { ProjectError, shellQuote, type EntryPoint, type ProjectParameter } from './mlproject';

export type TypedValue = string | number;

export interface ComputedParameters {
  /** Declared parameters, raw strings as given (what MLflow logs as run params). */
  params: Record<string, string>;
  /** The same, typed: numbers for float and int. What `{param}` templating substitutes. */
  typed: Record<string, TypedValue>;
  /** Undeclared `-P` values, passed through untouched. */
  extra: Record<string, string>;
}

/** MLflow treats any other declared type as a string; so does the lab. */
export function typeOf(p: ProjectParameter): 'float' | 'int' | 'string' | 'path' | 'uri' {
  return p.type === 'float' || p.type === 'int' || p.type === 'path' || p.type === 'uri' ? p.type : 'string';
}

// Python's float() and int() literals (underscores between digits, surrounding whitespace).
const DIGITS = '\\d(?:_?\\d)*';
const FLOAT_RE = new RegExp(`^[+-]?(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?$`);
const INT_RE = new RegExp(`^[+-]?${DIGITS}$`);

/** Python's `float(s)`, or null where Python raises ValueError. */
export function pyFloat(s: string): number | null {
  const t = s.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!FLOAT_RE.test(t)) return null;
  return Number(t.replace(/_/g, ''));
}

/** Python's `int(s)`, or null where Python raises ValueError (or the value is not a safe integer). */
export function pyInt(s: string): number | null {
  const t = s.trim();
  if (!INT_RE.test(t)) return null;
  const n = Number(t.replace(/_/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** `data_utils.is_uri`: urlparse finds a scheme (a letter, then letters, digits, + - .). */
export function isUri(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s);
}

export function typedValue(p: ProjectParameter, raw: string): TypedValue {
  switch (typeOf(p)) {
    case 'float': {
      const v = pyFloat(raw);
      if (v === null) throw new ProjectError(`Expected float for parameter ${p.name} but got ${raw}`);
      return v;
    }
    case 'int': {
      const v = pyInt(raw);
      if (v === null) throw new ProjectError(`Expected int for parameter ${p.name} but got ${raw}`);
      return v;
    }
    case 'uri':
      if (!isUri(raw)) throw new ProjectError(`Expected URI for parameter ${p.name} but got ${raw}`);
      return raw;
    default:
      return raw;
  }
}

export function computeParameters(ep: EntryPoint, user: Readonly<Record<string, string>> = {}): ComputedParameters {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(user, k);
  const missing = ep.parameters.filter((p) => !has(p.name) && p.default === null).map((p) => `'${p.name}'`);
  if (missing.length) throw new ProjectError(`No value given for missing parameters: ${missing.join(', ')}`);
  const params: Record<string, string> = Object.create(null);
  const typed: Record<string, TypedValue> = Object.create(null);
  for (const p of ep.parameters) {
    const raw = has(p.name) ? String(user[p.name]) : p.default!;
    typed[p.name] = typedValue(p, raw);
    params[p.name] = raw;
  }
  const extra: Record<string, string> = Object.create(null);
  for (const k of Object.keys(user)) if (!(k in params)) extra[k] = String(user[k]);
  return { params, typed, extra };
}

/**
 * Python's `str.format(**params)` for command templates: `{name}` is replaced, `{{` and `}}`
 * are braces. Positional fields, attribute/index access, conversions and format specs are
 * refused with a message naming the field (MLflow would fail with a bare KeyError/IndexError).
 */
export function formatTemplate(template: string, values: Readonly<Record<string, string>>, where = 'command'): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '{') {
      if (template[i + 1] === '{') { out += '{'; i++; continue; }
      const end = template.indexOf('}', i);
      if (end < 0) throw new ProjectError(`Single '{' encountered in format string of the ${where}`);
      const field = template.slice(i + 1, end);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) {
        throw new ProjectError(`The ${where} uses {${field}}; only {name} of a declared parameter is supported`);
      }
      if (!Object.prototype.hasOwnProperty.call(values, field)) {
        throw new ProjectError(`The ${where} uses {${field}}, which is not a parameter of the entry point`);
      }
      out += values[field];
      i = end;
    } else if (c === '}') {
      if (template[i + 1] !== '}') throw new ProjectError(`Single '}' encountered in format string of the ${where}`);
      out += '}';
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/** `EntryPoint.compute_command`: the templated command plus `--key value` for each extra. */
export function computeCommand(ep: EntryPoint, user: Readonly<Record<string, string>> = {}): string {
  const { params, extra } = computeParameters(ep, user);
  if (ep.command === null) throw new ProjectError(`Entry point '${ep.name}' has no command`);
  const quoted: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(params)) quoted[k] = shellQuote(v);
  const parts = [formatTemplate(ep.command, quoted)];
  for (const [k, v] of Object.entries(extra)) parts.push(`--${shellQuote(k)} ${shellQuote(v)}`);
  return parts.join(' ');
}
