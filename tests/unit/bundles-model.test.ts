import { describe, expect, it } from 'vitest';
import { prepareZip } from './bundles-helpers';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { buildModelExport, parseRunsUri } from '../../src/lib/bundles/model-export';
import { MODEL_RUN_TAG } from '../../src/lib/bundles/prepare-import';
import { parseMLmodel } from '../../src/lib/mlflow/mlmodel';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import { dictGet } from '../../src/lib/util/dict';
import { createTrainer } from '../../workers/training/trainer';
import { blobsTable } from './training-helpers';
import { openStore } from './storage-helpers';
import { resolveTrainSpec } from '../../src/lib/training/validate';

async function enetModelFiles() {
  const trainer = createTrainer({ loadTf: async () => { throw new Error('no TF.js for the elastic net'); }, flushMs: 5 });
  const log = new MemoryRunLogger();
  const res = await trainer.train('e', resolveTrainSpec({ model: 'elasticnet', target: 'y', features: ['x1', 'x2'] }, blobsTable(90)), blobsTable(90), log);
  expect(res.status).toBe('FINISHED');
  return new Map([...log.artifacts].filter(([p]) => p.startsWith('model/')).map(([p, a]) => [p.slice(6), a.bytes]));
}

describe('model zips', () => {
  it('parses runs:/ URIs and refuses others', () => {
    expect(parseRunsUri('runs:/abc/model')).toEqual({ runId: 'abc', path: 'model' });
    expect(parseRunsUri('runs:/abc/a/b/')).toEqual({ runId: 'abc', path: 'a/b' });
    expect(() => parseRunsUri('models:/Wine/1')).toThrow(/runs:\//);
  });

  it('exports an MLmodel with onnx, python_function and tfjs flavors, deterministic bytes, and imports as one run, once', async () => {
    const store = await openStore();
    const { runId } = await store.createRun({ experimentId: '0', runName: 'src' });
    const files = await enetModelFiles();
    const run = await store.getRun(runId);
    const entries = buildModelExport({ run, dir: 'model', files, exampleRows: [[1, 2]] });
    const zip = zipFiles(entries);
    expect(zipFiles(buildModelExport({ run, dir: 'model', files, exampleRows: [[1, 2]] }))).toEqual(zip);
    const mlmodel = parseMLmodel(entries.get('MLmodel')!);
    expect(Object.keys(mlmodel.flavors).sort()).toEqual(['onnx', 'python_function', 'tfjs']);
    expect(dictGet(mlmodel.flavors, 'python_function')).toMatchObject({ loader_module: 'mlflow.onnx', data: 'model.onnx' });
    expect(mlmodel.modelUuid).toBe(mlmodel.modelId);
    expect(mlmodel.runId).toBe(runId);
    expect(mlmodel.signature?.inputs).toEqual([{ type: 'double', name: 'x1', required: true }, { type: 'double', name: 'x2', required: true }]);
    expect(new TextDecoder().decode(entries.get('serving_input_example.json')!)).toContain('"dataframe_split"');
    expect([...unzipSafe(zip).keys()]).toEqual(expect.arrayContaining(['model.onnx', 'linear.json', 'model.json', 'weights.bin', 'input_example.json']));

    const before = store.listRuns().length;
    const report = await store.importBundle(await prepareZip(zip));
    expect(report.kind).toBe('model');
    expect(report.addedRuns.length).toBe(1);
    const imported = await store.getRun(report.addedRuns[0]);
    expect(dictGet(imported.tags, MODEL_RUN_TAG.sourceRunId)).toBe(runId);
    const content = (await store.readRunsContent([imported.info.runId])).get(imported.info.runId)!;
    expect(content.artifacts.map((a) => a.path)).toContain('model/model.onnx');
    const again = await store.importBundle(await prepareZip(zip));
    expect(again.addedRuns).toEqual([]);
    expect(again.unchanged).toEqual([imported.info.runId]);
    expect(store.listRuns().length).toBe(before + 1);
  });

  it('refuses to export a folder without a lab model', async () => {
    const store = await openStore();
    const { runId } = await store.createRun({ experimentId: '0' });
    const run = await store.getRun(runId);
    const files = new Map([['MLmodel', new TextEncoder().encode('flavors:\n  sklearn: {pickled_model: model.pkl}\n')]]);
    expect(() => buildModelExport({ run, dir: 'model', files })).toThrow(/tfjs flavor/);
  });
});
