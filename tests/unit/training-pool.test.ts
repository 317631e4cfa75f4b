/**
 * The pool against real worker threads speaking comlink. The workers run a small stand-in
 * trainer (sleeps, logs one metric, can crash) so the tests are about scheduling and crash
 * handling, not about models.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import * as Comlink from 'comlink';
import type { DataTable } from '../../src/lib/data/types';
import type { ResolvedTrainSpec } from '../../src/lib/training/contract';
import type { TrainWorkerApi } from '../../src/lib/training/worker-api';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import { TrainingPool, type WorkerHandle } from '../../src/lib/training/pool';

const require = createRequire(import.meta.url);
const nodeEndpoint = require('comlink/dist/umd/node-adapter.js') as typeof import('comlink/dist/umd/node-adapter').default;
const WORKER_CODE = `
const Comlink = require(${JSON.stringify(require.resolve('comlink'))});
const nodeEndpoint = require(${JSON.stringify(require.resolve('comlink/dist/umd/node-adapter.js'))});
const { parentPort } = require('node:worker_threads');
const cancelled = new Set();
const exitOnCancel = new Set();
let held = null; // the pool sends each table once (SharedTable)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
Comlink.expose({
  async train(jobId, spec, shared, logger) {
    if (shared.table) held = shared.table;
    const table = held;
    const p = spec.params || {};
    if (p.crash === 'exit') setTimeout(() => process.exit(3), 5);
    if (p.crash === 'throw') setTimeout(() => { throw new Error('boom in the worker'); }, 5);
    if (p.crash === 'on-cancel') exitOnCancel.add(jobId);
    for (let i = 0; i < (p.ticks || 5); i++) {
      if (cancelled.has(jobId)) return { status: 'KILLED', metrics: {}, epochsDone: i };
      await sleep(p.ms || 10);
    }
    await logger.logBatch({ metrics: [{ key: 'rows', values: new Float64Array([table.rowCount]),
      steps: new Float64Array([0]), timestamps: new Float64Array([Date.now()]) }] });
    return { status: 'FINISHED', metrics: { rows: table.rowCount } };
  },
  async cancel(jobId) { if (exitOnCancel.has(jobId)) process.exit(4); cancelled.add(jobId); return true; },
}, nodeEndpoint(parentPort));
`;

const table: DataTable = { columns: ['a'], types: ['number'], data: [new Float64Array([1, 2, 3])], rowCount: 3 };
/** The stand-in trainer reads only `params` (its own knobs, not a model's), so no real spec is resolved here. */
const spec = (params: Record<string, string | number> = {}) => ({ model: 'linear', target: 'a', params }) as unknown as ResolvedTrainSpec;

let pools: TrainingPool[] = [];
afterEach(() => { pools.forEach((p) => p.dispose()); pools = []; });

function makePool(size: number, created: number[] = [], killAfterMs = 2000) {
  const factory = (index: number): WorkerHandle => {
    created.push(index);
    const w = new Worker(WORKER_CODE, { eval: true });
    return {
      api: Comlink.wrap<TrainWorkerApi>(nodeEndpoint(w)),
      terminate: () => void w.terminate(),
      onCrash(listener) {
        w.on('error', (e) => listener(e.message));
        w.on('exit', (code) => { if (code !== 0) listener(`exited with code ${code}`); });
      },
    };
  };
  const pool = new TrainingPool(factory, { size, killAfterMs });
  pools.push(pool);
  return pool;
}

describe('TrainingPool', () => {
  it('runs jobs concurrently up to its size, FIFO, and passes the logger through', async () => {
    const pool = makePool(2);
    const logs = [0, 1, 2, 3, 4].map(() => new MemoryRunLogger());
    const jobs = logs.map((log) => pool.submit(spec({ ms: 20 }), table, log));
    await new Promise((r) => setTimeout(r, 5));
    expect(pool.stats()).toMatchObject({ running: 2, queued: 3 });
    const results = await Promise.all(jobs.map((j) => j.result));
    expect(results.every((r) => r.status === 'FINISHED' && r.metrics.rows === 3)).toBe(true);
    for (const log of logs) expect(log.last('rows')).toBe(3);
    expect(pool.stats()).toMatchObject({ running: 0, queued: 0, workers: 2 });
  });

  it('M5: a worker that exits makes its job FAILED and is replaced; other jobs go on', async () => {
    const created: number[] = [];
    const pool = makePool(1, created);
    const bad = pool.submit(spec({ crash: 'exit', ticks: 50 }), table, new MemoryRunLogger());
    const good = pool.submit(spec(), table, new MemoryRunLogger());
    const r1 = await bad.result;
    expect(r1.status).toBe('FAILED');
    expect(r1.error).toMatch(/crashed: exited with code 3/);
    expect((await good.result).status).toBe('FINISHED');
    expect(created).toEqual([0, 0]); // slot 0 got a fresh worker
  });

  it('M5: an uncaught error in the worker fails the job with its message', async () => {
    const pool = makePool(1);
    const r = await pool.submit(spec({ crash: 'throw', ticks: 50 }), table, new MemoryRunLogger()).result;
    expect(r.status).toBe('FAILED');
    expect(r.error).toContain('boom in the worker');
    expect((await pool.submit(spec(), table, new MemoryRunLogger()).result).status).toBe('FINISHED');
  });

  it('a worker that dies while its job is being cancelled ends the job KILLED with the reason', async () => {
    const created: number[] = [];
    const pool = makePool(1, created);
    const job = pool.submit(spec({ crash: 'on-cancel', ticks: 100 }), table, new MemoryRunLogger());
    await new Promise((r) => setTimeout(r, 30));
    await pool.cancel(job.jobId);
    const r = await job.result;
    expect(r.status).toBe('KILLED');
    expect(r.error).toMatch(/crashed: exited with code 4/);
    expect((await pool.submit(spec(), table, new MemoryRunLogger()).result).status).toBe('FINISHED');
    expect(created).toEqual([0, 0]);
  });

  it('cancels queued jobs at once and running jobs through the worker', async () => {
    const pool = makePool(1);
    const running = pool.submit(spec({ ticks: 100 }), table, new MemoryRunLogger());
    const queued = pool.submit(spec(), table, new MemoryRunLogger());
    await new Promise((r) => setTimeout(r, 30));
    expect(await pool.cancel(queued.jobId)).toBe(true);
    expect(await queued.result).toEqual({ status: 'KILLED', metrics: {} });
    expect(await pool.cancel(running.jobId)).toBe(true);
    const r = await running.result;
    expect(r.status).toBe('KILLED');
    expect(r.epochsDone).toBeGreaterThan(0);
    expect(await pool.cancel('no-such-job')).toBe(false);
  });

  it('M5: terminates a worker that ignores cancel after killAfterMs', async () => {
    const created: number[] = [];
    const pool = makePool(1, created, 50);
    // The stand-in only checks for cancel between 1 s ticks: too late for the deadline.
    const job = pool.submit(spec({ ticks: 3, ms: 1000 }), table, new MemoryRunLogger());
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await pool.cancel(job.jobId);
    const r = await job.result;
    expect(r.status).toBe('KILLED');
    expect(Date.now() - t0).toBeLessThan(900);
    expect((await pool.submit(spec(), table, new MemoryRunLogger()).result).status).toBe('FINISHED');
    expect(created).toEqual([0, 0]);
  });

  it('dispose ends queued and running jobs as KILLED', async () => {
    const pool = makePool(1);
    const a = pool.submit(spec({ ticks: 100 }), table, new MemoryRunLogger());
    const b = pool.submit(spec(), table, new MemoryRunLogger());
    await new Promise((r) => setTimeout(r, 10));
    pool.dispose();
    expect((await a.result).status).toBe('KILLED');
    expect((await b.result).status).toBe('KILLED');
    expect((await pool.submit(spec(), table, new MemoryRunLogger()).result).status).toBe('KILLED');
  });
});
