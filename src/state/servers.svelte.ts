/**
 * MLflow tracking servers for the page: the list (credentials kept in this browser only), the
 * connection test, one push or pull at a time with progress, Cancel and a report, and the live
 * mirror (outbox drained by one tab at a time, under a Web Lock).
 */
import { MlflowClient, RemoteError } from '../lib/remote/client';
import { MIRROR_TAG, Mirror } from '../lib/remote/mirror';
import { pullRuns, listServerExperiments, searchServerRuns, type PullReport, type PullSelection } from '../lib/remote/pull';
import { modelsOfRuns, pushRuns, type PushReport } from '../lib/remote/push';
import type { MirrorRecord, StoredServer } from '../lib/remote/records';
import { testConnection, validateServer, type ConnectionReport, type ServerAuth } from '../lib/remote/servers';
import type { Progress } from '../lib/remote/session';
import type { RemoteStore } from '../lib/storage/remote-store';
import { withImportLock } from '../lib/storage/metric-staging';
import type { Experiment, Run } from '../lib/tracking/types';
import { errorMessage } from '../lib/util/errors';
import { lab } from './lab.svelte';
import { registry } from './registry.svelte';

export interface ServerInput { name: string; url: string; auth?: ServerAuth }

export type PushScope = { kind: 'runs'; runIds: string[] } | { kind: 'experiment'; experimentId: string } | { kind: 'lab' };

export interface TransferJob {
  kind: 'push' | 'pull';
  server: string;
  progress: Progress | null;
  push?: PushReport;
  pull?: PullReport;
  error?: string;
  done: boolean;
}

export class Servers {
  list = $state.raw<StoredServer[]>([]);
  tests = $state<Record<string, ConnectionReport | 'testing'>>({});
  job = $state<TransferJob | null>(null);
  mirrors = $state.raw<ReadonlyMap<string, MirrorRecord>>(new Map());
  error = $state<string | null>(null);

  private abort: AbortController | null = null;
  private mirror: Mirror | null = null;

  /** The servers and outbox stores, on the lab's one IndexedDB connection (no second connection). */
  private async db(): Promise<RemoteStore> {
    return lab.store.remote;
  }

  async refresh(): Promise<void> {
    const db = await this.db();
    this.list = (await db.listServers()).sort((a, b) => a.createdAt - b.createdAt);
    this.mirrors = new Map((await db.listMirrors()).map((m) => [m.runId, m]));
  }

  /** A server by name or id; a clear error when there is none. */
  resolve(ref: string | { id: string }): StoredServer {
    const key = typeof ref === 'string' ? ref : ref.id;
    const s = this.list.find((x) => x.id === key) ?? this.list.find((x) => x.name === key);
    if (!s) throw new RemoteError('protocol', `No server named "${key}" in this lab. Add it on the Servers page or with mfflow.servers.add({ name, url }).`);
    return s;
  }

  async add(input: ServerInput, id?: string): Promise<StoredServer> {
    await this.refresh();
    const s = validateServer({ id: id ?? crypto.randomUUID(), name: input.name, url: input.url, auth: input.auth });
    if (this.list.some((x) => x.name === s.name && x.id !== s.id)) throw new RemoteError('protocol', `A server named "${s.name}" exists already.`);
    const prev = this.list.find((x) => x.id === s.id);
    const stored: StoredServer = { ...s, createdAt: prev?.createdAt ?? Date.now() };
    await (await this.db()).putServer(stored);
    await this.refresh();
    return stored;
  }

  async remove(ref: string): Promise<void> {
    const s = this.resolve(ref);
    await (await this.db()).deleteServer(s.id);
    await this.refresh();
  }

  async test(ref: string): Promise<ConnectionReport> {
    const s = this.resolve(ref);
    this.tests = { ...this.tests, [s.id]: 'testing' };
    const report = await testConnection(s, typeof location === 'undefined' ? null : location.origin);
    this.tests = { ...this.tests, [s.id]: report };
    return report;
  }

  private client(ref: string): MlflowClient {
    return new MlflowClient(this.resolve(ref));
  }

  private begin(kind: 'push' | 'pull', server: string): AbortController {
    if (this.job && !this.job.done) throw new RemoteError('protocol', `A ${this.job.kind} to "${this.job.server}" is still going; cancel it or wait.`);
    this.abort = new AbortController();
    this.job = { kind, server, progress: null, done: false };
    return this.abort;
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Pushes runs (and the registered models made from them) to a server. */
  async push(ref: string, scope: PushScope): Promise<PushReport> {
    await this.refresh();
    const server = this.resolve(ref);
    const ids = scope.kind === 'runs' ? scope.runIds
      : lab.store.listRuns(scope.kind === 'experiment' ? [scope.experimentId] : undefined).filter((r) => r.info.lifecycleStage === 'active').map((r) => r.info.runId);
    for (const id of ids) await lab.store.getRun(id); // unknown ids fail here, naming the id
    const ctl = this.begin('push', server.name);
    try {
      await registry.refresh();
      const models = scope.kind === 'lab' ? registry.models : modelsOfRuns(registry.models, ids);
      const report = await pushRuns(new MlflowClient(server), lab.store, ids, {
        signal: ctl.signal, models, onProgress: (p) => { if (this.job) this.job = { ...this.job, progress: p }; },
      });
      this.job = { ...this.job!, push: report, done: true };
      return report;
    } catch (e) {
      this.job = { ...this.job!, error: errorMessage(e), done: true };
      throw e;
    }
  }

  async experiments(ref: string): Promise<Experiment[]> {
    await this.refresh();
    return listServerExperiments(this.client(ref));
  }

  /** The server's runs an experiment + filter select (for the Pull list). */
  async preview(ref: string, sel: PullSelection): Promise<{ runs: Run[]; serverFilter: string; labFilter: string }> {
    await this.refresh();
    return searchServerRuns(this.client(ref), sel);
  }

  async pull(ref: string, sel: PullSelection): Promise<PullReport> {
    await this.refresh();
    const server = this.resolve(ref);
    const ctl = this.begin('pull', server.name);
    try {
      // Under the import lock (metric-staging.ts): a bundle import staging the same runs waits, or is waited for.
      const target = { importBundle: (p: Parameters<typeof lab.store.importBundle>[0]) => withImportLock(() => lab.store.importBundle(p)), hasRun: (id: string) => lab.store.listRuns().some((r) => r.info.runId === id) };
      const report = await pullRuns(new MlflowClient(server), target, sel, {
        signal: ctl.signal, onProgress: (p) => { if (this.job) this.job = { ...this.job, progress: p }; },
      });
      this.job = { ...this.job!, pull: report, done: true };
      await lab.refresh();
      return report;
    } catch (e) {
      this.job = { ...this.job!, error: errorMessage(e), done: true };
      throw e;
    }
  }

  /** Tags that make a new run mirror live to a server (startRun, train, sweep, runProject). */
  mirrorTags(ref: string): Record<string, string> {
    return { [MIRROR_TAG]: this.resolve(ref).id };
  }

  /** Resolves when every queued mirror write reached its server (or rejects after `timeoutMs`). */
  async mirrorDrained(timeoutMs?: number): Promise<void> {
    await this.startMirror();
    await this.mirror!.drained(timeoutMs);
  }

  /**
   * Starts the mirror: watches the store for changes of runs tagged for a mirror, and drains the
   * outbox in the one tab holding the drain lock (another tab takes over when this one closes).
   */
  async startMirror(): Promise<void> {
    if (this.mirror) return;
    const db = await this.db();
    await this.refresh();
    this.mirror = new Mirror({
      store: db,
      source: lab.store,
      server: (id) => this.list.find((s) => s.id === id),
      onState: (m) => { const next = new Map(this.mirrors); next.set(m.runId, m); this.mirrors = next; },
    });
    lab.store.subscribe((change) => {
      for (const id of change.runIds) {
        void lab.store.getRun(id).then((r) => {
          const target = r.tags[MIRROR_TAG];
          if (target) return this.mirror!.notify(id, target);
        }).catch((e: unknown) => (this.error = errorMessage(e)));
      }
    });
    if (typeof window !== 'undefined') window.addEventListener('online', () => this.mirror?.kick());
    const drain = () => this.mirror!.run();
    if (typeof navigator !== 'undefined' && navigator.locks) void navigator.locks.request('mfflow-mirror-drain', drain);
    else void drain();
    // Entries left by a closed tab: wake the drainer at once.
    this.mirror.kick();
  }
}

export const servers = new Servers();
