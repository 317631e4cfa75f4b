/**
 * The runs table's view state. Everything shareable lives in the URL query (route.set), so a
 * link reproduces the view: `exp` (experiment), `filter`, `sort` + `dir`, `cols` + `pin`
 * (column lists, see ui-model/columns), `group` (a column id), `sel` (selected run ids) and
 * `deleted=1` (show deleted runs, for restoring). Folding state is per tab and not shared.
 *
 * The derived lists re-run when the lab's run list is replaced (every store change, in this
 * tab or another), so runs written elsewhere appear without a reload. The experiment's runs,
 * its keys and the default columns keep their previous value when a refresh finds them equal
 * (ui-model/same): while runs train, a refresh changes metric values several times a second,
 * and only the sort, the rows and the cells that show them need to follow.
 */
import { compileFilterText, parseFilter, SearchSyntaxError } from '../lib/search/index';
import { filterMask, RunColumns } from '../lib/search/columnar';
import type { Run } from '../lib/tracking/types';
import {
  availableKeys, columnId, decodeColumnList, encodeColumnList, orderByKeys, parseColumnId, sortKeys,
  type ColumnSpec, type SortKeys,
} from '../lib/ui-model/columns';
import { chooseDefaultColumns, lowerIsBetter } from '../lib/ui-model/default-columns';
import { anyParentTag, rowList, type RowList } from '../lib/ui-model/rows';
import { keeper, sameColumns, sameItems, sameKeys } from '../lib/ui-model/same';
import { TAG } from '../lib/tracking/tags';
import { dictGet } from '../lib/util/dict';
import { lab } from './lab.svelte';
import { route } from './route.svelte';

export interface FilterProblem {
  message: string;
  /** 0-based offset and length in the filter text (length 0 = at that point). */
  position: number;
  length: number;
}

const DEFAULT_SORT: ColumnSpec = { kind: 'attr', key: 'start' };

/** Checks filter text without running it; null when it parses. */
export function checkFilter(text: string): FilterProblem | null {
  try {
    compileFilterText(text);
    return null;
  } catch (e) {
    if (e instanceof SearchSyntaxError) return { message: e.message, position: e.position, length: e.length };
    return { message: e instanceof Error ? e.message : String(e), position: 0, length: text.length };
  }
}

/** A User Timing entry (bench/suites/35-table.mjs reads them), when the platform has them. */
function timed(name: string, start: number): void {
  if (typeof performance.measure === 'function') {
    try { performance.measure(name, { start, end: performance.now() }); } catch { /* not supported */ }
  }
}

function splitIds(text: string | null): string[] {
  return text ? text.split(',').filter(Boolean) : [];
}

export class RunsView {
  /** Parent runs shown unfolded, and group ids folded (per tab). */
  expandedRuns = $state.raw<ReadonlySet<string>>(new Set());
  collapsedGroups = $state.raw<ReadonlySet<string>>(new Set());
  /** The last bulk action, for its undo button. */
  lastAction = $state<{ text: string; undo: (() => Promise<void>) | null } | null>(null);

  readonly experimentId = $derived(route.param('exp') ?? lab.experimentId);
  readonly experiment = $derived(lab.experiments.find((e) => e.experimentId === this.experimentId) ?? null);
  readonly showDeleted = $derived(route.param('deleted') === '1');
  readonly filterText = $derived(route.param('filter') ?? '');
  readonly filterProblem = $derived(checkFilter(this.filterText));

  private readonly keepRuns = keeper<readonly Run[]>(sameItems);
  private readonly keepKeys = keeper(sameKeys);
  private readonly keepColumns = keeper<ColumnSpec[]>(sameColumns);

  /**
   * Runs of this experiment in the chosen lifecycle stage, before filtering. The store replaces
   * a run's object when it changes, so the same objects mean nothing here changed (a write to
   * another experiment's run).
   */
  readonly experimentRuns = $derived.by(() => {
    const stage = this.showDeleted ? 'deleted' : 'active';
    return this.keepRuns(lab.runs.filter((r) => r.info.experimentId === this.experimentId && r.info.lifecycleStage === stage));
  });

  readonly keys = $derived(this.keepKeys(availableKeys(this.experimentRuns)));
  /** Columns before anyone picks: what varies and what the experiment optimises (ui-model/default-columns). */
  private readonly defaultColumns = $derived(this.keepColumns(chooseDefaultColumns(this.experimentRuns)));
  /** Nesting is looked for only when some run of the experiment names a parent. */
  readonly mayNest = $derived(anyParentTag(this.experimentRuns));

  // Every URL change (a sort, a selection) re-reads all params: the texts are derived first, and
  // a derived that keeps its value stops the change there, so a sort never rebuilds the columns
  // and a selection never re-sorts 100,000 runs.
  private readonly colsText = $derived(route.param('cols'));
  private readonly pinText = $derived(route.param('pin') ?? '');
  private readonly sortText = $derived(route.param('sort') ?? '');
  private readonly groupText = $derived(route.param('group') ?? '');
  private readonly selText = $derived(route.param('sel') ?? '');

  readonly columns = $derived.by((): ColumnSpec[] => {
    const text = this.colsText;
    return text === null ? this.defaultColumns : decodeColumnList(text);
  });
  readonly pinned = $derived(decodeColumnList(this.pinText).map(columnId));

  readonly sortColumn = $derived(parseColumnId(this.sortText) ?? DEFAULT_SORT);
  readonly sortAscending = $derived(route.param('dir') === 'asc');
  readonly groupBy = $derived(parseColumnId(this.groupText));
  /**
   * Child runs fold under their parent (the tree) only in the default view: sorted by a column
   * or grouped, every run is a row of its own, so the best child of a sweep sorts first and a
   * child lands in the group of its own param value. `tree=1` / `tree=0` in the URL choose.
   */
  readonly nested = $derived(route.param('tree') === '1' || (route.param('tree') !== '0' && !this.groupBy && columnId(this.sortColumn) === columnId(DEFAULT_SORT)));

  /**
   * Sort keys and orders per column (and direction), and the filter's columns (search/columnar),
   * of the experiment's runs, kept until the run list changes: going back to a column, flipping
   * its direction, or another filter on the same keys reads no run again.
   */
  private readonly cache = $derived.by(() => ({
    keys: new Map<string, SortKeys>(), orders: new Map<string, Uint32Array>(), columns: new RunColumns(this.experimentRuns),
  }));

  /**
   * Which runs of the experiment match the filter (1 = match), by index; null = no filter.
   * Sorting then works on the whole experiment, so sort orders survive filter changes.
   */
  readonly filterMask = $derived.by((): Uint8Array | null => {
    if (this.filterProblem) return new Uint8Array(this.experimentRuns.length);
    if (this.filterText.trim() === '') return null;
    const t0 = performance.now();
    const mask = filterMask(parseFilter(this.filterText), this.cache.columns);
    timed('mfflow:table-filter', t0);
    return mask;
  });

  readonly filtered = $derived.by((): readonly Run[] => {
    const mask = this.filterMask;
    return mask === null ? this.experimentRuns : this.experimentRuns.filter((_, i) => mask[i] === 1);
  });

  readonly sorted = $derived.by((): Run[] => {
    const t0 = performance.now();
    const runs = this.experimentRuns;
    const col = this.sortColumn;
    const id = columnId(col);
    const { keys, orders } = this.cache;
    const orderId = `${this.sortAscending ? 'asc' : 'desc'}:${id}`;
    let order = orders.get(orderId);
    if (!order) {
      let k = keys.get(id);
      if (!k) keys.set(id, (k = sortKeys(runs, col)));
      orders.set(orderId, (order = orderByKeys(k.rank, k.key, this.sortAscending)));
    }
    const mask = this.filterMask;
    const out: Run[] = [];
    for (let j = 0; j < order.length; j++) {
      const i = order[j];
      if (mask === null || mask[i] === 1) out.push(runs[i]);
    }
    timed('mfflow:table-sort', t0);
    return out;
  });

  readonly rows = $derived.by((): RowList => {
    const t0 = performance.now();
    const out = rowList(this.sorted, {
      groupBy: this.groupBy, expandedRuns: this.expandedRuns, collapsedGroups: this.collapsedGroups, mayNest: this.mayNest && this.nested,
    });
    timed('mfflow:table-rows', t0);
    return out;
  });

  readonly selected: ReadonlySet<string> = $derived(new Set(splitIds(this.selText)));
  /** Selected runs in the current list, in display order (the URL may name runs filtered out). */
  readonly selectedVisible = $derived.by((): string[] => {
    const sel = this.selected;
    if (sel.size === 0) return [];
    return this.sorted.filter((r) => sel.has(r.info.runId)).map((r) => r.info.runId);
  });

  setFilter(text: string): void {
    route.set({ filter: text.trim() === '' ? undefined : text });
  }

  sortBy(col: ColumnSpec): void {
    const same = columnId(col) === columnId(this.sortColumn);
    // A new column sorts descending first for numbers (best metric at the top is rarely
    // ascending, but newest runs are), ascending for text.
    // Errors and losses are best when smallest: those sort ascending first.
    const numeric = col.kind === 'metric' || (col.kind === 'attr' && (col.key === 'start' || col.key === 'duration'));
    const ascending = same ? !this.sortAscending : !numeric || (col.kind === 'metric' && lowerIsBetter(col.key));
    route.set({ sort: columnId(col), dir: ascending ? 'asc' : 'desc' });
  }

  setColumns(cols: readonly ColumnSpec[]): void {
    route.set({ cols: encodeColumnList(cols) });
  }

  togglePin(id: string): void {
    const next = this.pinned.includes(id) ? this.pinned.filter((p) => p !== id) : [...this.pinned, id];
    const specs = next.map(parseColumnId).filter((c): c is ColumnSpec => c !== null);
    route.set({ pin: specs.length ? encodeColumnList(specs) : undefined });
  }

  setNested(on: boolean): void {
    route.set({ tree: on ? '1' : '0' });
  }

  /** Child runs of a run in this experiment's list, in the table's order. */
  childrenOf(id: string): string[] {
    return this.sorted.filter((r) => dictGet(r.tags, TAG.parentRunId) === id).map((r) => r.info.runId);
  }

  /** The one selected run, when it is a parent: the table offers to select or compare its children. */
  readonly selectedParent = $derived.by((): { id: string; children: string[] } | null => {
    const sel = this.selectedVisible;
    if (sel.length !== 1) return null;
    const children = this.childrenOf(sel[0]);
    return children.length ? { id: sel[0], children } : null;
  });

  selectChildren(): void {
    if (this.selectedParent) this.setSelection(this.selectedParent.children);
  }

  compareChildren(): void {
    if (this.selectedParent) route.go('compare', [], { runs: this.selectedParent.children.join(',') });
  }

  setGroupBy(col: ColumnSpec | null): void {
    route.set({ group: col ? columnId(col) : undefined });
  }

  setShowDeleted(on: boolean): void {
    route.set({ deleted: on ? '1' : undefined, sel: undefined });
  }

  setSelection(ids: Iterable<string>): void {
    const list = [...ids];
    route.set({ sel: list.length ? list.join(',') : undefined });
  }

  toggleSelected(id: string): void {
    const next = new Set(this.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.setSelection(next);
  }

  /** Adds runs to the selection (a shift-click range). */
  addToSelection(ids: readonly string[]): void {
    const next = new Set(this.selected);
    for (const id of ids) next.add(id);
    this.setSelection(next);
  }

  toggleExpanded(id: string): void {
    const next = new Set(this.expandedRuns);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.expandedRuns = next;
  }

  toggleGroup(id: string): void {
    const next = new Set(this.collapsedGroups);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.collapsedGroups = next;
  }

  compare(): void {
    // Grouped here: Compare draws each group as its mean in a min–max band.
    route.go('compare', [], { runs: this.selectedVisible.join(','), group: this.groupBy ? columnId(this.groupBy) : undefined });
  }

  async deleteSelected(): Promise<void> {
    const ids = this.selectedVisible;
    await this.bulk(ids, (id) => lab.store.deleteRun(id), `Deleted ${ids.length} run${ids.length === 1 ? '' : 's'}.`,
      () => this.bulk(ids, (id) => lab.store.restoreRun(id), `Restored ${ids.length} run${ids.length === 1 ? '' : 's'}.`, null));
  }

  async restoreSelected(): Promise<void> {
    const ids = this.selectedVisible;
    await this.bulk(ids, (id) => lab.store.restoreRun(id), `Restored ${ids.length} run${ids.length === 1 ? '' : 's'}.`,
      () => this.bulk(ids, (id) => lab.store.deleteRun(id), `Deleted ${ids.length} run${ids.length === 1 ? '' : 's'}.`, null));
  }

  /** Applies one action per run; reports how many failed, and clears the selection. */
  private async bulk(ids: string[], act: (id: string) => Promise<void>, done: string, undo: (() => Promise<void>) | null): Promise<void> {
    const results = await Promise.allSettled(ids.map(act));
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    this.setSelection([]);
    if (failed.length) {
      const why = failed[0].reason instanceof Error ? failed[0].reason.message : String(failed[0].reason);
      this.lastAction = { text: `${failed.length} of ${ids.length} runs could not be changed: ${why}`, undo: null };
    } else this.lastAction = { text: done, undo };
  }
}

export const runsView = new RunsView();
