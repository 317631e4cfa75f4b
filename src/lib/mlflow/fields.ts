/**
 * Typed field access for parsed YAML maps. Every failure names the file and the field, e.g.
 * "mlruns/1/abcd/meta.yaml: start_time must be an integer, found 'yesterday'".
 */
import { dictGet, dictHas } from '../util/dict';
import { FormatError } from './errors';
import { isYamlMap, type YamlValue } from './yaml';

export type YamlMap = { [key: string]: YamlValue };

function show(v: YamlValue | undefined): string {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export class Fields {
  constructor(readonly file: string, readonly map: YamlMap) {}

  static of(file: string, v: YamlValue): Fields {
    if (!isYamlMap(v)) throw new FormatError(file, `expected a YAML mapping, found ${v === null ? 'an empty file' : show(v)}`);
    return new Fields(file, v);
  }

  has(key: string): boolean {
    return dictHas(this.map, key);
  }

  fail(key: string, want: string, v: YamlValue | undefined): never {
    throw new FormatError(this.file, `${key} must be ${want}, found ${show(v)}`, key);
  }

  missing(key: string): never {
    throw new FormatError(this.file, `missing required key ${key}`, key);
  }

  raw(key: string): YamlValue | undefined {
    return dictGet(this.map, key);
  }

  string(key: string): string {
    const v = this.raw(key);
    if (v === undefined) this.missing(key);
    if (typeof v !== 'string') this.fail(key, 'a string', v);
    return v;
  }

  /** A string, or an integer converted to a string (legacy experiment ids). */
  id(key: string): string {
    const v = this.raw(key);
    if (v === undefined) this.missing(key);
    if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
    if (typeof v !== 'string') this.fail(key, 'a string', v);
    return v;
  }

  optString(key: string, fallback: string | null = null): string | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string') this.fail(key, 'a string or null', v);
    return v;
  }

  int(key: string): number {
    const v = this.raw(key);
    if (v === undefined) this.missing(key);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(key, 'an integer', v);
    return v;
  }

  optInt(key: string, fallback: number | null = null): number | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(key, 'an integer or null', v);
    return v;
  }

  /** Key must exist (MLflow requires it) but may be null. */
  nullableInt(key: string): number | null {
    if (!this.has(key)) this.missing(key);
    return this.optInt(key);
  }

  optMap(key: string): YamlMap | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    if (!isYamlMap(v)) this.fail(key, 'a mapping', v);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
    const v = this.raw(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(key, `one of ${allowed.join(', ')}`, v);
    return v as T;
  }
}
