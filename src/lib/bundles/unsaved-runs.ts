/**
 * Runs the browser's storage lost under an open page (site data cleared while a run was
 * RUNNING): the page ended them KILLED in memory and still holds their info, the params and
 * tags it had cached and the metric points it had not written yet (a training job: every point
 * its worker logged, since the page keeps them while it trains). This turns that into an
 * MLflow bundle the lab (or MLflow) can import back, so the person loses only what was already
 * written and deleted with the rest of the data.
 */
import type { BundleRun, MlflowBundle } from '../mlflow/bundle';
import { summarize } from '../mlflow/read-tree';
import type { AbandonedRun } from '../tracking/fluent';
import type { Experiment, MetricSummary, Run } from '../tracking/types';
import { dictSet, newDict } from '../util/dict';

export interface UnsavedRuns {
  /** Each run: its id, name and how much of it only this page holds. */
  runs: { runId: string; runName: string; points: number; params: number; tags: number }[];
  bundle: MlflowBundle;
}

/**
 * `abandoned`: what the page's Fluents gave back; `cachedRuns` / `cachedExperiments`: the
 * store's cache at the moment the data went (params, tags, the experiment's name).
 */
export function unsavedRuns(abandoned: readonly AbandonedRun[], cachedRuns: readonly Run[], cachedExperiments: readonly Experiment[]): UnsavedRuns | null {
  if (abandoned.length === 0) return null;
  const runs: BundleRun[] = [];
  const experiments = new Map<string, Experiment>();
  for (const a of abandoned) {
    const cached = cachedRuns.find((r) => r.info.runId === a.info.runId);
    const metrics = newDict<MetricSummary>();
    for (const c of a.unsaved) if (c.values.length) dictSet(metrics, c.key, summarize(c));
    const params = newDict<string>();
    const tags = newDict<string>();
    for (const [k, v] of Object.entries(cached?.params ?? {})) dictSet(params, k, v);
    for (const [k, v] of Object.entries(cached?.tags ?? {})) dictSet(tags, k, v);
    // What another writer of the run (a training worker) logged; the cache may not have it yet.
    for (const p of a.params ?? []) dictSet(params, p.key, p.value);
    for (const t of a.tags ?? []) dictSet(tags, t.key, t.value);
    const run: Run = { info: a.info, params, tags, metrics, inputs: cached?.inputs ?? [] };
    runs.push({ run, metrics: a.unsaved.filter((c) => c.values.length), artifacts: [] });
    const id = a.info.experimentId;
    if (!experiments.has(id)) {
      const exp = cachedExperiments.find((e) => e.experimentId === id);
      experiments.set(id, exp ?? {
        experimentId: id, name: `Recovered experiment ${id}`, artifactLocation: `mlflow-artifacts:/${id}`,
        lifecycleStage: 'active', creationTime: a.info.startTime, lastUpdateTime: a.info.startTime, tags: newDict<string>(),
      });
    }
  }
  return {
    runs: runs.map(({ run, metrics }) => ({
      runId: run.info.runId, runName: run.info.runName,
      points: metrics.reduce((n, c) => n + c.values.length, 0),
      params: Object.keys(run.params).length, tags: Object.keys(run.tags).length,
    })),
    bundle: { experiments: [...experiments.values()], runs, loggedModels: [], registeredModels: [] },
  };
}

/** Two offers as one (the data was deleted twice while the first was not downloaded yet). */
export function mergeUnsaved(a: UnsavedRuns, b: UnsavedRuns): UnsavedRuns {
  const known = new Set(a.bundle.experiments.map((e) => e.experimentId));
  return {
    runs: [...a.runs, ...b.runs],
    bundle: {
      ...a.bundle,
      runs: [...a.bundle.runs, ...b.bundle.runs],
      experiments: [...a.bundle.experiments, ...b.bundle.experiments.filter((e) => !known.has(e.experimentId))],
    },
  };
}
