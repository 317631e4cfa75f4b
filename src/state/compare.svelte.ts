/**
 * State of the Compare view, all of it in the URL so a link reproduces the view:
 * `#/compare?runs=a,b,c&smooth=0.6&log=1&x=wall&diff=1&pc=metrics.rmse&brush=...&sx=params.alpha&sy=metrics.rmse`
 * and `group=params.alpha` (a runs-table column id: the metric charts draw each group's mean in a
 * min–max band; the runs table passes its grouping on).
 * Runs come from the lab's in-memory list, in the order the URL gives.
 */
import { untrack } from 'svelte';
import { fieldKeys, fieldName, parseField, type FieldRef } from '../lib/charts/fields';
import { brushesFromText, brushesToText, type Brush } from '../lib/charts/parallel';
import { parseXMode, type XMode } from '../lib/charts/prepare';
import { clampSmoothing } from '../lib/charts/smoothing';
import type { Run } from '../lib/tracking/types';
import { distinctRunColors } from '../lib/ui-model/run-color';
import { lowerIsBetter } from '../lib/ui-model/default-columns';
import { dictGet } from '../lib/util/dict';
import { columnId, columnLabel, columnValue, parseColumnId, type ColumnSpec } from '../lib/ui-model/columns';
import { NO_VALUE } from '../lib/ui-model/rows';
import type { ChartGroup, ChartRun } from './chart-source';
import type { ImportanceResult } from '../lib/charts/param-importance';
import { analysisWorker } from './workers';
import { lab } from './lab.svelte';
import { route } from './route.svelte';

export function runLabel(run: Run): string {
  return run.info.runName || run.info.runId.slice(0, 8);
}

/** One worker for every Compare view (it idles out after a minute). */
let analysis: ReturnType<typeof analysisWorker> | null = null;

export class CompareView {
  /** Parameter importance of the varying params for the metric `importanceFor` (null: not computed yet). */
  importance = $state.raw<ImportanceResult | null>(null);
  importanceFor = $state<string | null>(null);
  importanceError = $state<string | null>(null);

  readonly runIds = $derived((route.param('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean));

  readonly runs = $derived.by(() => {
    const byId = new Map(lab.runs.map((r) => [r.info.runId, r] as const));
    const seen = new Set<string>();
    const out: Run[] = [];
    for (const id of this.runIds) {
      const r = byId.get(id);
      if (r && !seen.has(id)) { out.push(r); seen.add(id); }
    }
    return out;
  });

  readonly missing = $derived.by(() => {
    const have = new Set(lab.runs.map((r) => r.info.runId));
    return this.runIds.filter((id) => !have.has(id));
  });

  /** Changes only when the runs or their names change, so charts are not rebuilt on every store write. */
  private readonly chartKey = $derived(this.runs.map((r) => `${r.info.runId}\u0000${runLabel(r)}\u0000${r.info.startTime}`).join('\u0001'));

  readonly chartRuns: readonly ChartRun[] = $derived.by(() => {
    void this.chartKey;
    return untrack(() => {
      const colors = distinctRunColors(this.runs.map((r) => r.info.runId));
      return this.runs.map((r, i) => ({ runId: r.info.runId, label: runLabel(r), color: colors[i], startTime: r.info.startTime }));
    });
  });

  readonly groupBy = $derived(parseColumnId(route.param('group') ?? ''));

  /**
   * The runs grouped by the `group` column's value, in order of first appearance, labelled
   * "alpha = 0.1 (3 runs)"; null when not grouped. Runs without a value form one group.
   */
  readonly chartGroups: readonly ChartGroup[] | null = $derived.by(() => {
    const col = this.groupBy;
    if (!col) return null;
    void this.chartKey;
    return untrack(() => {
      const byValue = new Map<string, string[]>();
      for (const r of this.runs) {
        const v = columnValue(r, col);
        const key = v === undefined ? NO_VALUE : String(v);
        let ids = byValue.get(key);
        if (!ids) byValue.set(key, (ids = []));
        ids.push(r.info.runId);
      }
      const keys = [...byValue.keys()];
      const colors = distinctRunColors(keys.map((k) => `group:${columnId(col)}:${k}`));
      return keys.map((k, i) => {
        const runIds = byValue.get(k)!;
        return { id: `group:${k}`, label: `${columnLabel(col)} = ${k} (${runIds.length} run${runIds.length === 1 ? '' : 's'})`, color: colors[i], runIds };
      });
    });
  });

  /**
   * Metric keys logged by any of the runs: those every run has first. `single`: no run logged
   * more than one point of it (a final score), drawn as bars rather than dots at step 0.
   */
  private readonly metricsKey = $derived.by(() => {
    const keys = fieldKeys(this.runs, 'metric');
    const n = this.runs.length;
    const single = (key: string) => this.runs.every((r) => (dictGet(r.metrics, key)?.count ?? 0) <= 1);
    return [...keys.filter((k) => k.count === n), ...keys.filter((k) => k.count < n)]
      .map((k) => `${k.key}\u0000${k.count}\u0000${single(k.key) ? 1 : 0}`).join('\u0001');
  });

  readonly metrics: readonly { key: string; count: number; single: boolean }[] = $derived(
    this.metricsKey === '' ? [] : this.metricsKey.split('\u0001').map((s) => {
      const [key, count, single] = s.split('\u0000');
      return { key, count: Number(count), single: single === '1' };
    }),
  );

  /** Each run's latest value of a metric (undefined: not logged), in run order. */
  lastValues(key: string): (number | undefined)[] {
    return this.runs.map((r) => dictGet(r.metrics, key)?.latest);
  }

  readonly paramKeys = $derived(fieldKeys(this.runs, 'param').map((k) => k.key));

  /** The metric a chart should answer by default: a headline metric every run has, else the first shared one. */
  readonly mainMetric = $derived.by((): string | undefined => {
    const shared = this.metrics.filter((m) => m.count === this.runs.length).map((m) => m.key);
    for (const k of ['rmse', 'accuracy', 'r2', 'mae', 'f1', 'loss']) if (shared.includes(k)) return k;
    return shared.find((k) => lowerIsBetter(k)) ?? shared[0] ?? this.metrics[0]?.key;
  });

  /** A param every run has with differing values (what the runs explore), else one every run has. */
  readonly mainParam = $derived.by((): string | undefined => {
    const n = this.runs.length;
    const shared = fieldKeys(this.runs, 'param').filter((k) => k.count === n).map((k) => k.key);
    const differs = (key: string) => new Set(this.runs.map((r) => dictGet(r.params, key))).size > 1;
    return shared.find(differs) ?? shared[0];
  });

  get smoothing(): number {
    return clampSmoothing(Number(route.param('smooth') ?? 0));
  }
  get logY(): boolean {
    return route.param('log') === '1';
  }
  get xMode(): XMode {
    return parseXMode(route.param('x'));
  }
  get onlyDiff(): boolean {
    return route.param('diff') === '1';
  }

  /** Metric on the last parallel-coordinates axis; the first shared metric by default. */
  get pcMetric(): string | undefined {
    const f = parseField(route.param('pc'));
    return f?.kind === 'metric' ? f.key : this.mainMetric;
  }
  get brushes(): Map<string, Brush> {
    return brushesFromText(route.param('brush'));
  }
  get scatterX(): FieldRef | undefined {
    const chosen = parseField(route.param('sx'));
    if (chosen) return chosen;
    if (this.mainParam !== undefined) return { kind: 'param', key: this.mainParam };
    // No shared param: a second shared metric against the main one.
    const y = this.mainMetric;
    const other = this.metrics.find((m) => m.count === this.runs.length && m.key !== y);
    return other ? { kind: 'metric', key: other.key } : this.scatterY;
  }
  get scatterY(): FieldRef | undefined {
    const f = parseField(route.param('sy'));
    if (f?.kind === 'metric') return f;
    const m = this.mainMetric;
    return m === undefined ? undefined : { kind: 'metric', key: m };
  }

  /** Params whose value differs between the runs (a sweep's axes). */
  varyingParams(): string[] {
    return this.paramKeys.filter((k) => new Set(this.runs.map((r) => dictGet(r.params, k))).size > 1);
  }

  /** Computes parameter importance for `metric` in the analysis worker. */
  async computeImportance(metric: string): Promise<void> {
    const params = this.varyingParams();
    const runs = this.runs;
    this.importanceError = null;
    try {
      analysis ??= analysisWorker();
      const result = await analysis.call((api) => api.importance({
        params, rows: runs.map((r) => params.map((p) => dictGet(r.params, p))), metric: runs.map((r) => dictGet(r.metrics, metric)?.latest),
      }));
      // A later request (another metric, other runs) wins.
      if (this.runs === runs) { this.importance = result; this.importanceFor = metric; }
    } catch (e) {
      this.importanceError = `Parameter importance could not be computed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  setChartOptions(o: { smoothing: number; logY: boolean; xMode: XMode }): void {
    route.set({ smooth: o.smoothing > 0 ? String(o.smoothing) : undefined, log: o.logY ? '1' : undefined, x: o.xMode === 'step' ? undefined : o.xMode });
  }
  setGroupBy(col: ColumnSpec | null): void {
    route.set({ group: col ? columnId(col) : undefined });
  }
  setOnlyDiff(on: boolean): void {
    route.set({ diff: on ? '1' : undefined });
  }
  setPcMetric(key: string): void {
    route.set({ pc: fieldName({ kind: 'metric', key }) });
  }
  setBrush(field: string, brush: Brush | null): void {
    const b = this.brushes;
    if (brush) b.set(field, brush);
    else b.delete(field);
    route.set({ brush: brushesToText(b) || undefined });
  }
  setScatter(axis: 'sx' | 'sy', f: FieldRef): void {
    route.set({ [axis]: fieldName(f) });
  }
}
