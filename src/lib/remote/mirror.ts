/**
 * The live mirror: runs that log to a server as they run while the lab stays the first copy.
 * A change to a mirrored run only adds an entry to the outbox (IndexedDB), so training never
 * waits for the network. One drainer sends the entries in `seq` order; each entry syncs its run
 * (push-run.ts reads what the server has and sends only the rest, so nothing is sent twice).
 * When the server does not answer the entry stays at the head and is retried with growing
 * pauses; the outbox survives a closed tab and drains when the lab opens again.
 */
import type { Run } from '../tracking/types';
import { MlflowClient, RemoteError, type FetchFn } from './client';
import { pushOneRun, type PushContext } from './push';
import type { PushSource } from './push-run';
import type { MirrorRecord, OutboxEntry } from './records';
import type { ServerConfig } from './servers';
import { Session, transient } from './session';
import { LAB_TAG } from '../tracking/tags';

/** The tag that asks for a live mirror: its value is the server's id in this browser. */
export const MIRROR_TAG = LAB_TAG.mirrorServer;

export interface MirrorStore {
  enqueue(entry: OutboxEntry, inFlightSeq?: number): Promise<boolean>;
  outbox(): Promise<OutboxEntry[]>;
  removeEntry(seq: number): Promise<void>;
  getMirror(runId: string): Promise<MirrorRecord | undefined>;
  putMirror(m: MirrorRecord): Promise<void>;
}

export interface MirrorDeps {
  store: MirrorStore;
  source: PushSource & { getRun(runId: string): Promise<Run> };
  server(id: string): ServerConfig | undefined;
  fetch?: FetchFn;
  onState?(m: MirrorRecord): void;
  /** Pause before retrying a server that does not answer (ms, doubled up to maxPauseMs). */
  firstPauseMs?: number;
  maxPauseMs?: number;
}

export class Mirror {
  private running = false;
  private stopped = false;
  private inFlight: number | undefined;
  private wakeUp: (() => void) | null = null;
  private kicked = false;
  private readonly contexts = new Map<string, PushContext>();

  constructor(private readonly deps: MirrorDeps) {}

  /** A mirrored run changed: queue a sync (one waiting entry per run is enough). */
  async notify(runId: string, serverId: string): Promise<void> {
    const added = await this.deps.store.enqueue({ runId, serverId, enqueuedAt: Date.now() }, this.inFlight);
    if (added) {
      const prev = await this.deps.store.getMirror(runId);
      if (!prev || prev.status === 'synced') await this.setState({ ...prev, runId, serverId, status: 'pending' });
    }
    this.kick();
  }

  /** Wakes the drainer (a change, the browser back online, a retry timer). */
  kick(): void {
    this.kicked = true;
    this.wakeUp?.();
  }

  /** Drains until `stop()`; resolves then. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let pause = this.deps.firstPauseMs ?? 1_000;
    while (!this.stopped) {
      this.kicked = false;
      let ok: boolean;
      try {
        const head = (await this.deps.store.outbox()).sort((a, b) => a.seq! - b.seq!)[0];
        if (!head) { await this.idle(); continue; }
        ok = await this.syncEntry(head);
      } catch {
        ok = false; // storage trouble: try again after a pause
      }
      if (ok) { pause = this.deps.firstPauseMs ?? 1_000; continue; }
      await this.idle(pause);
      pause = Math.min(pause * 2, this.deps.maxPauseMs ?? 15_000);
    }
    this.running = false;
  }

  stop(): void {
    this.stopped = true;
    this.kick();
  }

  /** Resolves when the outbox is empty (tests and `flush` in scripts), or rejects after `timeoutMs`. */
  async drained(timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((await this.deps.store.outbox()).length) {
      if (Date.now() > end) throw new RemoteError('network', 'The mirror outbox did not drain in time: the server is still unreachable.');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private idle(ms?: number): Promise<void> {
    if (this.kicked) { this.kicked = false; return Promise.resolve(); }
    return new Promise((resolve) => {
      const t = ms === undefined ? undefined : setTimeout(done, ms);
      function done() { clearTimeout(t); resolve(); }
      this.wakeUp = () => { this.wakeUp = null; this.kicked = false; done(); };
    });
  }

  private async setState(m: MirrorRecord): Promise<void> {
    await this.deps.store.putMirror(m);
    this.deps.onState?.(m);
  }

  /** Syncs the head entry; false when it must be retried later. */
  private async syncEntry(e: OutboxEntry): Promise<boolean> {
    const prev = await this.deps.store.getMirror(e.runId);
    const base: MirrorRecord = { ...prev, runId: e.runId, serverId: e.serverId, status: 'pending' };
    const server = this.deps.server(e.serverId);
    if (!server) {
      await this.deps.store.removeEntry(e.seq!);
      await this.setState({ ...base, status: 'failed', error: 'The server of this mirror was removed from the lab.' });
      return true;
    }
    this.inFlight = e.seq;
    try {
      const run = await this.deps.source.getRun(e.runId);
      let ctx = this.contexts.get(e.serverId);
      if (!ctx) this.contexts.set(e.serverId, (ctx = { expIds: new Map(), serverRunIds: {} }));
      const s = new Session(new MlflowClient(server, { fetch: this.deps.fetch }), { retryBudgetMs: 0 });
      const res = await pushOneRun(s, this.deps.source, run, ctx);
      await this.deps.store.removeEntry(e.seq!);
      const more = (await this.deps.store.outbox()).some((x) => x.runId === e.runId);
      await this.setState({ ...base, status: more ? 'pending' : 'synced', serverRunId: res.serverRunId, error: undefined, syncedAt: Date.now() });
      return true;
    } catch (err) {
      if (err instanceof RemoteError && transient(err)) {
        this.contexts.delete(e.serverId);
        await this.setState({ ...base, status: 'offline', error: err.message });
        return false;
      }
      // Refused for good (login, a param that differs): drop the entry; the next change retries.
      await this.deps.store.removeEntry(e.seq!);
      await this.setState({ ...base, status: 'failed', error: err instanceof Error ? err.message : String(err) });
      return true;
    } finally {
      this.inFlight = undefined;
    }
  }
}
