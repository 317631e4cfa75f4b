import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SearchSyntaxError, compileFilterText, decodePageToken, encodePageToken, parseOrderBy, printOrderBy,
  searchRunList, sortRuns,
} from '../../src/lib/search';
import type { Run } from '../../src/lib/tracking/types';
import { MlflowError } from '../../src/lib/util/errors';
import { KEY_POOL, makeRun, runArb, type RunSpec } from './search-helpers';

const ids = (runs: Run[]) => runs.map((r) => r.info.runId);
const sortIds = (specs: RunSpec[], orderBy: string[]) =>
  ids(sortRuns(specs.map((s) => makeRun(s)), orderBy.map(parseOrderBy)));

describe('ordering', () => {
  it('defaults to start_time DESC, then run_id', () => {
    expect(sortIds([{ id: 'b', start: 1 }, { id: 'c', start: 2 }, { id: 'a', start: 1 }], [])).toEqual(['c', 'a', 'b']);
  });

  const metricRuns: RunSpec[] = [
    { id: 'none', start: 9 },
    { id: 'nan', start: 8, metrics: [['m', NaN]] },
    { id: 'two', start: 7, metrics: [['m', 2]] },
    { id: 'one', start: 6, metrics: [['m', 1]] },
    { id: 'inf', start: 5, metrics: [['m', -Infinity]] },
    { id: 'one-b', start: 6.5, metrics: [['m', 1]] },
  ];
  it('sorts metrics numerically with NaN then missing last in both directions', () => {
    expect(sortIds(metricRuns, ['metrics.m'])).toEqual(['inf', 'one-b', 'one', 'two', 'nan', 'none']);
    expect(sortIds(metricRuns, ['metrics.m ASC'])).toEqual(['inf', 'one-b', 'one', 'two', 'nan', 'none']);
    expect(sortIds(metricRuns, ['metrics.m DESC'])).toEqual(['two', 'one-b', 'one', 'inf', 'nan', 'none']);
  });

  it('sorts strings by code unit and puts missing values last', () => {
    const runs: RunSpec[] = [
      { id: 'r1', params: [['p', 'a']] }, { id: 'r2', params: [['p', 'B']] }, { id: 'r3' },
      { id: 'r4', params: [['p', 'é']] }, { id: 'r5', params: [['p', '10']] }, { id: 'r6', params: [['p', '9']] },
    ];
    expect(sortIds(runs, ['params.p'])).toEqual(['r5', 'r6', 'r2', 'r1', 'r4', 'r3']);
    expect(sortIds(runs, ['params.p DESC'])).toEqual(['r4', 'r1', 'r2', 'r6', 'r5', 'r3']);
  });

  it('applies several keys in turn, ties falling back to the base order', () => {
    const runs: RunSpec[] = [
      { id: 'a', start: 1, params: [['g', 'x']], metrics: [['m', 1]] },
      { id: 'b', start: 2, params: [['g', 'y']], metrics: [['m', 1]] },
      { id: 'c', start: 3, params: [['g', 'x']], metrics: [['m', 2]] },
      { id: 'd', start: 4, params: [['g', 'x']], metrics: [['m', 1]] },
      { id: 'e', start: 5, metrics: [['m', 3]] },
    ];
    expect(sortIds(runs, ['params.g', 'metrics.m DESC'])).toEqual(['c', 'd', 'a', 'b', 'e']);
    expect(sortIds(runs, ['params.g DESC', 'metrics.m'])).toEqual(['b', 'd', 'a', 'c', 'e']);
  });

  it('orders by attributes, including aliases and null end times', () => {
    const runs: RunSpec[] = [
      { id: 'a', start: 3, end: null, name: 'zeta' }, { id: 'b', start: 1, end: 10, name: 'alpha' },
      { id: 'c', start: 2, end: 5, name: 'Mid' },
    ];
    expect(sortIds(runs, ['created'])).toEqual(['b', 'c', 'a']);
    expect(sortIds(runs, ['attributes.end_time DESC'])).toEqual(['b', 'c', 'a']);
    expect(sortIds(runs, ['end_time'])).toEqual(['c', 'b', 'a']);
    expect(sortIds(runs, ['`Run name` DESC'])).toEqual(['a', 'b', 'c']);
    expect(sortIds(runs, ['run_id DESC'])).toEqual(['c', 'b', 'a']);
  });

  /**
   * MLflow's procedure, literally: base sort, then one stable sort per key from the last
   * key to the first, with (missing, value) tuples and a reversed comparison for DESC.
   */
  function mlflowSort(runs: Run[], keys: { entity: string; key: string; asc: boolean }[]): Run[] {
    const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
    let out = [...runs].sort((a, b) => cmp(-a.info.startTime, -b.info.startTime) || cmp(a.info.runId, b.info.runId));
    for (const k of [...keys].reverse()) {
      const value = (r: Run): string | number | undefined => {
        const d = k.entity === 'metric' ? r.metrics : k.entity === 'param' ? r.params : r.tags;
        if (!Object.prototype.hasOwnProperty.call(d, k.key)) return undefined;
        const v = d[k.key];
        return typeof v === 'object' ? v.latest : v;
      };
      // Tuple key as MLflow builds it: missing -> +/-inf fill, NaN -> the opposite fill.
      const tuple = (r: Run): [number, string | number] => {
        const v = value(r);
        const fill = k.asc ? Infinity : -Infinity;
        const missing = v === undefined || Number.isNaN(v);
        const sv = v === undefined ? fill : Number.isNaN(v) ? -fill : v;
        return k.asc ? [missing ? 1 : 0, sv] : [missing ? 0 : 1, sv];
      };
      const byTuple = (a: Run, b: Run) => {
        const ta = tuple(a), tb = tuple(b);
        if (ta[0] !== tb[0]) return ta[0] - tb[0];
        const [x, y] = [ta[1], tb[1]];
        if (typeof x !== typeof y) return 0; // only a missing (filled) value next to a NaN fill: ranked by tuple[0]
        return cmp(x, y);
      };
      out = out.sort((a, b) => (k.asc ? byTuple(a, b) : byTuple(b, a)));
    }
    return out;
  }

  it('agrees with a literal re-enactment of MLflow\'s multi-pass sort', () => {
    const keyArb = fc.record({
      entity: fc.constantFrom('metric', 'param', 'tag'), key: fc.constantFrom(...KEY_POOL.slice(0, 4)), asc: fc.boolean(),
    });
    const finiteStart = runArb.map((r) => { if (!Number.isFinite(r.info.startTime)) r.info.startTime = 7; return r; });
    fc.assert(fc.property(fc.array(finiteStart, { maxLength: 12 }), fc.array(keyArb, { maxLength: 3 }), (runs, keys) => {
      const orderBy = keys.map((k) => parseOrderBy(printOrderBy({ ident: { entity: k.entity as 'metric', key: k.key }, ascending: k.asc })));
      expect(ids(sortRuns(runs, orderBy))).toEqual(ids(mlflowSort(runs, keys)));
    }), { numRuns: 2000 });
  });
});

describe('searchRunList', () => {
  const specs: RunSpec[] = [
    { id: 'a', experimentId: '1', start: 5, metrics: [['m', 0.1]] },
    { id: 'b', experimentId: '1', start: 4, metrics: [['m', 0.9]], deleted: true },
    { id: 'c', experimentId: '2', start: 3, metrics: [['m', 0.5]] },
    { id: 'd', experimentId: '3', start: 2, metrics: [['m', 0.2]] },
  ];
  const runs = specs.map((s) => makeRun(s));

  it('filters by experiment and lifecycle view', () => {
    expect(ids(searchRunList(runs, { experimentIds: ['1', '2'] }).runs)).toEqual(['a', 'c']);
    expect(ids(searchRunList(runs, { experimentIds: ['1', '2'], runViewType: 'DELETED_ONLY' }).runs)).toEqual(['b']);
    expect(ids(searchRunList(runs, { experimentIds: ['1', '2'], runViewType: 'ALL' }).runs)).toEqual(['a', 'b', 'c']);
    expect(ids(searchRunList(runs, { experimentIds: [] }).runs)).toEqual([]);
  });

  it('applies the filter, then the order', () => {
    const res = searchRunList(runs, {
      experimentIds: ['1', '2', '3'], runViewType: 'ALL', filter: 'metrics.m > 0.15', orderBy: ['metrics.m DESC'],
    });
    expect(ids(res.runs)).toEqual(['b', 'c', 'd']);
    expect(res.nextPageToken).toBeUndefined();
  });

  it('reports bad filters, order_by and max_results as INVALID_PARAMETER_VALUE', () => {
    const bad = (req: Partial<Parameters<typeof searchRunList>[1]>) => {
      try {
        searchRunList(runs, { experimentIds: ['1'], ...req });
      } catch (e) {
        expect(e).toBeInstanceOf(MlflowError);
        expect((e as MlflowError).code).toBe('INVALID_PARAMETER_VALUE');
        return e as MlflowError;
      }
      throw new Error('expected an error');
    };
    expect(bad({ filter: 'metrics.m > ' })).toBeInstanceOf(SearchSyntaxError);
    expect(bad({ orderBy: ['datasets.name'] })).toBeInstanceOf(SearchSyntaxError);
    expect(bad({ maxResults: 50_001 }).message).toMatch(/at most 50000/);
    bad({ maxResults: 0 });
    bad({ maxResults: 1.5 });
    for (const token of ['%%%', 'abc', btoa('not json'), btoa('[1]'), btoa('{"offset": -1}'), btoa('{"offset": "5"}'),
      btoa('{"offset": 1.5}'), btoa('{"x": 1}'), btoa('null'), btoa('{"offset": 1e300}')]) {
      expect(bad({ pageToken: token }).message, token).toMatch(/Invalid page token/);
    }
  });

  it('accepts max_results up to 50,000 and defaults to 1000', () => {
    const many = Array.from({ length: 1500 }, (_, i) => makeRun({ id: `r${i}`, start: i }));
    const first = searchRunList(many, { experimentIds: ['0'] });
    expect(first.runs).toHaveLength(1000);
    expect(decodePageToken(first.nextPageToken)).toBe(1000);
    expect(searchRunList(many, { experimentIds: ['0'], maxResults: 50_000 }).runs).toHaveLength(1500);
  });

  it('walks every page exactly once', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 25 }), (n, pageSize) => {
      const all = Array.from({ length: n }, (_, i) => makeRun({ id: `p${i}`, start: i % 7, metrics: i % 3 ? [['m', i % 5]] : [] }));
      const req = { experimentIds: ['0'], orderBy: ['metrics.m DESC'], maxResults: pageSize };
      const full = ids(searchRunList(all, { ...req, maxResults: 50_000 }).runs);
      const walked: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = searchRunList(all, { ...req, pageToken: token });
        walked.push(...ids(page.runs));
        token = page.nextPageToken;
        pages++;
        if (token !== undefined) expect(page.runs).toHaveLength(pageSize);
      } while (token !== undefined);
      expect(walked).toEqual(full);
      expect(new Set(walked).size).toBe(n);
      expect(pages).toBe(Math.max(1, Math.ceil(n / pageSize)));
    }), { numRuns: 200 });
  });

  it('reads tokens in MLflow\'s own encoding and past-the-end offsets', () => {
    const mlflowToken = Buffer.from(JSON.stringify({ offset: 2 }, null, 0).replace(':', ': ')).toString('base64');
    expect(decodePageToken(mlflowToken)).toBe(2);
    expect(encodePageToken(2)).toBe(mlflowToken);
    expect(decodePageToken('')).toBe(0);
    expect(ids(searchRunList(runs, { experimentIds: ['1', '2', '3'], pageToken: mlflowToken }).runs)).toEqual(['d']);
    expect(searchRunList(runs, { experimentIds: ['1'], pageToken: encodePageToken(99) }).runs).toEqual([]);
  });

  it('caches compiled filters by text, least recently used out first', () => {
    const f = compileFilterText("params.cache = 'x'");
    expect(compileFilterText("params.cache = 'x'")).toBe(f);
    for (let i = 0; i < 200; i++) compileFilterText(`metrics.m${i} > ${i}`);
    expect(compileFilterText("params.cache = 'x'")).not.toBe(f);
  });
});

it('searches and sorts 100,000 runs correctly', () => {
  const runs: Run[] = [];
  for (let i = 0; i < 100_000; i++) {
    runs.push(makeRun({
      id: `r${String(i).padStart(6, '0')}`, start: (i * 7919) % 100_000,
      metrics: i % 10 ? [['rmse', ((i * 31) % 1000) / 1000]] : [],
      params: [['alpha', String((i * 13) % 100)]],
    }));
  }
  const time = (orderBy: string[], filter = '') => {
    return { res: searchRunList(runs, { experimentIds: ['0'], orderBy, filter, maxResults: 50_000 }) };
  };
  const base = time([]);
  const metric = time(['metrics.rmse DESC']);
  const multi = time(['params.alpha', 'metrics.rmse']);
  const names = time(['attributes.run_name DESC']);
  const filtered = time(['metrics.rmse'], "metrics.rmse < 0.5 OR params.alpha LIKE '1%'");
  const top = metric.res.runs;
  expect(top[0].metrics.rmse.latest).toBe(0.999);
  expect(top.every((r) => r.metrics.rmse !== undefined)).toBe(true);
  const rest = searchRunList(runs, { experimentIds: ['0'], orderBy: ['metrics.rmse DESC'], maxResults: 50_000, pageToken: metric.res.nextPageToken });
  expect(rest.runs).toHaveLength(50_000);
  const byName = names.res.runs.map((r) => r.info.runName);
  expect(byName).toEqual([...byName].sort().reverse());
  expect(rest.runs.slice(-10_000).every((r) => r.metrics.rmse === undefined)).toBe(true);
  expect(base.res.runs).toHaveLength(50_000);
  expect(multi.res.runs[0].params.alpha <= multi.res.runs[1].params.alpha).toBe(true);
  expect(filtered.res.runs.every((r) => (r.metrics.rmse?.latest ?? 1) < 0.5 || r.params.alpha.startsWith('1'))).toBe(true);
});
