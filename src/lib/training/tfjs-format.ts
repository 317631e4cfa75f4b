/**
 * TF.js "layers-model" files (model.json + weights.bin) written without loading TF.js, for
 * stacks of Dense layers. The elastic net uses it so a fit never pulls in TF.js; the JSON has
 * exactly the fields `tf.loadLayersModel` reads (checked in tests by loading it with TF.js).
 */

export const TFJS_VERSION = '4.22.0';

export type DenseActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'softmax';

export interface DenseWeights {
  units: number;
  activation: DenseActivation;
  /** Row-major [inputs, units]: y = x·W + b, the TF.js Dense layout. */
  kernel: ArrayLike<number>;
  bias: ArrayLike<number>;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** The model.json object, as tf.io's file/HTTP handlers write it. */
export interface LayersModelJson {
  modelTopology: unknown;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  trainingConfig?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
}

export interface LayersModelFiles {
  modelJson: LayersModelJson;
  /** Little-endian float32 weights, in weightsManifest order. */
  weights: Uint8Array;
}

function denseConfig(name: string, layer: DenseWeights, inputDim: number | null) {
  const config: Record<string, unknown> = {
    units: layer.units,
    activation: layer.activation,
    use_bias: true,
    kernel_initializer: { class_name: 'Zeros', config: {} },
    bias_initializer: { class_name: 'Zeros', config: {} },
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
    name,
    trainable: true,
    dtype: 'float32',
  };
  if (inputDim !== null) config.batch_input_shape = [null, inputDim];
  return { class_name: 'Dense', config };
}

/** A Sequential model of Dense layers over `inputDim` features. */
export function denseStackModel(
  inputDim: number,
  layers: readonly DenseWeights[],
  userDefinedMetadata?: Record<string, unknown>,
): LayersModelFiles {
  if (!Number.isInteger(inputDim) || inputDim < 1) throw new RangeError(`bad input width ${inputDim}`);
  const specs: WeightSpec[] = [];
  const topologyLayers: unknown[] = [];
  let fanIn = inputDim;
  let floats = 0;
  layers.forEach((layer, i) => {
    if (layer.kernel.length !== fanIn * layer.units) {
      throw new RangeError(`layer ${i}: kernel has ${layer.kernel.length} values, expected ${fanIn}×${layer.units}`);
    }
    if (layer.bias.length !== layer.units) throw new RangeError(`layer ${i}: bias has ${layer.bias.length} values`);
    const name = `dense_Dense${i + 1}`;
    topologyLayers.push(denseConfig(name, layer, i === 0 ? inputDim : null));
    specs.push({ name: `${name}/kernel`, shape: [fanIn, layer.units], dtype: 'float32' });
    specs.push({ name: `${name}/bias`, shape: [layer.units], dtype: 'float32' });
    floats += layer.kernel.length + layer.bias.length;
    fanIn = layer.units;
  });
  const data = new Float32Array(floats);
  let off = 0;
  for (const layer of layers) {
    data.set(Array.from(layer.kernel), off);
    off += layer.kernel.length;
    data.set(Array.from(layer.bias), off);
    off += layer.bias.length;
  }
  const modelJson: LayersModelJson = {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'sequential_1', layers: topologyLayers },
      keras_version: `tfjs-layers ${TFJS_VERSION}`,
      backend: 'tensor_flow.js',
    },
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${TFJS_VERSION}`,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  if (userDefinedMetadata) modelJson.userDefinedMetadata = userDefinedMetadata;
  return { modelJson, weights: littleEndianBytes(data) };
}

/** The bytes of a Float32Array in little-endian order, whatever the platform's order. */
function littleEndianBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

/** Builds model.json from what TF.js hands a save handler (`tf.io.withSaveHandler`). */
export function modelJsonFromArtifacts(artifacts: {
  modelTopology?: unknown;
  weightSpecs?: WeightSpec[] | { name: string; shape: number[]; dtype: string }[];
  format?: string;
  generatedBy?: string;
  trainingConfig?: unknown;
}, userDefinedMetadata?: Record<string, unknown>): LayersModelJson {
  const json: LayersModelJson = {
    modelTopology: artifacts.modelTopology,
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${TFJS_VERSION}`,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: (artifacts.weightSpecs ?? []) as WeightSpec[] }],
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  if (userDefinedMetadata) json.userDefinedMetadata = userDefinedMetadata;
  return json;
}
