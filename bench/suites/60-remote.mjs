// Remote figures (issue 13, "push to a real MLflow tracking server"): pushing 100 runs × 10
// metrics × 1,000 steps (1M points) from the lab to a real `mlflow server` (the interop venv's
// MLflow: SQLite backend, --serve-artifacts, --workers 2, CORS open to the bench's origin), side
// by side with MLflow's own Python client logging the same data to the same server with
// log_batch (bench/py/remote_log_batch.py). MLflow goes first, so the lab writes into the larger
// database. The lab must not be slower: budget ratio MLflow/lab ≥ 1.
// BENCH_REMOTE_RUNS scales the run count down for a quick look.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLab, python, logRuns } from './lib.mjs';

const RUNS = Number(process.env.BENCH_REMOTE_RUNS || 100);
const KEYS = 10;
const STEPS = 1000;

const freePort = () => new Promise((resolve, reject) => {
  const srv = createServer();
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  srv.on('error', reject);
});

/** Starts `mlflow server` from the interop venv; resolves { url, stop }. */
async function mlflowServer(py, origin) {
  const dir = mkdtempSync(join(tmpdir(), 'mfflow-bench-server-'));
  const port = await freePort();
  const proc = spawn(py, ['-m', 'mlflow', 'server', '--host', '127.0.0.1', '--port', String(port),
    '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`, '--serve-artifacts', '--artifacts-destination', join(dir, 'artifacts'),
    '--cors-allowed-origins', origin, '--workers', '2'], {
    cwd: dir, detached: true, stdio: 'ignore',
    // No server-side job runner (seven idle consumer processes the bench does not use).
    env: { ...process.env, PYTHONWARNINGS: 'ignore', MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } rmSync(dir, { recursive: true, force: true }); };
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error('mlflow server exited at start');
    try { if ((await fetch(`${url}/health`)).ok) return { url, stop }; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  throw new Error('mlflow server did not start within 240 s');
}

export async function run({ context, base, report, root }) {
  const py = join(root, 'tests/interop/.venv/bin/python');
  if (!existsSync(py)) {
    console.log('remote: no interop venv (bash tests/interop/setup-venv.sh); suite skipped');
    return;
  }
  const origin = new URL(base).origin;
  const server = await mlflowServer(py, origin);
  try {
    const page = await context.newPage();
    await openLab(page, base);
    const runIds = await logRuns(page, 'bench-remote', RUNS, KEYS, STEPS);

    const mlflow = await python(root, 'remote_log_batch.py', [server.url, 'bench-python', RUNS, KEYS, STEPS], 'remote');
    if (mlflow.points !== RUNS * KEYS * STEPS) throw new Error(`MLflow logged ${mlflow.points} points`);

    const lab = await page.evaluate(async ({ url, ids }) => {
      await window.mfflow.servers.add({ name: 'bench', url });
      const t0 = performance.now();
      const r = await window.mfflow.pushRuns('bench', ids);
      return { ms: performance.now() - t0, added: r.added.length, failed: r.failed.map((f) => f.message), points: r.points };
    }, { url: server.url, ids: runIds });
    if (lab.added !== RUNS || lab.failed.length || lab.points !== RUNS * KEYS * STEPS) throw new Error(`lab push: ${JSON.stringify(lab)}`);

    const name = `remote.push_${RUNS}x${KEYS}x${STEPS}`;
    report(`${name}.lab`, lab.ms, 'ms');
    report(`${name}.mlflow_log_batch`, mlflow.ms, 'ms');
    report(`${name}.ratio_mlflow_over_lab`, mlflow.ms / lab.ms, '×', { min: 1 });
    report('remote.push_points_per_s.lab', lab.points / (lab.ms / 1000), 'points/s');
    report('remote.push_points_per_s.mlflow_log_batch', mlflow.points / (mlflow.ms / 1000), 'points/s');
    await page.close();
  } finally {
    server.stop();
  }
}
