// Shared by the search-*.test.ts files: run builders, position stripping and fast-check
// arbitraries for filter trees and runs.
import fc from 'fast-check';
import type { Comparator, Comparison, FilterNode } from '../../src/lib/search';
import type { DatasetInput, MetricSummary, Run, RunStatus } from '../../src/lib/tracking/types';
import { dictFrom, type Dict } from '../../src/lib/util/dict';

export interface RunSpec {
  id?: string;
  name?: string;
  experimentId?: string;
  status?: RunStatus;
  user?: string;
  start?: number;
  end?: number | null;
  deleted?: boolean;
  metrics?: [string, number][];
  params?: [string, string][];
  tags?: [string, string][];
  inputs?: { name: string; digest: string; context?: string }[];
}

export function summary(latest: number): MetricSummary {
  return { latest, step: 0, timestamp: 0, min: latest, max: latest, count: 1 };
}

let counter = 0;
export function makeRun(s: RunSpec = {}): Run {
  const id = s.id ?? `run${String(counter++).padStart(6, '0')}`;
  const inputs: DatasetInput[] = (s.inputs ?? []).map((i) => ({
    dataset: { name: i.name, digest: i.digest, sourceType: 'local', source: '{}', schema: null, profile: null },
    tags: i.context === undefined ? dictFrom<string>([]) : dictFrom([['mlflow.data.context', i.context]]),
  }));
  return {
    info: {
      runId: id, experimentId: s.experimentId ?? '0', runName: s.name ?? `name-${id}`,
      userId: s.user ?? 'alice', status: s.status ?? 'FINISHED', startTime: s.start ?? 1000,
      endTime: s.end === undefined ? 2000 : s.end, lifecycleStage: s.deleted ? 'deleted' : 'active',
      deletedTime: null, artifactUri: `mlflow-artifacts:/0/${id}/artifacts`,
    },
    metrics: dictFrom((s.metrics ?? []).map(([k, v]) => [k, summary(v)] as const)) as Dict<MetricSummary>,
    params: dictFrom(s.params ?? []),
    tags: dictFrom(s.tags ?? []),
    inputs,
  };
}

/** Deep copy without `pos`/`len`, to compare trees by meaning. */
export function strip(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(strip);
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (k !== 'pos' && k !== 'len') out[k] = strip(v);
    return out;
  }
  return x;
}

// Small pools make random runs and random filters actually meet.
export const KEY_POOL = ['a', 'b', 'mlflow.runName', 'test rmse', '__proto__', 'constructor', 'x`y', "it's", 'ключ'];
export const STRING_POOL = ['', 'a', 'A', 'abc', 'x%y', 'a_c', 'training', 'it\'s', '.*', 'FINISHED', 'run000001', 'Ab\nc'];
export const NUMBER_POOL = [0, -0, 1, -1, 0.5, 2.5, 1e21, -3e-7, 1000, 2000, Infinity, -Infinity, NaN];

const keyArb = fc.oneof(fc.constantFrom(...KEY_POOL), fc.string({ unit: 'binary', maxLength: 6 }));
const textArb = fc.oneof(fc.constantFrom(...STRING_POOL, '%', '_', 'a%', '%b%', '_b_', 'A%'), fc.string({ unit: 'binary', maxLength: 6 }));
const numArb = fc.oneof(
  fc.constantFrom(...NUMBER_POOL.filter(Number.isFinite)),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const numericOps: Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const stringOps: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];

function cmp(entity: Comparison['ident']['entity'], key: string, op: Comparator, value: Comparison['value']): Comparison {
  return { kind: 'compare', ident: { entity, key, pos: 0, len: 0 }, op, value, pos: 0, len: 0 };
}
const num = (value: number) => ({ kind: 'number' as const, value, pos: 0, len: 0 });
const str = (value: string) => ({ kind: 'string' as const, value, pos: 0, len: 0 });
const list = (values: string[]) => ({ kind: 'list' as const, values, pos: 0, len: 0 });

export const comparisonArb: fc.Arbitrary<Comparison> = fc.oneof(
  fc.tuple(keyArb, fc.constantFrom(...numericOps), numArb).map(([k, op, v]) => cmp('metric', k, op, num(v))),
  fc.tuple(fc.constantFrom('param', 'tag') as fc.Arbitrary<'param' | 'tag'>, keyArb,
    fc.constantFrom<Comparator>(...stringOps, 'IS NULL', 'IS NOT NULL'), textArb)
    .map(([e, k, op, v]) => cmp(e, k, op, op.startsWith('IS') ? null : str(v))),
  fc.tuple(fc.constantFrom('run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage'),
    fc.constantFrom(...stringOps), textArb).map(([k, op, v]) => cmp('attribute', k, op, str(v))),
  fc.tuple(fc.constantFrom<Comparator>('IN', 'NOT IN'), fc.array(textArb, { minLength: 1, maxLength: 3 }))
    .map(([op, vs]) => cmp('attribute', 'run_id', op, list(vs))),
  fc.tuple(fc.constantFrom('start_time', 'end_time'), fc.constantFrom(...numericOps), numArb)
    .map(([k, op, v]) => cmp('attribute', k, op, num(v))),
  fc.tuple(fc.constantFrom('name', 'digest', 'context'), fc.constantFrom(...stringOps), textArb)
    .map(([k, op, v]) => cmp('dataset', k, op, str(v))),
  fc.tuple(fc.constantFrom('name', 'digest', 'context'), fc.constantFrom<Comparator>('IN', 'NOT IN'),
    fc.array(textArb, { minLength: 1, maxLength: 3 })).map(([k, op, vs]) => cmp('dataset', k, op, list(vs))),
);

export const filterArb: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparisonArb,
    fc.record({ kind: fc.constantFrom<'and' | 'or'>('and', 'or'), items: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }),
  ),
})).node;

const pairs = <T>(vals: fc.Arbitrary<T>) =>
  fc.uniqueArray(fc.tuple(fc.constantFrom(...KEY_POOL), vals), { selector: (p) => p[0], maxLength: 4 });

export const runArb: fc.Arbitrary<Run> = fc.record({
  id: fc.constantFrom('run000001', 'run000002', 'a', 'abc', 'A'),
  name: fc.constantFrom(...STRING_POOL),
  status: fc.constantFrom<RunStatus>('RUNNING', 'FINISHED', 'FAILED'),
  user: fc.constantFrom(...STRING_POOL),
  start: fc.constantFrom(...NUMBER_POOL),
  end: fc.option(fc.constantFrom(...NUMBER_POOL), { nil: null }),
  deleted: fc.boolean(),
  metrics: pairs(fc.constantFrom(...NUMBER_POOL)),
  params: pairs(fc.constantFrom(...STRING_POOL)),
  tags: pairs(fc.constantFrom(...STRING_POOL)),
  inputs: fc.array(fc.record({
    name: fc.constantFrom(...STRING_POOL), digest: fc.constantFrom(...STRING_POOL),
    context: fc.option(fc.constantFrom(...STRING_POOL), { nil: undefined }),
  }), { maxLength: 2 }),
}).map(makeRun);
