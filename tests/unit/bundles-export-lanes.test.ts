/**
 * An mlruns/ export spread over lanes (src/state/bundles.svelte.ts): batches go to several
 * StreamedExports with the deflater (fast-deflate.ts), each encodes and deflates its runs
 * as they come, and the one that zips takes the others' runs. The zip must hold exactly the
 * files of the plain one-worker export, with the metric files deflated, and read back the same.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inflateSync } from 'fflate';
import { StreamedExport } from '../../src/lib/bundles/streamed-export';
import { finishExport } from '../../src/lib/bundles/export-finish';
import { loadDeflater, packFile } from '../../src/lib/archive/fast-deflate';
import { crc32 } from '../../src/lib/archive/crc32';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { DEFAULT_LIMITS, findCentralDirectory, parseCentralDirectory } from '../../src/lib/archive/zip-format';
import type { BundleRun } from '../../src/lib/mlflow/bundle';
import { DEFAULT_EXPERIMENTS, finishedRun, history, prepareZip } from './bundles-helpers';

const enc = new TextEncoder();
const EXPERIMENTS = DEFAULT_EXPERIMENTS;

/** Run i: three histories (one of a single point, one with NaN and ±Inf), a param, an artifact. */
function labRun(i: number): BundleRun {
  const t0 = 1_700_000_000_000 + i * 1000;
  return finishedRun('d', i, [
    history('loss', 50 + i * 7, (s) => 1 / (s + i + 1), t0),
    history('odd', 4, (s) => [NaN, Infinity, -Infinity, -0][s], t0),
    history('one', 1, () => 0.5, t0),
  ], [{ path: 'notes.txt', bytes: enc.encode(`run ${i}\n`) }]);
}

/** Entry name → compression method (0 stored, 8 deflated), from the central directory. */
function methods(zip: Uint8Array): Map<string, number> {
  const readAt = (o: number, n: number) => zip.subarray(o, o + n);
  const dir = findCentralDirectory(zip, zip.length, readAt);
  const entries = parseCentralDirectory(zip.subarray(dir.offset, dir.offset + dir.length), dir, DEFAULT_LIMITS);
  return new Map(entries.map((e) => [e.name, e.method]));
}

async function zipOf(job: StreamedExport): Promise<Uint8Array> {
  const { parts } = await finishExport(job, EXPERIMENTS);
  return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

describe('an mlruns/ export over lanes, deflated as runs arrive', () => {
  it('holds the files of the one-worker export, metric files deflated, and imports back every point', async () => {
    const deflate = await loadDeflater();
    const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 5 }, (_, j) => b * 5 + j));
    const plain = new StreamedExport();
    for (const b of batches) plain.add(b.map(labRun));
    const main = new StreamedExport(deflate);
    const lane = new StreamedExport(deflate);
    batches.forEach((b, k) => (k % 2 ? lane : main).add(b.map(labRun)));
    main.add(lane.take());
    expect(lane.take()).toEqual([]);

    const want = unzipSafe(await zipOf(plain));
    const zip = await zipOf(main);
    const got = unzipSafe(zip);
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [name, bytes] of want) expect(got.get(name), name).toEqual(bytes);

    const how = methods(zip);
    const metricFiles = [...got.keys()].filter((n) => /\/metrics\/loss$/.test(n));
    expect(metricFiles).toHaveLength(30);
    for (const n of metricFiles) expect(how.get(n), n).toBe(8);

    const prep = await prepareZip(new Blob([zip as Uint8Array<ArrayBuffer>]));
    expect(prep.runs).toHaveLength(30);
    for (const r of prep.runs) {
      const i = Number(r.run.params.i);
      const loss = r.metrics.find((m) => m.key === 'loss')!;
      expect(Array.from(loss.values)).toEqual(Array.from(labRun(i).metrics[0].values));
      expect(Array.from(r.metrics.find((m) => m.key === 'odd')!.values)).toEqual([NaN, Infinity, -Infinity, -0]);
    }
  });

  it('keeps only the deflated body of each metric file, not its text', async () => {
    const job = new StreamedExport(await loadDeflater());
    job.add([0, 1, 2].map(labRun));
    const { files } = job.finishFiles(EXPERIMENTS);
    const loss = [...files].filter(([n]) => n.endsWith('/metrics/loss'));
    expect(loss).toHaveLength(3);
    for (const [n, d] of loss) {
      expect(d instanceof Uint8Array, n).toBe(false);
      if (!(d instanceof Uint8Array)) expect(inflateSync(d.deflated).length).toBe(d.size);
    }
  });

  it('packFile gives a body that inflates to the file, with its CRC-32, or the file itself when deflating does not shrink it', async () => {
    const deflate = await loadDeflater();
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 3000 }).map((s) => enc.encode(s.repeat(3)))), (data) => {
      const p = packFile(data, deflate);
      if (p instanceof Uint8Array) {
        expect(p).toBe(data);
        expect(data.length === 0 || deflate(data).deflated.length >= data.length).toBe(true);
      } else {
        expect(p.size).toBe(data.length);
        expect(p.crc).toBe(crc32(data));
        expect(p.deflated.length).toBeLessThan(data.length);
        expect(inflateSync(p.deflated)).toEqual(data);
      }
    }), { numRuns: 200 });
  });
});
