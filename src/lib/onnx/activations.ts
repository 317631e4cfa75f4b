/**
 * Dense-layer activations as ONNX nodes, named as TF.js names them.
 *
 * onnxruntime's CPU provider implements Elu, Selu, Softplus, Softsign and HardSigmoid for float32
 * only, so float64 graphs spell those out with ops it has double kernels for (Relu, Min, Exp, Log,
 * Abs, Clip, arithmetic). A side benefit: the float64 constants (SELU's α and γ, HardSigmoid's
 * 0.2) are stored exactly, where an ONNX float attribute would round them to float32.
 */
import { invalid } from '../util/errors';
import type { GraphBuilder } from './graph';

export const ACTIVATIONS = [
  'linear', 'relu', 'relu6', 'elu', 'selu', 'softplus', 'softsign', 'tanh', 'sigmoid', 'hardSigmoid', 'swish', 'mish', 'softmax',
] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** TF.js's SELU constants. */
const SELU_ALPHA = 1.6732632423543772;
const SELU_GAMMA = 1.0507009873554805;

export function activate(g: GraphBuilder, z: string, activation: Activation, prefix: string): string {
  const f = (value: number) => ({ kind: 'float' as const, value });
  const c = (name: string, value: number) => g.weights(`${prefix}_${name}`, [], [value]);
  const op = (type: string, inputs: string[], name: string) => g.op(type, inputs, `${prefix}_${name}`);
  const exact = g.dtype === 'float64';
  /** exp(min(z, 0)) − 1: the negative branch of ELU, 0 for z ≥ 0. */
  const expm1Negative = () => op('Sub', [op('Exp', [op('Min', [z, c('zero', 0)], 'neg_part')], 'exp'), c('one', 1)], 'expm1');
  /** softplus(z) = relu(z) + log(1 + exp(−|z|)), which never overflows. */
  const softplus = () => {
    if (!exact) return op('Softplus', [z], 'softplus');
    const tail = op('Log', [op('Add', [c('one', 1), op('Exp', [op('Neg', [op('Abs', [z], 'abs')], 'neg_abs')], 'exp')], 'one_plus')], 'log');
    return op('Add', [op('Relu', [z], 'relu'), tail], 'softplus');
  };
  switch (activation) {
    case 'linear': return z;
    case 'relu': return op('Relu', [z], 'relu');
    case 'relu6': return op('Clip', [z, c('zero', 0), c('six', 6)], 'relu6');
    case 'elu':
      if (!exact) return g.op('Elu', [z], `${prefix}_elu`, { alpha: f(1) });
      return op('Add', [op('Relu', [z], 'relu'), expm1Negative()], 'elu');
    case 'selu': {
      if (!exact) return g.op('Selu', [z], `${prefix}_selu`, { alpha: f(SELU_ALPHA), gamma: f(SELU_GAMMA) });
      const elu = op('Add', [op('Relu', [z], 'relu'), op('Mul', [c('alpha', SELU_ALPHA), expm1Negative()], 'scaled')], 'elu');
      return op('Mul', [c('gamma', SELU_GAMMA), elu], 'selu');
    }
    case 'softplus': return softplus();
    case 'softsign':
      if (!exact) return op('Softsign', [z], 'softsign');
      return op('Div', [z, op('Add', [c('one', 1), op('Abs', [z], 'abs')], 'denominator')], 'softsign');
    case 'tanh': return op('Tanh', [z], 'tanh');
    case 'sigmoid': return op('Sigmoid', [z], 'sigmoid');
    // TF.js hardSigmoid: clip(0.2·z + 0.5, 0, 1), ONNX's HardSigmoid with those constants.
    case 'hardSigmoid':
      if (!exact) return g.op('HardSigmoid', [z], `${prefix}_hard_sigmoid`, { alpha: f(0.2), beta: f(0.5) });
      return op('Clip', [op('Add', [op('Mul', [z, c('slope', 0.2)], 'scaled'), c('offset', 0.5)], 'shifted'), c('zero', 0), c('one', 1)], 'hard_sigmoid');
    case 'swish':
      // onnxruntime's optimiser rewrites Mul(z, Sigmoid(z)) into its float-only QuickGelu, which
      // then has no double kernel, so the float64 graph divides by 1 + exp(−z) instead.
      if (!exact) return op('Mul', [z, op('Sigmoid', [z], 'swish_gate')], 'swish');
      return op('Div', [z, op('Add', [c('one', 1), op('Exp', [op('Neg', [z], 'neg')], 'exp')], 'denominator')], 'swish');
    case 'mish': return op('Mul', [z, op('Tanh', [softplus()], 'mish_gate')], 'mish');
    case 'softmax': return g.op('Softmax', [z], `${prefix}_softmax`, { axis: { kind: 'int', value: -1 } });
    default: throw invalid(`unsupported activation ${String(activation)}`);
  }
}
