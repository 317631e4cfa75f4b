/**
 * A small helper for assembling ONNX graphs: unique value names, typed initializers, the
 * standardisation prefix and the output heads shared by every model the lab exports.
 *
 * Output design (why the heads look like this): `mlflow.pyfunc` runs an ONNX model fed a
 * DataFrame and returns a DataFrame with one column per ONNX output, each output flattened with
 * `reshape(-1)`. An `[N, k]` output would therefore turn into N·k rows and break the frame, so
 * every output here is a 1-D `[N]` tensor:
 *  - regression: `predictions` (or `predictions_0…` for several targets);
 *  - classification: `label` (the predicted class, as in the lab's `classes`) and, optionally,
 *    one `probability_<class>` column per class.
 */
import { invalid } from '../util/errors';
import { DataType, encodeModel, type AttributeValue, type DataTypeCode, type NodeValue, type TensorValue, type ValueInfo } from './onnx-proto';

export type OnnxDtype = 'float32' | 'float64';

/** Opset 13 has every op we use in its current form (Softmax over one axis, Squeeze with an input). */
export const OPSET_VERSION = 13;
/** IR version 8 (ONNX 1.10+) is read by every onnxruntime of the last years. */
export const IR_VERSION = 8;
export const PRODUCER_NAME = 'mfflow';
export const PRODUCER_VERSION = '0.1.0';

/** Per-feature standardisation applied before the model: x' = (x - mean) / scale. */
export interface Scaler {
  mean: ArrayLike<number>;
  scale: ArrayLike<number>;
}

/** Options every exporter takes. */
export interface CommonOptions {
  /** ONNX input name (default `input`). A single `[N, p]` tensor. */
  inputName?: string;
  /** Column names, recorded in the model's metadata (`feature_names`, JSON). */
  featureNames?: string[];
  scaler?: Scaler;
  /** Element type of the input, weights and outputs. */
  dtype?: OnnxDtype;
  docString?: string;
}

export type ClassLabel = number | string;

export class GraphBuilder {
  readonly nodes: NodeValue[] = [];
  readonly initializers: TensorValue[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly elemType: DataTypeCode;
  private readonly used = new Set<string>();

  constructor(readonly dtype: OnnxDtype, reserved: string[]) {
    this.elemType = dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
    for (const r of reserved) this.used.add(r);
  }

  /** A value name not used yet, derived from `prefix`. */
  fresh(prefix: string): string {
    let name = prefix;
    for (let i = 1; this.used.has(name); i++) name = `${prefix}_${i}`;
    this.used.add(name);
    return name;
  }

  /** A float initializer in the model's dtype. Rejects NaN/Infinity: such a model only predicts NaN. */
  weights(prefix: string, dims: number[], data: ArrayLike<number>): string {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw invalid(`${prefix}: weight ${i} is ${data[i]}; the model cannot be exported`);
    }
    return this.tensor(prefix, dims, this.elemType, data);
  }

  tensor(prefix: string, dims: number[], dataType: DataTypeCode, data: TensorValue['data']): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims, dataType, data });
    return name;
  }

  /** Adds a node and returns its (single) output name. */
  op(opType: string, inputs: string[], outputPrefix: string, attributes?: Record<string, AttributeValue>): string {
    const out = this.fresh(outputPrefix);
    this.nodes.push({ opType, inputs, outputs: [out], name: this.fresh(`${opType}_node`), attributes });
    return out;
  }

  /** Standardisation prefix; returns the input unchanged without a scaler. */
  standardize(x: string, p: number, scaler?: Scaler): string {
    if (!scaler) return x;
    if (scaler.mean.length !== p || scaler.scale.length !== p) {
      throw invalid(`scaler has ${scaler.mean.length} means and ${scaler.scale.length} scales for ${p} features`);
    }
    for (let i = 0; i < p; i++) {
      if (scaler.scale[i] === 0) throw invalid(`scaler: scale of feature ${i} is 0`);
    }
    const centred = this.op('Sub', [x, this.weights('scaler_mean', [p], scaler.mean)], 'centred');
    return this.op('Div', [centred, this.weights('scaler_scale', [p], scaler.scale)], 'standardized');
  }

  /** Declares a graph output `[N]` named `name`, produced by renaming `value` via Identity. */
  output(value: string, name: string, elemType: DataTypeCode = this.elemType): void {
    if (this.used.has(name)) throw invalid(`ONNX value name "${name}" is used twice (is it also the input name?)`);
    this.used.add(name);
    this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: this.fresh(`output_${name}`) });
    this.outputs.push({ name, elemType, shape: ['N'] });
  }

  /** Column `j` of an `[N, k]` tensor as an `[N]` tensor (Gather with a scalar index drops the axis). */
  column(value: string, j: number, prefix: string): string {
    const index = this.tensor(`${prefix}_index`, [], DataType.INT64, [j]);
    return this.op('Gather', [value, index], prefix, { axis: { kind: 'int', value: 1 } });
  }

  /** Regression outputs from an `[N, k]` tensor. */
  regressionHead(y: string, k: number): void {
    if (k === 1) this.output(this.column(y, 0, 'prediction'), 'predictions');
    else for (let j = 0; j < k; j++) this.output(this.column(y, j, `prediction_${j}`), `predictions_${j}`);
  }

  /** Classification outputs from an `[N, k]` probability tensor whose column j is `classes[j]`. */
  classificationHead(probs: string, classes: readonly ClassLabel[], withProbabilities: boolean): void {
    const labels = classLabelTensor(classes);
    const labelTable = this.tensor('class_labels', [classes.length], labels.dataType, labels.data);
    const argmax = this.op('ArgMax', [probs], 'class_index', { axis: { kind: 'int', value: 1 }, keepdims: { kind: 'int', value: 0 } });
    this.output(this.op('Gather', [labelTable, argmax], 'label_value', { axis: { kind: 'int', value: 0 } }), 'label', labels.dataType);
    if (!withProbabilities) return;
    probabilityOutputNames(classes).forEach((name, j) => this.output(this.column(probs, j, `prob_${j}`), name));
  }

  /** Encodes the graph with input `inputName: [N, p]`. */
  finish(inputName: string, p: number, options: CommonOptions, graphName: string): Uint8Array {
    const metadata: Record<string, string> = {};
    if (options.featureNames) {
      if (options.featureNames.length !== p) throw invalid(`${options.featureNames.length} feature names for ${p} features`);
      metadata.feature_names = JSON.stringify(options.featureNames);
    }
    return encodeModel({
      irVersion: IR_VERSION,
      opsetImports: [{ domain: '', version: OPSET_VERSION }],
      producerName: PRODUCER_NAME,
      producerVersion: PRODUCER_VERSION,
      docString: options.docString,
      metadata,
      graph: {
        name: graphName,
        nodes: this.nodes,
        initializers: this.initializers,
        inputs: [{ name: inputName, elemType: this.elemType, shape: ['N', p] }],
        outputs: this.outputs,
      },
    });
  }
}

/**
 * Integer classes become an INT64 label (so `label` compares equal to the training target),
 * other numbers DOUBLE, anything else a STRING label.
 */
export function classLabelTensor(classes: readonly ClassLabel[]): { dataType: DataTypeCode; data: TensorValue['data'] } {
  if (classes.length < 2) throw invalid(`a classifier needs at least 2 classes, got ${classes.length}`);
  if (new Set(classes).size !== classes.length) throw invalid('class labels must be distinct');
  if (classes.every((c) => typeof c === 'number' && Number.isSafeInteger(c))) return { dataType: DataType.INT64, data: classes as number[] };
  if (classes.every((c) => typeof c === 'number' && Number.isFinite(c))) return { dataType: DataType.DOUBLE, data: classes as number[] };
  return { dataType: DataType.STRING, data: classes.map(String) };
}

/**
 * `probability_<class>` for each class, with characters outside [A-Za-z0-9_.-] replaced by `_`.
 * If two classes would collide after that, every column falls back to `probability_<index>`.
 */
export function probabilityOutputNames(classes: readonly ClassLabel[]): string[] {
  const names = classes.map((c) => `probability_${String(c).replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  return new Set(names).size !== names.length ? classes.map((_, j) => `probability_${j}`) : names;
}

/** Checks a dense row-major [rows, cols] matrix. */
export function checkMatrix(what: string, data: ArrayLike<number>, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw invalid(`${what}: bad shape [${rows}, ${cols}]`);
  if (data.length !== rows * cols) throw invalid(`${what}: ${data.length} values for shape [${rows}, ${cols}]`);
}
