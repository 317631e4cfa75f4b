/**
 * A class's leaderboard: every person's best run on one metric, best first. "Best" follows the
 * metric's direction (errors and losses: smallest; scores: largest; lowerIsBetter), and a run
 * without the metric, or with NaN, never wins. Runs are grouped by `mlflow.user` (RunInfo.userId).
 */
import type { Run } from '../tracking/types';
import { dictGet } from '../util/dict';
import { headline, lowerIsBetter } from './default-columns';

export interface LeaderboardRow {
  user: string;
  /** The user's best run on the metric. */
  best: Run;
  value: number;
  /** How many of the user's runs have the metric (and how many they have in all). */
  scored: number;
  runs: number;
}

export interface Leaderboard {
  metric: string;
  ascending: boolean;
  rows: LeaderboardRow[];
  /** People whose runs have no value of the metric (listed apart, never ranked). */
  unscored: { user: string; runs: number }[];
}

/** The metric keys runs have, most common first, the headline ones (rmse, accuracy, ...) first among equals. */
export function leaderboardMetrics(runs: readonly Run[]): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || headline(a[0]) - headline(b[0]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k]) => k);
}

/** `direction` overrides the guess from the metric's name. */
export function leaderboard(runs: readonly Run[], metric: string, direction?: 'asc' | 'desc'): Leaderboard {
  const ascending = direction ? direction === 'asc' : lowerIsBetter(metric);
  const better = (a: number, b: number) => (ascending ? a < b : a > b);
  const byUser = new Map<string, { best: Run | null; value: number; scored: number; runs: number }>();
  for (const run of runs) {
    const user = run.info.userId || '(no user)';
    let entry = byUser.get(user);
    if (!entry) byUser.set(user, (entry = { best: null, value: NaN, scored: 0, runs: 0 }));
    entry.runs++;
    const v = dictGet(run.metrics, metric)?.latest;
    if (v === undefined || Number.isNaN(v)) continue;
    entry.scored++;
    // Ties go to the earlier run (the first to reach the value).
    if (!entry.best || better(v, entry.value) || (v === entry.value && run.info.startTime < entry.best.info.startTime)) {
      entry.best = run;
      entry.value = v;
    }
  }
  const rows: LeaderboardRow[] = [];
  const unscored: Leaderboard['unscored'] = [];
  for (const [user, e] of byUser) {
    if (e.best) rows.push({ user, best: e.best, value: e.value, scored: e.scored, runs: e.runs });
    else unscored.push({ user, runs: e.runs });
  }
  rows.sort((a, b) => (a.value === b.value ? (a.user < b.user ? -1 : 1) : better(a.value, b.value) ? -1 : 1));
  unscored.sort((a, b) => (a.user < b.user ? -1 : 1));
  return { metric, ascending, rows, unscored };
}
