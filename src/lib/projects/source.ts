/**
 * What a lab run records about the code that made it, as `mlflow run` records it: source tags
 * (`mlflow.source.*`, `mlflow.project.*`), the lab's build, the code as artifacts (a project's
 * files or a script under `code/`, the resolved training spec as `training_spec.json`) and a
 * content hash over them. A re-run reads these back; `rerunDifferences` says when it cannot be
 * exact and how its metrics moved.
 */
import { canonicalJson } from './canonical-json';
import { filesDigest } from './files-digest';
import type { LoadedProject } from './project-files';
import type { ResolvedTrainSpec } from '../training/contract';
import { SOURCE_TAG, TRAIN_TAG } from '../tracking/tags';

declare const __MFFLOW_VERSION__: string | undefined;

/** The lab's build (package version + commit), set by vite.config.ts; `dev` in tests. */
export const LAB_VERSION: string = typeof __MFFLOW_VERSION__ === 'string' ? __MFFLOW_VERSION__ : 'dev';

export { SOURCE_TAG };

/** Where the code sits among a run's artifacts. */
export const CODE_DIR = 'code';
export const SPEC_ARTIFACT = 'training_spec.json';
/** MLflow's env and backend values name what ran the code: here, the lab in a browser tab. */
export const LAB_ENV = 'mfflow';
export const LAB_BACKEND = 'mfflow';

export interface RunSource {
  tags: Record<string, string>;
  /** Code files, relative to `code/`. */
  files: Map<string, Uint8Array>;
  /** A project's entry point and raw `-P` values (what Re-run with changes prefills). */
  project?: { entryPoint: string; parameters: Record<string, string> };
}

/** What `training_spec.json` holds: the spec with every default filled in, and its data. */
export interface RecordedSpec {
  spec: ResolvedTrainSpec;
  dataset: { digest: string; name: string; source?: string };
  project?: { entryPoint: string; parameters: Record<string, string> };
}

export function projectSource(p: LoadedProject, entryPoint: string, parameters: Record<string, string>): RunSource {
  const env = p.project.env;
  const tags: Record<string, string> = {
    [SOURCE_TAG.type]: 'PROJECT',
    [SOURCE_TAG.name]: p.uri,
    [SOURCE_TAG.entryPoint]: entryPoint,
    [SOURCE_TAG.env]: LAB_ENV,
    [SOURCE_TAG.backend]: LAB_BACKEND,
    [SOURCE_TAG.declaredEnv]: env.type === 'docker_env' ? `docker_env:${env.image}` : env.file ? `${env.type}:${env.file}` : env.type,
    [SOURCE_TAG.labVersion]: LAB_VERSION,
    [SOURCE_TAG.via]: 'project',
  };
  if (p.gitCommit) tags[SOURCE_TAG.gitCommit] = p.gitCommit;
  return { tags, files: new Map(p.files), project: { entryPoint, parameters: { ...parameters } } };
}

/** A run started from the lab's own pages or console: LOCAL, named by the lab page. */
export function localSource(pageUrl: string, via: string, files: Map<string, Uint8Array> = new Map()): RunSource {
  return {
    tags: {
      [SOURCE_TAG.type]: 'LOCAL',
      [SOURCE_TAG.name]: pageUrl,
      [SOURCE_TAG.env]: LAB_ENV,
      [SOURCE_TAG.backend]: LAB_BACKEND,
      [SOURCE_TAG.labVersion]: LAB_VERSION,
      [SOURCE_TAG.via]: via,
    },
    files,
  };
}

const enc = new TextEncoder();

/** The artifacts (path → bytes) and tags a run gets for its source and resolved spec. */
export function sourceRecord(source: RunSource, recorded: RecordedSpec): { tags: Record<string, string>; artifacts: Map<string, Uint8Array> } {
  const artifacts = new Map<string, Uint8Array>();
  for (const [p, b] of source.files) artifacts.set(`${CODE_DIR}/${p}`, b);
  const withProject: RecordedSpec = source.project ? { ...recorded, project: source.project } : recorded;
  artifacts.set(SPEC_ARTIFACT, enc.encode(JSON.stringify(withProject, null, 2) + '\n'));
  return { tags: { ...source.tags, [SOURCE_TAG.digest]: `sha256:${filesDigest(artifacts)}` }, artifacts };
}

export function parseRecordedSpec(bytes: Uint8Array): RecordedSpec {
  const v = JSON.parse(new TextDecoder().decode(bytes)) as RecordedSpec;
  if (!v || typeof v !== 'object' || !v.spec || typeof v.spec.model !== 'string' || !v.dataset || typeof v.dataset.digest !== 'string') {
    throw new Error(`${SPEC_ARTIFACT} is not a training spec the lab recorded`);
  }
  return v;
}

/** Two recorded specs train the same thing (same model, settings and data). */
export function sameSpec(a: RecordedSpec, b: RecordedSpec): boolean {
  return canonicalJson({ spec: a.spec, data: a.dataset.digest }) === canonicalJson({ spec: b.spec, data: b.dataset.digest });
}

export interface RerunReport {
  /** Why the re-run may not repeat the metrics bit for bit; empty when it should. */
  inexact: string[];
  /** Metrics of both runs (union of keys), with the difference new − original. */
  diffs: { key: string; original: number | null; rerun: number | null; diff: number | null }[];
}

/**
 * Compares a re-run with the run it repeats. Exact when the spec and data are the same, the
 * lab build is the same and (TF.js models) the backend is the same; the elastic net has no
 * backend, its arithmetic is the lab's own.
 */
export function rerunDifferences(
  original: { tags: Record<string, string>; metrics: Record<string, number>; spec: RecordedSpec | null },
  rerun: { tags: Record<string, string>; metrics: Record<string, number>; spec: RecordedSpec | null },
): RerunReport {
  const inexact: string[] = [];
  if (!original.spec || !rerun.spec) inexact.push('the original run has no recorded training spec');
  else if (!sameSpec(original.spec, rerun.spec)) inexact.push('the training spec or data changed');
  const v0 = original.tags[SOURCE_TAG.labVersion], v1 = rerun.tags[SOURCE_TAG.labVersion];
  if (v0 !== v1) inexact.push(`other lab version (${v0 ?? 'unknown'} → ${v1 ?? 'unknown'})`);
  const b0 = original.tags[TRAIN_TAG.backend], b1 = rerun.tags[TRAIN_TAG.backend];
  if (b0 !== b1) inexact.push(`other TF.js backend (${b0 ?? 'none'} → ${b1 ?? 'none'})`);
  else if (b1 && b1 !== 'cpu') inexact.push(`the ${b1} backend is not bit-reproducible (cpu is)`);
  const keys = [...new Set([...Object.keys(original.metrics), ...Object.keys(rerun.metrics)])].sort();
  const diffs = keys.map((key) => {
    const o = original.metrics[key] ?? null, r = rerun.metrics[key] ?? null;
    return { key, original: o, rerun: r, diff: o !== null && r !== null ? r - o : null };
  });
  return { inexact, diffs };
}
