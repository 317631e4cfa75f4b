import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Comparison, type FilterNode, compileFilter, parseFilter } from '../../src/lib/search';
import type { Run } from '../../src/lib/tracking/types';
import { filterArb, makeRun, runArb, type RunSpec } from './search-helpers';

const matches = (filter: string, run: Run) => compileFilter(parseFilter(filter))(run);
const which = (filter: string, specs: RunSpec[]) => {
  const f = compileFilter(parseFilter(filter));
  return specs.map((s) => makeRun(s)).filter(f).map((r) => r.info.runId);
};

describe('metrics', () => {
  const run = makeRun({ metrics: [['rmse', 0.5], ['inf', Infinity], ['nan', NaN]] });
  it('compares the latest value with every numeric comparator', () => {
    const table: [string, boolean][] = [
      ['= 0.5', true], ['= 0.4', false], ['!= 0.4', true], ['!= 0.5', false], ['< 0.6', true], ['< 0.5', false],
      ['<= 0.5', true], ['<= 0.4', false], ['> 0.4', true], ['> 0.5', false], ['>= 0.5', true], ['>= 0.6', false],
    ];
    for (const [rest, want] of table) expect(matches(`metrics.rmse ${rest}`, run), rest).toBe(want);
  });
  it('uses the latest summary value, not min or max', () => {
    const r = makeRun();
    r.metrics.loss = { latest: 3, step: 9, timestamp: 1, min: 1, max: 5, count: 3 };
    expect(matches('metrics.loss = 3', r)).toBe(true);
    expect(matches('metrics.loss < 2', r)).toBe(false);
    expect(matches('metrics.loss > 4', r)).toBe(false);
  });
  it('never matches a missing metric, not even with !=', () => {
    expect(matches('metrics.other != 1', run)).toBe(false);
    expect(matches('metrics.other < 1e300', run)).toBe(false);
  });
  it('makes every comparison with NaN false except != (as MLflow does)', () => {
    for (const op of ['=', '<', '<=', '>', '>=']) expect(matches(`metrics.nan ${op} 0`, run), op).toBe(false);
    expect(matches('metrics.nan != 0', run)).toBe(true);
  });
  it('orders infinities as numbers', () => {
    expect(matches('metrics.inf > 1e308', run)).toBe(true);
    expect(matches('metrics.inf != 5', run)).toBe(true);
  });
  it('does not read inherited properties for keys such as constructor', () => {
    const r = makeRun({ params: [['__proto__', 'p']], tags: [['toString', 't']] });
    expect(matches("params.`__proto__` = 'p'", r)).toBe(true);
    expect(matches("params.constructor IS NULL", r)).toBe(true);
    expect(matches("params.hasOwnProperty LIKE '%'", r)).toBe(false);
    expect(matches("tags.toString = 't'", r)).toBe(true);
    expect(matches('metrics.valueOf > 0', r)).toBe(false);
  });
});

describe('params and tags', () => {
  const spec: RunSpec = { id: 'r1', params: [['alpha', '0.5'], ['model', 'ElasticNet']], tags: [['mlflow.runName', 'Blue Fox']] };
  it('compares strings exactly', () => {
    expect(which("params.alpha = '0.5'", [spec])).toEqual(['r1']);
    expect(which("params.alpha = '0.50'", [spec])).toEqual([]);
    expect(which("params.alpha != '0.50'", [spec])).toEqual(['r1']);
    expect(which("tags.mlflow.runName = 'Blue Fox'", [spec])).toEqual(['r1']);
  });
  it('never matches a missing key except with IS NULL', () => {
    expect(which("params.beta != 'x'", [spec])).toEqual([]);
    expect(which("params.beta LIKE '%'", [spec])).toEqual([]);
    expect(which('params.beta IS NULL', [spec])).toEqual(['r1']);
    expect(which('params.alpha IS NULL', [spec])).toEqual([]);
    expect(which('params.alpha IS NOT NULL', [spec])).toEqual(['r1']);
    expect(which('tags.missing IS NOT NULL', [spec])).toEqual([]);
  });
});

describe('LIKE and ILIKE', () => {
  const like = (value: string, pattern: string, op = 'LIKE') =>
    matches(`params.p ${op} '${pattern.replaceAll("'", "''")}'`, makeRun({ params: [['p', value]] }));
  it('treats % as any run and _ as one character, anchored at both ends', () => {
    expect(like('ElasticNet', 'Elastic%')).toBe(true);
    expect(like('ElasticNet', '%Net')).toBe(true);
    expect(like('ElasticNet', '%stic%')).toBe(true);
    expect(like('ElasticNet', 'Elastic')).toBe(false);
    expect(like('ElasticNet', 'lastic%')).toBe(false);
    expect(like('abc', 'a_c')).toBe(true);
    expect(like('abbc', 'a_c')).toBe(false);
    expect(like('', '%')).toBe(true);
    expect(like('', '_')).toBe(false);
    expect(like('a😀c', 'a_c')).toBe(true);
    expect(like('line1\nline2', 'line1%line2')).toBe(true);
  });
  it('matches regex metacharacters literally', () => {
    for (const special of ['.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$', '\\', '/', '-']) {
      expect(like(`a${special}b`, `a${special}b`), special).toBe(true);
      expect(like('axb', `a${special}b`), special).toBe(false);
    }
    expect(like('a.*b', '%.*%')).toBe(true);
    expect(like('axxb', 'a.*b')).toBe(false);
    expect(like('[x]', '[x]')).toBe(true);
    expect(like('x', '[x]')).toBe(false);
  });
  it('is case-sensitive for LIKE and not for ILIKE', () => {
    expect(like('ElasticNet', 'elastic%')).toBe(false);
    expect(like('ElasticNet', 'elastic%', 'ILIKE')).toBe(true);
    expect(like('ÉCOLE', 'école', 'ILIKE')).toBe(true);
    expect(like('ElasticNet', 'lasso%', 'ILIKE')).toBe(false);
  });
});

describe('attributes', () => {
  const specs: RunSpec[] = [
    { id: 'r1', name: 'alpha', status: 'FINISHED', user: 'ann', start: 100, end: 200 },
    { id: 'r2', name: 'beta', status: 'RUNNING', user: 'bob', start: 300, end: null },
    { id: 'r3', name: 'gamma', status: 'FAILED', user: 'ann', start: 500, end: 900, deleted: true },
  ];
  it('compares string attributes', () => {
    expect(which("attributes.status = 'RUNNING'", specs)).toEqual(['r2']);
    expect(which("status != 'RUNNING'", specs)).toEqual(['r1', 'r3']);
    expect(which("run_name LIKE '%a'", specs)).toEqual(['r1', 'r2', 'r3']);
    expect(which("\"run name\" = 'beta'", specs)).toEqual(['r2']);
    expect(which("user_id = 'ann'", specs)).toEqual(['r1', 'r3']);
    expect(which("artifact_uri LIKE '%/r2/artifacts'", specs)).toEqual(['r2']);
    expect(which("lifecycle_stage = 'deleted'", specs)).toEqual(['r3']);
    expect(which("run_id IN ('r1', 'r3', 'zz')", specs)).toEqual(['r1', 'r3']);
    expect(which("attr.run_id NOT IN ('r1')", specs)).toEqual(['r2', 'r3']);
  });
  it('compares numeric attributes; a null end_time never matches', () => {
    expect(which('start_time >= 300', specs)).toEqual(['r2', 'r3']);
    expect(which('created < 300', specs)).toEqual(['r1']);
    expect(which('end_time > 0', specs)).toEqual(['r1', 'r3']);
    expect(which('end_time != 200', specs)).toEqual(['r3']);
    expect(which('run.start_time = 100.0', specs)).toEqual(['r1']);
  });
});

describe('datasets', () => {
  const specs: RunSpec[] = [
    { id: 'r1', inputs: [{ name: 'wine-train', digest: 'aaaa1111', context: 'training' }, { name: 'wine-test', digest: 'bbbb2222', context: 'evaluation' }] },
    { id: 'r2', inputs: [{ name: 'wine-train', digest: 'cccc3333' }] },
    { id: 'r3', inputs: [] },
  ];
  it('matches when any input matches', () => {
    expect(which("datasets.name = 'wine-test'", specs)).toEqual(['r1']);
    expect(which("datasets.name = 'wine-train'", specs)).toEqual(['r1', 'r2']);
    expect(which("dataset.digest LIKE 'c%'", specs)).toEqual(['r2']);
    expect(which("datasets.name != 'wine-train'", specs)).toEqual(['r1']);
    expect(which("datasets.digest IN ('bbbb2222', 'cccc3333')", specs)).toEqual(['r1', 'r2']);
    expect(which("datasets.name NOT IN ('wine-train')", specs)).toEqual(['r1']);
    expect(which("datasets.name ILIKE 'WINE%'", specs)).toEqual(['r1', 'r2']);
  });
  it('reads context from the input tag mlflow.data.context; inputs without it never match', () => {
    expect(which("datasets.context = 'training'", specs)).toEqual(['r1']);
    expect(which("datasets.context != 'training'", specs)).toEqual(['r1']);
    expect(which("datasets.context LIKE '%'", specs)).toEqual(['r1']);
    expect(which("datasets.context NOT IN ('x')", specs)).toEqual(['r1']);
  });
  it('combines with AND / OR per run', () => {
    expect(which("datasets.name = 'wine-train' AND datasets.context = 'evaluation'", specs)).toEqual(['r1']);
    expect(which("datasets.digest = 'cccc3333' OR run_id = 'r3'", specs)).toEqual(['r2', 'r3']);
  });
});

it('evaluates OR and AND with AND binding tighter', () => {
  const specs: RunSpec[] = [
    { id: 'a', params: [['x', '1']] },
    { id: 'b', params: [['y', '1'], ['z', '1']] },
    { id: 'c', params: [['y', '1']] },
  ];
  expect(which("params.x = '1' OR params.y = '1' AND params.z = '1'", specs)).toEqual(['a', 'b']);
  expect(which("(params.x = '1' OR params.y = '1') AND params.z = '1'", specs)).toEqual(['b']);
  expect(which("params.x = '1' OR params.y = '1' OR params.q = '1'", specs)).toEqual(['a', 'b', 'c']);
  expect(which('', specs)).toEqual(['a', 'b', 'c']);
});

// ---- property (c): the compiled evaluator agrees with a plain reference interpreter ----

const own = (d: object, k: string) => Object.prototype.hasOwnProperty.call(d, k);

/** LIKE by dynamic programming over code points (no regexes), as a second opinion. */
function refLike(value: string, pattern: string, ci: boolean): boolean {
  const v = Array.from(value), p = Array.from(pattern);
  const same = (a: string, b: string) =>
    a === b || (ci && (a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase()));
  let row = new Array<boolean>(v.length + 1).fill(false);
  row[0] = true;
  for (const pc of p) {
    const next = new Array<boolean>(v.length + 1).fill(false);
    if (pc === '%') next[0] = row[0];
    for (let j = 1; j <= v.length; j++) {
      if (pc === '%') next[j] = next[j - 1] || row[j];
      else next[j] = row[j - 1] && (pc === '_' || same(pc, v[j - 1]));
    }
    row = next;
  }
  return row[v.length];
}

function refCompare(c: Comparison, lhs: string | number): boolean {
  const v = c.value!;
  if (typeof lhs === 'number') {
    const x = (v as { value: number }).value;
    if (Number.isNaN(lhs)) return c.op === '!=';
    return { '=': lhs === x, '!=': lhs !== x, '<': lhs < x, '<=': lhs <= x, '>': lhs > x, '>=': lhs >= x }[c.op as '='];
  }
  if (c.op === 'IN') return (v as { values: string[] }).values.includes(lhs);
  if (c.op === 'NOT IN') return !(v as { values: string[] }).values.includes(lhs);
  const s = (v as { value: string }).value;
  if (c.op === '=') return lhs === s;
  if (c.op === '!=') return lhs !== s;
  return refLike(lhs, s, c.op === 'ILIKE');
}

function refEval(node: FilterNode, run: Run): boolean {
  if (node.kind !== 'compare') {
    return node.kind === 'and' ? node.items.every((n) => refEval(n, run)) : node.items.some((n) => refEval(n, run));
  }
  const { entity, key } = node.ident;
  if (entity === 'dataset') {
    const values: string[] = [];
    for (const input of run.inputs) {
      if (key === 'context') {
        if (own(input.tags, 'mlflow.data.context')) values.push(input.tags['mlflow.data.context']);
      } else values.push(key === 'name' ? input.dataset.name : input.dataset.digest);
    }
    return values.some((x) => refCompare(node, x));
  }
  let lhs: string | number | null | undefined;
  if (entity === 'metric') lhs = own(run.metrics, key) ? run.metrics[key].latest : undefined;
  else if (entity === 'param') lhs = own(run.params, key) ? run.params[key] : undefined;
  else if (entity === 'tag') lhs = own(run.tags, key) ? run.tags[key] : undefined;
  else {
    const i = run.info;
    const attrs: Record<string, string | number | null> = {
      run_id: i.runId, run_name: i.runName, status: i.status, user_id: i.userId, artifact_uri: i.artifactUri,
      lifecycle_stage: i.lifecycleStage, start_time: i.startTime, end_time: i.endTime,
    };
    lhs = attrs[key];
  }
  if (node.op === 'IS NULL') return lhs === undefined;
  if (node.op === 'IS NOT NULL') return lhs !== undefined;
  if (lhs === undefined || lhs === null) return false;
  return refCompare(node, lhs);
}

it('(c) the compiled evaluator agrees with a reference interpreter', () => {
  let hits = 0, total = 0;
  fc.assert(fc.property(filterArb, fc.array(runArb, { minLength: 1, maxLength: 6 }), (tree, runs) => {
    const compiled = compileFilter(tree);
    for (const r of runs) {
      const want = refEval(tree, r);
      expect(compiled(r)).toBe(want);
      total++;
      if (want) hits++;
    }
  }), { numRuns: 3000 });
  // Guard against a generator that only ever produces non-matching filters.
  expect(hits / total).toBeGreaterThan(0.1);
  expect(hits / total).toBeLessThan(0.9);
});

// Timings live in bench/ (bench/suites/10-tracking.mjs); this checks 100k runs give the right answer.
it('filters 100,000 runs like the reference interpreter', () => {
  const runs: Run[] = [];
  for (let i = 0; i < 100_000; i++) {
    runs.push(makeRun({
      id: `r${i}`, status: i % 3 ? 'FINISHED' : 'FAILED', start: i,
      metrics: [['rmse', (i % 1000) / 1000], ['mae', (i % 777) / 777]],
      params: [['alpha', String(i % 10 / 10)], ['l1_ratio', '0.5']],
      tags: [['mlflow.runName', `run-${i}`], ['mlflow.source.type', 'LOCAL']],
    }));
  }
  const filter = "metrics.rmse < 0.8 AND params.alpha = '0.5' AND (attributes.status = 'FINISHED' OR tags.mlflow.runName LIKE '%7')";
  const f = compileFilter(parseFilter(filter));
  let count = 0;
  for (const r of runs) if (f(r)) count++;
  const expected = runs.filter((r) => refEval(parseFilter(filter)!, r)).length;
  expect(count).toBe(expected);
  expect(count).toBeGreaterThan(0);
});
