/**
 * Big artifact files of a streamed import stay in the archive (or the dropped folder) until the
 * store writes them: the readers of the store (read-tree.ts, sqlite-read.ts) see an empty
 * placeholder for such a file, and once the import is prepared each placeholder becomes a
 * `lazy` artifact naming the entry (prepared-import.ts), which the page pulls in pieces.
 *
 * Only files under an `artifacts/` folder, at least LAZY_MIN_BYTES and not an `MLmodel`, are
 * left lazy: nothing in preparing an import reads such a file's bytes (metric files, meta.yaml,
 * mlflow.db, MLmodel and the dataset files all are read).
 */
import type { PreparedImport } from '../storage/prepared-import';

/** Files at least this big are left in the archive (smaller ones cost more as pieces than whole). */
export const LAZY_MIN_BYTES = 8 << 20;

const placeholders = new WeakMap<Uint8Array, { ref: string; size: number; crc?: number }>();

export function isLazyCandidate(path: string, size: number, minBytes = LAZY_MIN_BYTES): boolean {
  return size >= minBytes && /(^|\/)artifacts\//.test(path) && !/(^|\/)MLmodel$/.test(path);
}

/** An empty stand-in for the entry `ref` of `size` bytes (and CRC-32, for a zip entry). */
export function lazyPlaceholder(ref: string, size: number, crc?: number): Uint8Array {
  const b = new Uint8Array(0);
  placeholders.set(b, { ref, size, crc });
  return b;
}

export function lazyOf(bytes: Uint8Array): { ref: string; size: number; crc?: number } | undefined {
  return placeholders.get(bytes);
}

/**
 * Two files hold the same bytes (logged-models.ts compares a model's files with a run's copy).
 * A placeholder is the same as another only when both are zip entries of equal size and CRC-32.
 */
export function sameContent(a: Uint8Array, b: Uint8Array): boolean {
  const la = lazyOf(a);
  const lb = lazyOf(b);
  if (la || lb) return !!la && !!lb && la.crc !== undefined && la.size === lb.size && la.crc === lb.crc;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Turns the placeholders among the prepared runs' artifacts into `lazy` artifacts (before the transfer to the page). */
export function markLazy(prep: PreparedImport): number {
  let n = 0;
  for (const r of prep.runs) {
    r.artifacts = r.artifacts.map((a) => {
      const lazy = lazyOf(a.bytes);
      if (!lazy) return a;
      n++;
      return { ...a, bytes: new Uint8Array(0), lazy: { ref: lazy.ref, size: lazy.size } };
    });
  }
  return n;
}
