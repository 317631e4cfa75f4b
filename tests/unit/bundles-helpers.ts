// Shared helpers for the bundle tests (not a test file itself): a small lab with every kind of content.
import type { TrackingStore } from '../../src/lib/storage/tracking-store';
import { cols } from './storage-helpers';
import { openDb } from './sqlite-helpers';
import { prepareArchive, type PrepareArchiveOptions } from '../../src/lib/bundles/prepare-archive';
import type { PreparedImport } from '../../src/lib/bundles/prepare-import';
import type { BundleArtifact, BundleRun } from '../../src/lib/mlflow/bundle';
import type { Experiment, MetricColumns } from '../../src/lib/tracking/types';
import { dictSet, newDict } from '../../src/lib/util/dict';

const enc = new TextEncoder();

export interface SampleLab {
  experimentId: string;
  runIds: string[];
}

/** Two experiments; finished, running (no owner), failed-and-deleted and nested runs; metrics, inputs, artifacts, a model folder. */
export async function fillLab(store: TrackingStore): Promise<SampleLab> {
  const experimentId = await store.createExperiment('wine: bundles', { team: 'a b: c' });
  const other = await store.createExperiment('other');
  const a = await store.createRun({ experimentId, runName: 'enet', tags: { '__proto__': 'kept' } });
  await store.logBatch(a.runId, {
    params: [{ key: 'alpha', value: '0.5' }, { key: 'nested/key', value: 'multi\nline ünïcode' }],
    tags: [{ key: 'mlflow.note.content', value: 'note ✓' }],
    metrics: [
      cols('rmse', [[0, 0.7931640229276851, 1_700_000_000_100], [1, 0.5, 1_700_000_000_200], [1, NaN, 1_700_000_000_200], [0, 1e-7, 1_700_000_000_300]]),
      cols('train/loss', [[0, Infinity, 1_700_000_000_100], [1, -0, 1_700_000_000_150]]),
    ],
  });
  // A second batch: histories are several appends, kept in logging order.
  await store.logBatch(a.runId, { metrics: [cols('rmse', Array.from({ length: 1500 }, (_, i) => [i + 2, 1 / (i + 1), 1_700_000_001_000 + i] as [number, number, number]))] });
  await store.logInputs(a.runId, [{
    dataset: { name: 'winequality-red', digest: '3f2a9c1b', sourceType: 'http', source: '{"url": "https://example.org/w.csv"}', schema: null, profile: '{"num_rows": 1599}' },
    tags: { 'mlflow.data.context': 'training' },
  }]);
  await store.logArtifact(a.runId, 'notes.txt', enc.encode('hello\n'), 'text/plain');
  await store.logArtifact(a.runId, 'plots/deep/bytes.bin', Uint8Array.from([0, 255, 1, 254, 0x0a, 0x0d]));
  await store.logArtifact(a.runId, 'model/MLmodel', enc.encode('artifact_path: model\nflavors:\n  tfjs:\n    model_json: model.json\nmodel_uuid: 0123\nutc_time_created: \'2024-01-01 00:00:00.000000\'\n'));
  await store.logArtifact(a.runId, 'model/model.json', enc.encode('{"format": "layers-model"}'));
  await store.logArtifact(a.runId, 'model/weights.bin', new Uint8Array(4096).map((_, i) => i * 7));
  await store.updateRun(a.runId, { status: 'FINISHED', endTime: 1_700_000_009_000 });

  const child = await store.createRun({ experimentId, runName: 'child', parentRunId: a.runId });
  await store.logBatch(child.runId, { metrics: [cols('acc', [[0, 0.25, 1_700_000_002_000]])] });
  await store.updateRun(child.runId, { status: 'FAILED', endTime: 1_700_000_003_000 });
  await store.deleteRun(child.runId);

  const running = await store.createRun({ experimentId: other, runName: 'still running' });
  await store.logBatch(running.runId, { params: [{ key: 'p', value: '1' }] });
  return { experimentId, runIds: [a.runId, child.runId, running.runId] };
}

/** An archive through the bundle worker's import step (prepareArchive), with sql.js for Node. */
export async function prepareZip(source: Uint8Array | Blob, opts: Omit<PrepareArchiveOptions, 'openDb'> = {}): Promise<PreparedImport> {
  return (await prepareArchive(source, { ...opts, openDb })).prep;
}

/** The Default experiment, as an export's experiments list. */
export const DEFAULT_EXPERIMENTS: Experiment[] = [{ experimentId: '0', name: 'Default', artifactLocation: '', lifecycleStage: 'active', creationTime: 0, lastUpdateTime: 0, tags: newDict<string>() }];

/** A history of `n` points at steps 0…n−1, timestamps from `t0` on, values `value(step)`. */
export function history(key: string, n: number, value: (step: number) => number, t0: number): MetricColumns {
  return {
    key,
    values: Float64Array.from({ length: n }, (_, s) => value(s)),
    steps: Float64Array.from({ length: n }, (_, s) => s),
    timestamps: Float64Array.from({ length: n }, (_, s) => t0 + s),
  };
}

/** Run `i` of a synthetic lab in the Default experiment (id: `prefix` + i in hex, 32 characters), FINISHED, param `i`. */
export function finishedRun(prefix: string, i: number, metrics: MetricColumns[], artifacts: BundleArtifact[] = []): BundleRun {
  const runId = `${prefix}${i.toString(16).padStart(32 - prefix.length, '0')}`;
  const params = newDict<string>();
  dictSet(params, 'i', String(i));
  const tags = newDict<string>();
  dictSet(tags, 'mlflow.runName', `run-${i}`);
  return {
    run: { info: { runId, experimentId: '0', runName: `run-${i}`, userId: 'u', status: 'FINISHED', startTime: 1_700_000_000_000 + i, endTime: 1_700_000_000_001 + i, lifecycleStage: 'active', deletedTime: null, artifactUri: '' },
      params, tags, metrics: newDict(), inputs: [] },
    metrics,
    artifacts,
  };
}
