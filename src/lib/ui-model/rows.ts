/**
 * Turns a sorted, filtered list of runs into the table's display rows: nested runs fold under
 * their parent (tag `mlflow.parentRunId`), and optionally runs are grouped by a column's value.
 *
 * Rules:
 * - a run is nested only when its parent is in the same list; otherwise (parent filtered out,
 *   deleted or in another experiment) it stands at the top level, so no match is ever hidden;
 * - children keep the list's order under their parent; folded parents hide all descendants;
 * - parent cycles (possible in imported data) cannot hide runs: unreached runs become roots;
 * - groups are keyed by the value of the top-level run; descendants stay with their parent.
 */
import type { Run } from '../tracking/types';
import { dictGet } from '../util/dict';
import { type ColumnSpec, columnValue } from './columns';
import { TAG } from '../tracking/tags';

export type DisplayRow =
  | { kind: 'group'; id: string; label: string; count: number; expanded: boolean }
  | { kind: 'run'; id: string; run: Run; depth: number; childCount: number; expanded: boolean };

export interface RowOptions {
  /** Group by this column's value (params and tags are the useful ones). */
  groupBy?: ColumnSpec | null;
  /** Parent run ids whose children are shown (folded by default). */
  expandedRuns: ReadonlySet<string>;
  /** Group ids that are folded (groups are open by default). */
  collapsedGroups: ReadonlySet<string>;
  /** false: every run is a row of its own (children sort and group like other runs). Default true. */
  nest?: boolean;
}

/** Label of the group of runs without a value for the group column. */
export const NO_VALUE = '(no value)';

/** Children of each run present in `runs`, in list order; and the top-level runs. */
export function nestRuns(runs: readonly Run[]): { roots: Run[]; children: Map<string, Run[]> } {
  const children = new Map<string, Run[]>();
  // Most lists have no nested runs at all: then every run is a root, without building sets.
  const parents = new Array<string | undefined>(runs.length);
  let tagged = 0;
  for (let i = 0; i < runs.length; i++) {
    const p = dictGet(runs[i].tags, TAG.parentRunId);
    if (p !== undefined && p !== runs[i].info.runId) { parents[i] = p; tagged++; }
  }
  if (tagged === 0) return { roots: runs.slice(), children };
  const present = new Set<string>();
  for (const r of runs) present.add(r.info.runId);
  const roots: Run[] = [];
  let nested = 0;
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    const p = parents[i];
    if (p !== undefined && present.has(p)) {
      let list = children.get(p);
      if (!list) children.set(p, (list = []));
      list.push(r);
      nested++;
    } else roots.push(r);
  }
  if (nested === 0) return { roots, children };
  // Runs on a parent cycle are never reached from a root: lift the first of each cycle. Only
  // nested runs can be on one, so only they are counted.
  const reached = new Set<string>();
  const walk = (start: Run) => {
    const stack = [...(children.get(start.info.runId) ?? [])];
    while (stack.length) {
      const r = stack.pop()!;
      if (reached.has(r.info.runId)) continue;
      reached.add(r.info.runId);
      for (const c of children.get(r.info.runId) ?? []) stack.push(c);
    }
  };
  for (const r of roots) if (children.has(r.info.runId)) walk(r);
  if (reached.size < nested) {
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i];
      const p = parents[i];
      if (p === undefined || !present.has(p) || reached.has(r.info.runId)) continue;
      const siblings = children.get(p)!;
      siblings.splice(siblings.indexOf(r), 1);
      roots.push(r);
      reached.add(r.info.runId);
      walk(r);
    }
  }
  return { roots, children };
}

function groupLabel(v: string | number | undefined): string {
  return v === undefined ? NO_VALUE : String(v);
}

/** Counts a run and all its descendants. */
function subtreeSize(r: Run, children: Map<string, Run[]>): number {
  let n = 0;
  const stack = [r];
  while (stack.length) {
    const x = stack.pop()!;
    n++;
    for (const c of children.get(x.info.runId) ?? []) stack.push(c);
  }
  return n;
}

function pushTree(out: DisplayRow[], root: Run, children: Map<string, Run[]>, expanded: ReadonlySet<string>): void {
  if (children.size === 0 || !children.has(root.info.runId)) {
    out.push({ kind: 'run', id: root.info.runId, run: root, depth: 0, childCount: 0, expanded: false });
    return;
  }
  const stack: { run: Run; depth: number }[] = [{ run: root, depth: 0 }];
  while (stack.length) {
    const { run, depth } = stack.pop()!;
    const kids = children.get(run.info.runId) ?? [];
    const open = kids.length > 0 && expanded.has(run.info.runId);
    out.push({ kind: 'run', id: run.info.runId, run, depth, childCount: kids.length, expanded: open });
    if (open) for (let i = kids.length - 1; i >= 0; i--) stack.push({ run: kids[i], depth: depth + 1 });
  }
}

export function buildRows(runs: readonly Run[], opts: RowOptions): DisplayRow[] {
  const { roots, children } = opts.nest === false ? { roots: runs.slice(), children: new Map<string, Run[]>() } : nestRuns(runs);
  const out: DisplayRow[] = [];
  if (!opts.groupBy) {
    for (const r of roots) pushTree(out, r, children, opts.expandedRuns);
    return out;
  }
  const groups = new Map<string, { value: string | number | undefined; roots: Run[] }>();
  for (const r of roots) {
    const v = columnValue(r, opts.groupBy);
    const label = groupLabel(v);
    let g = groups.get(label);
    if (!g) groups.set(label, (g = { value: v, roots: [] }));
    g.roots.push(r);
  }
  const ordered = [...groups.entries()].sort(([la, a], [lb, b]) => compareGroupValues(a.value, b.value, la, lb));
  for (const [label, g] of ordered) {
    const id = `group:${label}`;
    const expanded = !opts.collapsedGroups.has(id);
    const count = g.roots.reduce((n, r) => n + subtreeSize(r, children), 0);
    out.push({ kind: 'group', id, label, count, expanded });
    if (expanded) for (const r of g.roots) pushTree(out, r, children, opts.expandedRuns);
  }
  return out;
}

/** Numbers (and numeric-looking params, such as alpha = "0.5") in numeric order, then text, then missing. */
function compareGroupValues(a: string | number | undefined, b: string | number | undefined, la: string, lb: string): number {
  if (a === undefined || b === undefined) return (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0);
  const na = typeof a === 'number' ? a : numericText(a);
  const nb = typeof b === 'number' ? b : numericText(b);
  if (na !== null && nb !== null && na !== nb) return na - nb;
  if ((na === null) !== (nb === null)) return na === null ? 1 : -1;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function numericText(s: string): number | null {
  if (s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Display rows as the windowed table reads them: a length and the rows of a window. */
export interface RowList {
  readonly length: number;
  at(i: number): DisplayRow | undefined;
  slice(start: number, end: number): DisplayRow[];
}

function arrayRows(rows: readonly DisplayRow[]): RowList {
  return { length: rows.length, at: (i) => rows[i], slice: (a, b) => rows.slice(a, b) };
}

/**
 * One top-level row per run, made only when the table shows it: sorting 100,000 runs then
 * costs no 100,000 row objects.
 */
export function flatRows(runs: readonly Run[]): RowList {
  return {
    length: runs.length,
    at: (i) => (i >= 0 && i < runs.length ? flatRow(runs[i]) : undefined),
    slice: (a, b) => runs.slice(a, b).map(flatRow),
  };
}

/**
 * Top-level rows are the same object for the same run (runs are replaced, never mutated, when
 * they change), so a table keyed by run id sees unchanged rows as unchanged while scrolling.
 */
const flatRowCache = new WeakMap<Run, DisplayRow>();
function flatRow(run: Run): DisplayRow {
  let row = flatRowCache.get(run);
  if (!row) flatRowCache.set(run, (row = { kind: 'run', id: run.info.runId, run, depth: 0, childCount: 0, expanded: false }));
  return row;
}

/** Whether any run names a parent run (only then can the list nest). */
export function anyParentTag(runs: readonly Run[]): boolean {
  for (const r of runs) if (dictGet(r.tags, TAG.parentRunId) !== undefined) return true;
  return false;
}

/**
 * buildRows as a RowList; `mayNest: false` (no run of the experiment names a parent) without
 * grouping skips nesting altogether.
 */
export function rowList(runs: readonly Run[], opts: RowOptions & { mayNest: boolean }): RowList {
  if (!opts.groupBy && !opts.mayNest) return flatRows(runs);
  return arrayRows(buildRows(runs, { ...opts, nest: opts.mayNest }));
}

/** Run ids of the run rows between two row positions, both included, in display order (shift-click). */
export function runIdsBetween(rows: RowList, a: number, b: number): string[] {
  const lo = Math.max(0, Math.min(a, b));
  const hi = Math.min(rows.length - 1, Math.max(a, b));
  const out: string[] = [];
  for (const r of rows.slice(lo, hi + 1)) if (r.kind === 'run') out.push(r.id);
  return out;
}
