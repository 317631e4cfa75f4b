/**
 * Runs' model folders ⇄ MLflow 3 logged models (docs/mlflow-formats.md §1.8).
 *
 * Export: every folder of a run's artifacts that holds an `MLmodel` (the lab writes `model/`)
 * becomes a LoggedModel with those files, linked from the run by `outputs/<model_id>`. We KEEP
 * the copy in the run's artifacts too: MLflow 2 readers and `runs:/<id>/model` find it there, the
 * MLflow 3 UI lists the logged model, and importing our own bundle needs nothing but the run.
 * Everything is derived from the run, so the same run always gives the same bytes (the model id
 * is md5 of run id and folder).
 *
 * Import: the lab has no logged-model store, so a logged model's files go into its source run's
 * artifacts, under the model's name (MLflow's own `model/` convention) when that folder is free
 * or already holds the same files, else under `models/<model_id>/`. Models without a source run
 * in the bundle are reported and left out.
 */
import type { BundleArtifact, BundleLoggedModel, BundleRun, LoggedModel, ModelMetricPoint } from '../mlflow/bundle';
import { LOGGED_MODEL_NAME_BAD, md5Hex } from '../mlflow/keys';
import { findModelDirs } from '../mlflow/mlmodel';
import { TAG } from '../tracking/tags';
import { dictGet, dictSet, newDict } from '../util/dict';
import { sameContent } from './lazy-entries';

export const CONTEXT_TAGS = [TAG.user, TAG.sourceName, TAG.sourceType];

export function loggedModelId(runId: string, dir: string): string {
  return `m-${md5Hex(runId, '/', dir)}`;
}

/** A logged model's name from its folder: `model/` → `model`, characters MLflow refuses replaced. */
export function modelName(dir: string): string {
  const base = dir.slice(dir.lastIndexOf('/') + 1) || 'model';
  const clean = base.replace(new RegExp(LOGGED_MODEL_NAME_BAD.source, 'g'), '_');
  return clean || 'model';
}

/** The logged models of one run (one per model folder) and the run's `outputs` links. */
export function loggedModelsOfRun(br: BundleRun): BundleLoggedModel[] {
  const { info } = br.run;
  const dirs = findModelDirs(br.artifacts.map((a) => a.path));
  const out: BundleLoggedModel[] = [];
  for (const dir of dirs) {
    const prefix = dir === '' ? '' : `${dir}/`;
    const artifacts = br.artifacts.filter((a) => a.path.startsWith(prefix)).map((a) => ({ path: a.path.slice(prefix.length), bytes: a.bytes }));
    const tags = newDict<string>();
    for (const k of CONTEXT_TAGS) {
      const v = dictGet(br.run.tags, k);
      if (v !== undefined) dictSet(tags, k, v);
    }
    const metrics: ModelMetricPoint[] = Object.keys(br.run.metrics).sort().map((key) => {
      const s = dictGet(br.run.metrics, key)!;
      return { key, value: s.latest, timestamp: s.timestamp, step: s.step, runId: info.runId };
    });
    const t = info.endTime ?? info.startTime;
    const model: LoggedModel = {
      modelId: loggedModelId(info.runId, dir),
      experimentId: info.experimentId,
      name: modelName(dir),
      artifactLocation: '',
      creationTimestamp: t,
      lastUpdatedTimestamp: t,
      lifecycleStage: 'active',
      modelType: null,
      sourceRunId: info.runId,
      status: 'READY',
      statusMessage: null,
      params: { ...br.run.params },
      tags,
      metrics,
    };
    out.push({ model, artifacts });
  }
  return out;
}

/** Adds logged models and `outputs` links to every run of an export. Returns the models. */
export function deriveLoggedModels(runs: BundleRun[]): BundleLoggedModel[] {
  const all: BundleLoggedModel[] = [];
  for (const br of runs) {
    const models = loggedModelsOfRun(br);
    if (models.length) br.outputs = models.map((m) => ({ modelId: m.model.modelId, step: 0 }));
    all.push(...models);
  }
  return all;
}

/** True when `files` are exactly the run's artifacts under `prefix`. */
function holdsSame(run: readonly BundleArtifact[], prefix: string, files: readonly BundleArtifact[]): boolean {
  const under = new Map(run.filter((a) => a.path.startsWith(prefix)).map((a) => [a.path.slice(prefix.length), a.bytes]));
  if (under.size !== files.length) return false;
  return files.every((f) => {
    const b = under.get(f.path);
    return b !== undefined && sameContent(b, f.bytes);
  });
}

/**
 * Folds logged models into their source runs' artifacts (see the header). Returns warnings for
 * models that could not be placed; `placed` (when given) learns where each placed model's files
 * are, model id → run and folder, so registry versions naming the model can point there.
 */
export function attachLoggedModels(runs: BundleRun[], models: readonly BundleLoggedModel[], placed?: Map<string, { runId: string; dir: string }>): string[] {
  const byId = new Map(runs.map((r) => [r.run.info.runId, r]));
  const warnings: string[] = [];
  for (const lm of models) {
    const m = lm.model;
    const run = m.sourceRunId ? byId.get(m.sourceRunId) : undefined;
    if (!run) {
      warnings.push(`logged model ${m.modelId} ("${m.name}"): its source run is not in the archive; not imported`);
      continue;
    }
    if (lm.artifacts.length === 0 || m.lifecycleStage === 'deleted') continue;
    const named = `${modelName(m.name)}/`;
    const taken = (p: string) => run.artifacts.some((a) => a.path.startsWith(p) || p.startsWith(`${a.path}/`));
    const place = (prefix: string) => placed?.set(m.modelId, { runId: run.run.info.runId, dir: prefix.slice(0, -1) });
    let prefix = named;
    if (holdsSame(run.artifacts, named, lm.artifacts)) { place(named); continue; }
    if (taken(named)) prefix = `models/${m.modelId}/`;
    if (holdsSame(run.artifacts, prefix, lm.artifacts)) { place(prefix); continue; }
    if (taken(prefix)) {
      warnings.push(`logged model ${m.modelId}: run ${run.run.info.runId} already has other files at ${prefix}; not imported`);
      continue;
    }
    for (const a of lm.artifacts) run.artifacts.push({ path: prefix + a.path, bytes: a.bytes });
    place(prefix);
  }
  return warnings;
}
