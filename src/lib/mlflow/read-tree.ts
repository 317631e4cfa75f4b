/**
 * mlruns file-store tree → bundle, for trees written by MLflow 2.x, MLflow 3.x and us
 * (docs/mlflow-formats.md §1). It skips what MLflow skips (with a warning) and fails where MLflow
 * fails (§1.11), with a FormatError naming the file.
 */
import type { DatasetInput, Experiment, MetricColumns, MetricSummary, Run, RunInfo } from '../tracking/types';
import { TAG } from '../tracking/tags';
import { dictGet, dictSet, newDict, type Dict } from '../util/dict';
import type { BundleArtifact, BundleLoggedModel, BundleRun, MlflowBundle, ModelMetricPoint, RegisteredModel, RunOutput } from './bundle';
import { FormatError } from './errors';
import { keyProblem } from './keys';
import { decodeRunMetricBytes } from './metric-bytes';
import { decodeModelMetricFile } from './metric-file';
import {
  decodeDatasetMeta, decodeExperimentMeta, decodeInputMeta, decodeLoggedModelMeta, decodeOutputMeta, decodeRunMeta,
} from './meta';
import { decodeModelVersionMeta, decodeRegisteredModelMeta } from './registry';
import { buildTree, findMlrunsRoot, type Folder } from './tree';
import { compareCodePoints, parseYamlSafe } from './yaml';

export interface ReadTreeResult {
  bundle: MlflowBundle;
  /** Things skipped, as MLflow would skip them (with the path). */
  warnings: string[];
  /** The prefix of the mlruns root inside the archive, e.g. `mlruns/`. */
  root: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
export const EXP_RESERVED = new Set(['tags', 'datasets', 'traces', 'models']);

function text(file: string, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FormatError(file, 'not valid UTF-8');
  }
}

/** Params or tags: one file per key, keys with `/` from subfolders. */
function readKeyed(folder: Folder | undefined, what: string): Dict<string> {
  const out = newDict<string>();
  if (!folder) return out;
  for (const [key, bytes] of folder.walkFiles()) {
    const file = `${folder.path}/${key}`;
    const problem = keyProblem(key);
    if (problem) throw new FormatError(file, `invalid ${what} name '${key}': ${problem}`);
    dictSet(out, key, text(file, bytes));
  }
  return out;
}

function readMeta(folder: Folder) {
  const bytes = folder.files.get('meta.yaml');
  if (!bytes) return undefined;
  return parseYamlSafe(bytes, `${folder.path}/meta.yaml`);
}

/** The point MLflow shows as "latest": max of (step, timestamp, value) with Python's ordering. */
export function summarize(m: MetricColumns): MetricSummary {
  const { values, steps, timestamps } = m;
  let best = 0;
  let min = NaN;
  let max = NaN;
  let sum = 0, nans = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const cmp = steps[i] !== steps[best] ? steps[i] - steps[best] : timestamps[i] !== timestamps[best] ? timestamps[i] - timestamps[best] : v > values[best] ? 1 : 0;
    if (cmp > 0) best = i;
    if (v === v) {
      if (!(v >= min)) min = v;
      if (!(v <= max)) max = v;
      sum += v;
    } else nans++;
  }
  const out: MetricSummary = { latest: values[best], step: steps[best], timestamp: timestamps[best], min, max, count: values.length, sum };
  if (nans) out.nans = nans;
  return out;
}

function readArtifacts(folder: Folder | undefined): BundleArtifact[] {
  return folder ? folder.walkFiles().map(([path, bytes]) => ({ path, bytes })) : [];
}

/**
 * A run metric file decoded by another worker (an import lane, bundles/import-lanes.ts): its
 * columns, or the FormatError it gave, raised here only if this reader reads that file.
 */
export type DecodedMetricFile = MetricColumns | { problem: string; field?: string } | StagedMetric;

/**
 * A run metric file whose columns went straight to the page as it was decoded (the store writes
 * them meanwhile, storage/metric-staging.ts): the tree keeps only its summary.
 */
export interface StagedMetric {
  staged: MetricSummary;
}

/** Lane-decoded metric files, by the placeholder bytes that stand for each in the entries. */
export type DecodedMetricFiles = WeakMap<Uint8Array, DecodedMetricFile>;

function metricColumns(file: string, key: string, bytes: Uint8Array, decoded: DecodedMetricFiles | undefined): MetricColumns | StagedMetric {
  const got = decoded?.get(bytes);
  if (got === undefined) return decodeRunMetricBytes(file, key, bytes);
  if ('problem' in got) throw new FormatError(file, got.problem, got.field);
  if ('staged' in got) return got;
  return { key, values: got.values, steps: got.steps, timestamps: got.timestamps };
}

function readRun(runDir: Folder, expId: string, datasets: Folder | undefined, warnings: string[], decoded: DecodedMetricFiles | undefined): BundleRun | null {
  const meta = readMeta(runDir);
  if (meta === undefined) return null; // stray folder: MLflow ignores it
  const info: RunInfo = decodeRunMeta(`${runDir.path}/meta.yaml`, meta);
  const name = runDir.path.slice(runDir.path.lastIndexOf('/') + 1);
  if (info.experimentId !== expId || info.runId !== name) {
    warnings.push(`${runDir.path}: run meta.yaml names experiment ${info.experimentId} / run ${info.runId}; skipped`);
    return null;
  }
  const params = readKeyed(runDir.dir('params'), 'param');
  const tags = readKeyed(runDir.dir('tags'), 'tag');
  if (!info.runName) info.runName = dictGet(tags, TAG.runName) ?? '';
  const metrics: MetricColumns[] = [];
  const summaries = newDict<MetricSummary>();
  const mdir = runDir.dir('metrics');
  for (const [key, bytes] of mdir ? mdir.walkFiles() : []) {
    const file = `${mdir!.path}/${key}`;
    const problem = keyProblem(key);
    if (problem) throw new FormatError(file, `invalid metric name '${key}': ${problem}`);
    const cols = metricColumns(file, key, bytes, decoded);
    if ('staged' in cols) {
      dictSet(summaries, key, cols.staged);
      continue;
    }
    metrics.push(cols);
    dictSet(summaries, key, summarize(cols));
  }
  const inputs: DatasetInput[] = [];
  for (const [id, inDir] of [...(runDir.dir('inputs')?.dirs ?? [])].sort((a, b) => compareCodePoints(a[0], b[0]))) {
    const m = readMeta(inDir);
    if (m === undefined) continue;
    const rec = decodeInputMeta(`${inDir.path}/meta.yaml`, m);
    if (rec.sourceType !== 'DATASET') continue;
    const dsDir = datasets?.dir(rec.sourceId);
    const dsMeta = dsDir && readMeta(dsDir);
    if (!dsDir || dsMeta === undefined) {
      warnings.push(`${inDir.path}: input ${id} refers to missing dataset ${rec.sourceId}; skipped`);
      continue;
    }
    inputs.push({ dataset: decodeDatasetMeta(`${dsDir.path}/meta.yaml`, dsMeta), tags: rec.tags });
  }
  const outputs: RunOutput[] = [];
  for (const [, outDir] of [...(runDir.dir('outputs')?.dirs ?? [])].sort((a, b) => compareCodePoints(a[0], b[0]))) {
    const m = readMeta(outDir);
    const out = m === undefined ? null : decodeOutputMeta(`${outDir.path}/meta.yaml`, m);
    if (out) outputs.push(out);
  }
  const run: Run = { info, params, tags, metrics: summaries, inputs };
  const br: BundleRun = { run, metrics, artifacts: readArtifacts(runDir.dir('artifacts')) };
  if (outputs.length) br.outputs = outputs;
  return br;
}

function readLoggedModel(dir: Folder, expId: string, warnings: string[]): BundleLoggedModel | null {
  const meta = readMeta(dir);
  if (meta === undefined) {
    warnings.push(`${dir.path}: logged model folder without meta.yaml; skipped`);
    return null;
  }
  const base = decodeLoggedModelMeta(`${dir.path}/meta.yaml`, meta);
  if (base.experimentId !== expId) {
    warnings.push(`${dir.path}: logged model belongs to experiment ${base.experimentId}; skipped`);
    return null;
  }
  const metrics: ModelMetricPoint[] = [];
  const mdir = dir.dir('metrics');
  for (const [key, bytes] of mdir ? mdir.walkFiles() : []) {
    const file = `${mdir!.path}/${key}`;
    for (const p of decodeModelMetricFile(file, text(file, bytes))) metrics.push({ key, ...p, runId: p.runId! });
  }
  return {
    model: { ...base, params: readKeyed(dir.dir('params'), 'param'), tags: readKeyed(dir.dir('tags'), 'tag'), metrics },
    artifacts: readArtifacts(dir.dir('artifacts')),
  };
}

function readRegistry(models: Folder | undefined): RegisteredModel[] {
  const out: RegisteredModel[] = [];
  for (const [, dir] of [...(models?.dirs ?? [])].sort((a, b) => compareCodePoints(a[0], b[0]))) {
    const meta = readMeta(dir);
    if (meta === undefined) continue;
    const base = decodeRegisteredModelMeta(`${dir.path}/meta.yaml`, meta);
    const aliases = newDict<number>();
    for (const [alias, bytes] of dir.dir('aliases')?.files ?? []) {
      const file = `${dir.path}/aliases/${alias}`;
      const v = Number(text(file, bytes).trim());
      if (!Number.isSafeInteger(v)) throw new FormatError(file, 'alias must hold a version number');
      dictSet(aliases, alias, v);
    }
    const versions = [...dir.dirs]
      .filter(([n, d]) => /^version-\d+$/.test(n) && d.files.has('meta.yaml'))
      .map(([, d]) => ({ ...decodeModelVersionMeta(`${d.path}/meta.yaml`, readMeta(d)!), tags: readKeyed(d.dir('tags'), 'tag') }))
      .sort((a, b) => a.version - b.version);
    out.push({ ...base, tags: readKeyed(dir.dir('tags'), 'tag'), aliases, versions });
  }
  return out;
}

/** Reads a file-store tree from zip entries (directories end in `/`). */
export function readMlrunsTree(entries: Map<string, Uint8Array>, decoded?: DecodedMetricFiles): ReadTreeResult {
  const root = findMlrunsRoot(entries.keys());
  const tree = buildTree(entries, root);
  const warnings: string[] = [];
  const bundle: MlflowBundle = { experiments: [], runs: [], loggedModels: [], registeredModels: [] };
  const expDirs: [string, Folder][] = [];
  for (const [name, d] of tree.dirs) if (name !== '.trash' && name !== 'models') expDirs.push([name, d]);
  for (const [name, d] of tree.dir('.trash')?.dirs ?? []) expDirs.push([name, d]);
  expDirs.sort((a, b) => compareCodePoints(a[1].path, b[1].path));
  const seen = new Set<string>();
  for (const [name, dir] of expDirs) {
    const meta = readMeta(dir);
    if (meta === undefined || meta === null) {
      warnings.push(`${dir.path}: malformed experiment (no meta.yaml); skipped`);
      continue;
    }
    const base = decodeExperimentMeta(`${dir.path}/meta.yaml`, meta);
    if (base.experimentId !== name || seen.has(name)) {
      warnings.push(`${dir.path}: experiment_id ${base.experimentId} does not match the folder; skipped`);
      continue;
    }
    seen.add(name);
    const exp: Experiment = { ...base, tags: readKeyed(dir.dir('tags'), 'experiment tag') };
    bundle.experiments.push(exp);
    for (const [runName, runDir] of [...dir.dirs].sort((a, b) => compareCodePoints(a[0], b[0]))) {
      if (EXP_RESERVED.has(runName)) continue;
      const br = readRun(runDir, name, dir.dir('datasets'), warnings, decoded);
      if (br) bundle.runs.push(br);
    }
    for (const [, mDir] of [...(dir.dir('models')?.dirs ?? [])].sort((a, b) => compareCodePoints(a[0], b[0]))) {
      const lm = readLoggedModel(mDir, name, warnings);
      if (lm) bundle.loggedModels.push(lm);
    }
  }
  bundle.registeredModels = readRegistry(tree.dir('models'));
  return { bundle, warnings, root };
}
