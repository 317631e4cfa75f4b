/**
 * A lab of 5,000 runs in the SQLite layout (issue 10: "Export lab fails on a lab of 5,000
 * runs"), through the bundle worker's own steps: SqliteExport fed in batches as
 * collectBundleBatches feeds it, finishExport (deflate, zip64 when needed), then prepareArchive
 * with sql.js, as an import reads it. Each run carries 14 artifact files (a lab model folder
 * has about that many), so the archive holds over 65,535 entries, past the plain zip's count.
 */
import { describe, expect, it } from 'vitest';
import { SqliteExport } from '../../src/lib/bundles/sqlite-export';
import { finishExport } from '../../src/lib/bundles/export-finish';
import type { BundleRun } from '../../src/lib/mlflow/bundle';
import { dictGet, dictSet, newDict } from '../../src/lib/util/dict';
import { prepareZip } from './bundles-helpers';
import { sqlJs } from './sqlite-helpers';

const RUNS = 5000;
const FILES = 14;
const enc = new TextEncoder();
const dec = new TextDecoder();

function labRun(i: number): BundleRun {
  const runId = `c${i.toString(16).padStart(31, '0')}`;
  const params = newDict<string>();
  dictSet(params, 'i', String(i));
  dictSet(params, 'alpha', String((i % 7) / 10));
  const tags = newDict<string>();
  dictSet(tags, 'mlflow.runName', `run-${i}`);
  const points = (k: number) => ({
    key: `m${k}`,
    values: Float64Array.from([1 / (i + k + 1), i % 11 === 0 ? NaN : i * 0.5, -Infinity].slice(0, 2 + (i % 2))),
    steps: Float64Array.from([0, 1, 2].slice(0, 2 + (i % 2))),
    timestamps: Float64Array.from([1, 2, 3].slice(0, 2 + (i % 2)), (t) => 1_700_000_000_000 + i * 10 + t),
  });
  return {
    run: { info: { runId, experimentId: '0', runName: `run-${i}`, userId: 'u', status: 'FINISHED', startTime: 1_700_000_000_000 + i, endTime: 1_700_000_000_001 + i, lifecycleStage: 'active', deletedTime: null, artifactUri: '' },
      params, tags, metrics: newDict(), inputs: [] },
    metrics: [points(0), points(1)],
    artifacts: Array.from({ length: FILES }, (_, f) => ({ path: `files/f${f}.txt`, bytes: enc.encode(`${runId} ${f}`) })),
  };
}

describe('a lab of 5,000 runs in the SQLite layout', () => {
  it('exports (over 65,535 zip entries) and imports back every run, param, history and file', async () => {
    const job = new SqliteExport(new (await sqlJs()).Database());
    for (let i = 0; i < RUNS; i += 250) job.add(Array.from({ length: 250 }, (_, j) => labRun(i + j)));
    const { parts } = await finishExport(job, [{ experimentId: '0', name: 'Default', artifactLocation: '', lifecycleStage: 'active', creationTime: 0, lastUpdateTime: 0, tags: newDict<string>() }]);

    const zip = new Blob(parts as Uint8Array<ArrayBuffer>[]);
    // Past the plain zip's 65,535 entries: the archive ends with zip64's end records (PK 6 6, PK 6 7).
    expect(RUNS * FILES).toBeGreaterThan(65_535);
    const tail = new Uint8Array(await zip.slice(-98).arrayBuffer());
    expect([...tail.subarray(0, 4)]).toEqual([0x50, 0x4b, 6, 6]);
    const prep = await prepareZip(zip);
    expect(prep.warnings).toEqual([]);
    expect(prep.runs).toHaveLength(RUNS);
    const byId = new Map(prep.runs.map((r) => [r.run.info.runId, r]));
    for (let i = 0; i < RUNS; i++) {
      const want = labRun(i);
      const got = byId.get(want.run.info.runId);
      expect(got, `run ${i}`).toBeDefined();
      expect(dictGet(got!.run.params, 'i')).toBe(String(i));
      expect(dictGet(got!.run.tags, 'mlflow.runName')).toBe(`run-${i}`);
      expect(got!.metrics.map((m) => [m.key, Array.from(m.values), Array.from(m.steps), Array.from(m.timestamps)]))
        .toEqual(want.metrics.map((m) => [m.key, Array.from(m.values), Array.from(m.steps), Array.from(m.timestamps)]));
      const files = got!.artifacts.map((a) => [a.path, dec.decode(a.bytes)]).sort();
      expect(files).toEqual(want.artifacts.map((a) => [a.path, dec.decode(a.bytes)]).sort());
    }
  }, 300_000);
});
