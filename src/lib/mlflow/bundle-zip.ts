/**
 * MLflow bundles as zip files: export = tree → deterministic zip; import = safe unzip → tree
 * reader. Import errors are ArchiveError (the archive) or FormatError (a file inside it).
 */
import { unzipSafe, unzipSafeBlob, type BlobLike, type UnzipOptions } from '../archive/safe-zip';
import { zipFiles, type ZipWriteOptions } from '../archive/zip-write';
import type { MlflowBundle } from './bundle';
import { readMlrunsTree, type ReadTreeResult } from './read-tree';
import { writeMlrunsTree, type WriteTreeOptions } from './write-tree';

export function exportMlflowZip(bundle: MlflowBundle, opts: WriteTreeOptions & ZipWriteOptions = {}): Uint8Array<ArrayBuffer> {
  return zipFiles(writeMlrunsTree(bundle, opts), opts);
}

export function importMlflowZip(bytes: Uint8Array, opts: UnzipOptions = {}): ReadTreeResult {
  return readMlrunsTree(unzipSafe(bytes, opts));
}

export async function importMlflowZipBlob(blob: BlobLike, opts: UnzipOptions = {}): Promise<ReadTreeResult> {
  return readMlrunsTree(await unzipSafeBlob(blob, opts));
}
