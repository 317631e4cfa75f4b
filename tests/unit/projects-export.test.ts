/**
 * The MLflow Project an elastic-net run exports reads back in the lab as a project whose entry
 * point trains the same resolved spec (the run's values are the defaults; -P alpha changes only
 * alpha), and its parameter defaults are floats for PyYAML (MLflow's reader) as for the lab's.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildMlflowProject, dataCsv, ExportError, yamlFloat } from '../../src/lib/projects/export-project';
import { fromFiles } from '../../src/lib/projects/project-files';
import { computeParameters } from '../../src/lib/projects/parameters';
import { resolveTrainSpec } from '../../src/lib/projects/spec';
import { sameSpec } from '../../src/lib/projects/source';
import { parseYamlSafe } from '../../src/lib/mlflow/yaml';
import { validateTrainSpec } from '../../src/lib/training/validate';
import type { TrainSpec } from '../../src/lib/training/contract';
import { blobsTable } from './training-helpers';

const table = blobsTable(60);
const resolve = (spec: TrainSpec) => {
  const c = validateTrainSpec(spec, table);
  if (!c.ok) throw new Error(JSON.stringify(c.errors));
  return c.spec;
};
const rec = (spec: ReturnType<typeof resolve>) => ({ spec, dataset: { digest: 'd', name: 'n' } });

describe('exported MLflow Project', () => {
  const original = resolve({ model: 'elasticnet', target: 'y', features: ['x2', 'x1'], standardize: true,
    params: { alpha: 0.05, l1_ratio: 0.7, tol: 1e-7, max_iter: 300 }, split: { seed: 7, testSize: 0.3, shuffle: 'none' } });
  const files = buildMlflowProject({ name: 'my run / 1', spec: original, table });

  it('holds MLproject, python_env.yaml, train.py, data.csv and a README', () => {
    expect([...files.keys()].sort()).toEqual(['MLproject', 'README.md', 'data.csv', 'python_env.yaml', 'train.py']);
    const env = new TextDecoder().decode(files.get('python_env.yaml'));
    expect(env).toMatch(/mlflow==\d+\.\d+\.\d+/);
    expect(env).toMatch(/scikit-learn==\d+\.\d+\.\d+/);
  });

  it('opens in the lab with the run\'s values as defaults, and trains the same resolved spec', () => {
    const p = fromFiles('exported.zip', files);
    expect(p.project.name).toBe('my-run-1');
    expect(p.project.env).toEqual({ type: 'python_env', file: 'python_env.yaml' });
    const ep = p.project.entryPoints.main;
    expect(ep.parameters.map((x) => [x.name, x.type, x.default])).toEqual([
      ['alpha', 'float', '0.05'], ['l1_ratio', 'float', '0.7'], ['max_iter', 'int', '300'], ['tol', 'float', '1e-7'],
    ]);
    if (ep.lab?.kind !== 'train') throw new Error('no mfflow train key');
    const again = resolveTrainSpec(ep.lab.spec, computeParameters(ep));
    expect(again.dataset).toBe('data.csv');
    expect(sameSpec(rec(resolve(again as unknown as TrainSpec)), rec(original))).toBe(true);
    const at042 = resolveTrainSpec(ep.lab.spec, computeParameters(ep, { alpha: '0.42' }));
    const changed = resolve(at042 as unknown as TrainSpec);
    expect(changed.params.alpha).toBe(0.42);
    expect(sameSpec(rec(changed), rec({ ...original, params: { ...original.params, alpha: 0.42 } }))).toBe(true);
  });

  it('refuses models scikit-learn cannot repeat', () => {
    const mlp = resolve({ model: 'mlp', target: 'y', features: ['x1', 'x2'] });
    expect(() => buildMlflowProject({ name: 'n', spec: mlp, table })).toThrow(ExportError);
    expect(() => buildMlflowProject({ name: 'n', spec: mlp, table })).toThrow(/Only elastic-net runs export/);
  });

  it('writes every number so it reads back as the same double', () => {
    const text = new TextDecoder().decode(dataCsv(table, ['x1', 'y']));
    const rows = text.trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    expect(rows.map((r) => r[0])).toEqual(Array.from(table.data[0] as Float64Array));
  });

  it('writes parameter defaults as YAML floats with a dot and a signed exponent (PyYAML\'s float form)', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
      const s = yamlFloat(v);
      expect(s).toMatch(/^-?\d+\.\d*(e[+-]\d+)?$/);
      expect(parseYamlSafe(`v: ${s}`, 't')).toEqual({ v });
    }));
  });
});
