// Streamed import (issue 10): a ~2 GiB MLflow file-store zip (2.25 GiB of files, BENCH_STREAM_MIB),
// written on disk by bench/py/make_big_bundle.py (never in the page): 4 runs × 10 metrics ×
// 20,000 steps and one big model file per run (three stored, one deflated), picked through a file
// input in the built lab as a user would. Figures: import time; peak page JS heap
// (performance.memory.usedJSHeapSize every 50 ms, budget ≤ 300 MB); and the peak resident memory
// of the renderer process (page and its workers, from /proc), which also counts the ArrayBuffers
// the JS heap figure leaves out: what a whole-archive read would show first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { openLab } from './lib.mjs';

const MIB = Number(process.env.BENCH_STREAM_MIB || 2304);
const RUNS = 4;
const KEYS = 10;
const STEPS = 20_000;

/** Resident memory of a process in MB, or 0 when it is gone. */
function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Pids of the renderer processes under the browser started with `userDataDir` (from /proc). */
function rendererPids(userDataDir) {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      const ppid = Number(/^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${d}/stat`, 'utf8'))[1]);
      procs.set(Number(d), { cmd, ppid });
    } catch {
      // gone meanwhile
    }
  }
  const roots = [...procs].filter(([, p]) => p.cmd.includes(userDataDir) && !p.cmd.includes('--type=')).map(([pid]) => pid);
  const under = (pid) => {
    for (let p = procs.get(pid); p; p = procs.get(p.ppid)) if (roots.includes(p.ppid)) return true;
    return false;
  };
  return [...procs].filter(([pid, p]) => p.cmd.includes('--type=renderer') && under(pid)).map(([pid]) => pid);
}

/** Samples the largest renderer's RSS every 100 ms; stop() returns the peak (MB), or NaN if none was found. */
function rendererRss(userDataDir) {
  let pids = rendererPids(userDataDir);
  let peak = 0;
  const timer = setInterval(() => {
    for (const pid of pids) peak = Math.max(peak, rssMB(pid));
  }, 100);
  const again = setInterval(() => (pids = rendererPids(userDataDir)), 2000);
  return {
    stop: () => {
      clearInterval(timer);
      clearInterval(again);
      return pids.length ? peak : NaN;
    },
  };
}

export async function run({ base, report, root }) {
  const work = mkdtempSync(join(tmpdir(), 'mfflow-bench-stream-'));
  const zip = join(work, 'big-bundle.zip');
  // A persistent profile: a fresh context's storage is in memory with a small quota, while a
  // user's lab stores 2 GiB on disk.
  const profile = join(work, 'profile');
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info'],
    });
    const made = JSON.parse(execFileSync('python3', [join(root, 'bench/py/make_big_bundle.py'), zip, String(MIB), String(RUNS), String(KEYS), String(STEPS)]).toString());
    report('bundles.stream.zip_size', made.size / 1048576, 'MB');
    const page = await context.newPage();
    await openLab(page, base);
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('input'), { type: 'file', id: 'bench-stream-file', hidden: true })));
    // Playwright hands Chromium the path: the File is disk-backed, as a picked file is.
    await page.setInputFiles('#bench-stream-file', zip);
    const rss = rendererRss(profile);
    const imp = await page.evaluate(async () => {
      const heap = () => performance.memory.usedJSHeapSize / 1048576;
      const before = heap();
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, heap())), 50);
      const t0 = performance.now();
      const r = await window.mfflow.importBundle(document.getElementById('bench-stream-file').files[0]);
      const ms = performance.now() - t0;
      clearInterval(timer);
      const sizes = [];
      for (const id of r.addedRuns) sizes.push((await window.mfflow.listArtifacts(id, 'model')).find((a) => a.path === 'model/weights.bin')?.size ?? 0);
      return { ms, before, peakMB: Math.max(peak, heap()), added: r.addedRuns.length, stored: sizes.reduce((a, b) => a + b, 0) };
    });
    const peakRss = rss.stop();
    if (imp.added !== RUNS) throw new Error(`the import added ${imp.added} runs, expected ${RUNS}`);
    const want = Math.floor((MIB * 1048576) / RUNS) * RUNS;
    if (imp.stored !== want) throw new Error(`the lab holds ${imp.stored} bytes of model files, the archive ${want}`);
    report(`bundles.stream.import_${MIB}MiB`, imp.ms, 'ms');
    report('bundles.stream.import_throughput', made.size / 1048576 / (imp.ms / 1000), 'MB/s');
    report('bundles.stream.page_heap_before_import', imp.before, 'MB');
    report('bundles.stream.import_peak_page_heap', imp.peakMB, 'MB', { max: 300 });
    if (!Number.isNaN(peakRss)) report('bundles.stream.import_peak_renderer_rss', peakRss, 'MB');
  } finally {
    await context?.close();
    rmSync(work, { recursive: true, force: true });
  }
}
