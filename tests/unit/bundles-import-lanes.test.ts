/**
 * A big mlruns/ import shared among workers (src/lib/bundles/import-lanes.ts): the preparing
 * worker's prepareArchive gives a share of the run metric files to lanes, each of which runs the
 * real decodeShare on the same Blob (here in this process; in the lab, in another bundle worker
 * behind a MessagePort). The result must be the one-worker import's, to the bit, and a lane's
 * faults must surface as they would have in one worker.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StreamedExport } from '../../src/lib/bundles/streamed-export';
import { finishExport } from '../../src/lib/bundles/export-finish';
import { decodeShare, metricShares, runMetricKey, type ImportLane } from '../../src/lib/bundles/import-lanes';
import { prepareArchive } from '../../src/lib/bundles/prepare-archive';
import { describeFailure, importLaneOf, type BundleResult } from '../../src/lib/bundles/worker-api';
import type { DecodedShare } from '../../src/lib/bundles/import-lanes';
import type { ZipEntry } from '../../src/lib/archive/zip-format';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { writeMlrunsTree } from '../../src/lib/mlflow/write-tree';
import type { BundleRun, MlflowBundle } from '../../src/lib/mlflow/bundle';
import { openDb } from './sqlite-helpers';
import { decodeRunMetricBytes } from '../../src/lib/mlflow/metric-bytes';
import { DEFAULT_EXPERIMENTS, finishedRun, history } from './bundles-helpers';

const EXPERIMENTS = DEFAULT_EXPERIMENTS;

function labRun(i: number): BundleRun {
  const n = 40 + i * 3;
  const t0 = 1_700_000_000_000 + i * 1000;
  return finishedRun('e', i, [history('loss', n, (s) => 1 / (s + i + 1), t0), history('nested/acc', n, (s) => (s % 7 === 0 ? NaN : Math.sin(s * i)), t0)]);
}

async function labZip(runs = 24): Promise<Blob> {
  const job = new StreamedExport();
  job.add(Array.from({ length: runs }, (_, i) => labRun(i)));
  return new Blob((await finishExport(job, EXPERIMENTS)).parts as Uint8Array<ArrayBuffer>[]);
}

/** The real lane code, in this process; counts the files each lane decoded. */
function lanes(k: number, decoded: number[] = []): ImportLane[] {
  return Array.from({ length: k }, (_, i) => ({
    async decodeShare(blob, items) {
      const got = await decodeShare(blob, items);
      decoded[i] = got.size;
      return got;
    },
  }));
}

const streamed = { openDb, wholeReadLimit: 0 };

describe('an mlruns/ import shared among lanes', () => {
  it('gives the one-worker import to the bit, with 1 and 2 lanes doing a share each', async () => {
    const zip = await labZip();
    const alone = await prepareArchive(zip, streamed);
    for (const k of [1, 2]) {
      const counts: number[] = [];
      const shared = await prepareArchive(zip, { ...streamed, lanes: lanes(k, counts) });
      expect(counts).toHaveLength(k);
      for (const c of counts) expect(c).toBeGreaterThan(0);
      expect(shared.prep).toEqual(alone.prep);
    }
  });

  it('decodes a metric file into the three thirds of one buffer (one buffer to transfer per file)', () => {
    const m = decodeRunMetricBytes('f', 'loss', new TextEncoder().encode('1700000000000 0.5 0\n1700000000001 nan 1\n1700000000002 -inf 2\n'));
    expect(m.values.buffer).toBe(m.steps.buffer);
    expect(m.timestamps.buffer).toBe(m.values.buffer);
    expect([Array.from(m.values), Array.from(m.steps), Array.from(m.timestamps)]).toEqual([[0.5, NaN, -Infinity], [0, 1, 2], [1700000000000, 1700000000001, 1700000000002]]);
  });

  it('shares are a partition of the run metric files (not logged models\' metrics, params or tags)', () => {
    const names = [
      'mlruns/0/meta.yaml', 'mlruns/0/aaa/meta.yaml', 'mlruns/0/aaa/metrics/loss', 'mlruns/0/aaa/metrics/a/b', 'mlruns/0/aaa/params/p',
      'mlruns/0/models/m-1/metrics/acc', 'mlruns/.trash/3/bbb/metrics/x', 'mlruns/0/tags/t', 'mlruns/0/datasets/d/meta.yaml', 'mlruns/0/aaa/metrics/',
    ];
    expect(names.map((n) => runMetricKey(n, 'mlruns/'))).toEqual([null, null, 'loss', 'a/b', null, null, 'x', null, null, null]);
    fc.assert(fc.property(fc.array(fc.nat(5000), { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (sizes, of) => {
      const entries = [{ name: 'mlruns/0/meta.yaml', compressedSize: 10 }, ...sizes.map((c, i) => ({ name: `mlruns/0/r${i}/metrics/m`, compressedSize: c })), { name: 'mlruns/0/r0/params/p', compressedSize: 5 }]
        .map((e) => ({ ...e, isDir: false }) as ZipEntry);
      const shares = metricShares(entries, of);
      expect(shares).toHaveLength(of);
      expect(shares.flat().map((e) => e.name)).toEqual(entries.slice(1, -1).map((e) => e.name));
    }));
  });

  it('a metric file a lane cannot parse fails the import with the one-worker message, naming the file', async () => {
    const bundle: MlflowBundle = { experiments: EXPERIMENTS, runs: [labRun(1), labRun(2)], loggedModels: [], registeredModels: [] };
    const tree = writeMlrunsTree(bundle);
    const bad = [...tree.keys()].filter((n) => n.endsWith('/metrics/loss')).pop()!;
    tree.set(bad, new TextEncoder().encode('1700000000000 0.5 0\nnot a line\n'));
    const zip = new Blob([zipFiles(tree)]);
    const alone = await prepareArchive(zip, streamed).catch((e: Error) => e);
    const counts: number[] = [];
    const shared = await prepareArchive(zip, { ...streamed, lanes: lanes(1, counts) }).catch((e: Error) => e);
    expect(counts[0]).toBeGreaterThan(0);
    expect(alone).toBeInstanceOf(Error);
    expect((shared as Error).name).toBe('FormatError');
    expect((shared as Error).message).toBe((alone as Error).message);
    expect((shared as Error).message).toContain('metrics/loss');
  });

  it('a damaged entry in a lane\'s share fails the import as an ArchiveError naming that entry, across the worker boundary', async () => {
    const zip = new Uint8Array(await (await labZip(6)).arrayBuffer());
    // Corrupt one byte of the body of the last metric file (a lane's share): its CRC no longer matches.
    const name = 'mlruns/0/e0000000000000000000000000000005/metrics/loss';
    const at = indexOf(zip, new TextEncoder().encode(name)) + name.length + 8;
    zip[at] ^= 0xff;
    const blob = new Blob([zip]);
    // The lane's answer as it crosses a port: a failure value, thrown again by the preparing side.
    const lane = importLaneOf({
      decodeShare: async (b, items): Promise<BundleResult<DecodedShare>> => decodeShare(b, items).then((value) => ({ ok: true, value }), (e: unknown) => ({ ok: false, error: describeFailure(e) })),
    });
    const e = await prepareArchive(blob, { ...streamed, lanes: [lane] }).catch((x: Error) => x);
    expect(e).toMatchObject({ name: 'ArchiveError', entry: name });
    expect(describeFailure(e)).toMatchObject({ name: 'ArchiveError', entry: name });
  });
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
