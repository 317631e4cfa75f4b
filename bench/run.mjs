#!/usr/bin/env node
// Benchmarks in headless Chromium (Debian's, like the tests). Serves dist/, runs each suite in
// bench/suites/, prints one line per figure (`name: value unit (budget …)`) and writes them all to
// bench/results/latest.json. Usage: npm run bench [-- suite-name ...]
// Exits 1 when a suite fails or any budgeted figure is over its budget (listed at the end).
// BENCH_BUDGET_SCALE=<k> multiplies every budget by k (e.g. 0.01, to see the bench fail).
// BENCH_DIST=<dir> serves another build (e.g. `npx vite build --outDir /tmp/bdist`) than dist/.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';

const here = dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.BENCH_PORT || 4391);
const base = `http://127.0.0.1:${port}/lab/`;
const only = process.argv.slice(2);

const dist = process.env.BENCH_DIST || join(here, '../dist');
const server = spawn(process.execPath, [join(here, '../scripts/serve.mjs'), '--port', String(port), '--prefix', '/lab/', '--dir', dist], { stdio: ['ignore', 'pipe', 'inherit'] });
process.on('exit', () => server.kill()); // also when a suite crashes the process
await new Promise((resolve) => server.stdout.once('data', resolve));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
});

const figures = [];
/** Records and prints one figure. `budget` is e.g. { max: 100 } or { min: 1e6 }. */
const scale = Number(process.env.BENCH_BUDGET_SCALE || 1);
function report(name, value, unit, budget) {
  if (budget && scale !== 1) budget = budget.max !== undefined ? { max: budget.max * scale } : { min: budget.min / scale };
  let verdict = '';
  let text = '';
  if (budget) {
    const ok = budget.max !== undefined ? value <= budget.max : value >= budget.min;
    text = budget.max !== undefined ? `≤ ${fmt(budget.max)}` : `≥ ${fmt(budget.min)}`;
    verdict = ok ? ', ok' : ', OVER BUDGET';
    figures.push({ name, value, unit, budget: text, ok });
  } else figures.push({ name, value, unit });
  console.log(`${name}: ${fmt(value)} ${unit}${budget ? ` (budget ${text} ${unit}${verdict})` : ''}`);
}
function fmt(v) {
  if (typeof v !== 'number') return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

const suites = readdirSync(join(here, "suites")).filter((f) => /^\d+-.*\.mjs$/.test(f)).sort();
let failed = false;
try {
  for (const file of suites) {
    const name = file.replace(/^\d+-/, '').replace(/\.mjs$/, '');
    if (only.length && !only.includes(name)) continue;
    const suite = await import(pathToFileURL(join(here, 'suites', file)).href);
    const context = await browser.newContext();
    try {
      await suite.run({ context, base, report, root: join(here, '..'), dist });
    } catch (e) {
      failed = true;
      console.error(`bench suite ${name} failed:`, e);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.kill();
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/latest.json'), JSON.stringify({ date: new Date().toISOString(), figures }, null, 2));
const over = figures.filter((f) => f.ok === false);
if (over.length) {
  console.error(`\n${over.length} figure(s) over budget:`);
  for (const f of over) console.error(`  ${f.name}: ${fmt(f.value)} ${f.unit} (budget ${f.budget})`);
}
if (failed) console.error('\nat least one bench suite failed (see above)');
if (failed || over.length) process.exit(1);
