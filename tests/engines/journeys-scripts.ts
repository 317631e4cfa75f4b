/**
 * The scripts' memory limit in every engine (src/lib/projects/memory-limit.ts): a project's
 * JavaScript entry point runs in the sandbox frame's worker under the counting constructors,
 * with TF.js loaded beside them; `mfflow.runScript` installs the same guard in its own worker.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { zipSync } from 'fflate';
import { openLab, type Journey } from './journeys';

const enc = new TextEncoder();
const PROJECT = zipSync({
  'MLproject': enc.encode(['name: hoarder', 'entry_points:', '  main:', '    mfflow:', '      module: main.js', '  tensors:', '    mfflow:', '      module: tf.js', ''].join('\n')),
  'main.js': enc.encode([
    'export async function main({ mfflow }) {',
    '  const kept = [];',
    '  for (let i = 0; i < 20; i++) { mfflow.logMetric("step_mb", i * 16, i); kept.push(new Uint8Array(16 * 1048576)); }',
    '}', '',
  ].join('\n')),
  'tf.js': enc.encode([
    'export async function main({ mfflow, tf }) {',
    '  const x = tf.tensor2d(new Float32Array([1, 2, 3, 4]), [2, 2]);',
    '  mfflow.logMetric("sum", tf.matMul(x, x).sum().dataSync()[0]);',
    '  const kept = [];',
    '  for (let i = 0; i < 100; i++) kept.push(tf.zeros([1 << 20]));',
    '}', '',
  ].join('\n')),
});

/** Serves the project zip on a loopback port of its own (projects open from http(s) URLs), as a teacher's server would. */
async function serveProject(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/zip', 'access-control-allow-origin': '*' });
    res.end(PROJECT);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hoarder.zip`, close: () => new Promise((r) => server.close(() => r())) };
}

const memoryLimit: Journey = {
  name: 'scripts: typed arrays and TF.js tensors over the memory limit end the run FAILED with the sizes; under it the run finishes',
  timeoutMs: 120_000,
  async run({ page }) {
    await openLab(page);
    const served = await serveProject();
    const out = await page.eval(async (url) => {
      const m = window.mfflow;
      const summary = (r: Awaited<ReturnType<typeof m.runProject>>) => ({ status: r.info.status, error: r.tags['mfflow.error'] ?? null, sum: r.metrics.sum?.latest ?? null });
      const roomy = summary(await m.runProject(url, { memoryLimitMB: 512 }));
      const tight = summary(await m.runProject(url, { memoryLimitMB: 100 }));
      const tensors = summary(await m.runProject(url, { entryPoint: 'tensors', memoryLimitMB: 64 }));
      const console = await m.runScript('const kept = []; for (;;) kept.push(new Float64Array(5e6));', { memoryLimitMB: 100 }).then(() => 'finished', (e: Error) => e.message);
      return { roomy, tight, tensors, console };
    }, served.url).finally(served.close);
    assert.deepEqual(out.roomy, { status: 'FINISHED', error: null, sum: null });
    assert.equal(out.tight.status, 'FAILED');
    assert.match(out.tight.error ?? '', /^RangeError: memory limit: this script would use 112 MB, the limit is 100 MB \(line 3\)$/);
    // TF.js ran (54 = the sum of [[1,2],[3,4]]²) and its tensors were counted.
    assert.equal(out.tensors.status, 'FAILED');
    assert.equal(out.tensors.sum, 54);
    assert.match(out.tensors.error ?? '', /^RangeError: memory limit: this script would use 6\d MB, the limit is 64 MB/);
    assert.equal(out.console, 'memory limit: this script would use 115 MB, the limit is 100 MB');
  },
};

export const SCRIPT_JOURNEYS: Journey[] = [memoryLimit];
