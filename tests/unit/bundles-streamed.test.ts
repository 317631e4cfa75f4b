// A streamed import (prepare-archive.ts, blob-zip.ts, lazy-artifacts.ts): a big File/Blob is read
// entry by entry and its big artifacts are written from pieces, never read whole.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { collectBundleBatches } from '../../src/lib/bundles/collect';
import { StreamedExport } from '../../src/lib/bundles/streamed-export';
import { SqliteExport } from '../../src/lib/bundles/sqlite-export';
import { finishExport } from '../../src/lib/bundles/export-finish';
import { prepareArchive, prepareFolder, type PreparedArchive } from '../../src/lib/bundles/prepare-archive';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import type { TrackingStore } from '../../src/lib/storage/tracking-store';
import { countRunRecords, openStore, uniqueDbName } from './storage-helpers';
import { openDb, sqlJs } from './sqlite-helpers';

const MiB = 1 << 20;
/** Bytes that do not compress (a model's weights), so the archive is as big as its artifact. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A Blob that remembers the largest slice anyone read from it. */
function countingBlob(bytes: Uint8Array) {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  const seen = { largest: 0, total: 0 };
  return {
    seen,
    blob: { size: blob.size, slice: (a: number, b: number) => ((seen.largest = Math.max(seen.largest, b - a)), (seen.total += b - a), blob.slice(a, b)) },
  };
}

async function labWithBigArtifact(layout: 'mlruns' | 'sqlite', size = 24 * MiB + 5) {
  const store = await openStore();
  const exp = await store.createExperiment('big');
  const run = await store.createRun({ experimentId: exp, runName: 'weights' });
  const big = noise(size, 7);
  await store.logArtifact(run.runId, 'model/weights.bin', big);
  await store.logArtifact(run.runId, 'notes.txt', new TextEncoder().encode('small'));
  await store.updateRun(run.runId, { status: 'FINISHED', endTime: 1_700_000_000_000 });
  const job = layout === 'sqlite' ? new SqliteExport(new (await sqlJs()).Database()) : new StreamedExport();
  const experiments = await collectBundleBatches(store, { kind: 'lab' }, (runs) => job.add(runs));
  const zip = new Uint8Array(Buffer.concat((await finishExport(job, experiments)).parts));
  return { runId: run.runId, big, zip };
}

function importInto(store: TrackingStore, got: PreparedArchive) {
  return store.importBundle(got.prep, got.lazy && ((ref, n) => got.lazy!.pieces(ref, n)));
}

describe('streamed import', () => {
  for (const layout of ['mlruns', 'sqlite'] as const) {
    it(`${layout}: reads a big zip in slices far smaller than it, writes the big file from pieces, and again adds nothing`, async () => {
      const { runId, big, zip } = await labWithBigArtifact(layout);
      const { blob, seen } = countingBlob(zip);
      const got = await prepareArchive(blob, { openDb, wholeReadLimit: 0, readWindow: MiB });
      const lazy = got.prep.runs.flatMap((r) => r.artifacts).filter((a) => a.lazy);
      expect(lazy.map((a) => [a.path, a.lazy!.size, a.bytes.length])).toEqual([['model/weights.bin', big.length, 0]]);
      const store = await openStore();
      const report = await importInto(store, got);
      expect(report.addedRuns).toEqual([runId]);
      expect(Buffer.from(await store.readArtifact(runId, 'model/weights.bin')).equals(Buffer.from(big))).toBe(true);
      expect(new TextDecoder().decode(await store.readArtifact(runId, 'notes.txt'))).toBe('small');
      // Never more than a 4 MiB piece at a time, from an archive of more than 24 MiB.
      expect(zip.length).toBeGreaterThan(24 * MiB);
      expect(seen.largest).toBeLessThanOrEqual(4 * MiB);
      // Again: the run's digest is taken over the file's pieces, and it is the same run.
      const again = await importInto(store, await prepareArchive(blob, { openDb, wholeReadLimit: 0, readWindow: MiB }));
      expect(again).toMatchObject({ addedRuns: [], unchanged: [runId], conflicts: [] });
    }, 60_000);
  }

  it('a damaged big entry fails the import at its CRC and leaves nothing behind', async () => {
    // Over one 32 MiB write batch (lazy-artifacts.ts), so some chunks are written before the CRC is checked.
    const { runId, zip } = await labWithBigArtifact('mlruns', 40 * MiB);
    const bad = zip.slice();
    bad[Math.floor(zip.length / 2)] ^= 0x40; // inside the 24 MiB file's data
    const got = await prepareArchive(new Blob([bad]), { openDb, wholeReadLimit: 0 });
    const dbName = uniqueDbName();
    const store = await openStore({ dbName });
    await expect(importInto(store, got)).rejects.toMatchObject({ name: 'ArchiveError', rule: 'bad-crc', entry: expect.stringContaining('weights.bin') });
    expect(store.listRuns().map((r) => r.info.runId)).not.toContain(runId);
    // The chunks written before the CRC failed were removed too.
    expect(await countRunRecords(dbName, 'artifactChunks', runId)).toBe(0);
    const report = await importInto(store, await prepareArchive(new Blob([zip]), { openDb, wholeReadLimit: 0 }));
    expect(report.addedRuns).toEqual([runId]);
  }, 60_000);

  it('a dropped folder leaves its big files unread until they are written', async () => {
    const { runId, big, zip } = await labWithBigArtifact('sqlite');
    const reads: string[] = [];
    const files = [...unzipSafe(zip)].filter(([n]) => !n.endsWith('/')).map(([path, bytes]) => {
      const b = new Blob([bytes as Uint8Array<ArrayBuffer>]);
      return { path: `store/${path}`, file: { size: b.size, arrayBuffer: () => (reads.push(path), b.arrayBuffer()), slice: (s: number, e: number) => b.slice(s, e) } };
    });
    const got = await prepareFolder(files, { openDb });
    expect(reads.some((p) => p.endsWith('weights.bin'))).toBe(false);
    const store = await openStore();
    expect((await importInto(store, got)).addedRuns).toEqual([runId]);
    expect(Buffer.from(await store.readArtifact(runId, 'model/weights.bin')).equals(Buffer.from(big))).toBe(true);
  }, 60_000);

  it('refuses to commit lazy files when no reader is given, naming the file', async () => {
    const { zip } = await labWithBigArtifact('mlruns');
    const got = await prepareArchive(new Blob([zip]), { openDb, wholeReadLimit: 0 });
    await expect((await openStore()).importBundle(got.prep)).rejects.toThrow(/weights\.bin/);
  }, 60_000);
});
