/** A hand-made bundle exercising the awkward corners of the file store; shared by unit and interop tests. */
import type { MlflowBundle } from '../../src/lib/mlflow/bundle';
import { dictFrom } from '../../src/lib/util/dict';
import type { MetricColumns } from '../../src/lib/tracking/types';

export const EXP = '412345678901234567';
export const PARENT = '9f0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e';
export const CHILD = 'aa0c1d2e3f4a5b6c7d8e9f0a1b2c3d4f';
export const DELETED_EXP = '512345678901234567';
export const TRASHED_RUN = 'bb0c1d2e3f4a5b6c7d8e9f0a1b2c3d50';
export const MODEL_ID = 'm-0123456789abcdef0123456789abcdef';

export function cols(key: string, pts: [number, number, number][]): MetricColumns {
  return {
    key,
    timestamps: Float64Array.from(pts.map((p) => p[0])),
    values: Float64Array.from(pts.map((p) => p[1])),
    steps: Float64Array.from(pts.map((p) => p[2])),
  };
}

const T = 1717000000000;

export function sampleBundle(): MlflowBundle {
  const summary = { latest: 0, step: 0, timestamp: 0, min: 0, max: 0, count: 0 };
  return {
    experiments: [
      { experimentId: EXP, name: "wine: 'elastic' net #1 - yes", artifactLocation: '', lifecycleStage: 'active', creationTime: T, lastUpdateTime: T + 5, tags: dictFrom([['mlflow.note.content', 'Line one\nline two ✓']]) },
      { experimentId: DELETED_EXP, name: 'null', artifactLocation: '', lifecycleStage: 'deleted', creationTime: T, lastUpdateTime: T + 9, tags: {} },
    ],
    runs: [
      {
        run: {
          info: { runId: PARENT, experimentId: EXP, runName: '0', userId: 'ana', status: 'FINISHED', startTime: T + 1000, endTime: T + 9000, lifecycleStage: 'active', deletedTime: null, artifactUri: '' },
          params: dictFrom([['alpha', '0.5'], ['__proto__', 'polluted?'], ['nested/key', 'multi\nline ünïcode'], ['empty', '']]),
          tags: dictFrom([['mlflow.runName', '0'], ['mlflow.user', 'ana'], ['mlflow.source.type', 'LOCAL'], ['team', 'a b: c']]),
          metrics: dictFrom([['rmse', summary]]),
          inputs: [{
            dataset: { name: 'winequality-red', digest: '3f2a9c1b', sourceType: 'http', source: '{"url": "https://example.org/winequality-red.csv"}', schema: '{"mlflow_colspec": [{"type": "double", "name": "alcohol", "required": true}]}', profile: '{"num_rows": 1599, "num_elements": 19188}' },
            tags: dictFrom([['mlflow.data.context', 'training']]),
          }],
        },
        metrics: [
          cols('rmse', [[T + 1100, 0.7931640229276851, 0], [T + 1200, 0.5, 1], [T + 1300, NaN, 2], [T + 1400, 1e-7, 3]]),
          cols('train/loss', [[T + 1100, Infinity, 0], [T + 1200, -Infinity, 1], [T + 1300, -0, 2], [T + 1300, 1e21, 2], [T + 1400, 5, -1]]),
        ],
        artifacts: [
          { path: 'notes.txt', bytes: new TextEncoder().encode('hello artifacts\n') },
          { path: 'plots/deep/bytes.bin', bytes: Uint8Array.from([0, 255, 1, 254, 0x0a, 0x0d]) },
        ],
        outputs: [{ modelId: MODEL_ID, step: 0 }],
      },
      {
        run: {
          info: { runId: CHILD, experimentId: EXP, runName: 'child run', userId: '', status: 'FAILED', startTime: T + 2000, endTime: null, lifecycleStage: 'deleted', deletedTime: T + 9500, artifactUri: '' },
          params: {},
          tags: dictFrom([['mlflow.parentRunId', PARENT], ['mlflow.runName', 'child run']]),
          metrics: {},
          inputs: [{
            dataset: { name: 'winequality-red', digest: '3f2a9c1b', sourceType: 'http', source: '{"url": "https://example.org/winequality-red.csv"}', schema: '{"mlflow_colspec": [{"type": "double", "name": "alcohol", "required": true}]}', profile: '{"num_rows": 1599, "num_elements": 19188}' },
            tags: dictFrom([['mlflow.data.context', 'validation']]),
          }],
        },
        metrics: [cols('acc', [[T + 2100, 0.25, 0]])],
        artifacts: [],
      },
      {
        run: {
          info: { runId: TRASHED_RUN, experimentId: DELETED_EXP, runName: 'in trash', userId: 'bo', status: 'KILLED', startTime: T + 3000, endTime: T + 3001, lifecycleStage: 'deleted', deletedTime: T + 3002, artifactUri: '' },
          params: dictFrom([['p', '1']]), tags: dictFrom([['mlflow.runName', 'in trash']]), metrics: {}, inputs: [],
        },
        metrics: [],
        artifacts: [],
      },
    ],
    loggedModels: [{
      model: {
        modelId: MODEL_ID, experimentId: EXP, name: 'model', artifactLocation: '', creationTimestamp: T + 8000, lastUpdatedTimestamp: T + 8100,
        lifecycleStage: 'active', modelType: null, sourceRunId: PARENT, status: 'READY', statusMessage: null,
        params: dictFrom([['alpha', '0.5']]), tags: dictFrom([['mlflow.user', 'ana']]),
        metrics: [{ key: 'rmse', value: 0.5, timestamp: T + 1200, step: 1, runId: PARENT }],
      },
      artifacts: [{ path: 'MLmodel', bytes: new TextEncoder().encode('flavors: {}\n') }],
    }],
    registeredModels: [],
  };
}
