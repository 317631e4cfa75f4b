/**
 * ONNX exporters for the lab's models. Each returns the bytes of a self-contained `model.onnx`
 * with one input `[N, p]` (N symbolic) and 1-D `[N]` outputs (see graph.ts for why).
 */
import { invalid } from '../util/errors';
import { activate, ACTIVATIONS, type Activation } from './activations';
import { GraphBuilder, checkMatrix, type ClassLabel, type CommonOptions } from './graph';

export { ACTIVATIONS, type Activation };

export interface DenseLayer {
  /** Row-major kernel of shape [in, out] (TF.js Dense layout: y = x·W + b). */
  weights: ArrayLike<number>;
  shape: [number, number];
  bias: ArrayLike<number>;
  activation: Activation;
}

/** Regression: `predictions` output(s). Classification: `label` (+ `probability_<class>` columns). */
export type Task =
  | { kind: 'regression' }
  | { kind: 'classification'; classes: readonly ClassLabel[]; probabilities?: boolean };

export interface LinearRegressionSpec extends CommonOptions {
  coef: ArrayLike<number>;
  intercept: number;
}

export interface LogisticRegressionSpec extends CommonOptions {
  /** Row-major [p, k]; k = classes.length, or k = 1 (sigmoid of the positive class) with 2 classes. */
  weights: ArrayLike<number>;
  bias: ArrayLike<number>;
  classes: readonly ClassLabel[];
  probabilities?: boolean;
}

export interface MlpSpec extends CommonOptions {
  layers: DenseLayer[];
  task: Task;
}

/**
 * y = standardize(x)·coef + intercept. Defaults to float64 so the exported model reproduces the
 * lab's exact float64 elastic net (mlflow.onnx feeds float64 frames unchanged to a double input).
 */
export function linearRegressionToOnnx(spec: LinearRegressionSpec): Uint8Array {
  const p = spec.coef.length;
  if (p < 1) throw invalid('linear model has no coefficients');
  const g = builder(spec, 'float64');
  const x = g.standardize(inputOf(spec), p, spec.scaler);
  const product = g.op('MatMul', [x, g.weights('coef', [p, 1], spec.coef)], 'xw');
  const y = g.op('Add', [product, g.weights('intercept', [1], [spec.intercept])], 'linear_out');
  g.regressionHead(y, 1);
  return g.finish(inputOf(spec), p, spec, 'linear_regression');
}

/** Multinomial logistic regression: softmax(x·W + b), or sigmoid for a single binary column. */
export function logisticRegressionToOnnx(spec: LogisticRegressionSpec): Uint8Array {
  const k = spec.bias.length;
  if (k < 1 || spec.weights.length % k !== 0) throw invalid(`logistic regression: ${spec.weights.length} weights for ${k} classes`);
  const p = spec.weights.length / k;
  const activation: Activation = k === 1 ? 'sigmoid' : 'softmax';
  return mlpToOnnx({
    ...spec,
    layers: [{ weights: spec.weights, shape: [p, k], bias: spec.bias, activation }],
    task: { kind: 'classification', classes: spec.classes, probabilities: spec.probabilities },
  });
}

/**
 * A stack of Dense layers. For classification the last layer must give class probabilities:
 * softmax over k = classes.length units, sigmoid over one unit (two classes, the unit is
 * P(classes[1])), or linear logits over k units, to which a Softmax is added.
 */
export function mlpToOnnx(spec: MlpSpec): Uint8Array {
  if (spec.layers.length === 0) throw invalid('the network has no layers');
  const p = spec.layers[0].shape[0];
  const g = builder(spec, 'float32');
  let h = g.standardize(inputOf(spec), p, spec.scaler);
  let width = p;
  spec.layers.forEach((layer, i) => {
    const [fanIn, fanOut] = layer.shape;
    checkMatrix(`layer ${i} kernel`, layer.weights, fanIn, fanOut);
    if (fanIn !== width) throw invalid(`layer ${i} expects ${fanIn} inputs but receives ${width}`);
    if (layer.bias.length !== fanOut) throw invalid(`layer ${i}: ${layer.bias.length} biases for ${fanOut} units`);
    const z = g.op('MatMul', [h, g.weights(`dense${i}_kernel`, [fanIn, fanOut], layer.weights)], `dense${i}_matmul`);
    h = activate(g, g.op('Add', [z, g.weights(`dense${i}_bias`, [fanOut], layer.bias)], `dense${i}_logits`), layer.activation, `dense${i}`);
    width = fanOut;
  });
  if (spec.task.kind === 'regression') {
    g.regressionHead(h, width);
  } else {
    const { classes } = spec.task;
    const last = spec.layers[spec.layers.length - 1].activation;
    let probs = h;
    if (width === 1 && classes.length === 2 && last === 'sigmoid') {
      const one = g.weights('one', [1], [1]);
      probs = g.op('Concat', [g.op('Sub', [one, h], 'negative_prob'), h], 'probabilities', { axis: { kind: 'int', value: 1 } });
    } else if (width !== classes.length) {
      throw invalid(`the last layer has ${width} units for ${classes.length} classes`);
    } else if (last === 'linear') {
      probs = g.op('Softmax', [h], 'probabilities', { axis: { kind: 'int', value: -1 } });
    } else if (last !== 'softmax') {
      throw invalid(`a classifier's last layer must be softmax, sigmoid (binary) or linear logits, not ${last}`);
    }
    g.classificationHead(probs, classes, spec.task.probabilities ?? true);
  }
  return g.finish(inputOf(spec), p, spec, 'mlp');
}

function inputOf(o: CommonOptions): string {
  return o.inputName ?? 'input';
}

function builder(o: CommonOptions, defaultDtype: 'float32' | 'float64'): GraphBuilder {
  const name = inputOf(o);
  if (name.length === 0) throw invalid('the ONNX input name is empty');
  return new GraphBuilder(o.dtype ?? defaultDtype, [name]);
}
