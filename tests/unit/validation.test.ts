import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  LIMITS, isNormalisedKeyPath, validateBatchLimits, validateDataset, validateExperimentName, validateExperimentTag,
  validateInputTag, validateMetricColumns, validateMetricKey, validateMetricValue, validateNoDuplicateParams,
  validateParam, validateRunTag, validateStep, validateTimestamp,
} from '../../src/lib/tracking/validation';
import { EXPERIMENT_ID_PATTERN, RUN_ID_PATTERN, newExperimentId, newRunId } from '../../src/lib/tracking/ids';
import { RUN_NAME_PATTERN, generateRunName } from '../../src/lib/tracking/run-names';
import { MlflowError } from '../../src/lib/util/errors';

function rejects(fn: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  expect(caught).toBeInstanceOf(MlflowError);
  expect((caught as MlflowError).code).toBe('INVALID_PARAMETER_VALUE');
  for (const f of fragments) expect((caught as Error).message).toContain(f);
}

describe('keys', () => {
  it.each(['loss', 'train/loss', 'a.b-c d:e', 'élan', '损失', 'x_1', '٣'])('accepts %s', (k) => {
    expect(validateMetricKey(k)).toBe(k);
    expect(() => validateParam(k, 'v')).not.toThrow();
    expect(() => validateRunTag(k, 'v')).not.toThrow();
  });

  it.each(['a!b', 'a\\b', 'a,b', 'tab\tkey', 'e\u0301', 'a+b', 'x#y'])('rejects characters in %j', (k) => {
    rejects(() => validateMetricKey(k), 'Invalid metric key', 'letters');
  });

  it.each(['', '.', '..', '../x', '..x', '/abs', 'a//b', 'a/./b', 'a/../b', 'a/', 'a/.', 'a/..'])(
    'rejects non-normalised path %j', (k) => {
      rejects(() => validateParam(k, 'v'), 'normalised');
    });

  it('normalised-path check matches posix normpath semantics on random keys', () => {
    const normpath = (p: string) => {
      const abs = p.startsWith('/');
      const out: string[] = [];
      for (const s of p.split('/')) {
        if (s === '' || s === '.') continue;
        if (s === '..' && out.length && out[out.length - 1] !== '..') out.pop();
        else if (s === '..' && abs) continue;
        else out.push(s);
      }
      const r = (abs ? '/' : '') + out.join('/');
      return r === '' ? '.' : r;
    };
    fc.assert(fc.property(fc.stringMatching(/^[a./]{0,8}$/), (k) => {
      const n = normpath(k);
      const expected = !(n !== k || n === '.' || n.startsWith('..') || n.startsWith('/'));
      expect(isNormalisedKeyPath(k)).toBe(expected);
    }));
  });

  it('limits key length to 250', () => {
    expect(() => validateMetricKey('k'.repeat(250))).not.toThrow();
    rejects(() => validateMetricKey('k'.repeat(251)), '251', '250');
    rejects(() => validateRunTag('k'.repeat(251), 'v'), 'tag key');
  });

  it('rejects non-string keys', () => {
    rejects(() => validateMetricKey(3), 'must be a string');
  });
});

describe('values', () => {
  it('param values up to 6000 characters', () => {
    expect(() => validateParam('p', 'x'.repeat(LIMITS.paramValue))).not.toThrow();
    rejects(() => validateParam('p', 'x'.repeat(6001)), 'param "p"', '6001', '6000');
  });

  it('run tag values up to 8000 characters', () => {
    expect(() => validateRunTag('t', 'x'.repeat(8000))).not.toThrow();
    rejects(() => validateRunTag('t', 'x'.repeat(8001)), 'tag "t"', '8000');
  });

  it('experiment tags: key ≤250, value ≤5000', () => {
    expect(() => validateExperimentTag('k'.repeat(250), 'x'.repeat(5000))).not.toThrow();
    rejects(() => validateExperimentTag('k'.repeat(251), 'v'), 'experiment tag key');
    rejects(() => validateExperimentTag('k', 'x'.repeat(5001)), '5000');
    rejects(() => validateExperimentTag('bad!', 'v'), 'Invalid experiment tag key');
  });

  it('experiment names: non-empty, ≤500', () => {
    expect(validateExperimentName('x'.repeat(500))).toHaveLength(500);
    rejects(() => validateExperimentName(''), 'empty');
    rejects(() => validateExperimentName('x'.repeat(501)), '500');
    rejects(() => validateExperimentName(null), 'string');
  });

  it('metric values: any double', () => {
    for (const v of [0, -1.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, 5e-324]) {
      expect(Object.is(validateMetricValue('m', v), v)).toBe(true);
    }
    rejects(() => validateMetricValue('m', '1'), 'metric "m"', 'number');
    rejects(() => validateMetricValue('m', true), 'number');
  });

  it('timestamps: integers ≥ 0; steps: integers', () => {
    expect(validateTimestamp('m', 0)).toBe(0);
    rejects(() => validateTimestamp('m', -1), 'Timestamp -1', 'metric "m"');
    rejects(() => validateTimestamp('m', 1.5), 'Timestamp 1.5');
    rejects(() => validateTimestamp('m', NaN), 'Timestamp NaN');
    expect(validateStep('m', -3)).toBe(-3);
    rejects(() => validateStep('m', 0.5), 'Step 0.5');
    rejects(() => validateStep('m', Infinity), 'Step Infinity');
  });

  it('metric columns: equal lengths, every point checked', () => {
    const f = (xs: number[]) => Float64Array.from(xs);
    expect(() => validateMetricColumns({ key: 'm', values: f([NaN, 1]), steps: f([0, 1]), timestamps: f([1, 2]) })).not.toThrow();
    rejects(() => validateMetricColumns({ key: 'm', values: f([1]), steps: f([0, 1]), timestamps: f([1]) }), 'same length');
    rejects(() => validateMetricColumns({ key: 'm', values: f([1, 2]), steps: f([0, 0.5]), timestamps: f([1, 1]) }), 'Step 0.5');
    rejects(() => validateMetricColumns({ key: 'm!', values: f([]), steps: f([]), timestamps: f([]) }), 'Invalid metric key');
  });
});

describe('batches', () => {
  it('enforces MLflow LogBatch limits', () => {
    expect(() => validateBatchLimits({ metrics: 1000, params: 0, tags: 0 })).not.toThrow();
    expect(() => validateBatchLimits({ metrics: 800, params: 100, tags: 100 })).not.toThrow();
    rejects(() => validateBatchLimits({ metrics: 1001, params: 0, tags: 0 }), '1000 metric', '1001');
    rejects(() => validateBatchLimits({ metrics: 0, params: 101, tags: 0 }), '100 params');
    rejects(() => validateBatchLimits({ metrics: 0, params: 0, tags: 101 }), '100 tags');
    rejects(() => validateBatchLimits({ metrics: 900, params: 100, tags: 1 }), 'together', '1001');
  });

  it('refuses duplicate param keys in one batch', () => {
    expect(() => validateNoDuplicateParams([{ key: 'a' }, { key: 'b' }])).not.toThrow();
    rejects(() => validateNoDuplicateParams([{ key: 'a' }, { key: 'a' }]), 'Param "a"', 'more than once');
  });
});

describe('datasets', () => {
  const ok = { name: 'wine', digest: 'abcd1234', source: '{"url":"x"}', schema: null, profile: null };
  it('accepts a normal dataset and enforces each limit', () => {
    expect(() => validateDataset(ok)).not.toThrow();
    rejects(() => validateDataset({ ...ok, name: 'n'.repeat(501) }), 'name', '500');
    rejects(() => validateDataset({ ...ok, name: '' }), 'name');
    rejects(() => validateDataset({ ...ok, digest: 'd'.repeat(37) }), 'digest', '36');
    rejects(() => validateDataset({ ...ok, source: 's'.repeat(65536) }), 'source', '65535');
    rejects(() => validateDataset({ ...ok, schema: 's'.repeat(1048576) }), 'schema');
    expect(() => validateDataset({ ...ok, schema: 's'.repeat(1048575) })).not.toThrow();
    rejects(() => validateDataset({ ...ok, profile: 'p'.repeat(16777216) }), 'profile');
  });

  it('input tags: key ≤255, value ≤500', () => {
    expect(() => validateInputTag('mlflow.data.context', 'training')).not.toThrow();
    rejects(() => validateInputTag('k'.repeat(256), 'v'), '255');
    rejects(() => validateInputTag('k', 'v'.repeat(501)), '500');
    rejects(() => validateInputTag('', 'v'), 'non-empty');
  });
});

describe('ids and names', () => {
  it('run ids are 32 lowercase hex digits and unique', () => {
    const ids = new Set(Array.from({ length: 200 }, newRunId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(RUN_ID_PATTERN);
  });

  it('experiment ids are 18 digits not starting with 0', () => {
    const ids = Array.from({ length: 500 }, newExperimentId);
    for (const id of ids) expect(id).toMatch(/^[1-9][0-9]{17}$/);
    expect(new Set(ids).size).toBe(500);
    expect('0').toMatch(EXPERIMENT_ID_PATTERN);
    expect(BigInt(ids[0]) < 2n ** 63n).toBe(true);
  });

  it('run names look like adjective-animal-123', () => {
    for (let i = 0; i < 100; i++) expect(generateRunName()).toMatch(RUN_NAME_PATTERN);
    expect(generateRunName(() => 0)).toMatch(/^[a-z]+-[a-z]+-0$/);
    expect(generateRunName(() => 0.9999)).toMatch(/-999$/);
  });
});
