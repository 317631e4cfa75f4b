/**
 * `models:/` and `runs:/` URIs, parsed the way MLflow 3.17 does (mlflow/store/artifact/utils/
 * models.py and the runs artifact repository). Parsing is pure; resolving a models URI to a
 * version needs the registry (model-registry.ts `resolveModelVersion`).
 */
import { invalid } from '../util/errors';

export type ModelUri =
  /** `models:/<name>/<digits>` */
  | { kind: 'version'; name: string; version: number }
  /** `models:/<name>@<alias>` */
  | { kind: 'alias'; name: string; alias: string }
  /** `models:/<name>/latest` (any case): the highest live version over all stages. */
  | { kind: 'latest'; name: string }
  /** `models:/<name>/<stage>` (any case): the highest version in that stage. */
  | { kind: 'stage'; name: string; stage: string }
  /** `models:/<model_id>`: an MLflow 3 logged model. */
  | { kind: 'modelId'; modelId: string };

export interface RunsUri {
  runId: string;
  /** Run-relative, `/`-separated, no leading or trailing `/`; '' is the artifact root. */
  artifactPath: string;
}

function improper(uri: string): Error {
  return invalid(`Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/name/suffix' or 'models:/name@alias' `
    + "where suffix is a version, stage, or the string 'latest' and where alias is a registered model alias. "
    + 'Only one of suffix or alias can be defined at a time.');
}

export function isModelsUri(uri: string): boolean {
  return /^models:/i.test(uri);
}

export function parseModelUri(uri: string): ModelUri {
  const m = /^models:(.*)$/i.exec(uri);
  if (!m) throw improper(uri);
  const path = m[1];
  // `models://profile@host/...` names a remote registry; the lab has only its own.
  if (!path.startsWith('/') || path.startsWith('//') || path.length <= 1) throw improper(uri);
  const parts = path.slice(1).split('/');
  if (parts.length > 2 || parts[0].trim() === '') throw improper(uri);
  if (parts.length === 2) {
    const [name, suffix] = parts;
    if (suffix.trim() === '') throw improper(uri);
    if (/^\d+$/.test(suffix)) return { kind: 'version', name, version: Number(suffix) };
    if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name };
    return { kind: 'stage', name, stage: suffix };
  }
  const at = parts[0].lastIndexOf('@');
  if (at >= 0) {
    const alias = parts[0].slice(at + 1);
    if (alias.trim() === '') throw improper(uri);
    return { kind: 'alias', name: parts[0].slice(0, at), alias };
  }
  return { kind: 'modelId', modelId: parts[0] };
}

export function formatModelUri(u: ModelUri): string {
  switch (u.kind) {
    case 'version': return `models:/${u.name}/${u.version}`;
    case 'alias': return `models:/${u.name}@${u.alias}`;
    case 'latest': return `models:/${u.name}/latest`;
    case 'stage': return `models:/${u.name}/${u.stage}`;
    case 'modelId': return `models:/${u.modelId}`;
  }
}

/** `runs:/<run_id>/<path>`; the path may be empty. `..` segments are refused (they would leave the run). */
export function parseRunsUri(uri: string): RunsUri {
  const m = /^runs:\/(.*)$/i.exec(uri);
  if (!m || m[1].startsWith('/')) {
    throw invalid(`Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`);
  }
  const slash = m[1].indexOf('/');
  const runId = slash < 0 ? m[1] : m[1].slice(0, slash);
  const segments = (slash < 0 ? '' : m[1].slice(slash + 1)).split('/').filter((s) => s !== '' && s !== '.');
  if (runId === '' || segments.includes('..')) {
    throw invalid(`Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`);
  }
  return { runId, artifactPath: segments.join('/') };
}

export function formatRunsUri(runId: string, artifactPath: string): string {
  return artifactPath === '' ? `runs:/${runId}` : `runs:/${runId}/${artifactPath}`;
}
