/**
 * The runs table's columns before anyone picks them, chosen by what answers the question
 * "which run is best, and what made it so": the metric the experiment's sweeps optimise, then
 * the metrics every run has, then the other metrics, then the params whose values differ.
 * Nothing is capped by alphabet: a key that one model type adds (an MLP's `loss`) never pushes
 * out a key that every run shares (`rmse`), and a param with one value everywhere is left out
 * (it answers nothing). Attributes that are the same for every run (source, dataset) are too.
 */
import type { Run } from '../tracking/types';
import { TRAIN_TAG } from '../tracking/tags';
import { dictGet } from '../util/dict';
import { columnValue, type ColumnSpec } from './columns';

/** At most this many metric and param columns by default (the picker adds more). */
const MAX_METRICS = 8;
const MAX_PARAMS = 8;

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Whether a smaller value of this metric is better (errors and losses), from its name. */
export function lowerIsBetter(metric: string): boolean {
  return /(^|[_.-])(rmse|mse|mae|mape|loss|error|err|log_loss|val_loss|dual_gap)$/i.test(metric) || /loss|error/i.test(metric);
}

/** Metrics people read first, in this order, among those equally shared. */
const HEADLINE = ['rmse', 'accuracy', 'r2', 'mae', 'f1', 'log_loss', 'loss', 'val_loss'];
export const headline = (k: string) => { const i = HEADLINE.indexOf(k); return i < 0 ? HEADLINE.length : i; };

/** Whether at least two runs hold different values (a value only some runs have is no difference). */
function varies(runs: readonly Run[], col: ColumnSpec): boolean {
  let first: string | number | undefined;
  for (const r of runs) {
    const v = columnValue(r, col);
    if (v === undefined) continue;
    if (first === undefined) first = v;
    else if (v !== first) return true;
  }
  return false;
}

export function chooseDefaultColumns(runs: readonly Run[]): ColumnSpec[] {
  const metricCount = new Map<string, number>();
  const paramKeys = new Set<string>();
  const sweepMetrics = new Map<string, number>();
  for (const r of runs) {
    for (const k in r.metrics) metricCount.set(k, (metricCount.get(k) ?? 0) + 1);
    for (const k in r.params) paramKeys.add(k);
    const s = dictGet(r.tags, TRAIN_TAG.sweepMetric);
    if (s !== undefined) sweepMetrics.set(s, (sweepMetrics.get(s) ?? 0) + 1);
  }
  const attrs: ColumnSpec[] = (['status', 'name', 'start', 'duration'] as const).map((key) => ({ kind: 'attr', key }));
  for (const key of ['source', 'dataset', 'user'] as const) if (varies(runs, { kind: 'attr', key })) attrs.push({ kind: 'attr', key });

  const metrics: string[] = [];
  const add = (k: string) => { if (!metrics.includes(k) && metricCount.has(k)) metrics.push(k); };
  [...sweepMetrics.keys()].sort((a, b) => sweepMetrics.get(b)! - sweepMetrics.get(a)! || byName(a, b)).forEach(add);
  // The rest by how many runs have them (shared first), then by name.
  [...metricCount.keys()].sort((a, b) => metricCount.get(b)! - metricCount.get(a)! || headline(a) - headline(b) || byName(a, b)).forEach(add);

  // One run has nothing that differs: then its params are the useful ones.
  const params = [...paramKeys].filter((k) => runs.length < 2 || varies(runs, { kind: 'param', key: k })).sort(byName);
  return [
    ...attrs,
    ...metrics.slice(0, MAX_METRICS).map((key) => ({ kind: 'metric' as const, key, agg: 'latest' as const })),
    ...params.slice(0, MAX_PARAMS).map((key) => ({ kind: 'param' as const, key })),
  ];
}
