/**
 * Starts a real `mlflow server` from the interop venv on a free loopback port: SQLite backend,
 * proxied artifacts (`--serve-artifacts`), CORS open to the lab's test origin; optionally with
 * MLflow's basic-auth app. `stop()` kills it (and its workers); `restart()` starts it again on the
 * same port and data, as a server that went down and came back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON } from './python';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface MlflowServerOptions {
  /** Origins allowed by CORS (the lab's test origin); none: MLflow's default (loopback origins only). */
  corsOrigins: string[];
  basicAuth?: boolean;
  /** No `--serve-artifacts` (a plain server, as the CORS advice test starts). */
  plain?: boolean;
  /** More `mlflow server` options (e.g. `--allowed-hosts`); may change between restarts. */
  extraArgs?: string[];
}

export class MlflowServer {
  proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'mfflow-mlflow-server-'));
  port = 0;
  private readonly logFile = join(this.dir, 'server.log');

  constructor(public options: MlflowServerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Environment for Python clients of this server. */
  env(user?: string, password?: string): Record<string, string> {
    const e: Record<string, string> = { MLFLOW_TRACKING_URI: this.url };
    if (user) { e.MLFLOW_TRACKING_USERNAME = user; e.MLFLOW_TRACKING_PASSWORD = password ?? ''; }
    return e;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const args = ['-m', 'mlflow', 'server', '--host', '127.0.0.1', '--port', String(this.port),
      '--backend-store-uri', `sqlite:///${join(this.dir, 'mlflow.db')}`, '--workers', this.options.plain ? '1' : '2',
      ...(this.options.plain ? [] : ['--serve-artifacts', '--artifacts-destination', join(this.dir, 'artifacts')]),
      ...(this.options.corsOrigins.length ? ['--cors-allowed-origins', this.options.corsOrigins.join(',')] : []),
      ...(this.options.extraArgs ?? [])];
    // No job runner: MLflow 3.17 starts seven huey consumer processes for server-side jobs,
    // which these tests never use and which kept two cores busy.
    const env: Record<string, string> = { ...process.env as Record<string, string>, PYTHONWARNINGS: 'ignore', MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' };
    if (this.options.basicAuth) {
      args.push('--app-name', 'basic-auth');
      const ini = join(this.dir, 'basic_auth.ini');
      writeFileSync(ini, `[mlflow]\ndefault_permission = EDIT\ndatabase_uri = sqlite:///${join(this.dir, 'auth.db')}\nadmin_username = admin\nadmin_password = mfflow-Interop-7q\nauthorization_function = mlflow.server.auth:authenticate_request_basic_auth\n`);
      env.MLFLOW_AUTH_CONFIG_PATH = ini;
      env.MLFLOW_FLASK_SERVER_SECRET_KEY = 'mfflow-interop-secret';
    }
    // The server's output goes to a file, not a pipe: while a test waits in a synchronous
    // Python call nobody reads a pipe, the server blocks writing its access log once the pipe is
    // full, and the Python client waits for it forever.
    const out = openSync(this.logFile, 'a');
    this.proc = spawn(PYTHON, args, { cwd: this.dir, env, detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`mlflow server exited: ${this.log}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.ok) return;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`mlflow server did not start within 240 s: ${this.log}`);
  }

  /** The end of the server's output (for error messages). */
  get log(): string {
    try { return readFileSync(this.logFile, 'utf8').slice(-20_000); } catch { return ''; }
  }

  /** Kills the server and its workers (the whole process group) and waits for the exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ }
    await exited;
    this.proc = null;
  }
}
