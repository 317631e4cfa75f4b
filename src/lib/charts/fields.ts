/**
 * Run fields the compare view plots or tabulates, named as in MLflow's search grammar
 * (`params.alpha`, `metrics.rmse`) so the names in the URL read like filters.
 */
import type { Run } from '../tracking/types';
import { dictGet } from '../util/dict';

export interface FieldRef {
  kind: 'param' | 'metric';
  key: string;
}

export function fieldName(f: FieldRef): string {
  return `${f.kind === 'param' ? 'params' : 'metrics'}.${f.key}`;
}

/** Reads `params.<key>` / `metrics.<key>` (keys may contain dots); null for anything else. */
export function parseField(text: string | null | undefined): FieldRef | null {
  if (!text) return null;
  if (text.startsWith('params.') && text.length > 7) return { kind: 'param', key: text.slice(7) };
  if (text.startsWith('metrics.') && text.length > 8) return { kind: 'metric', key: text.slice(8) };
  return null;
}

/** A param as text, a metric as its latest value; undefined when the run lacks it. */
export function fieldValue(run: Run, f: FieldRef): string | number | undefined {
  if (f.kind === 'param') return dictGet(run.params, f.key);
  return dictGet(run.metrics, f.key)?.latest;
}

/** Sorted keys of params and metrics over the runs, each with how many runs have it. */
export function fieldKeys(runs: readonly Run[], kind: FieldRef['kind']): { key: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of runs) {
    for (const k of Object.keys(kind === 'param' ? r.params : r.metrics)) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => ({ key, count })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
