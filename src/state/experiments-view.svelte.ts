/**
 * The experiments sidebar: the list with run counts, a find box, a "show deleted" switch and
 * the create / rename / delete / restore actions. Errors come back as text for the sidebar to
 * show next to the control (a duplicate name, a deleted experiment, ...).
 */
import type { Experiment } from '../lib/tracking/types';
import { lab } from './lab.svelte';
import { route } from './route.svelte';
import { ErrorHolder } from './error-holder.svelte';

export class ExperimentsView extends ErrorHolder {
  find = $state('');
  showDeleted = $state(false);

  /** Active runs per experiment id. */
  readonly counts = $derived.by(() => {
    const m = new Map<string, number>();
    for (const r of lab.runs) if (r.info.lifecycleStage === 'active') m.set(r.info.experimentId, (m.get(r.info.experimentId) ?? 0) + 1);
    return m;
  });

  /** The experiment in view: the runs page's `exp`, or the shown run's experiment. */
  readonly selectedId = $derived.by(() => {
    if (route.page === 'run') {
      const id = route.current.rest[0];
      const run = lab.runs.find((r) => r.info.runId === id);
      if (run) return run.info.experimentId;
    }
    return route.param('exp') ?? lab.experimentId;
  });

  readonly visible = $derived.by((): Experiment[] => {
    const needle = this.find.trim().toLowerCase();
    return lab.experiments.filter((e) =>
      (this.showDeleted || e.lifecycleStage === 'active') && (needle === '' || e.name.toLowerCase().includes(needle)));
  });

  select(id: string): void {
    lab.selectExperiment(id);
    route.go('runs', [], { exp: id });
  }

  async create(name: string): Promise<boolean> {
    let id = '';
    const ok = await this.attempt(async () => { id = await lab.store.createExperiment(name.trim()); });
    if (ok) {
      await lab.refresh();
      this.select(id);
    }
    return ok;
  }

  rename(id: string, name: string): Promise<boolean> {
    return this.attempt(() => lab.store.renameExperiment(id, name.trim()));
  }

  async remove(id: string): Promise<boolean> {
    const ok = await this.attempt(() => lab.store.deleteExperiment(id));
    if (ok && this.selectedId === id) this.select('0');
    return ok;
  }

  restore(id: string): Promise<boolean> {
    return this.attempt(() => lab.store.restoreExperiment(id));
  }
}

export const experimentsView = new ExperimentsView();
