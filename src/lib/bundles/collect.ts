/**
 * Store → MlflowBundle for export: the chosen runs with full histories and artifacts, their
 * experiments, and the logged models derived from their model folders (logged-models.ts).
 * Works on anything shaped like the TrackingStore, so it runs in the page and in Node tests.
 */
import type { BundleArtifact, BundleRun, MlflowBundle } from '../mlflow/bundle';
import type { Experiment, MetricColumns, Run, ViewType } from '../tracking/types';
import { deriveLoggedModels } from './logged-models';
import { registeredModelsForExport, type RegistrySource } from './registry-export';
import { upgradeModelFolders } from './upgrade-models';
import type { ExportSelection } from './selection';

export interface ExportSource {
  listRuns(experimentIds?: readonly string[]): readonly Run[];
  getRun(runId: string): Promise<Run>;
  listExperiments(viewType?: ViewType): Promise<Experiment[]>;
  readRunsContent(runIds: readonly string[]): Promise<Map<string, { metrics: MetricColumns[]; artifacts: BundleArtifact[] }>>;
}

export type { ExportSelection };

/** Run ids a selection covers; experiments export with their deleted runs, as MLflow keeps them. */
function selectedRunIds(src: ExportSource, sel: ExportSelection): string[] {
  if (sel.kind === 'runs') return [...new Set(sel.runIds)];
  const runs = sel.kind === 'lab' ? src.listRuns() : src.listRuns([sel.experimentId]);
  return runs.map((r) => r.info.runId);
}

/** The selection as a bundle; with `registry`, the registered models it carries (registry-export.ts). */
export async function collectBundle(src: ExportSource, sel: ExportSelection, registry?: RegistrySource): Promise<MlflowBundle> {
  const bundleRuns: BundleRun[] = [];
  const experiments = await collectBundleBatches(src, sel, (runs) => void bundleRuns.push(...runs));
  for (const br of bundleRuns) upgradeModelFolders(br);
  const loggedModels = deriveLoggedModels(bundleRuns);
  const runIds = new Set(bundleRuns.map((r) => r.run.info.runId));
  const registeredModels = registry ? registeredModelsForExport(await registry.listRegisteredModels(), sel, runIds) : [];
  return { experiments, runs: bundleRuns, loggedModels, registeredModels };
}

/**
 * The selection's runs in batches (content read batch by batch), handed to `onRuns` as each is
 * read, so a consumer (the bundle worker) encodes one batch while the store reads the next.
 * Returns the experiments. Logged models are left to the consumer (deriveLoggedModels).
 */
export async function collectBundleBatches(src: ExportSource, sel: ExportSelection, onRuns: (runs: BundleRun[]) => void, batch = 100): Promise<Experiment[]> {
  const ids = selectedRunIds(src, sel);
  const runs = await Promise.all(ids.map((id) => src.getRun(id)));
  const all = await src.listExperiments('ALL');
  const wanted = new Set(runs.map((r) => r.info.experimentId));
  if (sel.kind === 'experiment') wanted.add(sel.experimentId);
  if (sel.kind === 'lab') for (const e of all) wanted.add(e.experimentId);
  const experiments = all.filter((e) => wanted.has(e.experimentId));
  if (sel.kind === 'experiment' && experiments.length === 0) throw new Error(`No experiment with id ${sel.experimentId}.`);
  for (let b = 0; b < runs.length; b += batch) {
    const part = runs.slice(b, b + batch);
    const content = await src.readRunsContent(part.map((r) => r.info.runId));
    onRuns(part.map((run) => {
      const c = content.get(run.info.runId)!;
      return { run, metrics: c.metrics, artifacts: c.artifacts.map((a) => ({ path: a.path, bytes: a.bytes })) };
    }));
  }
  return experiments;
}

/** A file name for the download: `mfflow-<what>-<yyyymmdd-hhmm>.zip`. */
export function bundleFileName(sel: ExportSelection, now = new Date()): string {
  const t = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  const what = sel.kind === 'lab' ? 'lab' : sel.kind === 'experiment' ? `experiment-${sel.experimentId}` : sel.runIds.length === 1 ? `run-${sel.runIds[0].slice(0, 8)}` : `${sel.runIds.length}-runs`;
  return `mfflow-${what}-${t}.zip`;
}
