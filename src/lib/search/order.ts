/**
 * Sorting runs as MLflow does: the order_by keys in turn, ties broken by the base order
 * (start_time DESC, then run_id ascending); missing values sort after NaN, and both sort
 * after every real value whatever the direction. Keys are read once into columns and an
 * index array is sorted, so the comparator never touches run objects or dictionaries.
 */
import { type Identifier, type OrderKey, isNumericIdentifier } from './ast';
import type { Run } from '../tracking/types';
import { dictGet } from '../util/dict';
import { summaryStat } from '../tracking/metric-stats';

/** Compares two run indices; 0 = tie on this key. */
type IndexCompare = (a: number, b: number) => number;
/** Per run: 0 = a value, 1 = NaN, 2 = missing (sorted last in that order, as MLflow does). */
const VALUE = 0, NAN = 1, MISSING = 2;

function attributeValue(run: Run, key: string): string | number | null {
  const i = run.info;
  switch (key) {
    case 'run_id': return i.runId;
    case 'run_name': return i.runName;
    case 'status': return i.status;
    case 'user_id': return i.userId;
    case 'artifact_uri': return i.artifactUri;
    case 'lifecycle_stage': return i.lifecycleStage;
    case 'start_time': return i.startTime;
    case 'end_time': return i.endTime;
  }
  throw new Error(`internal: attribute ${key}`);
}

/** The raw sort value of one run for one identifier; undefined/null = missing. */
function sortValue(run: Run, id: Identifier): string | number | null | undefined {
  switch (id.entity) {
    case 'metric': {
      const m = dictGet(run.metrics, id.key);
      return m === undefined ? undefined : id.agg ? summaryStat(m, id.agg) : m.latest;
    }
    case 'param': return dictGet(run.params, id.key);
    case 'tag': return dictGet(run.tags, id.key);
    case 'attribute': return attributeValue(run, id.key);
    case 'dataset': throw new Error('internal: runs are not ordered by datasets');
  }
}

/**
 * Replaces strings by their rank among the distinct values (default sort = UTF-16 code-unit
 * order), so string columns compare as numbers in the hot comparator.
 */
function stringRanks(strings: (string | undefined)[], values: Float64Array): void {
  const rankOf = new Map<string, number>();
  for (const s of strings) if (s !== undefined) rankOf.set(s, 0);
  const distinct = [...rankOf.keys()].sort();
  for (let r = 0; r < distinct.length; r++) rankOf.set(distinct[r], r);
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i];
    if (s !== undefined) values[i] = rankOf.get(s)!;
  }
}

/** Reads one key for every run into typed columns and returns a comparator over them. */
function columnCompare(runs: readonly Run[], key: OrderKey): IndexCompare {
  const n = runs.length;
  const rank = new Uint8Array(n);
  const values = new Float64Array(n);
  const dir = key.ascending ? 1 : -1;
  if (isNumericIdentifier(key.ident)) {
    for (let i = 0; i < n; i++) {
      const v = sortValue(runs[i], key.ident);
      if (typeof v !== 'number') rank[i] = MISSING;
      else if (v !== v) rank[i] = NAN;
      else values[i] = v;
    }
  } else {
    const strings = new Array<string | undefined>(n);
    for (let i = 0; i < n; i++) {
      const v = sortValue(runs[i], key.ident);
      if (typeof v === 'string') strings[i] = v;
      else rank[i] = MISSING;
    }
    stringRanks(strings, values);
  }
  return (a, b) => {
    const ra = rank[a], rb = rank[b];
    if (ra !== rb) return ra - rb;
    if (ra !== VALUE) return 0;
    const va = values[a], vb = values[b];
    return va < vb ? -dir : va > vb ? dir : 0;
  };
}

/** Returns a new array; the input is left as it was. */
export function sortRuns(runs: readonly Run[], keys: readonly OrderKey[]): Run[] {
  const n = runs.length;
  const start = new Float64Array(n);
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const s = runs[i].info.startTime;
    start[i] = typeof s === 'number' && s === s ? s : -Infinity; // keeps the comparator consistent
    ids[i] = runs[i].info.runId;
  }
  const base: IndexCompare = (a, b) => {
    const sa = start[a], sb = start[b];
    if (sa !== sb) return sa > sb ? -1 : 1;
    const ia = ids[a], ib = ids[b];
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };
  // Specialised comparators for the common shapes keep the hot loop monomorphic.
  const cols = keys.map((k) => columnCompare(runs, k));
  let compare: IndexCompare = base;
  if (cols.length === 1) {
    const c0 = cols[0];
    compare = (a, b) => c0(a, b) || base(a, b);
  } else if (cols.length > 1) {
    compare = (a, b) => {
      for (let k = 0; k < cols.length; k++) {
        const r = cols[k](a, b);
        if (r !== 0) return r;
      }
      return base(a, b);
    };
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort(compare);
  const out = new Array<Run>(n);
  for (let i = 0; i < n; i++) out[i] = runs[order[i]];
  return out;
}
