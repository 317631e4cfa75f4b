/**
 * The lab's root state: opens the tracking store, sweeps runs orphaned by closed tabs, and
 * keeps reactive lists of experiments and runs in step with every write (in this tab or any
 * other). UI components read these fields and call these methods; they never see storage.
 */
import type { TrackingStore } from '../lib/storage/tracking-store';
import { openTrackingStore } from './storage-status.svelte';
import { createFluent } from '../lib/tracking/create-fluent';
import type { AbandonedRun, Fluent } from '../lib/tracking/fluent';
import { makeOwnerProbe } from '../lib/tracking/run-lock';
import type { Experiment, Run } from '../lib/tracking/types';
import { errorMessage } from '../lib/util/errors';
import { dictGet } from '../lib/util/dict';
import type { UnsavedRuns } from '../lib/bundles/unsaved-runs';
import { localSource } from '../lib/projects/source';
import { user } from './user.svelte';
import { storageMeter } from './storage-meter.svelte';

/** The lab page (origin + path, no route): `mlflow.source.name` of runs the lab starts itself. */
export function labPageUrl(): string {
  return typeof location === 'undefined' ? 'mfflow' : `${location.origin}${location.pathname}`;
}

export type LabPhase = 'opening' | 'ready' | 'failed';

/**
 * Shortest time between two refreshes while changes keep coming: three training runs flush
 * their metrics every 250 ms each, and each refresh re-sorts and redraws the runs table. A
 * change after a quiet spell still shows on the next frame.
 */
const REFRESH_GAP_MS = 200;

/** The same experiments, field for field: the store hands out copies on every call. */
function sameExperiments(a: readonly Experiment[], b: readonly Experiment[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x.experimentId !== y.experimentId || x.name !== y.name || x.artifactLocation !== y.artifactLocation
      || x.lifecycleStage !== y.lifecycleStage || x.creationTime !== y.creationTime || x.lastUpdateTime !== y.lastUpdateTime) return false;
    const keys = Object.keys(x.tags);
    if (keys.length !== Object.keys(y.tags).length || keys.some((k) => dictGet(x.tags, k) !== dictGet(y.tags, k))) return false;
  }
  return true;
}

export class Lab {
  phase = $state<LabPhase>('opening');
  /** Why the lab could not open, in words for a person. */
  error = $state<string | null>(null);
  /** A message that needs the user (another tab blocks an upgrade, the app was updated, ...). */
  notice = $state<string | null>(null);
  experiments = $state.raw<Experiment[]>([]);
  /** Runs of every experiment, in no particular order (the store keeps them in memory; views sort). */
  runs = $state.raw<readonly Run[]>([]);
  experimentId = $state('0');
  /** Bumped on every store change, so views can re-derive. */
  version = $state(0);

  /**
   * Runs that were RUNNING here when the browser deleted the lab's data: ended KILLED in memory,
   * with what only this page still holds, offered as a bundle to download (StorageBanner).
   */
  unsaved = $state.raw<UnsavedRuns | null>(null);

  store!: TrackingStore;
  fluent!: Fluent;
  private refreshQueued = false;
  /** When the last queued refresh ran (performance.now()). */
  private lastRefresh = -Infinity;
  /** Every Fluent this lab made (the scripts' one, training jobs'), weakly: their runs end if the data goes. */
  private readonly fluents = new Set<WeakRef<Fluent>>();

  async open(dbName?: string): Promise<void> {
    try {
      this.store = await openTrackingStore({
        dbName,
        onBlocked: (m) => (this.notice = m),
        onBlocking: (m) => (this.notice = m),
        onTerminated: (m) => (this.notice = m),
        onRecordsLost: (runs, experiments) => this.dataLost(runs, experiments),
      });
      // The person's name (Settings) is `mlflow.user` of every run this page creates.
      user.attach((name) => this.store.setDefaultUser(name));
      // window.mfflow's Fluent: runs started from the console record their source as
      // `mlflow run` would for a local script (LOCAL, the lab page, the lab's build; via console).
      this.fluent = this.newFluent(localSource(labPageUrl(), 'console').tags);
      await this.store.killOrphanedRuns(makeOwnerProbe());
      this.store.subscribe(() => this.queueRefresh());
      await this.refresh();
      this.phase = 'ready';
    } catch (e) {
      this.error = errorMessage(e);
      this.phase = 'failed';
      throw e;
    }
  }

  /**
   * A Fluent over this lab's store (the scripts' one, or a training job's own), known to the lab
   * so its runs end if the browser deletes the data (dataLost). `tags`: default tags of its runs.
   */
  newFluent(tags?: Record<string, string>): Fluent {
    const fluent = createFluent(this.store, 'page', (e) => (this.notice = `Could not save metrics: ${errorMessage(e)}`), tags);
    this.fluents.add(new WeakRef(fluent));
    return fluent;
  }

  /**
   * The browser deleted the stored data under this page: active runs end KILLED at once (so a
   * new run can start without a reload), and their unwritten points, params and tags become a
   * bundle to download (added to any still offered).
   */
  private dataLost(runs: Run[], experiments: Experiment[]): void {
    const pending: Promise<AbandonedRun[]>[] = [];
    for (const ref of this.fluents) {
      const f = ref.deref();
      if (f) pending.push(f.abandonRuns());
      else this.fluents.delete(ref);
    }
    // Loaded only here: the bundle code (an MLflow tree reader, YAML) stays out of the first load.
    void Promise.all([Promise.all(pending), import('../lib/bundles/unsaved-runs')]).then(([lists, { unsavedRuns, mergeUnsaved }]) => {
      const lost = unsavedRuns(lists.flat(), runs, experiments);
      if (lost) this.unsaved = this.unsaved ? mergeUnsaved(this.unsaved, lost) : lost;
    });
  }

  dismissUnsaved(): void {
    this.unsaved = null;
  }

  /**
   * Coalesces bursts of change events (a training run flushes every 250 ms) into one refresh
   * per frame, and at most one per REFRESH_GAP_MS. Hidden tabs get no animation frames, so a
   * timer backs the frame up: a run trained in another tab still shows up here within a second.
   */
  private queueRefresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      this.refreshQueued = false;
      this.lastRefresh = performance.now();
      void this.refresh();
    };
    const wait = Math.max(0, this.lastRefresh + REFRESH_GAP_MS - performance.now());
    if (typeof requestAnimationFrame === 'function') {
      if (wait > 0) setTimeout(() => requestAnimationFrame(run), wait);
      else requestAnimationFrame(run);
    }
    // One timer, not a chain: a hidden tab runs timers about once a second.
    setTimeout(run, wait + 100);
  }

  async refresh(): Promise<void> {
    const experiments = await this.store.listExperiments('ALL');
    // Kept when equal: views of the experiments (the side list, the page title) then stay as they are.
    if (!sameExperiments(this.experiments, experiments)) this.experiments = experiments;
    this.runs = this.store.listRuns();
    this.version++;
    // After the first saved run, the browser is asked to keep the lab's data (storage-meter).
    storageMeter.afterSave(() => this.runs.some((r) => r.info.status === 'FINISHED'));
  }

  selectExperiment(id: string): void {
    this.experimentId = id;
  }
}

export const lab = new Lab();
