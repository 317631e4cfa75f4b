/**
 * Untrusted archive bytes (or a Blob/File read in slices) → PreparedImport: the safe unzip
 * (every refusal is an ArchiveError naming the entry and the rule), then the tree reader and
 * prepare-import.ts (FormatError naming the file). The bundle worker calls this; tests too.
 */
import { unzipSafe, unzipSafeBlob, type BlobLike, type UnzipOptions } from '../archive/safe-zip';
import { prepareEntries, type PreparedImport } from './prepare-import';

export function prepareArchiveBytes(bytes: Uint8Array, opts: UnzipOptions = {}): PreparedImport {
  return prepareEntries(unzipSafe(bytes, opts));
}

export async function prepareArchiveBlob(blob: BlobLike, opts: UnzipOptions = {}): Promise<PreparedImport> {
  return prepareEntries(await unzipSafeBlob(blob, opts));
}
