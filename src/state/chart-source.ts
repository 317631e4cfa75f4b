/**
 * Where metric charts get their data: a history loader plus change notifications, so a chart
 * can re-read a training run's history while it grows. The default reads the lab's store;
 * tests and other pages can pass their own.
 */
import type { MetricColumns } from '../lib/tracking/types';
import { dictGet } from '../lib/util/dict';
import { lab } from './lab.svelte';

/** A run as a chart draws it. */
export interface ChartRun {
  runId: string;
  label: string;
  color: string;
  /** Origin of relative time (ms); the history's first timestamp when absent. */
  startTime?: number;
}

/** Runs drawn together as one mean line in a min–max band (seeds of one configuration). */
export interface ChartGroup {
  id: string;
  label: string;
  color: string;
  runIds: readonly string[];
}

export interface HistorySource {
  load(runId: string, key: string): Promise<MetricColumns>;
  /** Points stored for the key, known without reading the history (to skip needless re-reads). */
  count(runId: string, key: string): Promise<number | undefined>;
  /** Calls `listener` with the ids of runs that changed; returns the unsubscribe function. */
  subscribe(listener: (runIds: readonly string[]) => void): () => void;
}

export const labHistorySource: HistorySource = {
  load: (runId, key) => lab.store.getMetricHistory(runId, key),
  count: async (runId, key) => dictGet((await lab.store.getRun(runId)).metrics, key)?.count,
  subscribe: (listener) => lab.store.subscribe((change) => listener(change.runIds)),
};

/**
 * Figures for bench/suites/30-charts.mjs, on `window.__mfflowCharts` only when the page URL has
 * `?bench`: the page never pays for them otherwise.
 */
export interface ChartBenchHandle {
  metric: string;
  runs: number;
  /** ms from histories loaded to the first draw finished (prepare + downsample + uPlot create). */
  firstDrawMs: number;
  /** ms from mount to the first draw finished, history reads included. */
  loadAndDrawMs: number;
  points: number;
  /** ms of the last downsample + join (the rest of a redraw is uPlot's). */
  frameMs: number;
  /** Re-buckets to [x0, x1] and resolves with the ms until uPlot finished drawing. */
  zoom(x0: number, x1: number): Promise<number>;
}

export const chartBenchEnabled = typeof location !== 'undefined' && new URLSearchParams(location.search).has('bench');

export function registerChartBench(handle: ChartBenchHandle): () => void {
  if (!chartBenchEnabled) return () => {};
  const w = window as unknown as { __mfflowCharts?: ChartBenchHandle[] };
  const list = (w.__mfflowCharts ??= []);
  list.push(handle);
  return () => {
    const i = list.indexOf(handle);
    if (i >= 0) list.splice(i, 1);
  };
}

/**
 * Several metrics of one run on one chart (the run page's `loss` with `val_loss`): the chart's
 * "runs" are the metric keys, and this source reads each key's history of `runId`.
 */
export function metricsOfRunSource(runId: string, keys: readonly string[], base: HistorySource = labHistorySource): HistorySource {
  return {
    load: (key) => base.load(runId, key),
    count: (key) => base.count(runId, key),
    subscribe: (listener) => base.subscribe((ids) => { if (ids.includes(runId)) listener(keys); }),
  };
}

/** A job's live series, held in memory while it trains (TrainingJob). */
export interface LiveSeries {
  readonly series: ReadonlyMap<string, { steps: readonly number[]; values: readonly number[] }>;
  onSeries(listener: () => void): () => void;
}

/**
 * A training job's live metrics as a history source whose "runs" are its metric keys, so the
 * live loss chart is a MetricChart like every stored chart (one owner of uPlot instances).
 */
export function liveSeriesSource(job: LiveSeries): HistorySource {
  return {
    load: async (key) => {
      const s = job.series.get(key);
      const n = s?.values.length ?? 0;
      return { key, steps: Float64Array.from(s?.steps ?? []), values: Float64Array.from(s?.values ?? []), timestamps: new Float64Array(n) };
    },
    count: async (key) => job.series.get(key)?.values.length,
    subscribe: (listener) => job.onSeries(() => listener([...job.series.keys()])),
  };
}
