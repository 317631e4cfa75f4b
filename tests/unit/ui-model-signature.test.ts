import { describe, expect, it } from 'vitest';
import { buildMLmodel } from '../../src/lib/mlflow/mlmodel';
import { readMlmodel, signatureInputNames, signatureSummary } from '../../src/lib/ui-model/mlmodel-view';
import { tabularSignature } from '../../src/lib/training/model-artifacts';
import type { SignatureItem } from '../../src/lib/mlflow/mlmodel';

/** The MLmodel text a training run writes, read back as the registry's versions table reads it. */
function signatureOf(features: string[], classes?: string[]) {
  const sig = tabularSignature(features, { classes });
  const text = buildMLmodel({
    flavors: { tfjs: { format: 'layers-model' } }, modelUuid: '0'.repeat(32), artifactPath: 'model', createdAt: 0,
    signature: { inputs: sig.inputs as SignatureItem[], outputs: sig.outputs as SignatureItem[], params: null }, modelSizeBytes: 1,
  });
  return readMlmodel(text).signature;
}

describe('signatureSummary', () => {
  it('a regressor: its columns and their type, then the output tensor', () => {
    const sig = signatureOf(['fixed acidity', 'alcohol']);
    expect(signatureSummary(sig)).toBe('2 columns (double) → tensor float64 (-1)');
    expect(signatureInputNames(sig)).toEqual(['fixed acidity', 'alcohol']);
  });
  it('a classifier: class probabilities', () => {
    expect(signatureSummary(signatureOf(['x'], ['a', 'b', 'c']))).toBe('1 column (double) → tensor float32 (-1, 3)');
  });
  it('a model without a signature says so', () => {
    expect(signatureSummary(null)).toBe('no signature');
    expect(signatureSummary(readMlmodel('flavors:\n  python_function: {}\n').signature)).toBe('no signature');
  });
});
