/**
 * Bundle → mlruns file-store tree (docs/mlflow-formats.md §1), as zip entries. The output is
 * deterministic: the same bundle gives the same paths and bytes, so export → import → export
 * is byte-identical.
 *
 * Artifact URIs (§1.5): a browser cannot know where the zip will be unpacked. By default we
 * write relative bare paths (`mlruns/<exp>/<run>/artifacts`); MLflow resolves a scheme-less
 * URI against the working directory, so `mlflow ui` / clients started in the unpack folder
 * find the artifacts (tests/interop/mlflow-filestore.test.ts proves it). If the user tells us
 * the absolute unpack folder, `file://` URIs work from any working directory.
 */
import { DEFAULT_EXPERIMENT_ID, type Experiment } from '../tracking/types';
import { TAG } from '../tracking/tags';
import { dictFrom, dictGet, dictHas, dictSet, type Dict } from '../util/dict';
import { invalid } from '../util/errors';
import { pathProblem } from '../archive/paths';
import { sizeOf, type ZipData } from '../archive/zip-write';
import type { BundleArtifact, BundleLoggedModel, MlflowBundle, RegisteredModel } from './bundle';
import { datasetId, inputId, keyProblem, EXPERIMENT_ID_RE, RUN_ID_RE } from './keys';
import { encodeRunMetricBytes } from './metric-bytes';
import { encodeModelMetricLine } from './metric-file';
import {
  encodeDatasetMeta, encodeExperimentMeta, encodeInputMeta, encodeLoggedModelMeta, encodeOutputMeta, encodeRunMeta,
} from './meta';
import { encodeModelVersionMeta, encodeRegisteredModelMeta, ALIAS_RE, REGISTERED_MODEL_NAME_BAD } from './registry';
import { compareCodePoints, dumpYaml } from './yaml';

export type ArtifactUriMode =
  /** `mlruns/<exp>/<run>/artifacts`: works when MLflow runs in the unpack folder. */
  | 'relative'
  /** Keep the URIs in the bundle unchanged. */
  | 'keep'
  /** `file:///<unpackDir>/mlruns/...`: works from any working directory. */
  | { unpackDir: string };

export interface WriteTreeOptions {
  artifactUris?: ArtifactUriMode;
  /** Add README.txt with the commands that open the tree. Default true. */
  readme?: boolean;
}

export const README_TEXT = `MLflow file-store export from MFFlow.

Unpack this archive, open a terminal in the unpacked folder (the one that contains mlruns/), then:

  View it with MLflow (3.13+ needs the environment variable):
    MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri ./mlruns

  Or convert it to a SQLite database (MLflow 3.10+), then serve that:
    mlflow migrate-filestore --source ./mlruns --target sqlite:///mlflow.db
    mlflow ui --backend-store-uri sqlite:///mlflow.db

Artifact locations are relative to this folder, so start MLflow from here.
`;

const enc = new TextEncoder();
const ROOT = 'mlruns';

function fileUri(dir: string, rel: string): string {
  const abs = dir.replace(/\\/g, '/').replace(/\/+$/, '');
  const path = abs.startsWith('/') ? abs : `/${abs}`;
  return `file://${encodeURI(path)}/${rel}`;
}

class TreeWriter {
  readonly files = new Map<string, ZipData>();

  dir(path: string): void {
    this.files.set(`${path}/`, new Uint8Array(0));
  }

  text(path: string, text: string): void {
    this.bytes(path, enc.encode(text));
  }

  bytes(path: string, bytes: ZipData): void {
    if (this.files.has(path)) throw invalid(`two files would be written at ${path}`);
    this.files.set(path, bytes);
  }

  yaml(path: string, value: Parameters<typeof dumpYaml>[0]): void {
    this.text(path, dumpYaml(value));
  }

  /** One file per key (params, tags): raw UTF-8, no trailing newline; `/` in keys → folders. */
  keyed(dir: string, d: Dict<string>, what: string): void {
    for (const key of Object.keys(d).sort(compareCodePoints)) {
      const problem = keyProblem(key);
      if (problem) throw invalid(`${what} key '${key}' ${problem}`);
      this.text(`${dir}/${key}`, dictGet(d, key)!);
    }
  }

  artifacts(dir: string, list: BundleArtifact[], owner: string): void {
    for (const a of [...list].sort((x, y) => compareCodePoints(x.path, y.path))) {
      const p = pathProblem(a.path, false);
      if (p) throw invalid(`artifact '${a.path}' of ${owner}: ${p.message}`);
      this.bytes(`${dir}/${a.path}`, a.bytes);
    }
  }
}

function defaultExperiment(bundle: MlflowBundle): Experiment {
  const t = Math.min(0, ...bundle.experiments.map((e) => e.creationTime));
  return { experimentId: DEFAULT_EXPERIMENT_ID, name: 'Default', artifactLocation: '', lifecycleStage: 'active', creationTime: t, lastUpdateTime: t, tags: {} };
}

/** Writes the bundle as zip entries: `README.txt` and `mlruns/...` (directories end in `/`). */
export function writeMlrunsTree(bundle: MlflowBundle, opts: WriteTreeOptions = {}): Map<string, Uint8Array> {
  const files = writeMlrunsTreeData(bundle, opts);
  for (const [path, d] of files) if (!(d instanceof Uint8Array)) throw invalid(`${path} was given deflated; its bytes are not at hand (writeMlrunsTreeData keeps it so)`);
  return files as Map<string, Uint8Array>;
}

/** writeMlrunsTree for a streamed export: metric files given already deflated (PackedFile) stay so. */
export function writeMlrunsTreeData(bundle: MlflowBundle, opts: WriteTreeOptions = {}): Map<string, ZipData> {
  const mode = opts.artifactUris ?? 'relative';
  const w = new TreeWriter();
  const uri = (rel: string, kept: string) =>
    mode === 'keep' ? kept : mode === 'relative' ? `${ROOT}/${rel}` : fileUri(mode.unpackDir, `${ROOT}/${rel}`);
  if (opts.readme ?? true) w.text('README.txt', README_TEXT);
  w.dir(ROOT);
  w.dir(`${ROOT}/.trash`);

  const experiments = new Map<string, Experiment>();
  for (const e of bundle.experiments) {
    if (!EXPERIMENT_ID_RE.test(e.experimentId)) throw invalid(`experiment id '${e.experimentId}' is not a valid MLflow id`);
    if (experiments.has(e.experimentId)) throw invalid(`experiment ${e.experimentId} appears twice`);
    experiments.set(e.experimentId, e);
  }
  if (!experiments.has(DEFAULT_EXPERIMENT_ID)) experiments.set(DEFAULT_EXPERIMENT_ID, defaultExperiment(bundle));
  // Deleted experiments live in .trash/<id>/, as MLflow keeps them (§1.6).
  const expDir = (id: string) => {
    const e = experiments.get(id);
    if (!e) throw invalid(`experiment ${id} is referenced but not in the bundle`);
    return e.lifecycleStage === 'deleted' ? `${ROOT}/.trash/${id}` : `${ROOT}/${id}`;
  };

  for (const e of experiments.values()) {
    const dir = expDir(e.experimentId);
    w.yaml(`${dir}/meta.yaml`, encodeExperimentMeta(e, uri(e.experimentId, e.artifactLocation)));
    w.keyed(`${dir}/tags`, e.tags, `experiment ${e.experimentId} tag`);
  }

  const runIds = new Set<string>();
  for (const br of bundle.runs) {
    const info = br.run.info;
    if (!RUN_ID_RE.test(info.runId)) throw invalid(`run id '${info.runId}' is not a valid MLflow id`);
    if (runIds.has(info.runId)) throw invalid(`run ${info.runId} appears twice`);
    runIds.add(info.runId);
    const exp = expDir(info.experimentId);
    const dir = `${exp}/${info.runId}`;
    w.yaml(`${dir}/meta.yaml`, encodeRunMeta(info, uri(`${info.experimentId}/${info.runId}/artifacts`, info.artifactUri)));
    // MLflow opens a run only if these three folders exist (§1.3).
    for (const sub of ['metrics', 'params', 'artifacts']) w.dir(`${dir}/${sub}`);
    w.keyed(`${dir}/params`, br.run.params, `run ${info.runId} param`);
    const tags = dictFrom(Object.keys(br.run.tags).map((k) => [k, dictGet(br.run.tags, k)!] as const));
    // MLflow clients always set mlflow.runName; add it so the UI shows the name everywhere.
    if (!dictHas(tags, TAG.runName) && info.runName) dictSet(tags, TAG.runName, info.runName);
    w.keyed(`${dir}/tags`, tags, `run ${info.runId} tag`);
    const seen = new Set<string>();
    const histories = [
      ...br.metrics.map((m) => ({ key: m.key, bytes: () => (m.values.length > 0 ? encodeRunMetricBytes(m) : null) })),
      ...(br.metricFiles ?? []).map((f) => ({ key: f.key, bytes: () => (sizeOf(f.bytes) > 0 ? f.bytes : null) })),
    ];
    for (const m of histories.sort((a, b) => compareCodePoints(a.key, b.key))) {
      const problem = keyProblem(m.key);
      if (problem) throw invalid(`run ${info.runId} metric key '${m.key}' ${problem}`);
      if (seen.has(m.key)) throw invalid(`run ${info.runId} has two histories for metric '${m.key}'`);
      seen.add(m.key);
      // A file with no lines makes MLflow fail the whole experiment (§1.11): leave it out.
      const bytes = m.bytes();
      if (bytes) w.bytes(`${dir}/metrics/${m.key}`, bytes);
    }
    w.artifacts(`${dir}/artifacts`, br.artifacts, `run ${info.runId}`);
    for (const inp of br.run.inputs) {
      const ds = inp.dataset;
      const dsId = datasetId(ds.name, ds.digest);
      const dsPath = `${exp}/datasets/${dsId}/meta.yaml`;
      if (!w.files.has(dsPath)) w.yaml(dsPath, encodeDatasetMeta(ds));
      w.yaml(`${dir}/inputs/${inputId(dsId, info.runId)}/meta.yaml`, encodeInputMeta(dsId, inp.tags));
    }
    for (const out of br.outputs ?? []) w.yaml(`${dir}/outputs/${out.modelId}/meta.yaml`, encodeOutputMeta(out.modelId, out.step));
  }

  for (const lm of bundle.loggedModels) writeLoggedModel(w, lm, expDir, uri);
  for (const rm of bundle.registeredModels) writeRegisteredModel(w, rm);
  return new Map([...w.files.entries()].sort((a, b) => compareCodePoints(a[0], b[0])));
}

function writeLoggedModel(w: TreeWriter, lm: BundleLoggedModel, expDir: (id: string) => string, uri: (rel: string, kept: string) => string): void {
  const m = lm.model;
  if (!/^[\w-]{1,256}$/.test(m.modelId)) throw invalid(`logged model id '${m.modelId}' is not a valid id`);
  const dir = `${expDir(m.experimentId)}/models/${m.modelId}`;
  w.yaml(`${dir}/meta.yaml`, encodeLoggedModelMeta(m, uri(`${m.experimentId}/models/${m.modelId}/artifacts`, m.artifactLocation)));
  for (const sub of ['metrics', 'params', 'tags', 'artifacts']) w.dir(`${dir}/${sub}`);
  w.keyed(`${dir}/params`, m.params, `logged model ${m.modelId} param`);
  w.keyed(`${dir}/tags`, m.tags, `logged model ${m.modelId} tag`);
  const byKey = new Map<string, string>();
  for (const p of m.metrics) {
    const problem = keyProblem(p.key);
    if (problem) throw invalid(`logged model ${m.modelId} metric key '${p.key}' ${problem}`);
    byKey.set(p.key, (byKey.get(p.key) ?? '') + encodeModelMetricLine(p));
  }
  for (const key of [...byKey.keys()].sort(compareCodePoints)) w.text(`${dir}/metrics/${key}`, byKey.get(key)!);
  w.artifacts(`${dir}/artifacts`, lm.artifacts, `logged model ${m.modelId}`);
}

function writeRegisteredModel(w: TreeWriter, rm: RegisteredModel): void {
  if (!rm.name || REGISTERED_MODEL_NAME_BAD.test(rm.name) || pathProblem(rm.name, false)) throw invalid(`registered model name '${rm.name}' is not allowed`);
  const dir = `${ROOT}/models/${rm.name}`;
  w.yaml(`${dir}/meta.yaml`, encodeRegisteredModelMeta(rm));
  w.keyed(`${dir}/tags`, rm.tags, `registered model ${rm.name} tag`);
  for (const alias of Object.keys(rm.aliases).sort(compareCodePoints)) {
    if (!ALIAS_RE.test(alias)) throw invalid(`alias '${alias}' of ${rm.name} is not allowed`);
    w.text(`${dir}/aliases/${alias}`, String(dictGet(rm.aliases, alias)));
  }
  for (const v of rm.versions) {
    w.yaml(`${dir}/version-${v.version}/meta.yaml`, encodeModelVersionMeta(rm.name, v));
    w.keyed(`${dir}/version-${v.version}/tags`, v.tags, `model version ${rm.name}/${v.version} tag`);
  }
}
