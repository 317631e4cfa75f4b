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
}

export const PARENT_TAG = 'mlflow.parentRunId';
/** Label of the group of runs without a value for the group column. */
export const NO_VALUE = '(no value)';

/** Children of each run present in `runs`, in list order; and the top-level runs. */
export function nestRuns(runs: readonly Run[]): { roots: Run[]; children: Map<string, Run[]> } {
  const present = new Set<string>();
  for (const r of runs) present.add(r.info.runId);
  const children = new Map<string, Run[]>();
  const roots: Run[] = [];
  for (const r of runs) {
    const p = dictGet(r.tags, PARENT_TAG);
    if (p !== undefined && p !== r.info.runId && present.has(p)) {
      let list = children.get(p);
      if (!list) children.set(p, (list = []));
      list.push(r);
    } else roots.push(r);
  }
  // Runs on a parent cycle are never reached from a root: lift the first of each cycle.
  const reached = new Set<string>();
  const walk = (start: Run) => {
    const stack = [start];
    while (stack.length) {
      const r = stack.pop()!;
      if (reached.has(r.info.runId)) continue;
      reached.add(r.info.runId);
      for (const c of children.get(r.info.runId) ?? []) stack.push(c);
    }
  };
  for (const r of roots) walk(r);
  if (reached.size < runs.length) {
    for (const r of runs) {
      if (reached.has(r.info.runId)) continue;
      const p = dictGet(r.tags, PARENT_TAG)!;
      const siblings = children.get(p)!;
      siblings.splice(siblings.indexOf(r), 1);
      roots.push(r);
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
  const { roots, children } = nestRuns(runs);
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
