/**
 * The built lab (dist/) served under /lab/ by scripts/serve.mjs, in a child process the suite
 * can stop and start again: "offline" for drivers that cannot cut a page's network is the
 * server being gone, which is what a person on a train sees.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export class LabServer {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/lab/`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.child = spawn(process.execPath, ['scripts/serve.mjs', '--port', String(this.port), '--prefix', '/lab/'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(this.baseUrl)).ok) return;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the lab server did not start on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c) return;
    this.child = null;
    await new Promise<void>((res) => {
      c.once('exit', () => res());
      c.kill();
    });
  }

  setOffline = async (offline: boolean): Promise<void> => {
    if (offline) await this.stop();
    else await this.start();
  };
}
