/**
 * WorkerBridge against real worker threads speaking comlink: lazy start, cancel by AbortSignal
 * (in the worker, or by terminating a worker that does not stop), idle termination, and crashes
 * turned into WorkerCrashedError for every pending call. The silent death seen through the
 * liveness lock needs Web Locks, so it is proven in Chromium (tests/e2e/workers.spec.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { WorkerBridge, WorkerCrashedError, type WorkerLike } from '../../src/lib/workers/bridge';

const require = createRequire(import.meta.url);
const nodeEndpoint = require('comlink/dist/umd/node-adapter.js') as typeof import('comlink/dist/umd/node-adapter').default;
const WORKER_CODE = `
const Comlink = require(${JSON.stringify(require.resolve('comlink'))});
const nodeEndpoint = require(${JSON.stringify(require.resolve('comlink/dist/umd/node-adapter.js'))});
const { parentPort } = require('node:worker_threads');
const cancelled = new Set();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
Comlink.expose({
  echo(x) { return x; },
  async slow(jobId, ticks) {
    for (let i = 0; i < ticks; i++) {
      if (cancelled.has(jobId)) return 'stopped at ' + i;
      await sleep(10);
    }
    return 'done';
  },
  async deaf(ms) { await sleep(ms); return 'too late'; },
  throwSoon() { setTimeout(() => { throw new Error('boom'); }, 5); return new Promise(() => {}); },
  cancel(jobId) { cancelled.add(jobId); },
}, nodeEndpoint(parentPort));
`;

interface Api {
  echo(x: number): number;
  slow(jobId: string, ticks: number): Promise<string>;
  deaf(ms: number): Promise<string>;
  throwSoon(): Promise<never>;
  cancel(jobId: string): void;
}

/** A node worker thread as a browser-like Worker (events the bridge listens to). */
function nodeWorker(): WorkerLike {
  const w = new Worker(WORKER_CODE, { eval: true });
  const ep = nodeEndpoint(w);
  return {
    postMessage: (m: unknown, t?: Transferable[]) => ep.postMessage(m, t),
    addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const l = listener as (e: unknown) => void;
      if (type === 'message') ep.addEventListener('message', listener);
      else if (type === 'error') w.on('error', (e: Error) => l({ message: e.message }));
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      if (type === 'message') ep.removeEventListener('message', listener);
    },
    terminate: () => void w.terminate(),
  };
}

let bridges: WorkerBridge<Api>[] = [];
afterEach(() => { bridges.forEach((b) => b.terminate()); bridges = []; });

function makeBridge(opts: { idleMs?: number; killAfterMs?: number } = {}): WorkerBridge<Api> {
  const b = new WorkerBridge<Api>({ label: 'test', create: () => nodeWorker(), locks: null, ...opts });
  bridges.push(b);
  return b;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WorkerBridge', () => {
  it('starts the worker on the first call, not before, and reuses it', async () => {
    const b = makeBridge();
    expect(b.running).toBe(false);
    expect(await b.call((api) => api.echo(7))).toBe(7);
    expect(await b.api.echo(8)).toBe(8);
    expect(b.running).toBe(true);
    expect(b.starts).toBe(1);
  });

  it('an abort asks the worker to stop the call, which settles as the worker answers', async () => {
    const b = makeBridge();
    const ctl = new AbortController();
    const call = b.call((api) => api.slow('j1', 500), { signal: ctl.signal, cancel: (api) => api.cancel('j1') });
    await sleep(50);
    ctl.abort();
    expect(await call).toMatch(/^stopped at \d+$/);
    expect(b.starts).toBe(1);
  });

  it('an abort without a cancel hook rejects with the abort reason and terminates the worker', async () => {
    const b = makeBridge();
    const ctl = new AbortController();
    const call = b.call((api) => api.deaf(5000), { signal: ctl.signal });
    await sleep(20);
    ctl.abort(new DOMException('stop it', 'AbortError'));
    await expect(call).rejects.toMatchObject({ name: 'AbortError', message: 'stop it' });
    expect(b.running).toBe(false);
    expect(await b.api.echo(1)).toBe(1);
    expect(b.starts).toBe(2);
  });

  it('a worker that ignores the cancel is terminated after killAfterMs', async () => {
    const b = makeBridge({ killAfterMs: 60 });
    const ctl = new AbortController();
    const call = b.call((api) => api.deaf(5000), { signal: ctl.signal, cancel: (api) => api.cancel('x') });
    await sleep(20);
    const t0 = Date.now();
    ctl.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(b.running).toBe(false);
  });

  it('an already aborted signal rejects without starting a worker', async () => {
    const b = makeBridge();
    await expect(b.call((api) => api.echo(1), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(b.starts).toBe(0);
  });

  it('terminates the worker once idle, unless held; the next call starts a new one', async () => {
    const b = makeBridge({ idleMs: 40 });
    await b.api.echo(1);
    const release = b.hold();
    await sleep(120);
    expect(b.running).toBe(true);
    release();
    await sleep(120);
    expect(b.running).toBe(false);
    expect(await b.api.echo(2)).toBe(2);
    expect(b.starts).toBe(2);
  });

  it('a crash rejects every pending call with WorkerCrashedError and tells crash listeners; the next call gets a fresh worker', async () => {
    const b = makeBridge();
    const crashes: WorkerCrashedError[] = [];
    const stops: string[] = [];
    b.onCrash((e) => crashes.push(e));
    b.onStop((e) => stops.push(e.kind));
    const other = b.call((api) => api.slow('other', 1000));
    const failing = b.call((api) => api.throwSoon());
    for (const p of [other, failing]) {
      const e = await p.catch((x: unknown) => x);
      expect(e).toBeInstanceOf(WorkerCrashedError);
      expect(e).toMatchObject({ kind: 'error', worker: 'test', message: 'The test worker threw: boom.' });
    }
    expect(crashes).toHaveLength(1);
    expect(stops).toEqual(['error']);
    expect(await b.api.echo(3)).toBe(3);
    expect(b.starts).toBe(2);
  });

  it('terminate() rejects pending calls as terminated, without calling it a crash', async () => {
    const b = makeBridge();
    let crashed = false;
    b.onCrash(() => (crashed = true));
    const call = b.call((api) => api.deaf(5000));
    await sleep(20);
    b.terminate();
    await expect(call).rejects.toMatchObject({ name: 'WorkerCrashedError', kind: 'terminated', message: 'The test worker was stopped by the page.' });
    expect(crashed).toBe(false);
  });
});
