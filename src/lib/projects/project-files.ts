/**
 * A project as the lab holds it: its files (relative paths → bytes), the parsed MLproject and
 * where it came from. Built from a zip (the MLproject may sit in one top folder, as GitHub's
 * "Download ZIP" makes it), from files fetched beside an MLproject URL, or from the built-in
 * examples. Files are untrusted: the zip reader refuses unsafe archives, sizes are capped.
 */
import { unzipSafe } from '../archive/safe-zip';
import { parseMlproject, ProjectError, type MlProject } from './mlproject';
import exampleMlproject from './examples/sklearn_elasticnet_wine/MLproject?raw';
import examplePythonEnv from './examples/sklearn_elasticnet_wine/python_env.yaml?raw';
import exampleTrain from './examples/sklearn_elasticnet_wine/train.py?raw';
import exampleReadme from './examples/sklearn_elasticnet_wine/README.md?raw';

export interface LoadedProject {
  /** What `mlflow.source.name` records: the URL, `examples/<name>`, or the zip's file name. */
  uri: string;
  /** `mlflow.source.git.commit` when the source names one (a GitHub archive URL with a sha). */
  gitCommit?: string;
  files: Map<string, Uint8Array>;
  project: MlProject;
}

/** Most bytes a project may hold; a project is code and small data, not a dataset dump. */
export const MAX_PROJECT_BYTES = 64 << 20;
export const MAX_PROJECT_FILES = 2000;

const enc = new TextEncoder();

const EXAMPLES: Record<string, Record<string, string>> = {
  sklearn_elasticnet_wine: {
    MLproject: exampleMlproject,
    'python_env.yaml': examplePythonEnv,
    'train.py': exampleTrain,
    'README.md': exampleReadme,
  },
};

export interface ExampleProject {
  uri: string;
  name: string;
  description: string;
}

export function listExampleProjects(): ExampleProject[] {
  return Object.keys(EXAMPLES).map((name) => ({
    uri: `examples/${name}`,
    name,
    description: "MLflow's wine-quality tutorial: scikit-learn's ElasticNet (alpha, l1_ratio) on the red wine file",
  }));
}

export function isExampleUri(uri: string): boolean {
  return /^examples\/[A-Za-z0-9_-]+\/?$/.test(uri);
}

export function loadExampleProject(uri: string): LoadedProject {
  const name = uri.replace(/^examples\//, '').replace(/\/$/, '');
  const texts = Object.prototype.hasOwnProperty.call(EXAMPLES, name) ? EXAMPLES[name] : undefined;
  if (!texts) throw new ProjectError(`No example project ${uri}; the lab has ${Object.keys(EXAMPLES).map((n) => `examples/${n}`).join(', ')}`);
  const files = new Map(Object.entries(texts).map(([p, t]) => [p, enc.encode(t)]));
  return fromFiles(`examples/${name}`, files);
}

/** The MLproject's path among `files` (case-insensitive, as MLflow's _find_mlproject). */
function findMlproject(files: Map<string, Uint8Array>): string | null {
  for (const p of files.keys()) if (p.toLowerCase() === 'mlproject') return p;
  return null;
}

/** A project from its files; MLproject at the root (MLflow also accepts a folder without one). */
export function fromFiles(uri: string, files: Map<string, Uint8Array>, gitCommit?: string): LoadedProject {
  if (files.size > MAX_PROJECT_FILES) throw new ProjectError(`${uri}: a project may hold at most ${MAX_PROJECT_FILES} files, this one has ${files.size}`);
  let total = 0;
  for (const b of files.values()) total += b.byteLength;
  if (total > MAX_PROJECT_BYTES) throw new ProjectError(`${uri}: a project may hold at most ${MAX_PROJECT_BYTES >> 20} MiB, this one has ${(total / 2 ** 20).toFixed(1)} MiB`);
  const ml = findMlproject(files);
  if (!ml) throw new ProjectError(`${uri} has no MLproject file at its top level`);
  const project = parseMlproject(files.get(ml)!, new Set(files.keys()), ml);
  return { uri, files, project, ...(gitCommit ? { gitCommit } : {}) };
}

/**
 * A project zip: the MLproject at the root, or inside a single top folder (which is then
 * stripped). Directory entries are dropped.
 */
export function fromZip(uri: string, bytes: Uint8Array, gitCommit?: string): LoadedProject {
  const entries = unzipSafe(bytes, { limits: { maxEntries: MAX_PROJECT_FILES + 100, maxTotalBytes: MAX_PROJECT_BYTES } });
  const files = new Map<string, Uint8Array>();
  for (const [name, data] of entries) if (!name.endsWith('/')) files.set(name, data);
  if (!findMlproject(files)) {
    const tops = new Set([...files.keys()].map((n) => n.split('/')[0]));
    if (tops.size === 1) {
      const top = [...tops][0] + '/';
      const inner = new Map<string, Uint8Array>();
      for (const [n, d] of files) if (n.startsWith(top)) inner.set(n.slice(top.length), d);
      if (findMlproject(inner)) return fromFiles(uri, inner, gitCommit ?? commitFromUri(uri));
    }
  }
  return fromFiles(uri, files, gitCommit ?? commitFromUri(uri));
}

/** A 40-hex commit in a GitHub archive or raw URL (…/archive/<sha>.zip, raw…/<owner>/<repo>/<sha>/…). */
export function commitFromUri(uri: string): string | undefined {
  return /(?:^|[/@])([0-9a-f]{40})(?:[/.]|$)/i.exec(uri)?.[1]?.toLowerCase();
}

/** Relative paths an MLproject URL's project lists beside it: env file and lab modules/datasets. */
export function siblingPaths(project: MlProject): string[] {
  const out = new Set<string>();
  if (project.env.file) out.add(project.env.file);
  for (const ep of Object.values(project.entryPoints)) {
    if (ep.lab?.kind === 'module') out.add(ep.lab.path);
    if (ep.lab?.kind === 'train' && ep.lab.spec && typeof ep.lab.spec === 'object' && !Array.isArray(ep.lab.spec)) {
      const ds = (ep.lab.spec as Record<string, unknown>).dataset;
      if (typeof ds === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(ds) && !ds.includes('{') && /\.(csv|tsv|txt)$/i.test(ds)) out.add(ds);
    }
  }
  return [...out].filter((p) => !p.startsWith('/') && !p.split('/').includes('..'));
}

export { filesDigest } from './files-digest';
