/**
 * What a run records about its source, and what a re-run compares: spec equality is over the
 * resolved spec and the data's digest (key order, the request's spelling and where the data
 * came from do not matter); exactness needs the same lab build and TF.js backend.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  localSource, parseRecordedSpec, projectSource, rerunDifferences, sameSpec, sourceRecord, SOURCE_TAG, SPEC_ARTIFACT,
  type RecordedSpec,
} from '../../src/lib/projects/source';
import { loadExampleProject } from '../../src/lib/projects/project-files';
import type { ResolvedTrainSpec } from '../../src/lib/training/contract';

const spec = (over: Partial<ResolvedTrainSpec> = {}): ResolvedTrainSpec => ({
  model: 'elasticnet', task: 'regression', target: 'quality', features: ['a', 'b'],
  params: { alpha: 0.42, l1_ratio: 0.1, max_iter: 1000, tol: 0.0001, fit_intercept: true },
  split: { testSize: 0.25, seed: 40, shuffle: 'numpy' }, standardize: false, backend: 'wasm', ...over,
});
const rec = (s: ResolvedTrainSpec, digest = 'd1', source?: string): RecordedSpec => ({ spec: s, dataset: { digest, name: 'wine', ...(source ? { source } : {}) } });

describe('re-run spec equality', () => {
  it('is equal for the same spec written in another key order, and for the same data from another URL', () => {
    const a = spec();
    const b = JSON.parse(JSON.stringify({ backend: a.backend, standardize: a.standardize, split: { shuffle: 'numpy', seed: 40, testSize: 0.25 },
      params: { fit_intercept: true, tol: 0.0001, max_iter: 1000, l1_ratio: 0.1, alpha: 0.42 }, features: ['a', 'b'], target: 'quality', task: 'regression', model: 'elasticnet' }));
    expect(sameSpec(rec(a, 'd1', 'https://x/a.csv'), rec(b, 'd1', 'https://y/b.csv'))).toBe(true);
  });

  it('differs when any hyperparameter, the split seed, the feature order or the data changes', () => {
    const a = rec(spec());
    expect(sameSpec(a, rec(spec({ params: { ...spec().params, l1_ratio: 0.5 } })))).toBe(false);
    expect(sameSpec(a, rec(spec({ split: { testSize: 0.25, seed: 41, shuffle: 'numpy' } })))).toBe(false);
    expect(sameSpec(a, rec(spec({ features: ['b', 'a'] })))).toBe(false);
    expect(sameSpec(a, rec(spec(), 'd2'))).toBe(false);
  });

  it('is equal exactly when the recorded JSON of spec and digest is (property)', () => {
    const val = fc.oneof(fc.double({ noNaN: true }), fc.integer(), fc.boolean(), fc.string({ maxLength: 4 }));
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), val), fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), val), (p, q) => {
      const a = rec(spec({ params: p })), b = rec(spec({ params: q }));
      const sorted = (o: Record<string, unknown>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
      expect(sameSpec(a, b)).toBe(sorted(p) === sorted(q));
    }));
  });

  it('survives the round trip through training_spec.json', () => {
    const { artifacts } = sourceRecord(localSource('http://lab/', 'train'), rec(spec(), 'd1', 'https://x/a.csv'));
    const back = parseRecordedSpec(artifacts.get(SPEC_ARTIFACT)!);
    expect(sameSpec(back, rec(spec()))).toBe(true);
    expect(() => parseRecordedSpec(new TextEncoder().encode('{"spec": 1}'))).toThrow(/not a training spec/);
  });
});

describe('source record', () => {
  it('tags a project run as mlflow run does, with its files under code/ and a content hash that follows the code', () => {
    const p = loadExampleProject('examples/sklearn_elasticnet_wine');
    const src = projectSource(p, 'main', { alpha: '0.42', l1_ratio: '0.1' });
    const { tags, artifacts } = sourceRecord(src, rec(spec()));
    expect(tags[SOURCE_TAG.type]).toBe('PROJECT');
    expect(tags[SOURCE_TAG.name]).toBe('examples/sklearn_elasticnet_wine');
    expect(tags[SOURCE_TAG.entryPoint]).toBe('main');
    expect(tags[SOURCE_TAG.declaredEnv]).toBe('python_env:python_env.yaml');
    expect([...artifacts.keys()].sort()).toEqual(['code/MLproject', 'code/README.md', 'code/python_env.yaml', 'code/train.py', SPEC_ARTIFACT]);
    expect(parseRecordedSpec(artifacts.get(SPEC_ARTIFACT)!).project).toEqual({ entryPoint: 'main', parameters: { alpha: '0.42', l1_ratio: '0.1' } });
    const again = sourceRecord(projectSource(p, 'main', { alpha: '0.42', l1_ratio: '0.1' }), rec(spec()));
    expect(again.tags[SOURCE_TAG.digest]).toBe(tags[SOURCE_TAG.digest]);
    const edited = new Map(p.files);
    edited.set('train.py', new TextEncoder().encode('print(1)\n'));
    const changed = sourceRecord(projectSource({ ...p, files: edited }, 'main', { alpha: '0.42', l1_ratio: '0.1' }), rec(spec()));
    expect(changed.tags[SOURCE_TAG.digest]).not.toBe(tags[SOURCE_TAG.digest]);
  });
});

describe('re-run report', () => {
  const tags = { [SOURCE_TAG.labVersion]: '0.1.0+abc' };
  it('is exact for the same spec and build, and lists every metric with its difference', () => {
    const r = rerunDifferences({ tags, metrics: { rmse: 0.7, r2: 0.1 }, spec: rec(spec()) }, { tags, metrics: { rmse: 0.7, mae: 0.5, r2: 0.1 }, spec: rec(spec()) });
    expect(r.inexact).toEqual([]);
    expect(r.diffs).toEqual([
      { key: 'mae', original: null, rerun: 0.5, diff: null },
      { key: 'r2', original: 0.1, rerun: 0.1, diff: 0 },
      { key: 'rmse', original: 0.7, rerun: 0.7, diff: 0 },
    ]);
  });
  it('says why it cannot be exact: changed spec, other lab version, other or non-cpu TF.js backend', () => {
    const r = rerunDifferences(
      { tags: { ...tags, 'mfflow.tfjs.backend': 'cpu' }, metrics: {}, spec: rec(spec()) },
      { tags: { [SOURCE_TAG.labVersion]: '0.2.0+def', 'mfflow.tfjs.backend': 'wasm' }, metrics: {}, spec: rec(spec({ standardize: true })) },
    );
    expect(r.inexact).toEqual(['the training spec or data changed', 'other lab version (0.1.0+abc → 0.2.0+def)', 'other TF.js backend (cpu → wasm)']);
    const wasm = rerunDifferences({ tags: { ...tags, 'mfflow.tfjs.backend': 'wasm' }, metrics: {}, spec: rec(spec()) }, { tags: { ...tags, 'mfflow.tfjs.backend': 'wasm' }, metrics: {}, spec: rec(spec()) });
    expect(wasm.inexact).toEqual(['the wasm backend is not bit-reproducible (cpu is)']);
  });
});
