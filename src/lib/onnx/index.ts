/** Writing ONNX model files (`model.onnx` of an MLflow `onnx` flavor) in plain TypeScript. */
export { linearRegressionToOnnx, logisticRegressionToOnnx, mlpToOnnx, ACTIVATIONS } from './models';
export type { Activation, DenseLayer, Task, LinearRegressionSpec, LogisticRegressionSpec, MlpSpec } from './models';
export { OPSET_VERSION, IR_VERSION, probabilityOutputNames } from './graph';
export type { OnnxDtype, Scaler, CommonOptions, ClassLabel } from './graph';
