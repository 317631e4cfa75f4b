// Datasets carried in bundles (src/lib/bundles/dataset-files.ts): written beside the store in both
// layouts, read back to the same table (same digest), stored by the import once, refused when
// their rows do not match the digest the runs record.
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectBundleBatches } from '../../src/lib/bundles/collect';
import { SqliteExport } from '../../src/lib/bundles/sqlite-export';
import { StreamedExport } from '../../src/lib/bundles/streamed-export';
import { finishExport } from '../../src/lib/bundles/export-finish';
import { DATASETS_MANIFEST, datasetFiles, includeDatasets, readDatasetFiles, tableCsv, usedDatasetDigests } from '../../src/lib/bundles/dataset-files';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { parseCsv } from '../../src/lib/data/csv';
import { tableDigest, toMlflowDataset } from '../../src/lib/data/digest';
import { profileTable } from '../../src/lib/data/profile';
import type { DataTable, StoredDataset } from '../../src/lib/data/types';
import type { TrackingStore } from '../../src/lib/storage/tracking-store';
import { prepareZip } from './bundles-helpers';
import { cols, openStore } from './storage-helpers';
import { sqlJs } from './sqlite-helpers';

function stored(table: DataTable, name = 'winequality-red.csv'): StoredDataset {
  return {
    digest: tableDigest(table), name, sourceType: 'http', source: '{"url": "https://example.org/w.csv"}', createdAt: 1_700_000_000_000,
    byteSize: 1234, delimiter: ';', profile: profileTable(table), table,
  };
}

const sample: DataTable = {
  columns: ['fixed acidity', 'label, "quoted"', 'note'],
  types: ['number', 'number', 'string'],
  data: [Float64Array.from([7.4, NaN, -0, 1e-7, 0.1 + 0.2]), Float64Array.from([5, 6, 1e21, -3.5, 1 / 3]), ['a', 'b,c', 'say "hi"', 'two\nlines', ' padded ']],
  rowCount: 5,
};

async function exportZip(store: TrackingStore, layout: 'sqlite' | 'mlruns', datasets: StoredDataset[]): Promise<Uint8Array> {
  const job = layout === 'sqlite' ? new SqliteExport(new (await sqlJs()).Database()) : new StreamedExport();
  const experiments = await collectBundleBatches(store, { kind: 'lab' }, (runs) => job.add(runs));
  const { parts } = await finishExport(job, experiments, [], datasets);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** A lab with one run that trained on `ds` (its input refers to the dataset by digest). */
async function labWith(ds: StoredDataset): Promise<{ store: TrackingStore; runId: string }> {
  const store = await openStore();
  await store.putDataset(ds);
  const exp = await store.createExperiment('wine');
  const { runId } = await store.createRun({ experimentId: exp, runName: 'enet' });
  await store.logBatch(runId, { metrics: [cols('rmse', [[0, 0.65, 1_700_000_000_100]])] });
  await store.logInputs(runId, [toMlflowDataset(ds, 'training')]);
  await store.updateRun(runId, { status: 'FINISHED', endTime: 1_700_000_000_200 });
  return { store, runId };
}

describe('datasets in bundles', () => {
  it('a table as CSV parses back to the same table and digest (NaN, -0, tiny and huge numbers, quotes, commas, line breaks, spaces)', async () => {
    const back = (await parseCsv(tableCsv(sample), { delimiter: ',' })).table;
    expect(back.columns).toEqual(sample.columns);
    expect(tableDigest(back)).toBe(tableDigest(sample));
  });

  it('any finite-or-NaN numeric column survives the CSV (property)', async () => {
    const num = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(NaN));
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(num, num), { minLength: 1, maxLength: 30 }), async (rows) => {
      const t: DataTable = { columns: ['x', 'y'], types: ['number', 'number'], data: [Float64Array.from(rows.map((r) => r[0])), Float64Array.from(rows.map((r) => r[1]))], rowCount: rows.length };
      // A column with no number at all parses as text; such a table is not what a run trains on.
      fc.pre(rows.some((r) => !Number.isNaN(r[0])) && rows.some((r) => !Number.isNaN(r[1])));
      const back = (await parseCsv(tableCsv(t), { delimiter: ',' })).table;
      expect(tableDigest(back)).toBe(tableDigest(t));
    }), { numRuns: 60 });
  });

  it('the default includes datasets under 50 MB only; true and false are obeyed', () => {
    expect(includeDatasets(undefined, 49 * 1024 * 1024)).toBe(true);
    expect(includeDatasets(undefined, 50 * 1024 * 1024)).toBe(false);
    expect(includeDatasets(true, 5e9)).toBe(true);
    expect(includeDatasets(false, 10)).toBe(false);
    expect(usedDatasetDigests([{ inputs: [toMlflowDataset(stored(sample))] }, { inputs: [toMlflowDataset(stored(sample), 'eval')] }])).toEqual([tableDigest(sample)]);
  });

  for (const layout of ['sqlite', 'mlruns'] as const) {
    it(`${layout}: export → import into an empty lab stores the dataset the run refers to; importing again adds none`, async () => {
      const ds = stored(sample);
      const a = await labWith(ds);
      const zip = await exportZip(a.store, layout, [ds]);
      const names = [...unzipSafe(zip).keys()];
      expect(names).toContain(DATASETS_MANIFEST);
      expect(names).toContain(`datasets/${ds.digest}-winequality-red.csv`);

      const b = await openStore();
      const report = await b.importBundle(await prepareZip(zip));
      expect(report.warnings).toEqual([]);
      expect(report.addedRuns).toEqual([a.runId]);
      expect(report.addedDatasets).toEqual([ds.digest]);
      const got = await b.getDataset(ds.digest);
      expect(got?.name).toBe(ds.name);
      expect(got?.source).toBe(ds.source);
      expect(tableDigest(got!.table)).toBe(ds.digest);
      expect((await b.getRun(a.runId)).inputs[0].dataset.digest).toBe(ds.digest);

      const again = await b.importBundle(await prepareZip(zip));
      expect(again.addedDatasets).toEqual([]);
      expect(again.unchangedDatasets).toEqual([ds.digest]);
      expect((await b.listDatasets()).length).toBe(1);
    });
  }

  it('a CSV whose rows changed is left out with a warning naming the file; the runs still import', async () => {
    const ds = stored(sample);
    const files = datasetFiles([ds]);
    const csvPath = [...files.keys()].find((p) => p.endsWith('.csv'))!;
    files.set(csvPath, new TextEncoder().encode(tableCsv(sample).replace('7.4', '7.5')));
    const { datasets, warnings } = await readDatasetFiles(files);
    expect(datasets).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(csvPath);
    expect(warnings[0]).toContain(`not ${ds.digest}`);
  });

  it('a manifest that is not ours, or points outside datasets/, imports no dataset and says why', async () => {
    const bad = new Map([[DATASETS_MANIFEST, new TextEncoder().encode('{"hello": 1}')]]);
    expect((await readDatasetFiles(bad)).warnings[0]).toMatch(/not an MFFlow dataset list/);
    const escape = new Map([[DATASETS_MANIFEST, new TextEncoder().encode(JSON.stringify({ format: 'mfflow-datasets', version: 1, datasets: [{ file: '../etc/passwd', digest: 'x' }] }))]]);
    expect((await readDatasetFiles(escape)).warnings[0]).toMatch(/not under datasets\//);
    // And a zip with only a manifest still needs a store: the import names what is missing.
    await expect(prepareZip(zipFiles(bad))).rejects.toThrow(/MLflow/);
  });
});
