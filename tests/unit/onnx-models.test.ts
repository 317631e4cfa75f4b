import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ACTIVATIONS, linearRegressionToOnnx, logisticRegressionToOnnx, mlpToOnnx, probabilityOutputNames, IR_VERSION, OPSET_VERSION } from '../../src/lib/onnx';
import { MlflowError } from '../../src/lib/util/errors';
import { all, bytesOf, decodeFields, int64Of, littleEndianFloats, messageOf, one, packedVarints, stringOf, type WireField } from './onnx-wire-decoder';

/** Reads the parts of a ModelProto the exporters write, by onnx.proto field numbers. */
function readModel(bytes: Uint8Array) {
  const model = decodeFields(bytes);
  const graph = messageOf(one(model, 7));
  const valueInfo = (f: WireField) => {
    const v = messageOf(f);
    const tensorType = messageOf(one(messageOf(one(v, 2)), 1));
    const dims = all(messageOf(one(tensorType, 2)), 1).map((d) => {
      const dim = messageOf(d)[0];
      return dim.field === 1 ? Number(int64Of(dim)) : stringOf(dim);
    });
    return { name: stringOf(one(v, 1)), elemType: Number(int64Of(one(tensorType, 1))), dims };
  };
  const initializers = new Map(
    all(graph, 5).map((f) => {
      const t = messageOf(f);
      const dataType = Number(int64Of(one(t, 2)));
      const raw = all(t, 9).map(bytesOf)[0];
      const values = dataType === 1 ? littleEndianFloats(raw, 4) : dataType === 11 ? littleEndianFloats(raw, 8) : dataType === 7 ? packedInt64Raw(raw) : all(t, 6).map(stringOf);
      const dims = all(t, 1).flatMap((d) => packedVarints(bytesOf(d)).map(Number));
      return [stringOf(one(t, 8)), { dataType, dims, values }] as const;
    }),
  );
  return {
    irVersion: int64Of(one(model, 1)),
    opsets: all(model, 8).map((f) => [stringOf(one(messageOf(f), 1)), int64Of(one(messageOf(f), 2))]),
    metadata: Object.fromEntries(all(model, 14).map((f) => [stringOf(one(messageOf(f), 1)), stringOf(one(messageOf(f), 2))])),
    ops: all(graph, 1).map((f) => stringOf(one(messageOf(f), 4))),
    inputs: all(graph, 11).map(valueInfo),
    outputs: all(graph, 12).map(valueInfo),
    initializers,
  };
}

function packedInt64Raw(raw: Uint8Array): number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });

describe('linearRegressionToOnnx', () => {
  test('writes the float64 weights exactly, a symbolic batch and a single [N] output', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 20 }), finite, (coef, intercept) => {
        const m = readModel(linearRegressionToOnnx({ coef, intercept }));
        expect(m.irVersion).toBe(BigInt(IR_VERSION));
        expect(m.opsets).toEqual([['', BigInt(OPSET_VERSION)]]);
        expect(m.inputs).toEqual([{ name: 'input', elemType: 11, dims: ['N', coef.length] }]);
        expect(m.outputs).toEqual([{ name: 'predictions', elemType: 11, dims: ['N'] }]);
        expect(m.initializers.get('coef')).toEqual({ dataType: 11, dims: [coef.length, 1], values: coef });
        expect(m.initializers.get('intercept')?.values).toEqual([intercept]);
      }),
      { numRuns: 50 },
    );
  });

  test('float32 option, scaler, feature names and input name', () => {
    const m = readModel(
      linearRegressionToOnnx({ coef: [0.1, 0.2], intercept: 3, dtype: 'float32', scaler: { mean: [1, 2], scale: [3, 4] }, featureNames: ['a b', 'é'], inputName: 'features' }),
    );
    expect(m.inputs[0]).toEqual({ name: 'features', elemType: 1, dims: ['N', 2] });
    expect(m.ops.slice(0, 4)).toEqual(['Sub', 'Div', 'MatMul', 'Add']);
    expect(m.initializers.get('coef')?.values).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(m.initializers.get('scaler_scale')?.values).toEqual([3, 4]);
    expect(JSON.parse(m.metadata.feature_names)).toEqual(['a b', 'é']);
  });

  test('refuses models that cannot predict', () => {
    const bad = [
      () => linearRegressionToOnnx({ coef: [], intercept: 0 }),
      () => linearRegressionToOnnx({ coef: [1, NaN], intercept: 0 }),
      () => linearRegressionToOnnx({ coef: [1], intercept: Infinity }),
      () => linearRegressionToOnnx({ coef: [1, 2], intercept: 0, scaler: { mean: [0], scale: [1] } }),
      () => linearRegressionToOnnx({ coef: [1, 2], intercept: 0, scaler: { mean: [0, 0], scale: [1, 0] } }),
      () => linearRegressionToOnnx({ coef: [1, 2], intercept: 0, featureNames: ['a'] }),
      () => linearRegressionToOnnx({ coef: [1], intercept: 0, inputName: 'predictions' }),
    ];
    for (const f of bad) expect(f).toThrow(MlflowError);
  });
});

describe('classifiers', () => {
  test('logistic regression: label table typed by the classes, one probability column per class', () => {
    const m = readModel(logisticRegressionToOnnx({ weights: [1, 2, 3, 4, 5, 6], bias: [0, 0, 0], classes: [3, 5, 8] }));
    expect(m.inputs[0].dims).toEqual(['N', 2]);
    expect(m.outputs.map((o) => [o.name, o.elemType])).toEqual([['label', 7], ['probability_3', 1], ['probability_5', 1], ['probability_8', 1]]);
    expect(m.initializers.get('class_labels')).toEqual({ dataType: 7, dims: [3], values: [3, 5, 8] });
    expect(m.ops).toContain('Softmax');

    const s = readModel(logisticRegressionToOnnx({ weights: [1, 2], bias: [0, 1], classes: ['red', 'white'], probabilities: false }));
    expect(s.outputs.map((o) => [o.name, o.elemType])).toEqual([['label', 8]]);
    expect(s.initializers.get('class_labels')?.values).toEqual(['red', 'white']);
  });

  test('a single sigmoid unit serves two classes', () => {
    const m = readModel(logisticRegressionToOnnx({ weights: [1, 2], bias: [0], classes: [0, 1] }));
    expect(m.ops).toEqual(expect.arrayContaining(['Sigmoid', 'Sub', 'Concat', 'ArgMax']));
    expect(m.outputs.map((o) => o.name)).toEqual(['label', 'probability_0', 'probability_1']);
  });

  test('probability column names are sanitised and fall back to indices on a clash', () => {
    expect(probabilityOutputNames(['a b', 'c/d', 1.5])).toEqual(['probability_a_b', 'probability_c_d', 'probability_1.5']);
    expect(probabilityOutputNames(['a b', 'a_b'])).toEqual(['probability_0', 'probability_1']);
  });

  test('rejects inconsistent heads', () => {
    const layer = (out: number, activation: 'softmax' | 'relu' | 'linear') => ({ weights: new Float32Array(2 * out), shape: [2, out] as [number, number], bias: new Float32Array(out), activation });
    expect(() => mlpToOnnx({ layers: [layer(3, 'softmax')], task: { kind: 'classification', classes: [1, 2] } })).toThrow(MlflowError);
    expect(() => mlpToOnnx({ layers: [layer(2, 'relu')], task: { kind: 'classification', classes: [1, 2] } })).toThrow(MlflowError);
    expect(() => mlpToOnnx({ layers: [layer(2, 'softmax')], task: { kind: 'classification', classes: [1, 1] } })).toThrow(MlflowError);
    expect(() => mlpToOnnx({ layers: [layer(1, 'softmax')], task: { kind: 'classification', classes: [1] } })).toThrow(MlflowError);
    expect(() => mlpToOnnx({ layers: [layer(3, 'linear'), layer(2, 'linear')], task: { kind: 'regression' } })).toThrow(MlflowError);
    expect(() => mlpToOnnx({ layers: [], task: { kind: 'regression' } })).toThrow(MlflowError);
    const ok = readModel(mlpToOnnx({ layers: [layer(2, 'linear')], task: { kind: 'classification', classes: [1, 2] } }));
    expect(ok.ops).toContain('Softmax');
  });
});

describe('mlpToOnnx', () => {
  test('one MatMul/Add per layer, kernels stored row-major as given', () => {
    const w0 = Float32Array.from({ length: 12 }, (_, i) => i / 7);
    const m = readModel(
      mlpToOnnx({
        layers: [
          { weights: w0, shape: [3, 4], bias: new Float32Array(4), activation: 'tanh' },
          { weights: new Float32Array(8).fill(0.5), shape: [4, 2], bias: [1, 2], activation: 'linear' },
        ],
        task: { kind: 'regression' },
      }),
    );
    expect(m.ops.filter((o) => o === 'MatMul').length).toBe(2);
    expect(m.initializers.get('dense0_kernel')).toEqual({ dataType: 1, dims: [3, 4], values: Array.from(w0) });
    expect(m.outputs.map((o) => o.name)).toEqual(['predictions_0', 'predictions_1']);
  });
});

describe('float64 graphs avoid what onnxruntime cannot run in double', () => {
  // onnxruntime's CPU provider has float-only kernels for these, and fuses Mul(z, Sigmoid(z))
  // into a float-only QuickGelu; the interop test shows the failures when they slip back in.
  const FLOAT_ONLY = ['Elu', 'Selu', 'Softplus', 'Softsign', 'HardSigmoid'];
  test.each(ACTIVATIONS.map((a) => [a]))('%s', (activation) => {
    const layers = [{ weights: [1, 2, 3, 4], shape: [2, 2] as [number, number], bias: [0, 0], activation }];
    const m = readModel(mlpToOnnx({ layers, task: { kind: 'regression' }, dtype: 'float64' }));
    expect(m.ops.filter((o) => FLOAT_ONLY.includes(o))).toEqual([]);
    expect(m.ops.includes('Sigmoid') && m.ops.includes('Mul') && activation === 'swish').toBe(false);
    for (const t of m.initializers.values()) expect(t.dataType === 11 || t.dataType === 7).toBe(true);
    const f32 = readModel(mlpToOnnx({ layers, task: { kind: 'regression' } }));
    for (const t of f32.initializers.values()) expect(t.dataType === 1 || t.dataType === 7).toBe(true);
  });
});
