import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyParentTag, buildRows, flatRows, nestRuns, NO_VALUE, rowList, runIdsBetween, type DisplayRow,
} from '../../src/lib/ui-model/rows';
import { makeRun } from './search-helpers';
import type { Run } from '../../src/lib/tracking/types';
import { TAG } from '../../src/lib/tracking/tags';

const child = (id: string, parent: string, extra: [string, string][] = []) =>
  makeRun({ id, tags: [[TAG.parentRunId, parent]], params: extra });
const ids = (rows: DisplayRow[]) => rows.map((r) => (r.kind === 'run' ? `${'-'.repeat(r.depth)}${r.id}` : `[${r.label}:${r.count}]`));
const none = new Set<string>();

describe('nested runs', () => {
  const runs = [makeRun({ id: 'p' }), child('c1', 'p'), makeRun({ id: 'q' }), child('g1', 'c1'), child('c2', 'p'), child('orphan', 'gone')];

  it('fold under their parent by default, with a child count', () => {
    const rows = buildRows(runs, { expandedRuns: none, collapsedGroups: none });
    expect(ids(rows)).toEqual(['p', 'q', 'orphan']);
    expect(rows[0]).toMatchObject({ childCount: 2, expanded: false });
  });

  it('unfold level by level in list order', () => {
    expect(ids(buildRows(runs, { expandedRuns: new Set(['p']), collapsedGroups: none }))).toEqual(['p', '-c1', '-c2', 'q', 'orphan']);
    expect(ids(buildRows(runs, { expandedRuns: new Set(['p', 'c1']), collapsedGroups: none })))
      .toEqual(['p', '-c1', '--g1', '-c2', 'q', 'orphan']);
  });

  it('never lose a run: every run appears exactly once when all are expanded, even with parent cycles', () => {
    const arb = fc.array(fc.integer({ min: -1, max: 11 }), { minLength: 1, maxLength: 12 });
    fc.assert(fc.property(arb, (parents) => {
      const list: Run[] = parents.map((p, i) => (p < 0 ? makeRun({ id: `r${i}` }) : child(`r${i}`, `r${p}`)));
      const all = new Set(list.map((r) => r.info.runId));
      const rows = buildRows(list, { expandedRuns: all, collapsedGroups: none });
      expect(rows.map((r) => r.id).sort()).toEqual([...all].sort());
      const { roots } = nestRuns(list);
      const folded = buildRows(list, { expandedRuns: none, collapsedGroups: none });
      expect(folded.map((r) => r.id)).toEqual(roots.map((r) => r.info.runId));
    }));
  });
});

describe('grouping', () => {
  it('groups top-level runs by a param in numeric order, missing last, children following their parent', () => {
    const runs = [
      makeRun({ id: 'a', params: [['alpha', '0.5']] }), makeRun({ id: 'b', params: [['alpha', '10']] }),
      makeRun({ id: 'c', params: [['alpha', '0.5']] }), makeRun({ id: 'd' }), child('a1', 'a', [['alpha', '10']]),
      makeRun({ id: 'e', params: [['alpha', 'auto']] }),
    ];
    const groupBy = { kind: 'param', key: 'alpha' } as const;
    const rows = buildRows(runs, { groupBy, expandedRuns: new Set(['a']), collapsedGroups: none });
    expect(ids(rows)).toEqual(['[0.5:3]', 'a', '-a1', 'c', '[10:1]', 'b', '[auto:1]', 'e', `[${NO_VALUE}:1]`, 'd']);
    const folded = buildRows(runs, { groupBy, expandedRuns: none, collapsedGroups: new Set(['group:0.5']) });
    expect(ids(folded)).toEqual(['[0.5:3]', '[10:1]', 'b', '[auto:1]', 'e', `[${NO_VALUE}:1]`, 'd']);
  });
});

describe('row lists for the windowed table', () => {
  it('without nesting or groups, rows are made lazily and equal buildRows', () => {
    const runs = ['a', 'b', 'c', 'd'].map((id) => makeRun({ id }));
    expect(anyParentTag(runs)).toBe(false);
    const lazy = rowList(runs, { expandedRuns: none, collapsedGroups: none, mayNest: false });
    const eager = buildRows(runs, { expandedRuns: none, collapsedGroups: none });
    expect(lazy.length).toBe(4);
    expect(lazy.slice(0, 4)).toEqual(eager);
    expect(lazy.at(2)).toEqual(eager[2]);
    expect(lazy.at(4)).toBeUndefined();
    expect(flatRows(runs).slice(1, 3).map((r) => r.id)).toEqual(['b', 'c']);
  });

  it('nest when a run names a parent in the list', () => {
    const runs = [makeRun({ id: 'p' }), child('c', 'p')];
    expect(anyParentTag(runs)).toBe(true);
    const list = rowList(runs, { expandedRuns: none, collapsedGroups: none, mayNest: true });
    expect(list.slice(0, list.length).map((r) => r.id)).toEqual(['p']);
  });

  it('a shift range takes the runs between two rows, either way round, skipping group rows', () => {
    const runs = [makeRun({ id: 'a', params: [['k', '1']] }), makeRun({ id: 'b', params: [['k', '2']] }), makeRun({ id: 'c', params: [['k', '1']] })];
    const grouped = rowList(runs, { groupBy: { kind: 'param', key: 'k' }, expandedRuns: none, collapsedGroups: none, mayNest: false });
    // [k=1] a c [k=2] b
    expect(runIdsBetween(grouped, 0, 3)).toEqual(['a', 'c']);
    expect(runIdsBetween(grouped, 4, 1)).toEqual(['a', 'c', 'b']);
    expect(runIdsBetween(grouped, -5, 99)).toEqual(['a', 'c', 'b']);
  });
});


describe('child runs as rows (sorted or grouped views)', () => {
  it('nest: false keeps each child a row of its own, in list order, and groups it by its own value', () => {
    const runs = [
      makeRun({ id: 'c1', tags: [[TAG.parentRunId, 'p']], params: [['alpha', '0.1']] }),
      makeRun({ id: 'a', params: [['alpha', '0.5']] }),
      makeRun({ id: 'p' }),
    ];
    const flat = buildRows(runs, { expandedRuns: new Set(), collapsedGroups: new Set(), nest: false });
    expect(flat.map((r) => r.id)).toEqual(['c1', 'a', 'p']);
    const grouped = buildRows(runs, { groupBy: { kind: 'param', key: 'alpha' }, expandedRuns: new Set(), collapsedGroups: new Set(), nest: false });
    expect(grouped.map((r) => r.id)).toEqual(['group:0.1', 'c1', 'group:0.5', 'a', `group:${NO_VALUE}`, 'p']);
  });
});
