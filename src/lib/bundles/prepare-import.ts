/**
 * Archive entries → what the store commits. Runs in the bundle worker: it reads the tree,
 * folds logged models into runs, rewrites artifact locations to the lab's, checks what the
 * store would refuse, and digests every run, so the page only compares and commits.
 *
 * Two kinds of archive are accepted:
 * - an MLflow file store (`mlruns/`, written by MLflow 2.x, 3.x or the lab), anywhere in the zip;
 * - an MLflow Model folder (an `MLmodel` file, e.g. the lab's model export): it becomes ONE run
 *   in the Default experiment holding the files under `model/`. Its id is derived from the
 *   model's `model_uuid`, so importing the same model twice adds nothing.
 */
import type { BundleArtifact, BundleRun, MlflowBundle, RegisteredModel } from '../mlflow/bundle';
import { FormatError } from '../mlflow/errors';
import { md5Hex } from '../mlflow/keys';
import { findModelDirs, parseMLmodel } from '../mlflow/mlmodel';
import { readMlrunsTree, type DecodedMetricFiles } from '../mlflow/read-tree';
import { findMlrunsRoot } from '../mlflow/tree';
import { DEFAULT_EXPERIMENT_ID, type Experiment, type MetricColumns, type Run } from '../tracking/types';
import { LAB_TAG, TAG } from '../tracking/tags';
import { dictFrom, dictSet, newDict } from '../util/dict';
import { ALIAS_RE } from '../mlflow/registry';
import { storedFromBundle } from '../registry/model-registry';
import { attachLoggedModels } from './logged-models';
import type { PreparedImport, PreparedRun } from '../storage/prepared-import';

export type { PreparedImport, PreparedRun };

/** Where the lab keeps artifacts (experiment-ops.ts): the same scheme for imported runs. */
const expLocation = (id: string) => `mlflow-artifacts:/${id}`;
export const MODEL_RUN_TAG = { modelUuid: LAB_TAG.importModelUuid, sourceRunId: LAB_TAG.importSourceRunId } as const;

/** The store keeps artifacts as files; a name that is both a file and a folder cannot be kept. */
function checkArtifactTree(owner: string, arts: readonly BundleArtifact[]): void {
  const files = new Set(arts.map((a) => a.path));
  for (const a of arts) {
    for (let i = a.path.indexOf('/'); i > 0; i = a.path.indexOf('/', i + 1)) {
      if (files.has(a.path.slice(0, i))) throw new FormatError(`${owner}/artifacts/${a.path}`, `"${a.path.slice(0, i)}" is both a file and a folder`);
    }
  }
}

/**
 * Stored entries are views into the whole archive buffer; an artifact keeps only its own bytes,
 * or transferring it to the page would move (and pin) the whole archive there.
 */
function ownBytes(a: BundleArtifact): BundleArtifact {
  return a.bytes.byteLength === a.bytes.buffer.byteLength ? a : { ...a, bytes: a.bytes.slice() };
}

function prepareRun(br: BundleRun): PreparedRun {
  const info = { ...br.run.info, artifactUri: `${expLocation(br.run.info.experimentId)}/${br.run.info.runId}/artifacts` };
  const run: Run = { ...br.run, info };
  checkArtifactTree(`run ${info.runId}`, br.artifacts);
  const metrics = br.metrics.filter((m) => m.values.length > 0);
  return { run, metrics, artifacts: br.artifacts.map(ownBytes) };
}

export function prepareBundle(bundle: MlflowBundle, warnings: string[] = []): PreparedImport {
  const runs = bundle.runs.map((r) => ({ ...r, artifacts: [...r.artifacts] }));
  const placed = new Map<string, { runId: string; dir: string }>();
  warnings.push(...attachLoggedModels(runs, bundle.loggedModels, placed));
  const experiments = bundle.experiments.map((e) => ({ ...e, artifactLocation: expLocation(e.experimentId), tags: { ...e.tags } }));
  const models = checkedModels(bundle.registeredModels, warnings).map((m) => locateVersions(m, placed));
  return { kind: 'mlruns', experiments, runs: runs.map(prepareRun), registeredModels: models, warnings };
}

/**
 * MLflow 3 registers a logged model: the version's source is `models:/m-…` and its
 * storage_location a file path of the machine that wrote it. The lab keeps a logged model's
 * files in its source run (attachLoggedModels), so such a version's storage location becomes
 * `runs:/<run>/<folder>`, which the lab (and MLflow, on re-export) can load; the source stays
 * as MLflow wrote it.
 */
function locateVersions(m: RegisteredModel, placed: ReadonlyMap<string, { runId: string; dir: string }>): RegisteredModel {
  const versions = m.versions.map((v) => {
    const id = v.modelId ?? /^models:\/(m-[\w-]+)\/?$/.exec(v.source)?.[1];
    const at = id ? placed.get(id) : undefined;
    if (!at || /^runs:/i.test(v.source)) return v;
    return { ...v, runId: v.runId ?? at.runId, storageLocation: `runs:/${at.runId}/${at.dir}` };
  });
  return { ...m, versions };
}

/**
 * The registered models the registry would accept and a later export could write again (names
 * once each, aliases of MLflow's pattern); any other is left out with a warning.
 */
function checkedModels(models: readonly RegisteredModel[], warnings: string[]): RegisteredModel[] {
  const seen = new Set<string>();
  return models.filter((m) => {
    try {
      storedFromBundle(m);
      if (seen.has(m.name)) throw new Error('the archive holds this name twice');
      seen.add(m.name);
      const bad = Object.keys(m.aliases).find((a) => !ALIAS_RE.test(a));
      if (bad !== undefined) throw new Error(`alias "${bad}" is not a valid alias name`);
      return true;
    } catch (e) {
      warnings.push(`registered model "${m.name}" not imported: ${(e as Error).message}`);
      return false;
    }
  });
}

/** `'2025-06-01 12:00:00.123000'` → ms, or null. */
export function pyUtcToMs(s: string): number | null {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/.exec(s.trim());
  if (!m) return null;
  const t = Date.parse(`${m[1]}T${m[2]}Z`);
  return Number.isNaN(t) ? null : t + Math.floor(Number((m[3] ?? '0').padEnd(6, '0')) / 1000);
}

/** An MLflow Model folder as one run (see the header). */
export function prepareModelArchive(entries: Map<string, Uint8Array>): PreparedImport {
  const files = [...entries].filter(([p]) => !p.endsWith('/'));
  const dirs = findModelDirs(files.map(([p]) => p));
  const depth = (d: string) => (d === '' ? 0 : d.split('/').length);
  const top = dirs.filter((d) => depth(d) === Math.min(...dirs.map(depth)));
  if (top.length !== 1) throw new FormatError('(archive)', top.length === 0 ? 'neither an MLflow file store (mlruns/) nor an MLflow Model (MLmodel) was found' : `more than one MLflow Model found: ${top.join(', ')}`);
  const dir = top[0];
  const prefix = dir === '' ? '' : `${dir}/`;
  const mlmodel = parseMLmodel(entries.get(`${prefix}MLmodel`)!, `${prefix}MLmodel`);
  const artifacts = files.filter(([p]) => p.startsWith(prefix)).map(([p, bytes]) => ownBytes({ path: `model/${p.slice(prefix.length)}`, bytes }));
  const uuid = mlmodel.modelUuid || mlmodel.modelId || md5Hex(...artifacts.map((a) => a.path));
  const runId = md5Hex('mfflow-model-archive/', uuid);
  const created = pyUtcToMs(mlmodel.utcTimeCreated) ?? 0;
  const runName = `model-${uuid.replace(/^m-/, '').slice(0, 8)}`;
  const tags = dictFrom([[TAG.runName, runName], [MODEL_RUN_TAG.modelUuid, uuid]]);
  if (mlmodel.runId) dictSet(tags, MODEL_RUN_TAG.sourceRunId, mlmodel.runId);
  const run: Run = {
    info: {
      runId, experimentId: DEFAULT_EXPERIMENT_ID, runName, userId: '', status: 'FINISHED', startTime: created, endTime: created,
      lifecycleStage: 'active', deletedTime: null, artifactUri: `${expLocation(DEFAULT_EXPERIMENT_ID)}/${runId}/artifacts`,
    },
    params: newDict(), tags, metrics: newDict(), inputs: [],
  };
  checkArtifactTree(`run ${runId}`, artifacts);
  return { kind: 'model', experiments: [], runs: [{ run, metrics: [], artifacts }], registeredModels: [], warnings: [] };
}

/** Decides the kind of archive and prepares it. Throws FormatError naming the file at fault. */
/** `decoded`: run metric files other workers decoded (import-lanes.ts), by their placeholder bytes in `entries`. */
export function prepareEntries(entries: Map<string, Uint8Array>, decoded?: DecodedMetricFiles): PreparedImport {
  let isStore = true;
  try {
    findMlrunsRoot(entries.keys());
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    if (!findModelDirs([...entries.keys()]).length) throw e;
    isStore = false;
  }
  if (!isStore) return prepareModelArchive(entries);
  const { bundle, warnings } = readMlrunsTree(entries, decoded);
  return prepareBundle(bundle, warnings);
}
