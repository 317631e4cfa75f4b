/**
 * YAML as MLflow reads and writes it (docs/mlflow-formats.md §1.2, §1.11; docs/reliability.md §5).
 *
 * Writing: block style, keys sorted by code point (PyYAML `safe_dump` sorts), every string
 * quoted so ids such as '0', 'null' or 'yes' stay strings for PyYAML's YAML 1.1 resolver.
 *
 * Reading: files come from untrusted zips, so parsing is defensive: a size cap, no unknown
 * tags, no duplicate keys, warnings are errors, aliases are expanded under a node budget (so
 * "billion laughs" fails fast), and maps become own-property records (`__proto__` is a key).
 */
import { parseDocument, stringify, isAlias, isMap, isScalar, isSeq, isPair, type Node, type Document } from 'yaml';
import { dictSet, newDict, type Dict } from '../util/dict';
import { FormatError } from './errors';
import { compareCodePoints } from '../util/strings';

export { compareCodePoints };

export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };


function keyOf(pair: unknown): string {
  const k = isPair(pair) ? pair.key : null;
  return isScalar(k) ? String(k.value) : String(k);
}

/** Serialises plain data the way MLflow's readers expect. Maps with `__proto__` keys are fine. */
export function dumpYaml(value: YamlValue): string {
  assertDumpable(value, 0);
  return stringify(value, {
    sortMapEntries: (a, b) => compareCodePoints(keyOf(a), keyOf(b)),
    defaultStringType: 'QUOTE_SINGLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
    minContentWidth: 0,
    indentSeq: false,
    nullStr: 'null',
    aliasDuplicateObjects: false,
  });
}

function assertDumpable(v: YamlValue, depth: number): void {
  if (depth > 64) throw new Error('YAML value nested too deeply');
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`cannot write non-finite number ${v} to YAML`);
  if (Array.isArray(v)) for (const x of v) assertDumpable(x, depth + 1);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) assertDumpable(x, depth + 1);
}

export interface YamlReadOptions {
  /** Reject larger inputs before parsing. Default 1 MiB. */
  maxBytes?: number;
  /** Cap on nodes materialised, counting alias expansions. Default 100,000. */
  maxNodes?: number;
  /** Cap on alias expansions. Default 100, as the yaml library's own default. */
  maxAliases?: number;
  /** Cap on nesting depth. Default 64. */
  maxDepth?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses untrusted YAML into plain data, or throws a FormatError naming `file`.
 * Never returns class instances, functions, Dates or shared references.
 */
export function parseYamlSafe(input: string | Uint8Array, file: string, opts: YamlReadOptions = {}): YamlValue {
  const maxBytes = opts.maxBytes ?? 1 << 20;
  let text: string;
  if (typeof input === 'string') {
    if (input.length > maxBytes) throw new FormatError(file, `YAML larger than ${maxBytes} bytes`);
    text = input;
  } else {
    if (input.byteLength > maxBytes) throw new FormatError(file, `YAML larger than ${maxBytes} bytes`);
    try {
      text = utf8.decode(input);
    } catch {
      throw new FormatError(file, 'not valid UTF-8');
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { schema: 'core', uniqueKeys: true, merge: false, prettyErrors: false, strict: true });
  } catch (e) {
    throw new FormatError(file, `unreadable YAML (${(e as Error).message})`);
  }
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new FormatError(file, `invalid YAML: ${problem.code}: ${firstLine(problem.message)}`);
  const budget = { nodes: opts.maxNodes ?? 100_000, aliases: opts.maxAliases ?? 100, maxDepth: opts.maxDepth ?? 64 };
  return toPlain(doc.contents, doc, file, budget, 0);
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

function toPlain(node: unknown, doc: Document.Parsed, file: string, budget: { nodes: number; aliases: number; maxDepth: number }, depth: number): YamlValue {
  if (--budget.nodes < 0) throw new FormatError(file, 'YAML expands to too many nodes (alias bomb?)');
  if (depth > budget.maxDepth) throw new FormatError(file, 'YAML nested too deeply');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    // Each resolution scans the document, and expansions multiply: cap them.
    if (--budget.aliases < 0) throw new FormatError(file, 'YAML expands too many aliases (alias bomb?)');
    const target = node.resolve(doc);
    if (!target) throw new FormatError(file, `unresolved alias *${node.source}`);
    return toPlain(target, doc, file, budget, depth + 1);
  }
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    throw new FormatError(file, `unsupported YAML scalar of type ${typeof v}`);
  }
  if (isSeq(node)) return node.items.map((item) => toPlain(item, doc, file, budget, depth + 1));
  if (isMap(node)) {
    const out: Dict<YamlValue> = newDict();
    for (const pair of node.items) {
      const k = toPlain(pair.key as Node | null, doc, file, budget, depth + 1);
      if (k !== null && typeof k === 'object') throw new FormatError(file, 'YAML map keys must be scalars');
      const key = k === null ? 'null' : String(k);
      // uniqueKeys compares YAML nodes; `1` and '1' differ there but collide here.
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new FormatError(file, `duplicate key '${key}'`, key);
      dictSet(out, key, toPlain(pair.value as Node | null, doc, file, budget, depth + 1));
    }
    return out as { [key: string]: YamlValue };
  }
  throw new FormatError(file, 'unsupported YAML node');
}

/** True for a YAML mapping as returned by parseYamlSafe. */
export function isYamlMap(v: YamlValue | undefined): v is { [key: string]: YamlValue } {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}
