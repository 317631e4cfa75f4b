/**
 * Model registry validation with MLflow's rules and error codes (docs/mlflow-formats.md §1.9; MLflow
 * 3.17's file store, which is stricter than the SQL store: it also forbids `%`, since names
 * become folder names).
 */
import { invalid } from '../util/errors';

export const MAX_ALIAS_LENGTH = 255;
export const MAX_REGISTRY_TAG_KEY_LENGTH = 250;
export const MAX_REGISTRY_TAG_VALUE_LENGTH = 100_000;

export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];
/** Stages whose existing versions `archive_existing_versions` may archive. */
export const ACTIVE_STAGES: readonly Stage[] = ['Staging', 'Production'];

/** A registered model name: non-blank, no `/`, `:` or `%`, and already in normalised path form. */
export function validateModelName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid(`Missing value for required parameter '${field}'.`);
  if (/[/:]/.test(name)) throw invalid(`Invalid model name '${name}'. Names cannot contain '/' or ':'.`);
  if (name.includes('%')) throw invalid(`Invalid name: '${name}'. Registered model name cannot contain '%' character`);
  // MLflow's file store keeps a model in a folder of its name, and bundles carry it as zip entries:
  // a backslash or a control character cannot travel there, so refuse them when the model is made.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(name)) {
    throw invalid(`Invalid model name '${JSON.stringify(name).slice(1, -1)}'. Names cannot contain backslashes or control characters.`);
  }
  if (name === '.' || name.startsWith('..')) {
    throw invalid(`Invalid value '${name}' for parameter '${field}': names may not be '.' or start with '..'.`);
  }
  return name;
}

/** A version number given as a number or a digit string (MLflow's REST API sends strings). */
export function validateVersion(version: unknown): number {
  const n = typeof version === 'number' ? version : typeof version === 'string' && /^\s*\d+\s*$/.test(version) ? Number(version) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(`Parameter 'version' must be an integer, got '${String(version)}'.`);
  return n;
}

/** Alias characters and length (reading an alias accepts `latest`; setting one also needs `validateAliasNotReserved`). */
export function validateAliasName(alias: unknown): string {
  if (typeof alias !== 'string' || alias === '') throw invalid('Registered model alias name cannot be empty.');
  // \w in Python's re is Unicode-aware; the `u` flag with \p classes matches that.
  if (!/^[\p{L}\p{N}\p{Mn}\p{Pc}-]*$/u.test(alias)) {
    throw invalid(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  }
  if (alias.length > MAX_ALIAS_LENGTH) {
    throw invalid(`Registered model alias name '${alias.slice(0, 20)}…' had length ${alias.length}, which exceeded length limit of ${MAX_ALIAS_LENGTH}`);
  }
  return alias;
}

/** `latest` (any case) and `v<digits>` are how URIs name versions, so they cannot be aliases. */
export function validateAliasNotReserved(alias: string): void {
  if (alias.toLowerCase() === 'latest') throw invalid("'latest' alias name (case insensitive) is reserved.");
  if (/^[vV]\d+$/.test(alias)) throw invalid(`Version alias name '${alias}' is reserved.`);
}

/** MLflow accepts stages in any case and stores the canonical spelling. */
export function canonicalStage(stage: unknown): Stage {
  const s = typeof stage === 'string' ? STAGES.find((x) => x.toLowerCase() === stage.toLowerCase()) : undefined;
  if (!s) throw invalid(`Invalid Model Version stage: ${String(stage)}. Value must be one of ${STAGES.join(', ')}.`);
  return s;
}

export function validateRegistryTag(key: unknown, value: unknown): void {
  if (typeof key !== 'string' || key === '') throw invalid("Missing value for required parameter 'key'.");
  if (key.length > MAX_REGISTRY_TAG_KEY_LENGTH) throw invalid(`Tag key '${key.slice(0, 20)}…' had length ${key.length}, which exceeded length limit of ${MAX_REGISTRY_TAG_KEY_LENGTH}`);
  if (!/^[/\p{L}\p{N}\p{Mn}\p{Pc}.\- :]*$/u.test(key)) {
    throw invalid(`Invalid tag name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`);
  }
  if (typeof value !== 'string') throw invalid(`Tag value for '${key}' must be a string.`);
  if (value.length > MAX_REGISTRY_TAG_VALUE_LENGTH) throw invalid(`Tag value for '${key}' had length ${value.length}, which exceeded length limit of ${MAX_REGISTRY_TAG_VALUE_LENGTH}`);
}
