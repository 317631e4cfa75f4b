/**
 * The runs table's column model: what a column is, how it is named in the URL, how it reads
 * a value from a run, and which columns a list of runs can offer. Pure, so the table, the
 * column picker and the URL all agree and can be unit-tested.
 *
 * Column ids: `a:<attr>` (attributes), `p:<key>` (param), `t:<key>` (tag), `m:<key>` (latest
 * metric), `m.min:<key>` / `m.max:<key>`. Keys are free text (they may hold `,` or `:`), so
 * a list of ids is written with each id percent-encoded and joined by commas.
 */
import type { Run } from '../tracking/types';
import { dictGet } from '../util/dict';

export const ATTRIBUTES = ['status', 'name', 'start', 'duration', 'user', 'source', 'dataset'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];
export type MetricAgg = 'latest' | 'min' | 'max';

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
      return m === undefined ? undefined : m[c.agg];
    }
    case 'attr':
      switch (c.key) {
        case 'status': return run.info.status;
        case 'name': return run.info.runName;
        case 'start': return run.info.startTime;
        case 'duration': return runDuration(run);
        case 'user': return run.info.userId;
        case 'source': return dictGet(run.tags, 'mlflow.source.name');
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
  const sys = (k: string) => (k.startsWith('mlflow.') ? 1 : 0);
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

/**
 * Sorts runs by one column. Values first (numbers numerically, text by code units), then NaN,
 * then missing, whatever the direction (as MLflow sorts); ties keep the input order.
 */
export function sortRunsByColumn(runs: readonly Run[], c: ColumnSpec, ascending: boolean): Run[] {
  const n = runs.length;
  const rank = new Uint8Array(n);
  const keys: (number | string)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = columnValue(runs[i], c);
    if (v === undefined) { rank[i] = 2; keys[i] = 0; }
    else if (typeof v === 'number' && v !== v) { rank[i] = 1; keys[i] = 0; }
    else keys[i] = v;
  }
  const dir = ascending ? 1 : -1;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => {
    if (rank[a] !== rank[b]) return rank[a] - rank[b];
    if (rank[a] !== 0) return a - b;
    const x = keys[a], y = keys[b];
    if (x === y) return a - b;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
    const sx = String(x), sy = String(y);
    return (sx < sy ? -1 : sx > sy ? 1 : 0) * dir || a - b;
  });
  return idx.map((i) => runs[i]);
}
