import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arrangeColumns, availableKeys, columnId, columnValue, decodeColumnList, defaultColumns, encodeColumnList,
  insertionSort64, orderByKeys, parseColumnId, radixSort64, SMALL_SORT, sortRunsByColumn, type ColumnSpec,
} from '../../src/lib/ui-model/columns';
import { makeRun } from './search-helpers';

const specArb: fc.Arbitrary<ColumnSpec> = fc.oneof(
  fc.constantFrom<ColumnSpec>({ kind: 'attr', key: 'status' }, { kind: 'attr', key: 'dataset' }),
  fc.string({ minLength: 1 }).map((key): ColumnSpec => ({ kind: 'param', key })),
  fc.string({ minLength: 1 }).map((key): ColumnSpec => ({ kind: 'tag', key })),
  fc.tuple(fc.string({ minLength: 1 }), fc.constantFrom('latest', 'min', 'max') as fc.Arbitrary<'latest' | 'min' | 'max'>)
    .map(([key, agg]): ColumnSpec => ({ kind: 'metric', key, agg })),
);

describe('column ids and URL lists', () => {
  it('round-trip any key, including commas, colons, percent signs and __proto__', () => {
    fc.assert(fc.property(fc.uniqueArray(specArb, { selector: columnId }), (cols) => {
      const text = encodeColumnList(cols);
      expect(decodeColumnList(text)).toEqual(cols);
      // The list survives a trip through URLSearchParams as a query value.
      const q = new URLSearchParams({ cols: text }).toString();
      expect(decodeColumnList(new URLSearchParams(q).get('cols')!)).toEqual(cols);
    }));
  });

  it('drops malformed, unknown and repeated entries instead of failing', () => {
    expect(decodeColumnList('p:a,%E0%A4%A,x:y,a:nope,p%3Aa,m.min:loss,,m:')).toEqual([
      { kind: 'param', key: 'a' }, { kind: 'metric', key: 'loss', agg: 'min' },
    ]);
    expect(parseColumnId('p:a:b')).toEqual({ kind: 'param', key: 'a:b' });
    expect(parseColumnId('t:__proto__')).toEqual({ kind: 'tag', key: '__proto__' });
  });
});

describe('column values', () => {
  const run = makeRun({
    start: 1000, end: 4500, params: [['alpha', '0.5'], ['__proto__', 'x']], tags: [['mlflow.source.name', 'train.py']],
    metrics: [['rmse', 0.7]], inputs: [{ name: 'wine', digest: 'd1' }, { name: 'wine-test', digest: 'd2' }],
  });
  run.metrics.rmse = { ...run.metrics.rmse, min: 0.6, max: 0.9 };

  it('reads attributes, params, tags and each metric aggregate', () => {
    expect(columnValue(run, { kind: 'attr', key: 'duration' })).toBe(3500);
    expect(columnValue(run, { kind: 'attr', key: 'source' })).toBe('train.py');
    expect(columnValue(run, { kind: 'attr', key: 'dataset' })).toBe('wine, wine-test');
    expect(columnValue(run, { kind: 'param', key: '__proto__' })).toBe('x');
    expect(columnValue(run, { kind: 'param', key: 'constructor' })).toBeUndefined();
    expect(columnValue(run, { kind: 'metric', key: 'rmse', agg: 'min' })).toBe(0.6);
    expect(columnValue(run, { kind: 'metric', key: 'rmse', agg: 'max' })).toBe(0.9);
    expect(columnValue(run, { kind: 'metric', key: 'toString', agg: 'latest' })).toBeUndefined();
    expect(columnValue(makeRun({ end: null }), { kind: 'attr', key: 'duration' })).toBeUndefined();
  });

  it('offers every key, system tags last, and a default view of attributes then metrics then params', () => {
    const runs = [run, makeRun({ params: [['beta', '1']], tags: [['team', 'a']], metrics: [['acc', 1]] })];
    const keys = availableKeys(runs);
    expect(keys).toEqual({ params: ['__proto__', 'alpha', 'beta'], metrics: ['acc', 'rmse'], tags: ['team', 'mlflow.source.name'] });
    const ids = defaultColumns(keys, 1, 2).map(columnId);
    expect(ids).toEqual(['a:status', 'a:name', 'a:start', 'a:duration', 'a:source', 'a:dataset', 'm:acc', 'p:__proto__', 'p:alpha']);
  });

  it('puts pinned columns first in pin order and ignores pins of absent columns', () => {
    const cols = decodeColumnList('a:name,p:alpha,m:rmse,t:team');
    const arranged = arrangeColumns(cols, ['t:team', 'p:gone', 'm:rmse']);
    expect(arranged.map((a) => [columnId(a.col), a.pinned])).toEqual([
      ['t:team', true], ['m:rmse', true], ['a:name', false], ['p:alpha', false],
    ]);
  });
});

describe('sortRunsByColumn', () => {
  const col: ColumnSpec = { kind: 'metric', key: 'm', agg: 'latest' };
  const valueArb = fc.oneof(fc.constant(undefined), fc.constant(Number.NaN), fc.double({ noNaN: true }));

  it('orders values, then NaN, then missing, in both directions, stably', () => {
    fc.assert(fc.property(fc.array(valueArb, { maxLength: 40 }), fc.boolean(), (values, asc) => {
      const runs = values.map((v, i) => makeRun({ id: `r${i}`, metrics: v === undefined ? [] : [['m', v]] }));
      const sorted = sortRunsByColumn(runs, col, asc);
      expect(sorted.map((r) => r.info.runId).sort()).toEqual(runs.map((r) => r.info.runId).sort());
      const cls = (v: unknown) => (v === undefined ? 2 : Number.isNaN(v) ? 1 : 0);
      for (let i = 1; i < sorted.length; i++) {
        const a = columnValue(sorted[i - 1], col) as number | undefined;
        const b = columnValue(sorted[i], col) as number | undefined;
        expect(cls(a)).toBeLessThanOrEqual(cls(b));
        if (cls(a) === 0 && cls(b) === 0) expect(asc ? a! <= b! : a! >= b!).toBe(true);
        // Ties keep input order.
        if (Object.is(a, b) || (cls(a) === cls(b) && cls(a) > 0)) {
          expect(Number(sorted[i - 1].info.runId.slice(1))).toBeLessThan(Number(sorted[i].info.runId.slice(1)));
        }
      }
    }));
  });

  it('sorts text columns by code units and params as text', () => {
    const runs = ['b', 'B', 'a', '10', '9'].map((v, i) => makeRun({ id: `r${i}`, params: [['p', v]] }));
    const names = sortRunsByColumn(runs, { kind: 'param', key: 'p' }, true).map((r) => r.params.p);
    expect(names).toEqual(['10', '9', 'B', 'a', 'b']);
  });

  /** The reference order of param `p`: a stable comparator sort by code units, missing last in both directions. */
  const stableTextOrder = (runs: ReturnType<typeof makeRun>[], asc: boolean) =>
    runs.map((r, i) => ({ i, v: r.params.p as string | undefined })).sort((a, b) => {
      if ((a.v === undefined) !== (b.v === undefined)) return a.v === undefined ? 1 : -1;
      if (a.v !== undefined && b.v !== undefined && a.v !== b.v) return (a.v < b.v ? -1 : 1) * (asc ? 1 : -1);
      return a.i - b.i;
    }).map((x) => `r${x.i}`);

  it('sorts text with repeated values like a stable comparator sort (code units, missing last)', () => {
    const textArb = fc.oneof(fc.constant(undefined), fc.constantFrom('0.5', '0.1', '1', 'a', 'B', ''), fc.string({ maxLength: 3 }));
    fc.assert(fc.property(fc.array(textArb, { maxLength: 60 }), fc.boolean(), (values, asc) => {
      const runs = values.map((v, i) => makeRun({ id: `r${i}`, params: v === undefined ? [] : [['p', v]] }));
      const got = sortRunsByColumn(runs, { kind: 'param', key: 'p' }, asc).map((r) => r.info.runId);
      const ref = stableTextOrder(runs, asc);
      expect(got).toEqual(ref);
    }));
  });
  it('sorts a column of thousands of distinct texts (run names) like a stable comparator sort', () => {
    // Over 4,096 distinct texts the keys come from sorting the runs rather than a map of texts.
    fc.assert(fc.property(fc.array(fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: fc.string({ maxLength: 4 }), weight: 6 }, { arbitrary: fc.constantFrom('a', 'b', ''), weight: 3 }), { minLength: 8000, maxLength: 9000 }), fc.boolean(), (values, asc) => {
      const runs = values.map((v, i) => makeRun({ id: `r${i}`, params: v === undefined ? [] : [['p', `${v}${i % 4 ? i : ''}`]] }));
      const got = sortRunsByColumn(runs, { kind: 'param', key: 'p' }, asc).map((r) => r.info.runId);
      const ref = stableTextOrder(runs, asc);
      expect(got).toEqual(ref);
    }), { numRuns: 10 });
  });
});

describe('orderByKeys', () => {
  it('orders 100,000 keys with many ties quickly, ties in input order', () => {
    const n = 100_000;
    const rank = new Uint8Array(n);
    const key = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      key[i] = (i * 7919) % 1000;
      if (i % 97 === 0) rank[i] = 2;
      else if (i % 89 === 0) rank[i] = 1;
    }
    const t0 = performance.now();
    const order = orderByKeys(rank, key, false);
    const ms = performance.now() - t0;
    expect(order.length).toBe(n);
    expect(new Set(order).size).toBe(n);
    let wrong = 0;
    for (let j = 1; j < n; j++) {
      const a = order[j - 1], b = order[j];
      if (rank[a] !== rank[b]) { if (rank[a] > rank[b]) wrong++; continue; }
      if (rank[a] === 0 && key[a] !== key[b]) { if (key[a] < key[b]) wrong++; } else if (a > b) wrong++;
    }
    expect(wrong).toBe(0);
    // Tens of ms quiet; the figure is bench/'s (sort ≤ 50 ms). Here only a pathological (quadratic) sort fails.
    expect(ms).toBeLessThan(5000);
  });

  it('equals a comparator sort on any doubles: negatives, zeros of both signs, infinities, subnormals, ties, NaN and missing', () => {
    // Doubles that share high words, low words or both, so every radix pass (and its skipping) is exercised.
    const keyArb = fc.oneof(
      fc.double({ noNaN: true }),
      fc.constantFrom(0, -0, 1, -1, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, 2 ** 32, 2 ** 32 + 1, 0.5, 0.6, 1e-300),
      fc.integer({ min: -70_000, max: 70_000 }),
    );
    const entryArb = fc.tuple(fc.constantFrom(0, 0, 0, 0, 1, 2), keyArb);
    // Lists of a few keys (insertion sorted) and lists just past SMALL_SORT keys (radix sorted).
    const listArb = fc.oneof(fc.array(entryArb, { maxLength: 40 }), fc.array(entryArb, { minLength: SMALL_SORT + 60, maxLength: SMALL_SORT * 2 }));
    fc.assert(fc.property(listArb, fc.boolean(), (entries, asc) => {
      const rank = Uint8Array.from(entries.map(([r]) => r));
      const key = Float64Array.from(entries.map(([r, k]) => (r === 0 ? k : 0)));
      const ref = entries.map((_, i) => i).sort((a, b) => {
        if (rank[a] !== rank[b]) return rank[a] - rank[b];
        if (rank[a] === 0 && key[a] !== key[b]) return (key[a] < key[b] ? -1 : 1) * (asc ? 1 : -1);
        return a - b;
      });
      expect([...orderByKeys(rank, key, asc)]).toEqual(ref);
    }), { numRuns: 300 });
  });

  it('insertion sorts few keys in the radix sort\'s order: by (hi, lo) unsigned, equal keys in input order', () => {
    // Words that share 16-bit digits, differ only in the top bit, or repeat, so ties and every radix pass occur.
    const wordArb = fc.oneof(fc.constantFrom(0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));
    fc.assert(fc.property(fc.array(fc.tuple(wordArb, wordArb), { maxLength: SMALL_SORT + 20 }), (keys) => {
      const make = () => [Uint32Array.from(keys, (_, i) => i), Uint32Array.from(keys, ([h]) => h), Uint32Array.from(keys, ([, l]) => l)] as const;
      expect([...insertionSort64(...make())]).toEqual([...radixSort64(...make())]);
    }), { numRuns: 300 });
  });
});
