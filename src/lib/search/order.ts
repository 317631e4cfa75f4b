/**
 * Sorting runs as MLflow does: the order_by keys in turn, ties broken by the base order
 * (start_time DESC, then run_id ascending); missing values sort after NaN, and both sort
 * after every real value whatever the direction. Keys are read once into columns and an
 * index array is sorted, so the comparator never touches run objects or dictionaries.
 */
import { type Identifier, type OrderKey, isNumericIdentifier } from './ast';
import type { Run } from '../tracking/types';
import { dictGet } from '../util/dict';

/** 0 = a value, 1 = NaN, 2 = missing. */
type Rank = Uint8Array;
interface Column {
  ascending: boolean;
  rank: Rank;
  numbers?: Float64Array;
  strings?: string[];
}

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
    case 'metric': return dictGet(run.metrics, id.key)?.latest;
    case 'param': return dictGet(run.params, id.key);
    case 'tag': return dictGet(run.tags, id.key);
    case 'attribute': return attributeValue(run, id.key);
    case 'dataset': throw new Error('internal: runs are not ordered by datasets');
  }
}

function buildColumn(runs: readonly Run[], key: OrderKey): Column {
  const n = runs.length;
  const rank = new Uint8Array(n);
  if (isNumericIdentifier(key.ident)) {
    const numbers = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = sortValue(runs[i], key.ident);
      if (typeof v !== 'number') rank[i] = 2;
      else if (v !== v) rank[i] = 1;
      else numbers[i] = v;
    }
    return { ascending: key.ascending, rank, numbers };
  }
  const strings = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = sortValue(runs[i], key.ident);
    if (typeof v === 'string') strings[i] = v;
    else { strings[i] = ''; rank[i] = 2; }
  }
  return { ascending: key.ascending, rank, strings };
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
  const cols = keys.map((k) => buildColumn(runs, k));
  const compare = (a: number, b: number): number => {
    for (const c of cols) {
      const ra = c.rank[a], rb = c.rank[b];
      if (ra !== rb) return ra - rb;
      if (ra !== 0) continue;
      const va = c.numbers ? c.numbers[a] : c.strings![a];
      const vb = c.numbers ? c.numbers[b] : c.strings![b];
      if (va < vb) return c.ascending ? -1 : 1;
      if (va > vb) return c.ascending ? 1 : -1;
    }
    if (start[a] !== start[b]) return start[a] > start[b] ? -1 : 1;
    const ia = ids[a], ib = ids[b];
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort(compare);
  const out = new Array<Run>(n);
  for (let i = 0; i < n; i++) out[i] = runs[order[i]];
  return out;
}
