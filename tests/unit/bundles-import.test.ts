import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exportMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import { writeMlrunsTree } from '../../src/lib/mlflow/write-tree';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { ArchiveError } from '../../src/lib/archive/safe-zip';
import { FormatError } from '../../src/lib/mlflow/errors';
import { collectBundle, collectBundleBatches } from '../../src/lib/bundles/collect';
import { StreamedExport } from '../../src/lib/bundles/streamed-export';
import { buffersOf } from '../../src/lib/bundles/worker-api';
import { runContentDigest } from '../../src/lib/storage/run-digest';
import { loggedModelId } from '../../src/lib/bundles/logged-models';
import type { TrackingStore } from '../../src/lib/storage/tracking-store';
import { dictSet } from '../../src/lib/util/dict';
import { rawZip } from './archive-zip-craft';
import { fillLab, prepareZip } from './bundles-helpers';
import { openStore } from './storage-helpers';

const enc = new TextEncoder();

/** Everything a store holds about its runs, through its public API. */
async function snapshot(store: TrackingStore) {
  const runs = [...store.listRuns()].sort((a, b) => (a.info.runId < b.info.runId ? -1 : 1));
  const content = await store.readRunsContent(runs.map((r) => r.info.runId));
  const exps = (await store.listExperiments('ALL')).filter((e) => e.experimentId !== '0');
  return {
    exps,
    runs: await Promise.all(runs.map(async (r) => ({
      run: await store.getRun(r.info.runId),
      metrics: content.get(r.info.runId)!.metrics,
      artifacts: content.get(r.info.runId)!.artifacts.map((a) => [a.path, Array.from(a.bytes)]),
    }))),
  };
}

async function labZip() {
  const a = await openStore();
  const lab = await fillLab(a);
  const zip = exportMlflowZip(await collectBundle(a, { kind: 'lab' }));
  return { a, lab, zip };
}

describe('bundles: store → zip → store', () => {
  it('round trip gives an equal store, keeps ids and statuses, and re-exports byte-identically', async () => {
    const { a, lab, zip } = await labZip();
    const b = await openStore();
    const report = await b.importBundle(await prepareZip(zip));
    expect(report.conflicts).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.addedRuns.sort()).toEqual([...lab.runIds].sort());
    expect(await snapshot(b)).toEqual(await snapshot(a));
    // The imported RUNNING run stays RUNNING and is never swept: it has no owner lock.
    const running = lab.runIds[2];
    expect((await b.getRun(running)).info.status).toBe('RUNNING');
    expect(await b.killOrphanedRuns(async () => false)).toEqual([]);
    for (const sel of [{ kind: 'experiment', experimentId: lab.experimentId } as const, { kind: 'runs', runIds: [lab.runIds[0]] } as const]) {
      expect(exportMlflowZip(await collectBundle(b, sel))).toEqual(exportMlflowZip(await collectBundle(a, sel)));
    }
  });

  it('exports the model folder as an MLflow 3 logged model and keeps the run copy', async () => {
    const { lab, zip } = await labZip();
    const prep = await prepareZip(zip);
    const names = [...(await import('../../src/lib/archive/safe-zip')).unzipSafe(zip).keys()];
    const id = loggedModelId(lab.runIds[0], 'model');
    expect(names).toContain(`mlruns/${lab.experimentId}/models/${id}/artifacts/MLmodel`);
    expect(names).toContain(`mlruns/${lab.experimentId}/${lab.runIds[0]}/outputs/${id}/meta.yaml`);
    expect(names).toContain(`mlruns/${lab.experimentId}/${lab.runIds[0]}/artifacts/model/MLmodel`);
    expect(names).toContain('README.txt');
    const run = prep.runs.find((r) => r.run.info.runId === lab.runIds[0])!;
    expect(run.artifacts.filter((x) => x.path.startsWith('model/')).length).toBe(3);
  });

  it('importing the same bundle twice adds nothing', async () => {
    const { zip } = await labZip();
    const b = await openStore();
    await b.importBundle(await prepareZip(zip));
    const before = await snapshot(b);
    const again = await b.importBundle(await prepareZip(new Blob([zip])));
    expect(again.addedRuns).toEqual([]);
    expect(again.addedExperiments).toEqual([]);
    expect(again.unchanged.length).toBe(3);
    expect(again.conflicts).toEqual([]);
    expect(await snapshot(b)).toEqual(before);
  });

  it('reports a run with the same id and other content, and overwrites nothing', async () => {
    const { a, lab, zip } = await labZip();
    const b = await openStore();
    await b.importBundle(await prepareZip(zip));
    const before = await snapshot(b);
    const bundle = await collectBundle(a, { kind: 'lab' });
    const changed = bundle.runs.find((r) => r.run.info.runId === lab.runIds[0])!;
    dictSet(changed.run.params, 'alpha', '0.9');
    changed.metrics[0].values[0] = 42;
    const report = await b.importBundle(await prepareZip(exportMlflowZip(bundle)));
    expect(report.conflicts).toEqual([expect.objectContaining({ kind: 'run', id: lab.runIds[0] })]);
    expect(report.unchanged.sort()).toEqual(lab.runIds.slice(1).sort());
    expect(report.addedRuns).toEqual([]);
    expect(await snapshot(b)).toEqual(before);
  });

  it('an experiment name taken by another id imports renamed; the same id merges', async () => {
    const { lab, zip } = await labZip();
    const b = await openStore();
    const localId = await b.createExperiment('wine: bundles');
    const report = await b.importBundle(await prepareZip(zip));
    const renamed = await b.getExperiment(lab.experimentId);
    expect(renamed.name).toBe('wine: bundles (imported)');
    expect((await b.getExperiment(localId)).name).toBe('wine: bundles');
    expect(report.warnings.some((w) => w.includes('(imported)'))).toBe(true);
    expect(b.listRuns([lab.experimentId]).length).toBe(2);
  });

  it('a crafted bad archive imports nothing and names the entry and the rule', async () => {
    const tree = writeMlrunsTree(await collectBundle((await labZip()).a, { kind: 'lab' }));
    const good = [...tree].map(([name, data]) => ({ name, data }));
    const b = await openStore();
    const before = await snapshot(b);
    for (const evil of ['mlruns/../../evil.txt', 'mlruns/0/..\\x', 'C:/x']) {
      const bytes = rawZip([...good, { name: evil, data: enc.encode('x') }]);
      const err = await prepareZip(bytes).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ArchiveError);
      expect((err as ArchiveError).entry).toBe(evil);
      expect((err as ArchiveError).rule).toMatch(/\w/);
    }
    // A metric file MLflow itself would refuse: the whole archive is refused.
    const metricName = [...tree.keys()].find((k) => k.includes('/metrics/rmse'))!;
    const bad = new Map(tree);
    bad.set(metricName, enc.encode('1 2\n3 x 4\n'));
    await expect(prepareZip(zipFiles(bad))).rejects.toThrow(FormatError);
    expect(await snapshot(b)).toEqual(before);
  });

  it('Z8: a truncated or bit-flipped bundle imports wholly or not at all, with a typed error', async () => {
    const { zip, lab } = await labZip();
    const ids = [...lab.runIds].sort();
    const store = await openStore();
    const cases = fc.sample(fc.tuple(fc.nat(zip.length - 1), fc.nat(7), fc.boolean()), { numRuns: 60, seed: 7 });
    for (const [pos, bit, truncate] of cases) {
      const bad = truncate ? zip.slice(0, pos) : zip.slice();
      if (!truncate) bad[pos] ^= 1 << bit;
      const before = store.listRuns().length;
      try {
        const report = await store.importBundle(await prepareZip(bad));
        // Success means every run is there (added now or already there with the same content).
        expect([...report.addedRuns, ...report.unchanged].sort()).toEqual(ids);
        expect(report.conflicts).toEqual([]);
      } catch (e) {
        if (!(e instanceof ArchiveError || e instanceof FormatError)) throw e;
        expect(store.listRuns().length).toBe(before);
      }
    }
  }, 60_000);

  it('the digest ignores where artifacts live but sees every content change', async () => {
    const { a, lab } = await labZip();
    const [br] = (await collectBundle(a, { kind: 'runs', runIds: [lab.runIds[0]] })).runs;
    const d = runContentDigest(br);
    expect(runContentDigest({ ...br, run: { ...br.run, info: { ...br.run.info, artifactUri: 'file:///elsewhere' } } })).toBe(d);
    expect(runContentDigest({ ...br, artifacts: [...br.artifacts].reverse() })).toBe(d);
    const flip = br.artifacts.map((x, i) => (i === 0 ? { path: x.path, bytes: x.bytes.map((v, j) => (j === 0 ? v ^ 1 : v)) } : x));
    expect(runContentDigest({ ...br, artifacts: flip })).not.toBe(d);
    expect(runContentDigest({ ...br, run: { ...br.run, info: { ...br.run.info, status: 'KILLED' } } })).not.toBe(d);
  });
});

// Byte equality by Buffer.equals: toEqual walks megabytes element by element (seconds per zip).
const sameBytes = (x: Uint8Array, y: Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));

describe('bundles: streamed export (runs in batches, encoded on arrival)', () => {
  it('gives the same zip bytes as collecting the whole lab first, for any batch size', async () => {
    const { a, lab, zip } = await labZip();
    for (const batch of [1, 2, 100]) {
      for (const sel of [{ kind: 'lab' } as const, { kind: 'experiment', experimentId: lab.experimentId } as const, { kind: 'runs', runIds: [lab.runIds[0]] } as const]) {
        const out = new StreamedExport();
        const experiments = await collectBundleBatches(a, sel, (runs) => out.add(runs), batch);
        const got = out.finish(experiments);
        expect(sameBytes(got, sel.kind === 'lab' ? zip : exportMlflowZip(await collectBundle(a, sel)))).toBe(true);
        for (const method of ['store', 'auto'] as const) {
          const again = new StreamedExport();
          again.add((await collectBundle(a, sel)).runs);
          expect(sameBytes(again.finish(experiments, { method }), exportMlflowZip(await collectBundle(a, sel), { method }))).toBe(true);
        }
      }
    }
  });

  it('refuses a history with a non-integer step when it arrives', async () => {
    const { a } = await labZip();
    const bundle = await collectBundle(a, { kind: 'lab' });
    const br = bundle.runs.find((r) => r.metrics.length > 0)!;
    br.metrics[0].steps[0] = 0.5;
    expect(() => new StreamedExport().add([br])).toThrow(/step must be an integer/);
  });
});

describe('bundles: prepared artifacts', () => {
  it('own their bytes (a stored entry is a view into the whole archive, which must not go to the page)', async () => {
    const { a } = await labZip();
    const stored = exportMlflowZip(await collectBundle(a, { kind: 'lab' }), { method: 'store' });
    const prep = await prepareZip(stored);
    const arts = prep.runs.flatMap((r) => r.artifacts);
    expect(arts.length).toBeGreaterThan(0);
    for (const art of arts) expect(art.bytes.byteLength).toBe(art.bytes.buffer.byteLength);
    expect(buffersOf(prep).every((b) => b !== stored.buffer)).toBe(true);
  });
});
