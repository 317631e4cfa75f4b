/**
 * The runs table's column model: what a column is, how it is named in the URL, how it reads
 * a value from a run, and which columns a list of runs can offer. Pure, so the table, the
 * column picker and the URL all agree and can be unit-tested.
 *
 * Column ids: `a:<attr>` (attributes), `p:<key>` (param), `t:<key>` (tag), `m:<key>` (latest
 * metric), `m.min:<key>` / `m.max:<key>` / `m.mean:<key>`. Keys are free text (they may hold `,` or `:`), so
 * a list of ids is written with each id percent-encoded and joined by commas.
 */
import type { Run } from '../tracking/types';
import { METRIC_AGGS, summaryMean, summaryStat, type MetricAgg } from '../tracking/metric-stats';
import { dictGet } from '../util/dict';
import { isSystemTag, TAG } from '../tracking/tags';

export const ATTRIBUTES = ['status', 'name', 'start', 'duration', 'user', 'source', 'dataset'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];
export type { MetricAgg };
export { METRIC_AGGS, summaryMean };
/** How the column menu names each statistic. */
export const AGG_LABEL: Record<MetricAgg, string> = { latest: 'last', min: 'min', max: 'max', mean: 'mean' };

export type ColumnSpec =
  | { kind: 'attr'; key: Attribute }
  | { kind: 'param'; key: string }
  | { kind: 'tag'; key: string }
  | { kind: 'metric'; key: string; agg: MetricAgg };

const ATTR_LABEL: Record<Attribute, string> = {
  status: 'Status', name: 'Run name', start: 'Created', duration: 'Duration', user: 'User', source: 'Source', dataset: 'Dataset',
};

export function columnId(c: ColumnSpec): string {
  switch (c.kind) {
    case 'attr': return `a:${c.key}`;
    case 'param': return `p:${c.key}`;
    case 'tag': return `t:${c.key}`;
    case 'metric': return c.agg === 'latest' ? `m:${c.key}` : `m.${c.agg}:${c.key}`;
  }
}

/** Parses a column id; null for anything malformed (URLs are user-editable). */
export function parseColumnId(id: string): ColumnSpec | null {
  const colon = id.indexOf(':');
  if (colon < 0) return null;
  const head = id.slice(0, colon);
  const key = id.slice(colon + 1);
  switch (head) {
    case 'a': return (ATTRIBUTES as readonly string[]).includes(key) ? { kind: 'attr', key: key as Attribute } : null;
    case 'p': return key ? { kind: 'param', key } : null;
    case 't': return key ? { kind: 'tag', key } : null;
    case 'm': return key ? { kind: 'metric', key, agg: 'latest' } : null;
    case 'm.min': return key ? { kind: 'metric', key, agg: 'min' } : null;
    case 'm.max': return key ? { kind: 'metric', key, agg: 'max' } : null;
    case 'm.mean': return key ? { kind: 'metric', key, agg: 'mean' } : null;
  }
  return null;
}

export function encodeColumnList(cols: readonly ColumnSpec[]): string {
  return cols.map((c) => encodeURIComponent(columnId(c))).join(',');
}

/** Decodes a list written by encodeColumnList, dropping malformed and repeated entries. */
export function decodeColumnList(text: string): ColumnSpec[] {
  const out: ColumnSpec[] = [];
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    if (!part) continue;
    let id: string;
    try { id = decodeURIComponent(part); } catch { continue; }
    const c = parseColumnId(id);
    if (c && !seen.has(columnId(c))) { seen.add(columnId(c)); out.push(c); }
  }
  return out;
}

export function columnLabel(c: ColumnSpec): string {
  switch (c.kind) {
    case 'attr': return ATTR_LABEL[c.key];
    case 'param': case 'tag': return c.key;
    case 'metric': return c.agg === 'latest' ? c.key : `${c.key} (${c.agg})`;
  }
}

/** Numbers sort and align as numbers; everything else is text. */
export function isNumericColumn(c: ColumnSpec): boolean {
  return c.kind === 'metric' || (c.kind === 'attr' && (c.key === 'start' || c.key === 'duration'));
}

export function runDuration(run: Run): number | undefined {
  return run.info.endTime === null ? undefined : run.info.endTime - run.info.startTime;
}

/** The value a cell shows and sorts by; undefined when the run has none. */
export function columnValue(run: Run, c: ColumnSpec): string | number | undefined {
  switch (c.kind) {
    case 'param': return dictGet(run.params, c.key);
    case 'tag': return dictGet(run.tags, c.key);
    case 'metric': {
      const m = dictGet(run.metrics, c.key);
      return m === undefined ? undefined : summaryStat(m, c.agg);
    }
    case 'attr':
      switch (c.key) {
        case 'status': return run.info.status;
        case 'name': return run.info.runName;
        case 'start': return run.info.startTime;
        case 'duration': return runDuration(run);
        case 'user': return run.info.userId;
        case 'source': return dictGet(run.tags, TAG.sourceName);
        case 'dataset': return run.inputs.length ? run.inputs.map((i) => i.dataset.name).join(', ') : undefined;
      }
  }
}

export interface AvailableKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

/** Every param, metric and tag key the runs use, sorted; system tags (`mlflow.*`) last. */
export function availableKeys(runs: readonly Run[]): AvailableKeys {
  const params = new Set<string>(), metrics = new Set<string>(), tags = new Set<string>();
  for (const r of runs) {
    for (const k in r.params) params.add(k);
    for (const k in r.metrics) metrics.add(k);
    for (const k in r.tags) tags.add(k);
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sys = (k: string) => (isSystemTag(k) ? 1 : 0);
  return {
    params: [...params].sort(byName),
    metrics: [...metrics].sort(byName),
    tags: [...tags].sort((a, b) => sys(a) - sys(b) || byName(a, b)),
  };
}

/** The view before anyone picks columns: attributes, then a few metrics and params. */
export function defaultColumns(keys: AvailableKeys, maxMetrics = 6, maxParams = 6): ColumnSpec[] {
  return [
    ...(['status', 'name', 'start', 'duration', 'source', 'dataset'] as const).map((key) => ({ kind: 'attr' as const, key })),
    ...keys.metrics.slice(0, maxMetrics).map((key) => ({ kind: 'metric' as const, key, agg: 'latest' as const })),
    ...keys.params.slice(0, maxParams).map((key) => ({ kind: 'param' as const, key })),
  ];
}

/** Pinned columns first (in pin order), then the rest in their own order. */
export function arrangeColumns(cols: readonly ColumnSpec[], pinned: readonly string[]): { col: ColumnSpec; pinned: boolean }[] {
  const pinSet = new Set(pinned);
  const byId = new Map(cols.map((c) => [columnId(c), c]));
  const front = pinned.filter((id) => byId.has(id)).map((id) => ({ col: byId.get(id)!, pinned: true }));
  const rest = cols.filter((c) => !pinSet.has(columnId(c))).map((col) => ({ col, pinned: false }));
  return [...front, ...rest];
}

/** Per run: 0 = a value, 1 = NaN, 2 = missing (sorted last in that order whatever the direction). */
const VALUE = 0, NAN = 1, MISSING = 2;

/**
 * Reads one column of every run into typed arrays: a rank (value / NaN / missing) and a number
 * to compare; text becomes its position among the distinct values (code-unit order), so the
 * comparator never touches a run, a dictionary or a string.
 */
export interface SortKeys {
  rank: Uint8Array;
  key: Float64Array;
}

export function sortKeys(runs: readonly Run[], c: ColumnSpec): SortKeys {
  const n = runs.length;
  const rank = new Uint8Array(n);
  const key = new Float64Array(n);
  if (isNumericColumn(c)) {
    for (let i = 0; i < n; i++) {
      const v = columnValue(runs[i], c);
      if (typeof v !== 'number') rank[i] = MISSING; // also guards bad imported data
      else if (v !== v) rank[i] = NAN;
      else key[i] = v;
    }
    return { rank, key };
  }
  const text = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = columnValue(runs[i], c);
    if (v === undefined) rank[i] = MISSING;
    else text[i] = typeof v === 'string' ? v : String(v);
  }
  if (!rankFewTexts(text, rank, key)) rankManyTexts(text, rank, key);
  return { rank, key };
}

/** Above this many distinct texts, sorting the runs beats looking each text up in a map. */
const FEW_TEXTS = 4096;

/**
 * Keys for a column of few distinct texts (params, status): one map lookup per run, then the
 * distinct texts sorted. False, with nothing written, when the texts are not few.
 */
function rankFewTexts(text: string[], rank: Uint8Array, key: Float64Array): boolean {
  const n = text.length;
  const code = new Uint32Array(n);
  const codeOf = new Map<string, number>();
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    if (rank[i] !== VALUE) continue;
    let k = codeOf.get(text[i]);
    if (k === undefined) {
      if (texts.length === FEW_TEXTS) return false;
      k = texts.length;
      codeOf.set(text[i], k);
      texts.push(text[i]);
    }
    code[i] = k;
  }
  const byText = Array.from(texts, (_, k) => k).sort((a, b) => (texts[a] < texts[b] ? -1 : 1)); // distinct
  const rankOf = new Float64Array(texts.length);
  for (let r = 0; r < byText.length; r++) rankOf[byText[r]] = r;
  for (let i = 0; i < n; i++) if (rank[i] === VALUE) key[i] = rankOf[code[i]];
  return true;
}

/** Keys for a column of many distinct texts (run names): the runs sorted by text, equal texts one rank. */
function rankManyTexts(text: string[], rank: Uint8Array, key: Float64Array): void {
  const idx: number[] = [];
  for (let i = 0; i < text.length; i++) if (rank[i] === VALUE) idx.push(i);
  idx.sort((a, b) => (text[a] < text[b] ? -1 : text[a] > text[b] ? 1 : 0));
  let r = 0;
  for (let j = 0; j < idx.length; j++) {
    if (j > 0 && text[idx[j]] !== text[idx[j - 1]]) r++;
    key[idx[j]] = r;
  }
}

/** Whether this platform stores a double's low 32 bits first (every browser today does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Up to this many keyed rows, an insertion sort: the radix sort walks (and first allocates) a
 * 65,536-entry count array in each of its four passes whatever the row count, and the table of a
 * few training runs re-sorts on every store change (several a second). Insertion sort's
 * quadratic worst case is ~32,000 moves here; the radix sort's fixed cost is ~500,000 steps,
 * and in the interpreter (the first sorts of a page) it took ~10 ms for three rows.
 */
export const SMALL_SORT = 256;

/** The radix sort's count array: one per page, as a sort never runs inside another. */
let radixCount: Uint32Array | null = null;

/**
 * Stable LSD radix sort of `idx` by the unsigned 64-bit keys (hi, lo), 16 bits a pass; a pass
 * whose digit is the same for every key is skipped (small integers, such as the text ranks,
 * sort in one or two passes). The three arrays are permuted together and returned sorted.
 * Exported for the tests (orderByKeys picks it above SMALL_SORT keys).
 */
export function radixSort64(idx: Uint32Array, hi: Uint32Array, lo: Uint32Array): Uint32Array {
  const m = idx.length;
  if (m === 0) return idx;
  const count = (radixCount ??= new Uint32Array(65536));
  let idx2: Uint32Array = new Uint32Array(m), hi2: Uint32Array = new Uint32Array(m), lo2: Uint32Array = new Uint32Array(m);
  for (let pass = 0; pass < 4; pass++) {
    const words = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let j = 0; j < m; j++) count[(words[j] >>> shift) & 0xffff]++;
    if (count[(words[0] >>> shift) & 0xffff] === m) continue; // one digit for all: nothing moves
    let sum = 0;
    for (let d = 0; d < 65536; d++) { const c = count[d]; count[d] = sum; sum += c; }
    for (let j = 0; j < m; j++) {
      const p = count[(words[j] >>> shift) & 0xffff]++;
      idx2[p] = idx[j]; hi2[p] = hi[j]; lo2[p] = lo[j];
    }
    [idx, idx2] = [idx2, idx];
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
  }
  return idx;
}

/**
 * Stable insertion sort of `idx` by the unsigned 64-bit keys (hi, lo), in place: the radix
 * sort's order (equal keys keep their input order), for few keys (SMALL_SORT).
 */
export function insertionSort64(idx: Uint32Array, hi: Uint32Array, lo: Uint32Array): Uint32Array {
  for (let j = 1; j < idx.length; j++) {
    const i = idx[j], h = hi[j], l = lo[j];
    let k = j - 1;
    while (k >= 0 && (hi[k] > h || (hi[k] === h && lo[k] > l))) {
      idx[k + 1] = idx[k]; hi[k + 1] = hi[k]; lo[k + 1] = lo[k];
      k--;
    }
    idx[k + 1] = i; hi[k + 1] = h; lo[k + 1] = l;
  }
  return idx;
}

/**
 * The display order of keyed rows: rows with a value by key (ascending or descending), ties in
 * input order; then NaN rows, then missing ones, in input order. Keys become unsigned 64-bit
 * integers in the order of the doubles (sign bit flipped for positives, every bit for
 * negatives; -0 counts as 0) and are radix sorted: no comparator, a few linear passes (few
 * keys are insertion sorted, in the same order: SMALL_SORT).
 */
export function orderByKeys(rank: Uint8Array, key: Float64Array, ascending: boolean): Uint32Array {
  const n = rank.length;
  let values = 0;
  for (let i = 0; i < n; i++) if (rank[i] === VALUE) values++;
  const idx = new Uint32Array(values), hi = new Uint32Array(values), lo = new Uint32Array(values);
  const one = new Float64Array(1);
  const bits = new Uint32Array(one.buffer);
  const [L, H] = LITTLE_ENDIAN ? [0, 1] : [1, 0];
  const flipAll = ascending ? 0 : 0xffffffff; // descending: the complement reverses the order
  for (let i = 0, o = 0; i < n; i++) {
    if (rank[i] !== VALUE) continue;
    one[0] = key[i] + 0; // -0 + 0 = +0: zeros tie, as they compare equal
    const h = bits[H], l = bits[L];
    const neg = h >>> 31 === 1;
    idx[o] = i;
    hi[o] = ((neg ? ~h : h | 0x80000000) ^ flipAll) >>> 0;
    lo[o] = ((neg ? ~l : l) ^ flipAll) >>> 0;
    o++;
  }
  const sorted = values <= SMALL_SORT ? insertionSort64(idx, hi, lo) : radixSort64(idx, hi, lo);
  const out = new Uint32Array(n);
  out.set(sorted);
  let o = values;
  for (const tier of [NAN, MISSING]) for (let i = 0; i < n; i++) if (rank[i] === tier) out[o++] = i;
  return out;
}

/**
 * Sorts runs by one column. Values first (numbers numerically, text by code units), then NaN,
 * then missing, whatever the direction (as MLflow sorts); ties keep the input order.
 * Keys are read once, then radix sorted (orderByKeys).
 */
export function sortRunsByColumn(runs: readonly Run[], c: ColumnSpec, ascending: boolean): Run[] {
  const { rank, key } = sortKeys(runs, c);
  const idx = orderByKeys(rank, key, ascending);
  const out = new Array<Run>(runs.length);
  for (let i = 0; i < idx.length; i++) out[i] = runs[idx[i]];
  return out;
}
