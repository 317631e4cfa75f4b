/**
 * A run's artifact tree: path rules, chunking and directory listing (pure parts).
 * Paths are relative POSIX paths; anything that could escape the run's folder once exported
 * (`..`, absolute, backslash, drive letters, NUL) is refused, learning from MLflow's
 * path-traversal CVEs (docs/reliability.md §4).
 */
import type { ArtifactInfo } from '../tracking/types';
import { invalid } from '../util/errors';
import { preview } from '../tracking/validation';
import type { ArtifactChunk, ArtifactEntry } from './schema';

/** ≤4 MiB per record keeps every structured clone small (docs/reliability.md §1.5 allows bigger). */
export const ARTIFACT_CHUNK_BYTES = 4 * 1024 * 1024;
export const MAX_ARTIFACT_PATH = 1024;

/** Returns the path unchanged if it is a safe relative file path, else throws naming it. */
export function validateArtifactPath(path: unknown): string {
  if (typeof path !== 'string' || path === '') throw invalid('Artifact path must be a non-empty string.');
  const why = artifactPathProblem(path);
  if (why) throw invalid(`Invalid artifact path "${preview(path)}": ${why}.`);
  return path;
}

/** A directory for listing: '' (or undefined) is the run's root; otherwise a valid path. */
export function validateArtifactDir(dir: string | undefined): string {
  if (dir === undefined || dir === '' || dir === '/') return '';
  const trimmed = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  validateArtifactPath(trimmed);
  return trimmed;
}

function artifactPathProblem(path: string): string | null {
  if (path.length > MAX_ARTIFACT_PATH) return `it is longer than ${MAX_ARTIFACT_PATH} characters`;
  if (path.includes('\\')) return 'backslashes are not allowed; use "/"';
  if (path.includes('\0')) return 'it contains a NUL character';
  if (path.startsWith('/')) return 'it must be relative, not start with "/"';
  if (/^[A-Za-z]:/.test(path)) return 'drive letters are not allowed';
  for (const seg of path.split('/')) {
    if (seg === '') return 'it has an empty part ("//" or a trailing "/")';
    if (seg === '.' || seg === '..') return '"." and ".." parts are not allowed';
  }
  return null;
}

/** Splits bytes into ArrayBuffer chunks (copies, so the caller's buffer can be reused). */
export function toChunks(runId: string, path: string, bytes: ArrayBuffer | Uint8Array,
  chunkBytes = ARTIFACT_CHUNK_BYTES): ArtifactChunk[] {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  // An empty file still gets one (empty) chunk, so every entry has chunkCount ≥ 1.
  const count = Math.max(1, Math.ceil(view.length / chunkBytes));
  const out: ArtifactChunk[] = [];
  for (let index = 0; index < count; index++) {
    const part = view.slice(index * chunkBytes, (index + 1) * chunkBytes);
    out.push({ runId, path, index, bytes: part.buffer });
  }
  return out;
}

export function joinChunks(chunks: readonly ArtifactChunk[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of [...chunks].sort((a, b) => a.index - b.index)) {
    out.set(new Uint8Array(c.bytes), o);
    o += c.bytes.byteLength;
  }
  return out;
}

/** A new file must not sit where a file is a parent folder, nor replace a folder. */
export function conflictWith(existing: readonly string[], path: string): string | null {
  for (const p of existing) {
    if (path.startsWith(p + '/')) return `"${p}" is a file, so it cannot contain "${path}"`;
    if (p.startsWith(path + '/')) return `"${path}" is a folder`;
  }
  return null;
}

/**
 * Immediate children of `dir` like MLflow's list_artifacts: files with their size, folders
 * with isDir and size 0, each path relative to the run root, sorted by path.
 */
export function listChildren(entries: readonly ArtifactEntry[], dir: string): ArtifactInfo[] {
  const prefix = dir === '' ? '' : dir + '/';
  const files = new Map<string, ArtifactInfo>();
  for (const e of entries) {
    if (!e.path.startsWith(prefix)) continue;
    const rest = e.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) {
      const info: ArtifactInfo = { path: e.path, isDir: false, size: e.size };
      if (e.contentType !== undefined) info.contentType = e.contentType;
      files.set(e.path, info);
    } else {
      const sub = prefix + rest.slice(0, slash);
      if (!files.has(sub)) files.set(sub, { path: sub, isDir: true, size: 0 });
    }
  }
  return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
