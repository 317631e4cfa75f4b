/**
 * Filters a fixed list of runs (the runs table's experiment) by evaluating each comparison over
 * a column of the list instead of run by run: a param, tag or attribute becomes a code per run
 * into its distinct values, so the comparison (a LIKE regex included) runs once per distinct
 * value; a latest metric becomes a typed array. Columns are kept per list, so the next filter
 * on the same keys reads no run again. AND and OR combine masks.
 *
 * The result equals the compiled predicate's (evaluate.ts) on every run: the columns hold the
 * very values the predicate reads, and a comparison the columns cannot hold exactly (dataset
 * fields, metric statistics, times, a metric whose latest value is not a number) is evaluated
 * run by run with the compiled predicate.
 */
import type { Comparison, FilterNode } from './ast';
import { compileFilter, numberTest, numericValue, stringTest } from './evaluate';
import type { Run } from '../tracking/types';
import { dictGet } from '../util/dict';

/** The value of a param or tag a run does not have (distinct from an own `undefined`). */
const ABSENT: unique symbol = Symbol('absent');

/** Per run, the index of its value in `values`. */
interface CodedColumn {
  codes: Uint32Array;
  values: unknown[];
}

/** A metric's latest value per run; `has` 0 where the run lacks the metric. */
interface MetricColumn {
  has: Uint8Array;
  latest: Float64Array;
}

const STRING_ATTRIBUTES = {
  run_id: (r: Run) => r.info.runId,
  run_name: (r: Run) => r.info.runName,
  status: (r: Run) => r.info.status,
  user_id: (r: Run) => r.info.userId,
  artifact_uri: (r: Run) => r.info.artifactUri,
  lifecycle_stage: (r: Run) => r.info.lifecycleStage,
} as const satisfies Record<string, (r: Run) => unknown>;

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

export class RunColumns {
  private readonly coded = new Map<string, CodedColumn>();
  /** null: some run's latest value is not a number (bad imported data): evaluated run by run. */
  private readonly metrics = new Map<string, MetricColumn | null>();

  constructor(readonly runs: readonly Run[]) {}

  private codedColumn(id: string, read: (r: Run) => unknown): CodedColumn {
    let col = this.coded.get(id);
    if (col) return col;
    const runs = this.runs;
    const codes = new Uint32Array(runs.length);
    const index = new Map<unknown, number>();
    const values: unknown[] = [];
    for (let i = 0; i < runs.length; i++) {
      const v = read(runs[i]);
      let c = index.get(v);
      if (c === undefined) { c = values.length; index.set(v, c); values.push(v); }
      codes[i] = c;
    }
    this.coded.set(id, (col = { codes, values }));
    return col;
  }

  /** A param's or tag's value per run, ABSENT where the run lacks the key. */
  dictColumn(entity: 'param' | 'tag', key: string): CodedColumn {
    return entity === 'param'
      ? this.codedColumn(`p:${key}`, (r) => (hasOwn(r.params, key) ? r.params[key] : ABSENT))
      : this.codedColumn(`t:${key}`, (r) => (hasOwn(r.tags, key) ? r.tags[key] : ABSENT));
  }

  attributeColumn(key: keyof typeof STRING_ATTRIBUTES): CodedColumn {
    return this.codedColumn(`a:${key}`, STRING_ATTRIBUTES[key]);
  }

  metricColumn(key: string): MetricColumn | null {
    if (this.metrics.has(key)) return this.metrics.get(key)!;
    const runs = this.runs;
    const has = new Uint8Array(runs.length);
    const latest = new Float64Array(runs.length);
    let col: MetricColumn | null = { has, latest };
    for (let i = 0; i < runs.length; i++) {
      const m = dictGet(runs[i].metrics, key);
      if (m === undefined) continue;
      if (typeof m.latest !== 'number') { col = null; break; }
      has[i] = 1;
      latest[i] = m.latest;
    }
    this.metrics.set(key, col);
    return col;
  }
}

/** 1 where the run's coded value passes `test`, testing each distinct value once. */
function codedMask(col: CodedColumn, test: (v: unknown) => boolean): Uint8Array {
  const pass = Uint8Array.from(col.values, (v) => (test(v) ? 1 : 0));
  const { codes } = col;
  const mask = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) mask[i] = pass[codes[i]];
  return mask;
}

function comparisonMask(c: Comparison, cols: RunColumns): Uint8Array | null {
  const { entity, key } = c.ident;
  if (entity === 'metric' && !c.ident.agg) {
    const col = cols.metricColumn(key);
    if (!col) return null;
    const test = numberTest(c.op, numericValue(c));
    const { has, latest } = col;
    const mask = new Uint8Array(has.length);
    for (let i = 0; i < has.length; i++) if (has[i] === 1 && test(latest[i])) mask[i] = 1;
    return mask;
  }
  if (entity === 'param' || entity === 'tag') {
    const col = cols.dictColumn(entity, key);
    if (c.op === 'IS NULL') return codedMask(col, (v) => v === ABSENT);
    if (c.op === 'IS NOT NULL') return codedMask(col, (v) => v !== ABSENT);
    const test = stringTest(c) as (v: unknown) => boolean;
    return codedMask(col, (v) => v !== ABSENT && v !== undefined && test(v));
  }
  if (entity === 'attribute' && hasOwn(STRING_ATTRIBUTES, key)) {
    const test = stringTest(c) as (v: unknown) => boolean;
    return codedMask(cols.attributeColumn(key as keyof typeof STRING_ATTRIBUTES), test);
  }
  return null;
}

function nodeMask(node: FilterNode, cols: RunColumns): Uint8Array {
  if (node.kind === 'compare') {
    const mask = comparisonMask(node, cols);
    if (mask) return mask;
    const matches = compileFilter(node);
    const runs = cols.runs;
    const out = new Uint8Array(runs.length);
    for (let i = 0; i < runs.length; i++) if (matches(runs[i])) out[i] = 1;
    return out;
  }
  const [head, ...rest] = node.items.map((item) => nodeMask(item, cols));
  if (node.kind === 'and') for (const m of rest) for (let i = 0; i < head.length; i++) head[i] &= m[i];
  else for (const m of rest) for (let i = 0; i < head.length; i++) head[i] |= m[i];
  return head;
}

/** Which runs of `cols.runs` the filter keeps (1), by index; the empty filter (null) keeps all. */
export function filterMask(node: FilterNode | null, cols: RunColumns): Uint8Array {
  return node === null ? new Uint8Array(cols.runs.length).fill(1) : nodeMask(node, cols);
}
