/**
 * The runs table's view state. Everything shareable lives in the URL query (route.set), so a
 * link reproduces the view: `exp` (experiment), `filter`, `sort` + `dir`, `cols` + `pin`
 * (column lists, see ui-model/columns), `group` (a column id), `sel` (selected run ids) and
 * `deleted=1` (show deleted runs, for restoring). Folding state is per tab and not shared.
 *
 * The derived lists re-run when the lab's run list is replaced (every store change, in this
 * tab or another), so runs written elsewhere appear without a reload.
 */
import { compileFilterText, SearchSyntaxError } from '../lib/search/index';
import type { Run } from '../lib/tracking/types';
import {
  availableKeys, columnId, decodeColumnList, defaultColumns, encodeColumnList, parseColumnId, sortRunsByColumn,
  type ColumnSpec,
} from '../lib/ui-model/columns';
import { buildRows, type DisplayRow } from '../lib/ui-model/rows';
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

  /** Runs of this experiment in the chosen lifecycle stage, before filtering. */
  readonly experimentRuns = $derived.by(() => {
    const stage = this.showDeleted ? 'deleted' : 'active';
    return lab.runs.filter((r) => r.info.experimentId === this.experimentId && r.info.lifecycleStage === stage);
  });

  readonly keys = $derived(availableKeys(this.experimentRuns));

  readonly columns = $derived.by((): ColumnSpec[] => {
    const text = route.param('cols');
    return text === null ? defaultColumns(this.keys) : decodeColumnList(text);
  });
  readonly pinned = $derived(decodeColumnList(route.param('pin') ?? '').map(columnId));

  readonly sortColumn = $derived(parseColumnId(route.param('sort') ?? '') ?? DEFAULT_SORT);
  readonly sortAscending = $derived(route.param('dir') === 'asc');
  readonly groupBy = $derived(parseColumnId(route.param('group') ?? ''));

  readonly filtered = $derived.by((): Run[] => {
    if (this.filterProblem) return [];
    const matches = compileFilterText(this.filterText);
    return this.experimentRuns.filter(matches);
  });

  readonly sorted = $derived(sortRunsByColumn(this.filtered, this.sortColumn, this.sortAscending));

  readonly rows = $derived.by((): DisplayRow[] => buildRows(this.sorted, {
    groupBy: this.groupBy, expandedRuns: this.expandedRuns, collapsedGroups: this.collapsedGroups,
  }));

  readonly selected = $derived(new Set(splitIds(route.param('sel'))));
  /** Selected runs in the current list, in display order (the URL may name runs filtered out). */
  readonly selectedVisible = $derived(this.sorted.filter((r) => this.selected.has(r.info.runId)).map((r) => r.info.runId));

  setFilter(text: string): void {
    route.set({ filter: text.trim() === '' ? undefined : text });
  }

  sortBy(col: ColumnSpec): void {
    const same = columnId(col) === columnId(this.sortColumn);
    // A new column sorts descending first for numbers (best metric at the top is rarely
    // ascending, but newest runs are), ascending for text.
    const numeric = col.kind === 'metric' || (col.kind === 'attr' && (col.key === 'start' || col.key === 'duration'));
    const ascending = same ? !this.sortAscending : !numeric;
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
    route.go('compare', [], { runs: this.selectedVisible.join(',') });
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
