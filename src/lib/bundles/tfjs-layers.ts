/**
 * Reads a TF.js "layers-model" (model.json + weights.bin) into plain Dense layers, without
 * TF.js: the Sequential topology gives units and activations, the weights manifest gives names,
 * shapes and the order of little-endian float32 values in the weight files. Enough for the lab's
 * linear, logistic and MLP models (Dense stacks; Dropout is a no-op at inference).
 */
import { ACTIVATIONS, type Activation, type DenseLayer } from '../onnx';
import { FormatError } from '../mlflow/errors';

interface WeightSpec { name: string; shape: number[]; dtype?: string }

function obj(v: unknown, file: string, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FormatError(file, `${what} must be an object`);
  return v as Record<string, unknown>;
}

/** Dense layers of a Sequential model; `weightFiles` maps each manifest path to its bytes. */
export function readDenseStack(modelJson: unknown, weightFiles: (path: string) => Uint8Array | undefined, file = 'model.json'): DenseLayer[] {
  const root = obj(modelJson, file, 'model.json');
  const topo = obj(root.modelTopology, file, 'modelTopology');
  const config = topo.config;
  const layerList = Array.isArray(config) ? config : obj(config, file, 'modelTopology.config').layers;
  if (!Array.isArray(layerList)) throw new FormatError(file, 'modelTopology has no layer list (only Sequential models are supported)');
  const manifest = root.weightsManifest;
  if (!Array.isArray(manifest)) throw new FormatError(file, 'weightsManifest is missing');

  // All weights by name, reading each group's files as one little-endian float32 stream.
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const group of manifest) {
    const g = obj(group, file, 'weightsManifest group');
    const paths = g.paths as unknown[];
    const specs = g.weights as WeightSpec[];
    if (!Array.isArray(paths) || !Array.isArray(specs)) throw new FormatError(file, 'weightsManifest group needs paths and weights');
    const parts = paths.map((p) => {
      const b = weightFiles(String(p));
      if (!b) throw new FormatError(String(p), 'weight file named in model.json is missing');
      return b;
    });
    const total = parts.reduce((s, b) => s + b.length, 0);
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const b of parts) (bytes.set(b, o), (o += b.length));
    const view = new DataView(bytes.buffer);
    let off = 0;
    for (const s of specs) {
      if ((s.dtype ?? 'float32') !== 'float32') throw new FormatError(file, `weight ${s.name}: dtype ${s.dtype} is not supported (float32 only)`);
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (!Number.isSafeInteger(n) || off + 4 * n > total) throw new FormatError(file, `weight ${s.name}: the weight files are too short`);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(off + 4 * i, true);
      off += 4 * n;
      values.set(s.name, { shape: s.shape, data });
    }
  }

  const layers: DenseLayer[] = [];
  for (const raw of layerList) {
    const layer = obj(raw, file, 'layer');
    const cls = String(layer.class_name);
    const cfg = obj(layer.config, file, `layer ${cls} config`);
    if (cls === 'Dropout' || cls === 'InputLayer') continue;
    if (cls !== 'Dense') throw new FormatError(file, `layer type ${cls} cannot be exported to ONNX (Dense layers only)`);
    const name = String(cfg.name);
    const activation = String(cfg.activation ?? 'linear') as Activation;
    if (!ACTIVATIONS.includes(activation)) throw new FormatError(file, `layer ${name}: activation ${activation} is not supported`);
    const kernel = values.get(`${name}/kernel`);
    if (!kernel || kernel.shape.length !== 2) throw new FormatError(file, `layer ${name}: kernel weights not found`);
    const units = kernel.shape[1];
    const bias = cfg.use_bias === false ? new Float32Array(units) : values.get(`${name}/bias`)?.data;
    if (!bias || bias.length !== units) throw new FormatError(file, `layer ${name}: bias weights not found`);
    layers.push({ weights: kernel.data, shape: [kernel.shape[0], units], bias, activation });
  }
  if (layers.length === 0) throw new FormatError(file, 'the model has no Dense layers');
  return layers;
}
