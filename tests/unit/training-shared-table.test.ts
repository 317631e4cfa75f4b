/**
 * A training worker gets each dataset once (SharedTable): the pool sends the table with a
 * worker's first job on it and only its name after; the trainer keeps it between jobs and
 * never changes it, so every job trains on the data as it was sent.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import * as Comlink from 'comlink';
import type { DataTable } from '../../src/lib/data/types';
import type { ResolvedTrainSpec, TrainSpec } from '../../src/lib/training/contract';
import type { TrainWorkerApi } from '../../src/lib/training/worker-api';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import { TrainingPool, type WorkerHandle } from '../../src/lib/training/pool';
import { resolveTrainSpec } from '../../src/lib/training/validate';
import { createTrainer } from '../../workers/training/trainer';
import { wineTable } from './training-helpers';

const require = createRequire(import.meta.url);
const nodeEndpoint = require('comlink/dist/umd/node-adapter.js') as typeof import('comlink/dist/umd/node-adapter').default;
/** A stand-in trainer that reports whether the job brought its table, and the rows it trained on. */
const WORKER_CODE = `
const Comlink = require(${JSON.stringify(require.resolve('comlink'))});
const nodeEndpoint = require(${JSON.stringify(require.resolve('comlink/dist/umd/node-adapter.js'))});
const { parentPort } = require('node:worker_threads');
let held = null;
Comlink.expose({
  async train(jobId, spec, shared, logger) {
    if (spec.params.crash) setTimeout(() => process.exit(3), 1);
    if (spec.params.crash) await new Promise((r) => setTimeout(r, 1000));
    if (shared.table) held = shared;
    if (!held || held.tableId !== shared.tableId) return { status: 'FAILED', metrics: {}, error: 'no table' };
    return { status: 'FINISHED', metrics: { sent: shared.table ? 1 : 0, rows: held.table.rowCount } };
  },
  async cancel() { return false; },
}, nodeEndpoint(parentPort));
`;

let pools: TrainingPool[] = [];
afterEach(() => { pools.forEach((p) => p.dispose()); pools = []; });

function makePool(): TrainingPool {
  const factory = (): WorkerHandle => {
    const w = new Worker(WORKER_CODE, { eval: true });
    return {
      api: Comlink.wrap<TrainWorkerApi>(nodeEndpoint(w)),
      terminate: () => void w.terminate(),
      onCrash(listener) { w.on('exit', (code) => { if (code !== 0) listener(`exited with code ${code}`); }); },
    };
  };
  const pool = new TrainingPool(factory, { size: 1 });
  pools.push(pool);
  return pool;
}

const tableOf = (rows: number): DataTable => ({ columns: ['a'], types: ['number'], data: [new Float64Array(rows)], rowCount: rows });
const spec = (params: Record<string, string | number> = {}) => ({ model: 'linear', target: 'a', params }) as unknown as ResolvedTrainSpec;

describe('the pool sends a worker each dataset once', () => {
  it('a table goes with the first job on it; a new table, or a replaced worker, gets it again', async () => {
    const pool = makePool();
    const a = tableOf(3), b = tableOf(5);
    const run = async (table: DataTable, params?: Record<string, string | number>) => (await pool.submit(spec(params), table, new MemoryRunLogger()).result);
    const sent: number[] = [];
    for (const t of [a, a, a, b, b, a]) {
      const r = await run(t);
      expect(r.metrics.rows).toBe(t.rowCount);
      sent.push(r.metrics.sent);
    }
    expect(sent).toEqual([1, 0, 0, 1, 0, 1]);
    expect((await run(a, { crash: 1 })).status).toBe('FAILED'); // the worker dies with the table
    expect((await run(a)).metrics).toEqual({ sent: 1, rows: 3 });
  });
});

describe('the trainer keeps a shared table and never changes it', () => {
  let white: DataTable;
  beforeAll(async () => { white = await wineTable('wine-quality.csv'); });

  it('jobs named by tableId train as on a fresh copy, and leave the table as sent', async () => {
    const pristine = white.data.map((c) => Float64Array.from(c as Float64Array));
    const trainer = createTrainer({ loadTf: async () => { throw new Error('no TF.js here'); }, flushMs: 5 });
    const specs: TrainSpec[] = [
      { model: 'elasticnet', target: 'quality', params: { alpha: 0.1, l1_ratio: 0.5 }, standardize: false },
      { model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.9 }, standardize: true },
      { model: 'elasticnet', target: 'quality', params: { alpha: 0.1, l1_ratio: 0.5 }, standardize: false },
    ];
    const shared = [];
    for (const [i, s] of specs.entries()) {
      const r = await trainer.train(`s${i}`, resolveTrainSpec(s, white), i === 0 ? { tableId: 'w', table: white } : { tableId: 'w' }, new MemoryRunLogger());
      expect(r.status).toBe('FINISHED');
      shared.push(r.metrics);
    }
    expect(white.data).toEqual(pristine);
    expect(shared[2]).toEqual(shared[0]); // the same fit after another job: same metrics
    const fresh = createTrainer({ loadTf: async () => { throw new Error('no TF.js here'); }, flushMs: 5 });
    const copy: DataTable = { ...white, data: pristine.map((c) => Float64Array.from(c)) };
    expect((await fresh.train('f', resolveTrainSpec(specs[1], copy), copy, new MemoryRunLogger())).metrics).toEqual(shared[1]);

    const lost = await trainer.train('x', resolveTrainSpec(specs[0], white), { tableId: 'another' }, new MemoryRunLogger());
    expect(lost).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/does not hold dataset another/) });
  });
});
