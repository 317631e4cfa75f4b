/**
 * A folder dropped on the lab (or picked with a directory input), e.g. the one MLflow writes with
 * its defaults (`mlflow.db` + `mlartifacts/`, or `mlruns/`), read into the same entries an
 * unzipped archive gives, so it imports exactly as its zip would. The files are as untrusted as a
 * zip's entries: the same name rules (archive/paths.ts) and size limits apply, and a refusal is an
 * ArchiveError naming the file and the rule.
 */
import { ArchiveError } from '../archive/errors';
import { pathProblem } from '../archive/paths';
import { DEFAULT_LIMITS, type ZipLimits } from '../archive/zip-format';
import { isLazyCandidate, lazyPlaceholder } from './lazy-entries';

export interface FolderFile {
  /** The path inside the dropped folder, `/`-separated (a File's webkitRelativePath, or built while walking). */
  path: string;
  file: { size: number; arrayBuffer(): Promise<ArrayBuffer>; slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> } };
}

export interface FolderReadOptions {
  limits?: Partial<Pick<ZipLimits, 'maxEntries' | 'maxTotalBytes'>>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * Leave big artifact files unread (lazy-entries.ts): each becomes a placeholder whose ref is
   * its path, read later by folderPieces. Off by default (every file read, as before).
   */
  lazyMinBytes?: number;
}

/** Folders people drop next to their store that the lab has no use for (they can be huge). */
const SKIPPED = /(^|\/)(\.git|\.venv|venv|node_modules|__pycache__|\.ipynb_checkpoints)\//;

/**
 * The folder's files as archive entries. One top folder common to every path is kept (it is
 * what a zip of the folder would hold too); the importer finds the store anywhere below.
 */
export async function readFolder(files: readonly FolderFile[], opts: FolderReadOptions = {}): Promise<Map<string, Uint8Array>> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const wanted = files.filter((f) => !SKIPPED.test(f.path));
  if (wanted.length === 0) throw new ArchiveError(null, 'empty', 'the folder has no files');
  if (wanted.length > limits.maxEntries) throw new ArchiveError(null, 'too-many-entries', `folder has ${wanted.length.toLocaleString('en-US')} files; the limit is ${limits.maxEntries.toLocaleString('en-US')}`);
  const total = wanted.reduce((n, f) => n + f.file.size, 0);
  if (total > limits.maxTotalBytes) throw new ArchiveError(null, 'too-big', `folder holds ${total.toLocaleString('en-US')} bytes; the limit is ${limits.maxTotalBytes.toLocaleString('en-US')}`);
  const entries = new Map<string, Uint8Array>();
  let done = 0;
  for (const f of wanted) {
    opts.signal?.throwIfAborted();
    const bad = pathProblem(f.path, false);
    if (bad) throw new ArchiveError(f.path, bad.rule, bad.message);
    if (entries.has(f.path)) throw new ArchiveError(f.path, 'duplicate-name', 'two files with this path');
    if (opts.lazyMinBytes !== undefined && isLazyCandidate(f.path, f.file.size, opts.lazyMinBytes)) {
      entries.set(f.path, lazyPlaceholder(f.path, f.file.size));
      continue;
    }
    const bytes = new Uint8Array(await f.file.arrayBuffer());
    if (bytes.length !== f.file.size) throw new ArchiveError(f.path, 'changed', 'the file changed while it was read');
    entries.set(f.path, bytes);
    opts.onProgress?.((done += bytes.length), total);
  }
  return entries;
}

/** A file of the folder in pieces of exactly `pieceBytes` (the last shorter), each read by `slice`. */
export async function* folderPieces(files: readonly FolderFile[], path: string, pieceBytes: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const f = files.find((x) => x.path === path);
  if (!f) throw new ArchiveError(path, 'missing', 'the file is not in the folder');
  const size = f.file.size;
  for (let o = 0; o < size; o += pieceBytes) {
    signal?.throwIfAborted();
    const want = Math.min(pieceBytes, size - o);
    const piece = new Uint8Array(await f.file.slice(o, o + want).arrayBuffer());
    if (piece.length !== want) throw new ArchiveError(path, 'changed', 'the file changed while it was read');
    yield piece;
  }
}
