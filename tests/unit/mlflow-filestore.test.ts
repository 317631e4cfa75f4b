import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeModelMetricFile, decodeRunMetricFile, encodeRunMetricFile, formatMetricValue, parsePyFloat, parsePyInt } from '../../src/lib/mlflow/metric-file';
import { decodeExperimentMeta, decodeRunMeta, encodeRunMeta } from '../../src/lib/mlflow/meta';
import { writeMlrunsTree } from '../../src/lib/mlflow/write-tree';
import { readMlrunsTree, summarize } from '../../src/lib/mlflow/read-tree';
import { findMlrunsRoot } from '../../src/lib/mlflow/tree';
import { datasetId, inputId, keyProblem } from '../../src/lib/mlflow/keys';
import { FormatError } from '../../src/lib/mlflow/errors';
import { parseYamlSafe } from '../../src/lib/mlflow/yaml';
import { dictGet } from '../../src/lib/util/dict';
import { sampleBundle, cols, EXP, PARENT, CHILD, DELETED_EXP, TRASHED_RUN, MODEL_ID } from './mlflow-sample';

const dec = new TextDecoder();
const enc = new TextEncoder();
const txt = (m: Map<string, Uint8Array>, p: string) => {
  const b = m.get(p);
  if (!b) throw new Error(`missing ${p}`);
  return dec.decode(b);
};

describe('metric files', () => {
  it('formats values the way Python float() reads them', () => {
    expect([NaN, Infinity, -Infinity, -0, 0.1, 1e-7, 1e21, 5].map(formatMetricValue)).toEqual(['nan', 'inf', '-inf', '-0.0', '0.1', '1e-7', '1e+21', '5']);
  });

  it('parses Python float()/int() syntax and nothing else', () => {
    expect(parsePyFloat('nan')).toBeNaN();
    expect(parsePyFloat('-Infinity')).toBe(-Infinity);
    expect(parsePyFloat('+inf')).toBe(Infinity);
    expect(parsePyFloat('1_000.5')).toBe(1000.5);
    expect(parsePyFloat('.5')).toBe(0.5);
    expect(parsePyFloat('5.')).toBe(5);
    for (const bad of ['0x10', '', '1__0', '_1', 'nanx', '1e', '--1']) expect(parsePyFloat(bad)).toBeNull();
    expect(parsePyInt('007')).toBe(7);
    expect(parsePyInt('1.0')).toBeNull();
    expect(parsePyInt('99999999999999999999')).toBeNull();
  });

  it('round-trips any double bit-exactly', () => {
    fc.assert(fc.property(fc.double(), (v) => {
      expect(Object.is(parsePyFloat(formatMetricValue(v)), v)).toBe(true);
    }), { numRuns: 2000 });
  });

  it('writes ts value step lines', () => {
    expect(encodeRunMetricFile(cols('m', [[1, NaN, 0], [2, 0.5, 7]]))).toBe('1 nan 0\n2 0.5 7\n');
    expect(() => encodeRunMetricFile(cols('m', [[1.5, 1, 0]]))).toThrow(/timestamp must be an integer/);
  });

  it('reads 2-, 3- and 5-field lines as MLflow does (5-field step is 0)', () => {
    const pts = decodeRunMetricFile('f', '10 1.5\n11 2 4\n12 3 9 ds abcd\n');
    expect(pts.map((p) => [p.timestamp, p.value, p.step])).toEqual([[10, 1.5, 0], [11, 2, 4], [12, 3, 0]]);
    expect(pts[2].datasetName).toBe('ds');
  });

  it('refuses empty files, wrong field counts and non-numbers, naming the file and line', () => {
    expect(() => decodeRunMetricFile('mlruns/1/r/metrics/m', '')).toThrow('mlruns/1/r/metrics/m: metric file is empty');
    expect(() => decodeRunMetricFile('f', '1 2 3 4\n')).toThrow(/line 1: metric line has 4 fields/);
    expect(() => decodeRunMetricFile('f', '1 2 3\n\n')).toThrow(/line 2/);
    expect(() => decodeRunMetricFile('f', 'yesterday 2 3\n')).toThrow("f: line 1: timestamp must be an integer, found 'yesterday'");
    expect(() => decodeRunMetricFile('f', '1 abc 3\n')).toThrow(/value must be a number/);
    expect(() => decodeRunMetricFile('f', '1 2 3.5\n')).toThrow(/step must be an integer/);
  });

  it('reads logged-model metric files (4 or 6 fields only)', () => {
    const pts = decodeModelMetricFile('f', '5 0.25 2 run1\n6 0.5 3 run1 ds d1\n');
    expect(pts.map((p) => [p.timestamp, p.value, p.step, p.runId, p.datasetName])).toEqual([[5, 0.25, 2, 'run1', undefined], [6, 0.5, 3, 'run1', 'ds']]);
    expect(() => decodeModelMetricFile('f', '5 0.25 2\n')).toThrow(/3 fields, expected 4 or 6/);
  });

  it('summarises like MLflow: latest = max (step, timestamp, value); NaN never wins a tie', () => {
    const s = summarize(cols('m', [[5, 1, 2], [5, NaN, 2], [9, 0, 1], [1, -3, 0]]));
    expect(s).toEqual({ latest: 1, step: 2, timestamp: 5, min: -3, max: 1, count: 4, sum: -2, nans: 1 });
  });
});

describe('meta.yaml records', () => {
  const F = 'mlruns/1234/abcd/meta.yaml';
  const good = { run_id: 'abcd', experiment_id: '1234', user_id: '', start_time: 5, end_time: null, status: 3 };

  it('decodes a run and names file and field on wrong types', () => {
    expect(decodeRunMeta(F, good)).toMatchObject({ runId: 'abcd', status: 'FINISHED', endTime: null, lifecycleStage: 'active', runName: '' });
    expect(() => decodeRunMeta(F, { ...good, start_time: 'yesterday' })).toThrow("mlruns/1234/abcd/meta.yaml: start_time must be an integer, found 'yesterday'");
    const { end_time: _e, ...noEnd } = good;
    expect(() => decodeRunMeta(F, noEnd)).toThrow(/missing required key end_time/);
    expect(() => decodeRunMeta(F, { ...good, status: null })).toThrow(/status must be/);
    expect(() => decodeRunMeta(F, { ...good, user_id: null })).toThrow(/user_id must be a string/);
    expect(() => decodeRunMeta(F, null)).toThrow(/expected a YAML mapping/);
  });

  it('accepts MLflow 2 run meta (run_uuid only, int experiment id)', () => {
    const { run_id: _r, ...rest } = good;
    expect(decodeRunMeta(F, { ...rest, run_uuid: 'abcd', experiment_id: 1234 })).toMatchObject({ runId: 'abcd', experimentId: '1234' });
  });

  it('writes both run_id and run_uuid and a numeric status', () => {
    const y = encodeRunMeta({ runId: 'r1', experimentId: '1', runName: 'n', userId: 'u', status: 'KILLED', startTime: 1, endTime: null, lifecycleStage: 'active', deletedTime: null, artifactUri: '' }, 'x');
    expect(y).toMatchObject({ run_id: 'r1', run_uuid: 'r1', status: 5, end_time: null });
  });

  it('requires the experiment keys MLflow requires', () => {
    expect(() => decodeExperimentMeta('e', { experiment_id: '1', name: 'n', lifecycle_stage: 'active' })).toThrow(/artifact_location/);
    expect(decodeExperimentMeta('e', { experiment_id: 7, name: 'n', lifecycle_stage: 'active', artifact_location: 'x' }).experimentId).toBe('7');
  });

  it('validates keys like MLflow', () => {
    for (const k of ['a', 'train/loss', 'é t:x-1.2']) expect(keyProblem(k)).toBeNull();
    for (const k of ['', '../x', '/x', 'a//b', 'a/./b', 'a/', '..x', 'a\\b', 'a\u0000', 'a'.repeat(251)]) expect(keyProblem(k)).not.toBeNull();
  });

  it('derives dataset and input ids with md5 as MLflow does', () => {
    // md5("ab") = 187ef4436122d1cc2f40dc2b92f0eba0
    expect(datasetId('a', 'b')).toBe('187ef4436122d1cc2f40dc2b92f0eba0');
    expect(inputId('a', 'b')).toBe('187ef4436122d1cc2f40dc2b92f0eba0');
  });
});

describe('writeMlrunsTree', () => {
  const tree = writeMlrunsTree(sampleBundle());
  const R = `mlruns/${EXP}/${PARENT}`;

  it('lays out the file store with required folders, README, Default experiment and .trash', () => {
    for (const p of ['README.txt', 'mlruns/', 'mlruns/.trash/', 'mlruns/0/meta.yaml', `${R}/metrics/`, `${R}/params/`, `${R}/artifacts/`,
      `mlruns/${EXP}/${CHILD}/artifacts/`, `mlruns/.trash/${DELETED_EXP}/meta.yaml`, `mlruns/.trash/${DELETED_EXP}/${TRASHED_RUN}/meta.yaml`]) {
      expect(tree.has(p), p).toBe(true);
    }
    expect(txt(tree, 'README.txt')).toContain('MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri ./mlruns');
    expect(txt(tree, 'README.txt')).toContain('mlflow migrate-filestore --source ./mlruns --target sqlite:///mlflow.db');
  });

  it('writes params and tags raw, keys with / as folders, __proto__ as a file', () => {
    expect(txt(tree, `${R}/params/nested/key`)).toBe('multi\nline ünïcode');
    expect(txt(tree, `${R}/params/__proto__`)).toBe('polluted?');
    expect(txt(tree, `${R}/params/empty`)).toBe('');
    expect(txt(tree, `${R}/metrics/train/loss`)).toBe('1717000001100 inf 0\n1717000001200 -inf 1\n1717000001300 -0.0 2\n1717000001300 1e+21 2\n1717000001400 5 -1\n');
  });

  it('writes run meta with quoted ids and relative artifact URIs', () => {
    const meta = txt(tree, `${R}/meta.yaml`);
    expect(meta).toContain(`run_id: '${PARENT}'`);
    expect(meta).toContain(`run_uuid: '${PARENT}'`);
    expect(meta).toContain("run_name: '0'");
    expect(meta).toContain('status: 3\n');
    expect(meta).toContain(`artifact_uri: 'mlruns/${EXP}/${PARENT}/artifacts'`);
    expect(meta).toContain('tags: []');
  });

  it('writes datasets and inputs under md5 ids', () => {
    const ds = datasetId('winequality-red', '3f2a9c1b');
    expect(tree.has(`mlruns/${EXP}/datasets/${ds}/meta.yaml`)).toBe(true);
    const inp = parseYamlSafe(tree.get(`${R}/inputs/${inputId(ds, PARENT)}/meta.yaml`)!, 'x');
    expect(inp).toEqual({ destination_id: ds, destination_type: 'RUN', source_id: ds, source_type: 'DATASET', tags: { 'mlflow.data.context': 'training' } });
  });

  it('can write absolute file URIs for a known unpack folder', () => {
    const t = writeMlrunsTree(sampleBundle(), { artifactUris: { unpackDir: '/home/ana/my export' } });
    expect(txt(t, `${R}/meta.yaml`)).toContain(`artifact_uri: 'file:///home/ana/my%20export/mlruns/${EXP}/${PARENT}/artifacts'`);
  });

  it('refuses keys and artifact paths that would escape their folder', () => {
    const b = sampleBundle();
    b.runs[0].run.params = { '../../x': '1' };
    expect(() => writeMlrunsTree(b)).toThrow(/param key '..\/..\/x'/);
    const c = sampleBundle();
    c.runs[0].artifacts = [{ path: '../meta.yaml', bytes: new Uint8Array() }];
    expect(() => writeMlrunsTree(c)).toThrow(/\.\. segment/);
  });
});

describe('readMlrunsTree', () => {
  it('round-trips the sample: bundle → tree → bundle, and tree bytes are stable', () => {
    const tree = writeMlrunsTree(sampleBundle());
    const { bundle, warnings } = readMlrunsTree(tree);
    expect(warnings).toEqual([]);
    const src = sampleBundle();
    expect(bundle.experiments.map((e) => e.experimentId).sort()).toEqual(['0', EXP, DELETED_EXP].sort());
    for (const br of src.runs) {
      const got = bundle.runs.find((r) => r.run.info.runId === br.run.info.runId)!;
      expect({ ...got.run.info, artifactUri: '' }).toEqual(br.run.info);
      expect(got.run.params).toEqual(br.run.params);
      expect(dictGet(got.run.params, '__proto__')).toBe(dictGet(br.run.params, '__proto__'));
      expect(got.run.tags).toEqual(br.run.tags);
      expect(got.run.inputs).toEqual(br.run.inputs);
      expect([...got.metrics].sort((a, b) => a.key.localeCompare(b.key))).toEqual([...br.metrics].sort((a, b) => a.key.localeCompare(b.key)));
      expect(got.artifacts).toEqual(br.artifacts);
    }
    expect(bundle.runs.find((r) => r.run.info.runId === PARENT)!.outputs).toEqual([{ modelId: MODEL_ID, step: 0 }]);
    expect(bundle.loggedModels[0].model).toEqual({ ...src.loggedModels[0].model, artifactLocation: `mlruns/${EXP}/models/${MODEL_ID}/artifacts` });
    // export → import → export is byte-identical
    const again = writeMlrunsTree(bundle);
    expect([...again.keys()]).toEqual([...tree.keys()]);
    for (const [k, v] of tree) expect(dec.decode(again.get(k)!), k).toBe(dec.decode(v));
  });

  it('finds the root anywhere and refuses ambiguity', () => {
    expect(findMlrunsRoot(['mlruns/0/meta.yaml', 'mlruns/1/r/meta.yaml'])).toBe('mlruns/');
    expect(findMlrunsRoot(['0/meta.yaml', '1/r/meta.yaml'])).toBe('');
    expect(findMlrunsRoot(['x/y/mlruns/.trash/', 'x/y/mlruns/5/meta.yaml'])).toBe('x/y/mlruns/');
    expect(() => findMlrunsRoot(['a/0/meta.yaml', 'b/0/meta.yaml'])).toThrow(/more than one/);
    expect(() => findMlrunsRoot(['README.txt'])).toThrow(FormatError);
  });

  it('skips what MLflow skips and fails where MLflow fails', () => {
    const base = writeMlrunsTree(sampleBundle());
    const withStray = new Map(base);
    withStray.set(`mlruns/${EXP}/stray/notes.txt`, enc.encode('x'));
    withStray.set('mlruns/77/readme', enc.encode('no meta'));
    withStray.set('mlruns/.DS_Store', enc.encode('junk'));
    const r = readMlrunsTree(withStray);
    expect(r.bundle.runs.length).toBe(3);
    expect(r.warnings.some((w) => w.includes('mlruns/77'))).toBe(true);

    const mismatch = new Map(base);
    mismatch.set('mlruns/88/meta.yaml', enc.encode("experiment_id: '89'\nname: x\nartifact_location: ''\nlifecycle_stage: active\n"));
    expect(readMlrunsTree(mismatch).warnings.some((w) => w.includes('does not match'))).toBe(true);

    const badMetric = new Map(base);
    badMetric.set(`mlruns/${EXP}/${PARENT}/metrics/rmse`, enc.encode(''));
    expect(() => readMlrunsTree(badMetric)).toThrow(`mlruns/${EXP}/${PARENT}/metrics/rmse: metric file is empty`);

    const junk = new Map(base);
    junk.set(`mlruns/${EXP}/${PARENT}/params/.DS_Store`, Uint8Array.from([0xff, 0xfe, 0]));
    expect(() => readMlrunsTree(junk)).toThrow(/not valid UTF-8/);

    const missingDs = new Map(base);
    for (const k of [...missingDs.keys()]) if (k.includes('/datasets/')) missingDs.delete(k);
    const m = readMlrunsTree(missingDs);
    expect(m.bundle.runs.find((r) => r.run.info.runId === PARENT)!.run.inputs).toEqual([]);
    expect(m.warnings.some((w) => w.includes('missing dataset'))).toBe(true);
  });

  it('round-trips random runs with random metric histories and keys', () => {
    const key = fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9_. -]{0,10}(\/[a-zA-Z0-9_]{1,5})?$/).filter((k) => keyProblem(k) === null);
    const pt = fc.tuple(fc.integer({ min: 0, max: 2 ** 45 }), fc.double(), fc.integer({ min: -1e6, max: 1e6 }));
    fc.assert(fc.property(
      fc.dictionary(key, fc.string({ maxLength: 20 }), { maxKeys: 5 }),
      fc.uniqueArray(fc.tuple(key, fc.array(pt, { minLength: 1, maxLength: 6 })), { maxLength: 4, selector: (t) => t[0] }),
      (params, metrics) => {
        const b = sampleBundle();
        const br = b.runs[1];
        br.run.params = params;
        br.metrics = metrics.map(([k, pts]) => cols(k, pts));
        // keys that differ only by a folder/file clash (a vs a/b) cannot both exist on disk
        const names = metrics.map((m) => m[0]);
        fc.pre(!names.some((n) => names.some((o) => o.startsWith(`${n}/`))));
        fc.pre(!Object.keys(params).some((n) => Object.keys(params).some((o) => o.startsWith(`${n}/`))));
        const got = readMlrunsTree(writeMlrunsTree(b)).bundle.runs.find((r) => r.run.info.runId === CHILD)!;
        expect(got.run.params).toEqual(params);
        expect([...got.metrics].sort((x, y) => (x.key < y.key ? -1 : 1))).toEqual([...br.metrics].sort((x, y) => (x.key < y.key ? -1 : 1)));
      },
    ), { numRuns: 150 });
  });
});

describe('MLflow 2.x trees', () => {
  it('reads run_uuid-only meta, file:// URIs, artifacts/model and the log-model history tag', () => {
    const run = '0123456789abcdef0123456789abcdef';
    const history = JSON.stringify([{ run_id: run, artifact_path: 'model', utc_time_created: '2024-01-01 00:00:00.000000', flavors: { sklearn: {} }, model_uuid: 'u' }]);
    const t = new Map<string, Uint8Array>([
      ['mlruns/1/meta.yaml', enc.encode('artifact_location: file:///home/x/mlruns/1\nexperiment_id: \'1\'\nlifecycle_stage: active\nname: old\n')],
      [`mlruns/1/${run}/meta.yaml`, enc.encode(`artifact_uri: file:///home/x/mlruns/1/${run}/artifacts\nend_time: 20\nentry_point_name: ''\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: ${run}\nrun_name: ''\nrun_uuid: ${run}\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 10\nstatus: 3\ntags: []\nuser_id: me\n`)],
      [`mlruns/1/${run}/tags/mlflow.runName`, enc.encode('from-tag')],
      [`mlruns/1/${run}/tags/mlflow.log-model.history`, enc.encode(history)],
      [`mlruns/1/${run}/metrics/m`, enc.encode('5 0.5\n')],
      [`mlruns/1/${run}/artifacts/model/MLmodel`, enc.encode('flavors: {}\n')],
    ]);
    const { bundle } = readMlrunsTree(t);
    const r = bundle.runs[0];
    expect(r.run.info).toMatchObject({ runId: run, runName: 'from-tag', status: 'FINISHED', artifactUri: `file:///home/x/mlruns/1/${run}/artifacts` });
    expect(dictGet(r.run.tags, 'mlflow.log-model.history')).toBe(history);
    expect(r.metrics[0].steps[0]).toBe(0);
    expect(r.artifacts.map((a) => a.path)).toEqual(['model/MLmodel']);
  });
});

describe('model registry', () => {
  it('round-trips registered models, versions, tags and aliases', () => {
    const b = sampleBundle();
    b.registeredModels = [{
      name: 'WineModel', creationTimestamp: 1, lastUpdatedTimestamp: 2, description: null, tags: { owner: 'ana' }, aliases: { champion: 1 },
      versions: [{ version: 1, creationTimestamp: 3, lastUpdatedTimestamp: 4, description: 'first', userId: null, currentStage: 'None', source: `models:/${MODEL_ID}`, runId: PARENT, runLink: null, status: 'READY', statusMessage: null, modelId: MODEL_ID, storageLocation: null, tags: { k: 'v' } }],
    }];
    const tree = writeMlrunsTree(b);
    expect(txt(tree, 'mlruns/models/WineModel/aliases/champion')).toBe('1');
    expect(txt(tree, 'mlruns/models/WineModel/version-1/meta.yaml')).toContain('version: 1\n');
    expect(readMlrunsTree(tree).bundle.registeredModels).toEqual(b.registeredModels);
    b.registeredModels[0].name = 'a:b';
    expect(() => writeMlrunsTree(b)).toThrow(/not allowed/);
  });
});
