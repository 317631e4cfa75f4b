/**
 * Names as MLflow validates them (docs/mlflow-formats.md §1.10) and the ids derived from them.
 * Keys become file paths in the file store, so a bad key is also a path-traversal risk.
 */
import { md5 } from '@noble/hashes/legacy.js';

/** Python's `\w` with Unicode: letters, digits of any script, underscore. */
const KEY_CHARS = /^[/\p{L}\p{N}_.\- :]*$/u;

/**
 * Why `key` cannot be a param, metric or tag key, or null if it can. Mirrors MLflow's
 * character rule plus its "must already be a normalised path" rule.
 */
export function keyProblem(key: string): string | null {
  if (key.length === 0) return 'is empty';
  if (key.length > 250) return 'is longer than 250 characters';
  if (!KEY_CHARS.test(key)) return 'may only contain letters, digits, _ - . / : and spaces';
  if (key.startsWith('/') || key.startsWith('..')) return 'must not start with / or ..';
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return 'is not a normalised path (//, /./, /../ or trailing /)';
  return null;
}

export const RUN_ID_RE = /^[a-zA-Z0-9][\w-]{0,255}$/;
export const EXPERIMENT_ID_RE = /^[a-zA-Z0-9][\w-]{0,63}$/;
export const LOGGED_MODEL_NAME_BAD = /[/:.%"']/;

const enc = new TextEncoder();

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** md5 of the UTF-8 bytes of the concatenated parts, lowercase hex. */
export function md5Hex(...parts: string[]): string {
  return hex(md5(enc.encode(parts.join(''))));
}

/** Folder name of a dataset record: md5(name ‖ digest) (§1.7). */
export const datasetId = (name: string, digest: string) => md5Hex(name, digest);
/** Folder name of a run input record: md5(dataset_id ‖ run_id) (§1.7). */
export const inputId = (dsId: string, runId: string) => md5Hex(dsId, runId);
