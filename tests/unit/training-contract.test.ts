import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { DataTable } from '../../src/lib/data/types';
import type { LogBatchRequest } from '../../src/lib/tracking/types';
import type { RunLoggerPort } from '../../src/lib/training/contract';
import { pyJson } from '../../src/lib/training/model-artifacts';
import { defaultParams, paramSchema, parseLayers, pyFloatRepr, pyStr } from '../../src/lib/training/params';
import { PortRunLogger } from '../../src/lib/training/port-logger';
import { denseStackModel } from '../../src/lib/training/tfjs-format';
import { validateTrainSpec } from '../../src/lib/training/validate';

const table: DataTable = {
  columns: ['a', 'b', 'label', 'y'],
  types: ['number', 'number', 'string', 'number'],
  data: [new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]), new Float64Array(8).fill(2), ['x', 'y', 'x', 'y', 'x', 'y', 'x', 'y'], new Float64Array(8).fill(1)],
  rowCount: 8,
};

function fields(res: ReturnType<typeof validateTrainSpec>): string[] {
  return res.ok ? [] : res.errors.map((e) => e.field);
}

describe('validateTrainSpec', () => {
  it('fills defaults: numeric features except the target, tutorial split, per-model standardize', () => {
    const res = validateTrainSpec({ model: 'elasticnet', target: 'y' }, table);
    expect(res).toEqual({
      ok: true,
      spec: {
        model: 'elasticnet', task: 'regression', target: 'y', features: ['a', 'b'],
        params: defaultParams('elasticnet'), split: { testSize: 0.25, seed: 40, shuffle: 'numpy' },
        standardize: false, backend: 'wasm',
      },
    });
    const mlp = validateTrainSpec({ model: 'logistic', target: 'label' }, table);
    expect(mlp.ok && mlp.spec.task).toBe('classification');
    expect(mlp.ok && mlp.spec.standardize).toBe(true);
  });

  it('coerces form text into typed params', () => {
    const res = validateTrainSpec({ model: 'mlp', target: 'y', params: { epochs: '7', learning_rate: '1e-3', hidden_layers: ' 16, 8 ' } }, table);
    expect(res.ok && res.spec.params).toMatchObject({ epochs: 7, learning_rate: 0.001, hidden_layers: '16,8' });
  });

  it('names the field of each problem', () => {
    expect(fields(validateTrainSpec({ model: 'forest' as never, target: 'y' }, table))).toEqual(['model']);
    expect(fields(validateTrainSpec({ model: 'elasticnet', target: 'nope' }, table))).toContain('target');
    expect(fields(validateTrainSpec({ model: 'elasticnet', target: 'label' }, table))).toContain('target');
    expect(fields(validateTrainSpec({ model: 'elasticnet', target: 'y', features: ['label', 'y', 'zz'] }, table)))
      .toEqual(['features', 'features', 'features']);
    expect(fields(validateTrainSpec({ model: 'elasticnet', target: 'y', split: { testSize: 1.5 } }, table))).toEqual(['split.testSize']);
    expect(fields(validateTrainSpec({ model: 'elasticnet', target: 'y', split: { seed: -1 } }, table))).toEqual(['split.seed']);
    expect(fields(validateTrainSpec({ model: 'elasticnet', target: 'y', params: { alpha: -1, l1_ratio: 2, tol: 0, max_iter: 1.5, foo: 1 } }, table)))
      .toEqual(['params.foo', 'params.alpha', 'params.l1_ratio', 'params.max_iter', 'params.tol']);
    expect(fields(validateTrainSpec({ model: 'mlp', target: 'y', params: { hidden_layers: '64,,2', activation: 'swish' } }, table)))
      .toEqual(['params.hidden_layers', 'params.activation']);
    expect(fields(validateTrainSpec({ model: 'mlp', target: 'y', params: { validation_split: 0, early_stopping_patience: 3 } }, table)))
      .toEqual(['params.early_stopping_patience']);
    // y is constant: one class is not a classification problem.
    expect(fields(validateTrainSpec({ model: 'logistic', target: 'y' }, table))).toEqual(['target']);
    expect(fields(validateTrainSpec({ model: 'logistic', target: 'label', task: 'regression' }, table))).toContain('task');
    const res = validateTrainSpec({ model: 'elasticnet', target: 'y', params: { l1_ratio: 2 } }, table);
    expect(!res.ok && res.errors[0].message).toBe('l1_ratio must be at most 1');
  });

  it('every schema default passes its own validation', () => {
    for (const model of ['elasticnet', 'linear', 'logistic', 'mlp'] as const) {
      expect(paramSchema(model).length).toBeGreaterThan(4);
      const target = model === 'logistic' ? 'label' : 'a';
      expect(validateTrainSpec({ model, target, params: defaultParams(model) }, table).ok).toBe(true);
    }
  });
});

describe('params as Python prints them', () => {
  it('formats floats like repr() and booleans like str()', () => {
    // Python: repr(0.5), repr(1.0), repr(1e-05), repr(0.0001), repr(1e16), repr(1.5e-07), repr(123.456)
    expect([0.5, 1, 1e-5, 1e-4, 1e16, 1.5e-7, 123.456, -2.5e-10, 1e15].map(pyFloatRepr))
      .toEqual(['0.5', '1.0', '1e-05', '0.0001', '1e+16', '1.5e-07', '123.456', '-2.5e-10', '1000000000000000.0']);
    expect(pyStr(true)).toBe('True');
    expect(pyStr(100, 'int')).toBe('100');
    expect(parseLayers('')).toEqual([]);
    expect(parseLayers('8, 4')).toEqual([8, 4]);
    expect(parseLayers('8;4')).toBeNull();
  });

  it('writes JSON with json.dumps spacing and ASCII escapes', () => {
    expect(pyJson([{ type: 'double', name: 'pH é', required: true }])).toBe('[{"type": "double", "name": "pH \\u00e9", "required": true}]');
  });
});

describe('PortRunLogger', () => {
  function recordingPort() {
    const batches: LogBatchRequest[] = [];
    const artifacts: [string, Uint8Array][] = [];
    const port: RunLoggerPort = {
      async logBatch(b) { batches.push(b); },
      async logArtifact(path, bytes) { artifacts.push([path, bytes]); },
      progress() {},
    };
    return { port, batches, artifacts };
  }

  it('sends metric points as columns in few batches, in order with params', async () => {
    const { port, batches } = recordingPort();
    const log = new PortRunLogger(port, { flushMs: 10_000, maxPoints: 1000 });
    await log.logParams({ a: 0.5, b: true, c: 'x' });
    for (let i = 0; i < 2500; i++) log.logMetric('loss', 1 / (i + 1), i, 1000 + i);
    log.logMetrics({ acc: 0.5, loss: 0 }, 2500, 5000);
    await log.flush();
    expect(batches[0]).toEqual({ params: [{ key: 'a', value: '0.5' }, { key: 'b', value: 'True' }, { key: 'c', value: 'x' }] });
    const metricBatches = batches.filter((b) => b.metrics);
    // Two full flushes of 1,000 points and the rest: sent while none had gone out yet, they
    // travel as one batch of three column groups of loss.
    expect(metricBatches.length).toBe(1);
    expect(metricBatches[0].metrics!.filter((m) => m.key === 'loss').map((m) => m.values.length)).toEqual([1000, 1000, 501]);
    const loss = metricBatches.flatMap((b) => b.metrics!.filter((m) => m.key === 'loss'));
    const steps = loss.flatMap((m) => Array.from(m.steps));
    expect(steps).toEqual(Array.from({ length: 2501 }, (_, i) => i));
    expect(loss[0].values).toBeInstanceOf(Float64Array);
    expect(loss[0].timestamps[5]).toBe(1005);
  });

  it('splits params into batches of at most 100, as MLflow requires', async () => {
    const { port, batches } = recordingPort();
    const log = new PortRunLogger(port);
    await log.logParams(Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i])));
    expect(batches.map((b) => b.params!.length)).toEqual([100, 100, 50]);
  });

  it('flushes on its timer without being asked', async () => {
    const { port, batches } = recordingPort();
    const log = new PortRunLogger(port, { flushMs: 5 });
    log.logMetric('m', 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toHaveLength(1);
  });

  it('surfaces a failing port on flush', async () => {
    const log = new PortRunLogger({
      async logBatch() { throw new Error('quota exceeded'); },
      async logArtifact() {},
      progress() {},
    });
    log.logMetric('m', 1);
    await expect(log.flush()).rejects.toThrow('quota exceeded');
  });

  it('copies views and hands whole buffers over', async () => {
    const { port, artifacts } = recordingPort();
    const log = new PortRunLogger(port);
    const big = new Uint8Array([1, 2, 3, 4]);
    await log.logArtifact('part.bin', big.subarray(1, 3));
    await log.logText('héllo', 'notes/a.txt');
    expect(Array.from(artifacts[0][1])).toEqual([2, 3]);
    expect(artifacts[0][1].buffer).not.toBe(big.buffer);
    expect(new TextDecoder().decode(artifacts[1][1])).toBe('héllo');
  });
});

describe('PortRunLogger batches', () => {
  function slowPort() {
    const batches: LogBatchRequest[] = [];
    const events: string[] = [];
    const waiting: (() => void)[] = [];
    const port: RunLoggerPort = {
      logBatch(b) {
        batches.push(b);
        events.push('batch');
        return new Promise<void>((r) => waiting.push(r));
      },
      async logArtifact(path) { events.push(`file ${path}`); },
      progress() {},
    };
    /** Lets the port finish each write as it comes, a few rounds. */
    const release = async () => {
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 1));
        waiting.splice(0).forEach((r) => r());
      }
    };
    return { port, batches, events, release };
  }

  it('joins batches sent while an earlier one is being written, unless a key repeats', async () => {
    const { port, batches, release } = slowPort();
    const log = new PortRunLogger(port);
    const first = log.setTags({ model: 'elasticnet' });
    await new Promise((r) => setTimeout(r, 1)); // on its way to the page
    const joined = [log.logParams({ alpha: 0.5 }), log.setTags({ converged: 'true' }), log.logParams({ l1: 0.1 })];
    const again = log.setTags({ converged: 'false' }); // the same key: a batch of its own, after
    log.logMetric('rmse', 0.7, 0);
    const flushed = log.flush();
    await release();
    await Promise.all([first, ...joined, again, flushed]);
    expect(batches).toEqual([
      { tags: [{ key: 'model', value: 'elasticnet' }] },
      { params: [{ key: 'alpha', value: '0.5' }, { key: 'l1', value: '0.1' }], tags: [{ key: 'converged', value: 'true' }] },
      { tags: [{ key: 'converged', value: 'false' }], metrics: [expect.objectContaining({ key: 'rmse' })] },
    ]);
  });

  it('never moves a batch ahead of files logged before it', async () => {
    const { port, events, release } = slowPort();
    const log = new PortRunLogger(port);
    const first = log.setTags({ a: '1' });
    await new Promise((r) => setTimeout(r, 1)); // on its way to the page
    const waitingParams = log.logParams({ p: 1 });
    const file = log.logArtifact('x.txt', new Uint8Array([1]));
    const after = log.setTags({ b: '2' });
    await release();
    await Promise.all([first, waitingParams, file, after]);
    expect(events).toEqual(['batch', 'batch', 'file x.txt', 'batch']);
  });
});

describe('PortRunLogger.logArtifacts', () => {
  it('hands the files to a port that takes them together in one call, copying views', async () => {
    const calls: { path: string; bytes: Uint8Array }[][] = [];
    const port: RunLoggerPort = {
      async logBatch() {},
      async logArtifact() { throw new Error('one by one'); },
      async logArtifacts(files) { calls.push(files); },
      progress() {},
    };
    const big = new Uint8Array([1, 2, 3, 4]);
    await new PortRunLogger(port).logArtifacts([{ path: 'm/a.json', bytes: big.subarray(0, 2) }, { path: 'm/MLmodel', bytes: big.subarray(2) }]);
    expect(calls.map((c) => c.map((f) => `${f.path} ${Array.from(f.bytes).join('')}`))).toEqual([['m/a.json 12', 'm/MLmodel 34']]);
    expect(calls[0][0].bytes.buffer).not.toBe(big.buffer);
  });

  it('one by one: sends the files at once, the last after the others, after earlier calls and before later ones, copying views', async () => {
    const events: string[] = [];
    const waiting: (() => void)[] = [];
    const port: RunLoggerPort = {
      async logBatch(b) { events.push(`batch ${b.tags ? 'tags' : 'params'}`); },
      logArtifact(path, bytes) {
        events.push(`start ${path} ${Array.from(bytes).join('')}`);
        return new Promise<void>((r) => waiting.push(() => { events.push(`done ${path}`); r(); }));
      },
      progress() {},
    };
    const log = new PortRunLogger(port);
    const big = new Uint8Array([1, 2, 3, 4]);
    const params = log.logParams({ a: 1 });
    const group = log.logArtifacts([{ path: 'm/a.json', bytes: big.subarray(0, 1) }, { path: 'm/b.bin', bytes: big.subarray(1, 2) }, { path: 'm/MLmodel', bytes: big.subarray(2) }]);
    const after = log.setTags({ t: 'x' });
    await params;
    await new Promise((r) => setTimeout(r, 5));
    // The first files are on their way before either is written; the last (MLmodel) and the tag wait.
    expect(events).toEqual(['batch params', 'start m/a.json 1', 'start m/b.bin 2']);
    waiting.splice(0).forEach((done) => done());
    await new Promise((r) => setTimeout(r, 5));
    expect(events.slice(3)).toEqual(['done m/a.json', 'done m/b.bin', 'start m/MLmodel 34']);
    waiting.splice(0).forEach((done) => done());
    await group;
    await after;
    expect(events.slice(6)).toEqual(['done m/MLmodel', 'batch tags']);
    expect(Array.from(big)).toEqual([1, 2, 3, 4]);
  });
});

describe('PortRunLogger joins what waits its turn', () => {
  /** A port whose logBatch waits to be released and that takes files together. */
  function filesPort() {
    const events: string[] = [];
    const waiting: (() => void)[] = [];
    const port: RunLoggerPort = {
      logBatch(b) {
        events.push(`batch ${[...(b.tags ?? []), ...(b.params ?? [])].map((t) => t.key).join(',')}${b.metrics ? ` metrics ${b.metrics.map((m) => m.key).join(',')}` : ''}`);
        return new Promise<void>((r) => waiting.push(r));
      },
      async logArtifact(path) { events.push(`file ${path}`); },
      async logArtifacts(files) { events.push(`files ${files.map((f) => f.path).join(',')}`); },
      progress() {},
    };
    const release = async () => {
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 1));
        waiting.splice(0).forEach((r) => r());
      }
    };
    return { port, events, release };
  }
  const file = (path: string) => ({ path, bytes: new Uint8Array([1]) });

  it("a fit's model folder and plots go as one call; points logged before them join the waiting batch", async () => {
    const { port, events, release } = filesPort();
    const log = new PortRunLogger(port, { flushMs: 10_000 });
    const first = log.setTags({ model: 'elasticnet' });
    await new Promise((r) => setTimeout(r, 1)); // on its way to the page
    const params = log.logParams({ alpha: 0.5 });
    log.logMetrics({ rmse: 0.7, r2: 0.3 }, 0);
    const model = log.logArtifacts([file('model/weights.bin'), file('model/MLmodel')]);
    const plots = log.logArtifacts([file('plots/residuals.svg')]);
    await release();
    await Promise.all([first, params, model, plots, log.flush()]);
    expect(events).toEqual([
      'batch model',
      'batch alpha metrics rmse,r2',
      'files model/weights.bin,model/MLmodel,plots/residuals.svg',
    ]);
  });

  it('files logged after another call never join files before it', async () => {
    const { port, events, release } = filesPort();
    const log = new PortRunLogger(port, { flushMs: 10_000 });
    const first = log.setTags({ a: '1' });
    await new Promise((r) => setTimeout(r, 1));
    const calls = [
      log.logArtifacts([file('x/1')]),
      log.setTags({ b: '2' }),
      log.logArtifacts([file('x/2')]),
      log.logArtifact('x/3', new Uint8Array([3])),
      log.logArtifacts([file('x/4')]),
    ];
    log.logMetric('loss', 1, 0);
    const last = log.logArtifacts([file('x/5')]);
    await release();
    await Promise.all([first, ...calls, last, log.flush()]);
    expect(events).toEqual(['batch a', 'files x/1', 'batch b', 'files x/2', 'file x/3', 'files x/4', 'batch  metrics loss', 'files x/5']);
  });
});

describe('denseStackModel', () => {
  it('writes files TF.js loads, computing relu(x·W1 + b1)·W2 + b2', async () => {
    await tf.setBackend('cpu');
    const files = denseStackModel(3, [
      { units: 2, activation: 'relu', kernel: [1, -1, 0.5, 2, -3, 0], bias: [0.1, -0.2] },
      { units: 1, activation: 'linear', kernel: [2, -1], bias: [0.25] },
    ]);
    const w = files.weights;
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: files.modelJson.modelTopology as never,
      weightSpecs: files.modelJson.weightsManifest[0].weights,
      weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
    }));
    const x = [0.5, 1, -2];
    const h = [0, 1].map((u) => Math.max(0, x[0] * [1, -1][u] + x[1] * [0.5, 2][u] + x[2] * [-3, 0][u] + [0.1, -0.2][u]));
    const want = h[0] * 2 - h[1] + 0.25;
    const got = (model.predict(tf.tensor2d([x])) as tf.Tensor).dataSync()[0];
    expect(got).toBeCloseTo(want, 5);
    expect(() => denseStackModel(3, [{ units: 1, activation: 'linear', kernel: [1, 2], bias: [0] }])).toThrow(/expected 3×1/);
  });
});
