/**
 * The model registry in an export (mlruns/models/<name>/, docs/mlflow-formats.md §1.9).
 *
 * - The whole lab exports every registered model with every version.
 * - An experiment or a set of runs exports only the versions made from its runs (a version's
 *   `run_id`, or the run of its `runs:/` source), the models holding them, and the aliases that
 *   point at those versions: a version whose run is not in the archive could not be loaded.
 *
 * Sources stay as the lab records them, `runs:/<run>/<path>`: MLflow 3 resolves such a version
 * through its run's artifact location (proved in tests/interop/bundles-registry.test.ts), while a
 * `models:/m-…` source would need the logged model record to be the one the version names.
 *
 * Version numbers are never reused. The lab drops a deleted version but remembers the next
 * number (`nextVersion`); MLflow instead keeps the deleted version's folder with the stage
 * `Deleted_Internal` and counts it. So a whole-lab export writes one such folder for the last
 * number given out when no live version has it; reading it back (storedFromBundle) drops it and
 * gets the same `nextVersion`, so export → import → export stays byte-identical.
 *
 * Output is sorted (models by name, versions by number) so exports are deterministic.
 */
import type { ModelVersion, RegisteredModel } from '../mlflow/bundle';
import { pathProblem } from '../archive/paths';
import { parseRunsUri } from '../registry/uri';
import { invalid } from '../util/errors';
import { compareCodePoints } from '../mlflow/yaml';
import { dictFrom, dictGet, dictSet, newDict } from '../util/dict';
import type { ExportSelection } from './selection';

/** What the export reads the registry through (RegistryStore fits). */
export interface RegistrySource {
  listRegisteredModels(): Promise<readonly ExportableModel[]>;
}

export type ExportableModel = RegisteredModel & { nextVersion?: number };

/** The run a version's files come from, or null when it names none. */
export function versionRunId(v: ModelVersion): string | null {
  if (v.runId) return v.runId;
  if (/^runs:/i.test(v.source)) {
    try {
      return parseRunsUri(v.source).runId;
    } catch {
      return null;
    }
  }
  return null;
}

function copyVersion(v: ModelVersion): ModelVersion {
  return { ...v, tags: dictFrom(Object.entries(v.tags)) };
}

/** The placeholder MLflow would have kept for a deleted version (see the header). */
function deletedPlaceholder(m: RegisteredModel, version: number): ModelVersion {
  return {
    version, creationTimestamp: m.lastUpdatedTimestamp, lastUpdatedTimestamp: m.lastUpdatedTimestamp, description: null, userId: null,
    currentStage: 'Deleted_Internal', source: '', runId: null, runLink: null, status: 'READY', statusMessage: null, modelId: null,
    storageLocation: null, tags: newDict<string>(),
  };
}

/** The registered models an export of `sel` carries; `runIds` are the runs in the archive. */
export function registeredModelsForExport(models: readonly ExportableModel[], sel: ExportSelection, runIds: ReadonlySet<string>): RegisteredModel[] {
  const out: RegisteredModel[] = [];
  for (const m of [...models].sort((a, b) => compareCodePoints(a.name, b.name))) {
    const whole = sel.kind === 'lab';
    const versions = m.versions.filter((v) => whole || runIds.has(versionRunId(v) ?? '')).map(copyVersion).sort((a, b) => a.version - b.version);
    if (!whole && versions.length === 0) continue;
    // The registry takes names a folder in a zip cannot hold (a backslash, a control character);
    // say which model stops the export and what to do, rather than the writer's bare refusal.
    const problem = pathProblem(m.name, false);
    if (problem) throw invalid(`Registered model "${m.name}" cannot be exported: its ${problem.message}. Rename it, then export again.`);
    const kept = new Set(versions.map((v) => v.version));
    const aliases = newDict<number>();
    for (const a of Object.keys(m.aliases).sort(compareCodePoints)) {
      const n = dictGet(m.aliases, a)!;
      if (kept.has(n)) dictSet(aliases, a, n);
    }
    const last = (m.nextVersion ?? 1) - 1;
    if (whole && last > 0 && !kept.has(last) && versions.every((v) => v.version < last)) versions.push(deletedPlaceholder(m, last));
    const { nextVersion: _n, ...rest } = m;
    out.push({ ...rest, tags: dictFrom(Object.entries(m.tags)), aliases, versions });
  }
  return out;
}
