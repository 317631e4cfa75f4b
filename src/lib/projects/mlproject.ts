/**
 * MLproject files read with MLflow's rules (mlflow/projects/_project_spec.py, MLflow 3.17):
 * `name`, one environment field at most (`python_env`, `conda_env`, `docker_env`: recorded,
 * never executed), `entry_points` with `parameters` (`float`, `int`, `string`, `path`, `uri`,
 * a bare type string meaning "no default") and a `command`. Messages are MLflow's where MLflow
 * has one. The lab adds one key real MLflow ignores (it reads only `parameters` and `command`
 * of an entry point): `mfflow`, naming what runs in the lab (see LabEntry).
 */
import { isYamlMap, parseYamlSafe, type YamlValue } from '../mlflow/yaml';

export const ENV_FIELDS = ['docker_env', 'python_env', 'conda_env'] as const;
export type EnvField = (typeof ENV_FIELDS)[number];
export const PARAM_TYPES = ['float', 'int', 'string', 'path', 'uri'] as const;

/** A problem with a project or its `-P` values; `message` is what `mlflow run` would say. */
export class ProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectError';
  }
}

export interface ProjectParameter {
  name: string;
  /** As written; MLflow treats unknown types as `string`, so does the lab (typeOf). */
  type: string;
  /** `str()` of the YAML default, or null when there is none (then a value is required). */
  default: string | null;
}

/** What the lab runs for an entry point (the `mfflow` key). */
export type LabEntry =
  | { kind: 'train'; spec: YamlValue; sweep?: YamlValue }
  | { kind: 'module'; path: string };

export interface EntryPoint {
  name: string;
  parameters: ProjectParameter[];
  command: string | null;
  lab: LabEntry | null;
}

export interface ProjectEnv {
  /** MLflow's env_type, or `local` when the project names none and has no default file. */
  type: EnvField | 'local';
  /** The file a python_env / conda_env names (or the default one found), relative to the project. */
  file?: string;
  /** docker_env.image */
  image?: string;
}

export interface MlProject {
  name: string | null;
  env: ProjectEnv;
  entryPoints: Record<string, EntryPoint>;
}

const pyTypeName = (v: YamlValue): string =>
  v === null ? 'NoneType' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'dict'
    : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : 'str';

/** Python's `str()` of a YAML scalar, as MLflow logs a default. */
export function pyStr(v: YamlValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return String(v);
  }
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/**
 * Parses the text of an MLproject file. `files` lists the project's paths (relative, `/`
 * separated) so env files are checked as MLflow checks them; without it they are not.
 */
export function parseMlproject(text: string | Uint8Array, files?: ReadonlySet<string>, fileName = 'MLproject'): MlProject {
  let doc: YamlValue;
  try {
    doc = parseYamlSafe(text, fileName);
  } catch (e) {
    throw new ProjectError(`Project configuration (MLproject file) was invalid: ${(e as Error).message}`);
  }
  if (doc === null) doc = {};
  if (!isYamlMap(doc)) throw invalidFile(`the file must be a mapping of keys (name, entry_points, …), not a ${pyTypeName(doc)}`);

  const envFields = ENV_FIELDS.filter((f) => f in doc);
  if (envFields.length > 1) {
    throw new ProjectError(`Project cannot contain multiple environment fields: {${envFields.map((f) => `'${f}'`).join(', ')}}`);
  }
  const name = doc.name === undefined || doc.name === null ? null : pyStr(doc.name);
  const entryPoints: Record<string, EntryPoint> = {};
  const eps = doc.entry_points ?? {};
  if (!isYamlMap(eps)) throw invalidFile(`entry_points must be a mapping of entry point names, not a ${pyTypeName(eps)}`);
  for (const [epName, body] of Object.entries(eps)) {
    if (!isYamlMap(body)) throw invalidFile(`entry point '${epName}' must be a mapping (parameters, command), not a ${pyTypeName(body)}`);
    entryPoints[epName] = parseEntryPoint(epName, body);
  }
  return { name, env: parseEnv(doc, files), entryPoints };
}

function invalidFile(detail: string): ProjectError {
  return new ProjectError(`Project configuration (MLproject file) was invalid: ${detail}`);
}

function parseEntryPoint(name: string, body: { [key: string]: YamlValue }): EntryPoint {
  const params = body.parameters ?? {};
  if (!isYamlMap(params)) throw invalidFile(`parameters of entry point '${name}' must be a mapping, not a ${pyTypeName(params)}`);
  const parameters: ProjectParameter[] = Object.entries(params).map(([pName, p]) => {
    if (typeof p === 'string') return { name: pName, type: p, default: null };
    if (!isYamlMap(p)) throw invalidFile(`parameter '${pName}' of entry point '${name}' must be a type or a mapping with type and default`);
    const type = p.type === undefined ? 'string' : pyStr(p.type);
    const dflt = p.default === undefined || p.default === null ? null : pyStr(p.default);
    return { name: pName, type, default: dflt };
  });
  const cmd = body.command;
  if (cmd !== undefined && cmd !== null && typeof cmd !== 'string') throw invalidFile(`command of entry point '${name}' must be a string`);
  return { name, parameters, command: cmd ?? null, lab: parseLabEntry(name, body.mfflow) };
}

function parseLabEntry(ep: string, v: YamlValue | undefined): LabEntry | null {
  if (v === undefined || v === null) return null;
  if (!isYamlMap(v)) throw invalidFile(`mfflow of entry point '${ep}' must be a mapping with 'train' or 'module'`);
  if ('module' in v && 'train' in v) throw invalidFile(`mfflow of entry point '${ep}' names both 'train' and 'module'; choose one`);
  if (typeof v.module === 'string' && v.module !== '') return { kind: 'module', path: v.module };
  if (isYamlMap(v.train)) return { kind: 'train', spec: v.train, ...(v.sweep !== undefined ? { sweep: v.sweep } : {}) };
  throw invalidFile(`mfflow of entry point '${ep}' needs 'train' (a training spec) or 'module' (a .js file of the project)`);
}

function parseEnv(doc: { [key: string]: YamlValue }, files?: ReadonlySet<string>): ProjectEnv {
  const docker = doc.docker_env;
  if (docker) {
    if (!isYamlMap(docker) || !docker.image) {
      throw new ProjectError('Project configuration (MLproject file) was invalid: Docker environment specified but no image attribute found.');
    }
    if (docker.volumes && !(Array.isArray(docker.volumes) && docker.volumes.every((x) => typeof x === 'string'))) {
      throw new ProjectError('Project configuration (MLproject file) was invalid: Docker volumes must be a list of strings, e.g.: \'["/path1/:/path1", "/path2/:/path2"])');
    }
    return { type: 'docker_env', image: pyStr(docker.image) };
  }
  for (const [field, what] of [['python_env', 'python_env file'], ['conda_env', 'conda environment file']] as const) {
    const f = doc[field];
    if (!f) continue;
    const file = pyStr(f);
    if (files && !files.has(normalise(file))) {
      throw new ProjectError(`Project specified ${what} ${file}, but no such file was found.`);
    }
    return { type: field, file };
  }
  if (files?.has('python_env.yaml')) return { type: 'python_env', file: 'python_env.yaml' };
  if (files?.has('conda.yaml')) return { type: 'conda_env', file: 'conda.yaml' };
  return { type: 'local' };
}

function normalise(path: string): string {
  return path.replace(/^\.\//, '').replace(/\\/g, '/');
}

/**
 * `Project.get_entry_point`: a declared entry point, else a `.py`/`.sh` file name (MLflow
 * runs it; the lab cannot) or, in the lab, a `.js` module of the project.
 */
export function getEntryPoint(project: MlProject, name: string): EntryPoint {
  const ep = project.entryPoints[name];
  if (ep) return ep;
  const ext = /\.[^./]*$/.exec(name)?.[0] ?? '';
  if (ext === '.py' || ext === '.sh') return { name, parameters: [], command: `${ext === '.py' ? 'python' : 'bash'} ${shellQuote(name)}`, lab: null };
  if (ext === '.js' || ext === '.mjs') return { name, parameters: [], command: null, lab: { kind: 'module', path: name } };
  throw new ProjectError(
    `Could not find ${name} among entry points [${Object.keys(project.entryPoints).map((k) => `'${k}'`).join(', ')}] or interpret ${name} as a runnable script. Supported script file extensions: ['.py', '.sh']`,
  );
}

/** `shlex.quote`, which MLflow applies to every value it puts into a command. */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  // Python's pattern is ASCII-only (re.ASCII), as JS's \w is without the u flag.
  if (!/[^\w@%+=:,./-]/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** `mlflow run -P name=value ...` (and `-P` from a URL): names to raw string values. */
export function parseUserParams(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) throw new ProjectError(`Invalid format for -P parameter: '${arg}'. Use -P name=value.`);
    const name = arg.slice(0, eq);
    if (name in out) throw new ProjectError(`Repeated parameter: '${name}'`);
    out[name] = arg.slice(eq + 1);
  }
  return out;
}
