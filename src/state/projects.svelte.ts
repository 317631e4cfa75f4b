/**
 * MLflow Projects in the lab: open a project (built-in example, zip, URL of a zip or of an
 * MLproject with its files beside it, or the code a run recorded), check `-P` values with
 * MLflow's rules before any run exists, run an entry point's `mfflow` training spec, and
 * re-run a recorded run. Fetched and dropped projects are untrusted data: sizes are capped,
 * zips go through the safe reader, nothing in them is executed by this module.
 */
import { getEntryPoint, ProjectError } from '../lib/projects/mlproject';
import { computeParameters } from '../lib/projects/parameters';
import {
  fromFiles, fromZip, isExampleUri, listExampleProjects, loadExampleProject, MAX_PROJECT_BYTES, siblingPaths,
  type ExampleProject, type LoadedProject,
} from '../lib/projects/project-files';
import { resolveTrainSpec, templateSpec } from '../lib/projects/spec';
import { CODE_DIR, LAB_VERSION, parseRecordedSpec, projectSource, SOURCE_TAG, SPEC_ARTIFACT, type RecordedSpec, type RunSource } from '../lib/projects/source';
import { parseMlproject } from '../lib/projects/mlproject';
import type { SweepSpec } from '../lib/training/sweep';
import type { Run } from '../lib/tracking/types';
import { dictGet } from '../lib/util/dict';
import { zipFiles } from '../lib/archive/zip-write';
import { buildMlflowProject } from '../lib/projects/export-project';
import { datasets } from './datasets.svelte';
import { lab } from './lab.svelte';
import { training, type TrainRequest } from './training.svelte';
import { registerSandboxMethods, runInSandbox } from './script-sandbox';
import { isSourceTag } from '../lib/tracking/tags';
import { checkProjectName, scriptProjectFiles } from '../lib/projects/script-project';
import { checkMemoryLimitMB } from '../lib/projects/memory-limit';

/** `saved/<name>`: a project kept in the lab (what its runs record as `mlflow.source.name`). */
const SAVED_PREFIX = 'saved/';

export interface RunProjectOptions {
  entryPoint?: string;
  /** `-P name=value`: raw strings (numbers are accepted and turned into their text). */
  params?: Record<string, string | number>;
  experimentId?: string;
  runName?: string;
  /** Extra tags on the run, e.g. `mfflow.rerun_of`. */
  tags?: Record<string, string>;
  /** A JavaScript entry point's memory limit in MB (default 1024; README, "Script editor"). */
  memoryLimitMB?: number;
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5);

async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ProjectError(`Could not fetch ${url}: ${(e as Error).message} (the server must allow cross-origin reads)`);
  }
  if (!res.ok) throw new ProjectError(`Could not fetch ${url}: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_PROJECT_BYTES) throw new ProjectError(`${url} is ${(declared / 2 ** 20).toFixed(1)} MiB; a project may hold at most ${MAX_PROJECT_BYTES >> 20} MiB`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.byteLength > MAX_PROJECT_BYTES) throw new ProjectError(`${url}: a project may hold at most ${MAX_PROJECT_BYTES >> 20} MiB`);
  return bytes;
}

function toRaw(params: Record<string, string | number> = {}): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(params)) {
    if (typeof v !== 'string' && typeof v !== 'number') throw new ProjectError(`-P ${k} must be a string or a number, got ${v === null ? 'null' : typeof v}`);
    out[k] = String(v);
  }
  return out;
}

export class Projects {
  readonly examples: ExampleProject[] = listExampleProjects();
  /** Projects kept in the lab, newest first. */
  saved = $state.raw<{ name: string; uri: string; savedAt: number }[]>([]);

  async refreshSaved(): Promise<void> {
    this.saved = (await lab.store.projects.list()).map((p) => ({ ...p, uri: `${SAVED_PREFIX}${p.name}` }));
  }

  /** An editor script as a project zip (MLproject + script.js), named `name`. */
  scriptZip(name: string, script: string): File {
    const n = checkProjectName(name);
    return new File([zipFiles(scriptProjectFiles(n, script))], `${n}.zip`, { type: 'application/zip' });
  }

  /** "Keep in lab": saves the script as project `name` (replacing one of that name); returns its URI. */
  async keepScript(name: string, script: string): Promise<string> {
    const n = checkProjectName(name);
    await lab.store.projects.put(n, zipFiles(scriptProjectFiles(n, script)));
    await this.refreshSaved();
    return `${SAVED_PREFIX}${n}`;
  }

  async deleteSaved(name: string): Promise<void> {
    await lab.store.projects.delete(name);
    await this.refreshSaved();
  }

  /** Opens a project from a URI (`examples/<name>`, a zip URL, an MLproject URL) or a dropped zip. */
  async open(source: string | File | Blob): Promise<LoadedProject> {
    if (typeof source !== 'string') {
      const name = source instanceof File ? source.name : 'project.zip';
      const bytes = new Uint8Array(await source.arrayBuffer());
      if (!isZip(bytes)) throw new ProjectError(`${name} is not a zip; a project is a zip of a folder with an MLproject file`);
      return fromZip(name, bytes);
    }
    if (isExampleUri(source)) return loadExampleProject(source);
    if (source.startsWith(SAVED_PREFIX)) {
      const name = source.slice(SAVED_PREFIX.length);
      const rec = await lab.store.projects.get(name);
      if (!rec) throw new ProjectError(`No project named '${name}' is kept in this lab`);
      return fromZip(source, new Uint8Array(rec.zip));
    }
    let url: URL;
    try {
      url = new URL(source, location.href);
    } catch {
      throw new ProjectError(`${source} is neither a URL nor one of ${this.examples.map((e) => e.uri).join(', ')}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ProjectError(`${source}: only http(s) URLs and built-in examples open as projects`);
    const bytes = await fetchBytes(url.href);
    if (isZip(bytes)) return fromZip(source, bytes);
    // An MLproject: its env file, modules and relative datasets are fetched from beside it.
    const project = parseMlproject(bytes, undefined, 'MLproject');
    const files = new Map<string, Uint8Array>([['MLproject', bytes]]);
    for (const rel of siblingPaths(project)) files.set(rel, await fetchBytes(new URL(rel, url).href));
    return fromFiles(source, files);
  }

  /** The id of the experiment named `name`, created when missing (a workshop link's `experiment=`). */
  async experimentIdFor(name: string): Promise<string> {
    const found = await lab.store.getExperimentByName(name);
    if (found && found.lifecycleStage === 'active') return found.experimentId;
    if (found) throw new ProjectError(`Experiment '${name}' is deleted; restore it or choose another name`);
    return lab.store.createExperiment(name);
  }

  /** The project a run recorded (its `code/` artifacts), under the run's source name. */
  async fromRun(runId: string): Promise<{ project: LoadedProject; recorded: RecordedSpec }> {
    const run = await lab.store.getRun(runId);
    const recorded = await this.recordedSpec(runId);
    const files = await this.codeFiles(runId);
    const uri = dictGet(run.tags, SOURCE_TAG.name) ?? runId;
    return { project: fromFiles(uri, files, dictGet(run.tags, SOURCE_TAG.gitCommit)), recorded };
  }

  async recordedSpec(runId: string): Promise<RecordedSpec> {
    let bytes: Uint8Array;
    try {
      bytes = await lab.store.readArtifact(runId, SPEC_ARTIFACT);
    } catch {
      throw new ProjectError(`Run ${runId} has no recorded source (${SPEC_ARTIFACT}); it cannot be re-run`);
    }
    return parseRecordedSpec(bytes);
  }

  /**
   * `mlflow run <uri> -e <entryPoint> -P ...`: checks the values (MLflow's messages) before a
   * run exists, then trains the entry point's `mfflow` spec (or sweep). Resolves to the ended run.
   */
  async run(p: LoadedProject, opts: RunProjectOptions = {}): Promise<Run> {
    const entryPoint = opts.entryPoint ?? 'main';
    checkMemoryLimitMB(opts.memoryLimitMB, 'runProject() memoryLimitMB');
    const ep = getEntryPoint(p.project, entryPoint);
    const user = toRaw(opts.params);
    const computed = computeParameters(ep, user);
    if (!ep.lab) {
      throw new ProjectError(`Entry point '${entryPoint}' has no 'mfflow' key, so the lab cannot run it (its command${ep.command ? ` '${ep.command}'` : ''} needs a Python machine: mlflow run)`);
    }
    if (ep.lab.kind === 'module') return this.runModule(p, entryPoint, ep.lab.path, computed, opts);
    const spec = resolveTrainSpec(ep.lab.spec, computed);
    const dataset = await this.datasetRef(p, spec.dataset);
    const source: RunSource = projectSource(p, entryPoint, { ...computed.params, ...computed.extra });
    const req = {
      ...(spec as unknown as TrainRequest),
      dataset,
      experimentId: opts.experimentId ?? lab.experimentId,
      runName: opts.runName,
      tags: opts.tags,
      source,
    } as TrainRequest;
    if (ep.lab.sweep !== undefined) {
      const sweep = templateSpec(ep.lab.sweep, computed.typed) as unknown as SweepSpec;
      return training.sweep({ ...req, sweep });
    }
    return training.train(req);
  }

  /**
   * A JavaScript entry point: the module runs in the script sandbox with `main({ params, mfflow,
   * data })` (`data.files`: the project's text files); the run is started first, as `mlflow run`
   * starts it, and the module's `startRun()` continues it. A module that throws leaves it FAILED.
   */
  private async runModule(p: LoadedProject, entryPoint: string, path: string, computed: ReturnType<typeof computeParameters>, opts: RunProjectOptions): Promise<Run> {
    const rel = path.replace(/^\.\//, '');
    const bytes = p.files.get(rel);
    if (!bytes) throw new ProjectError(`Entry point '${entryPoint}' names ${rel}, which is not a file of the project`);
    const dec = new TextDecoder();
    const files: Record<string, string> = Object.create(null);
    let total = 0;
    for (const [name, b] of p.files) {
      if (!/\.(csv|tsv|txt|json|js|mjs|md|ya?ml)$/i.test(name) || (total += b.byteLength) > 16 << 20) continue;
      files[name] = dec.decode(b);
    }
    const job = runInSandbox(dec.decode(bytes), {
      module: { path: rel, params: { ...computed.typed, ...computed.extra }, files },
      source: projectSource(p, entryPoint, { ...computed.params, ...computed.extra }),
      preStart: { experimentId: opts.experimentId ?? lab.experimentId, runName: opts.runName, tags: opts.tags, params: { ...computed.params, ...computed.extra } },
      memoryLimitMB: opts.memoryLimitMB,
    });
    try {
      await job.result;
    } catch (e) {
      if (!job.runIds.length) throw e;
    }
    return lab.store.getRun(job.runIds[0]);
  }

  /** A dataset named in a spec: a file of the project is loaded from its bytes; URLs and names as `mfflow.train`. */
  private async datasetRef(p: LoadedProject, ref: unknown): Promise<string> {
    if (typeof ref !== 'string' || ref === '') throw new ProjectError("The entry point's mfflow.train needs a dataset (a file of the project, a URL, or a dataset's name)");
    const local = p.files.get(ref.replace(/^\.\//, ''));
    if (!local) return ref;
    const name = ref.split('/').pop()!;
    const loaded = await datasets.load(new File([local as BlobPart], name, { type: 'text/csv' }), { name });
    return loaded.digest;
  }

  /**
   * Runs a recorded run again: the same resolved spec on the same data (by digest), the same
   * code and source tags, tagged with the run it repeats. `changes.params` overrides model
   * hyperparameters (Re-run with changes of a LOCAL run; projects go through `run`).
   */
  async rerun(runId: string, changes?: { params: Record<string, string | number | boolean> }): Promise<Run> {
    const run = await lab.store.getRun(runId);
    const recorded = await this.recordedSpec(runId);
    const s = recorded.spec;
    const files = await this.codeFiles(runId);
    const kept = Object.entries(run.tags).filter(([k]) => isSourceTag(k) || k === SOURCE_TAG.declaredEnv);
    const source: RunSource = {
      tags: { ...Object.fromEntries(kept), [SOURCE_TAG.labVersion]: LAB_VERSION, [SOURCE_TAG.via]: 'rerun' },
      files,
      ...(recorded.project ? { project: recorded.project } : {}),
    };
    await datasets.refresh();
    const dataset = datasets.summary(recorded.dataset.digest) ? recorded.dataset.digest : recorded.dataset.source ?? recorded.dataset.digest;
    const params: Record<string, string | number | boolean> = { ...s.params };
    for (const [k, v] of Object.entries(changes?.params ?? {})) params[k] = typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    return training.train({
      model: s.model, task: s.task, target: s.target, features: s.features, params, split: s.split,
      standardize: s.standardize, backend: s.backend, dataset, experimentId: run.info.experimentId,
      tags: { [SOURCE_TAG.rerunOf]: runId }, source,
    });
  }

  /**
   * An elastic-net run as an MLflow Project zip (MLproject, python_env.yaml, train.py, data.csv)
   * that `mlflow run` runs with the run's values as defaults.
   */
  async exportProject(runId: string): Promise<File> {
    const run = await lab.store.getRun(runId);
    const recorded = await this.recordedSpec(runId);
    const table = await datasets.table(recorded.dataset.digest).catch(() => {
      throw new ProjectError(`The data of run ${runId} (${recorded.dataset.name}, ${recorded.dataset.digest.slice(0, 12)}…) is not in this lab; load it first`);
    });
    const files = buildMlflowProject({ name: run.info.runName, spec: recorded.spec, table, datasetSource: recorded.dataset.source, runId });
    const top = run.info.runName.replace(/[^A-Za-z0-9_.-]+/g, '-') || runId;
    const zip = zipFiles(new Map([...files].map(([p, b]) => [`${top}/${p}`, b])));
    return new File([zip], `${top}-mlflow-project.zip`, { type: 'application/zip' });
  }

  /** The files under a run's `code/` artifacts, relative to it. */
  private async codeFiles(runId: string): Promise<Map<string, Uint8Array>> {
    const files = new Map<string, Uint8Array>();
    const walk = async (dir: string): Promise<void> => {
      let list;
      try {
        list = await lab.store.listArtifacts(runId, dir);
      } catch {
        return;
      }
      for (const a of list) {
        if (a.isDir) await walk(a.path);
        else files.set(a.path.slice(CODE_DIR.length + 1), await lab.store.readArtifact(runId, a.path));
      }
    };
    await walk(CODE_DIR);
    return files;
  }
}

export const projects = new Projects();

registerSandboxMethods({
  runProject: async (uri: string, opts?: RunProjectOptions) => projects.run(await projects.open(String(uri)), opts ?? {}),
  listProjects: () => projects.examples.map((e) => ({ ...e })),
});
