/**
 * The statistics a metric column or filter can use besides the latest value (MLflow users
 * asked for min/max/mean columns: mlflow/mlflow#7790, #12819). All come from the run's stored
 * summary, so a table of 100,000 runs never reads a history.
 */
import type { MetricSummary } from './types';

export type MetricAgg = 'latest' | 'min' | 'max' | 'mean';
export const METRIC_AGGS: readonly MetricAgg[] = ['latest', 'min', 'max', 'mean'];

/**
 * Mean of a history's non-NaN values from its summary (NaN if every value is NaN). Summaries
 * written before sums were kept know it only when their min, max and count imply it.
 */
export function summaryMean(s: MetricSummary): number | undefined {
  const finite = s.count - (s.nans ?? 0);
  if (s.sum !== undefined) return finite > 0 ? s.sum / finite : NaN;
  if (s.count === 1) return s.latest;
  if (Object.is(s.min, s.max) || s.count === 2) return (s.min + s.max) / 2;
  return undefined;
}

/** One statistic of a summary; undefined when it cannot be known from the summary. */
export function summaryStat(s: MetricSummary, agg: MetricAgg): number | undefined {
  return agg === 'mean' ? summaryMean(s) : s[agg];
}
