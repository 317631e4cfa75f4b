/**
 * The built lab in Chromium for the server interop tests: serves dist/ under /lab/ on a free
 * port (building it first unless MFFLOW_DIST_FRESH=1), opens it with the wine CSVs routed from
 * ../shared, and reads runs back out of the page in the shape remote_dump.py prints.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { routeWine } from '../e2e/wine-route';
import { freePort } from './mlflow-server';

const root = join(__dirname, '../..');

export class LabHarness {
  browser!: Browser;
  server: ChildProcess | null = null;
  port = 0;

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Picks the port first: the mlflow servers need the origin before the lab is served. */
  async reservePort(): Promise<string> {
    this.port = await freePort();
    return this.origin;
  }

  async start(): Promise<void> {
    if (process.env.MFFLOW_DIST_FRESH !== '1' || !existsSync(join(root, 'dist/index.html'))) {
      execFileSync('npx', ['vite', 'build'], { cwd: root, stdio: 'ignore' });
    }
    this.server = spawn('node', ['scripts/serve.mjs', '--port', String(this.port), '--prefix', '/lab/'], { cwd: root, stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(`${this.origin}/lab/`)).ok) break; } catch { /* starting */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  }

  /** Opens the lab; `origin` another name of the same server, e.g. http://lab.localhost:<port> (Chromium sends *.localhost to loopback). */
  async open(origin = this.origin): Promise<Page> {
    const context = await this.browser.newContext({ baseURL: `${origin}/lab/` });
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await routeWine(page);
    await page.goto('./');
    await page.locator('html[data-lab-ready="true"]').waitFor({ state: 'attached', timeout: 60_000 });
    return page;
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    this.server?.kill();
  }
}

export interface DumpedRun {
  run_id: string;
  name: string;
  status: string;
  start_time: number;
  end_time: number | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, [number, number, string][]>;
  inputs: { name: string; digest: string; source_type: string; source: string; schema: string | null; profile: string | null; tags: Record<string, string> }[];
  artifacts: Record<string, string>;
}

/** Runs of the lab in remote_dump.py's shape (doubles as big-endian IEEE-754 hex, NaN as "nan"). */
export function dumpLabRuns(page: Page, runIds: string[]): Promise<DumpedRun[]> {
  return page.evaluate(async (ids) => {
    const m = window.mfflow;
    const hex = (v: number) => {
      if (Number.isNaN(v)) return 'nan';
      const dv = new DataView(new ArrayBuffer(8));
      dv.setFloat64(0, v);
      return [...new Uint8Array(dv.buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
    };
    const sha = async (bytes: Uint8Array) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const walk = async (runId: string, dir?: string): Promise<Record<string, string>> => {
      const out: Record<string, string> = {};
      for (const a of await m.listArtifacts(runId, dir)) {
        if (a.isDir) Object.assign(out, await walk(runId, a.path));
        else {
          out[a.path] = await sha(await m.readArtifact(runId, a.path));
        }
      }
      return out;
    };
    const runs = [];
    for (const id of ids) {
      const r = await m.getRun(id);
      const metrics: Record<string, [number, number, string][]> = {};
      for (const key of Object.keys(r.metrics)) {
        const h = await m.getMetricHistory(id, key);
        const pts: [number, number, string][] = [];
        for (let i = 0; i < h.values.length; i++) pts.push([h.steps[i], h.timestamps[i], hex(h.values[i])]);
        pts.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
        metrics[key] = pts;
      }
      runs.push({
        run_id: id, name: r.info.runName, status: r.info.status, start_time: r.info.startTime, end_time: r.info.endTime,
        params: { ...r.params }, tags: { ...r.tags }, metrics,
        inputs: r.inputs.map((i) => ({ name: i.dataset.name, digest: i.dataset.digest, source_type: i.dataset.sourceType, source: i.dataset.source, schema: i.dataset.schema, profile: i.dataset.profile, tags: { ...i.tags } })),
        artifacts: await walk(id),
      });
    }
    return runs;
  }, runIds);
}
