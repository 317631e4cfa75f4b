/**
 * What the page's route and runs view decide: a hash parses to a page, its path and params;
 * the selection lives in the URL (`sel`) and toggles, extends and clears there; a sweep's parent
 * selected alone offers its children; a filter hides runs without losing the selection's ids;
 * a sort by a metric orders the rows. The lab is the real one over fake-indexeddb; Node has no
 * location or history, so a URL-backed stand-in of both (and of window's hashchange) is set up first.
 */
import { flushSync } from 'svelte';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  const win = new EventTarget();
  let url = new URL('http://lab.test/lab/#/runs');
  const location = {
    get hash() { return url.hash; },
    set hash(h: string) { url = new URL(`#${h.replace(/^#/, '')}`, url); win.dispatchEvent(new Event('hashchange')); },
    get search() { return url.search; }, get origin() { return url.origin; }, get pathname() { return url.pathname; },
  };
  const history = { replaceState: (_s: unknown, _t: string, next: string) => { url = new URL(next, url); } };
  Object.assign(globalThis, { window: win, location, history });
});

const { href, route } = await import('../../src/state/route.svelte');
const { lab } = await import('../../src/state/lab.svelte');
const { runsView } = await import('../../src/state/runs-view.svelte');
const { uniqueDbName } = await import('./storage-helpers');

const ids: Record<string, string> = {};
beforeAll(async () => {
  await lab.open(uniqueDbName('state-runs'));
  const f = lab.newFluent();
  const parent = await f.startRun({ runName: 'sweep' });
  ids.sweep = parent.runId;
  for (const [name, rmse] of [['a', 0.8], ['b', 0.6], ['c', 0.7]] as const) {
    const r = await f.startRun({ runName: name, nested: true });
    ids[name] = r.runId;
    f.logMetric('rmse', rmse);
    await f.endRun();
  }
  await f.endRun();
  const lone = await f.startRun({ runName: 'lone' });
  ids.lone = lone.runId;
  await f.endRun();
  await lab.refresh();
});

describe('route', () => {
  it('parses the hash into page, path and params, and href builds it back', () => {
    location.hash = '#/run/abc%2Fdef?tab=metrics';
    expect(route.page).toBe('run');
    expect(route.current.rest).toEqual(['abc/def']);
    expect(route.param('tab')).toBe('metrics');
    expect(href('run', ['abc/def'], { tab: 'metrics', empty: '' })).toBe('#/run/abc%2Fdef?tab=metrics');
    location.hash = '#/nowhere';
    expect(route.page).toBe('runs');
  });

  it('set() merges params into the current view without a history entry, and effects follow', () => {
    location.hash = '#/runs?exp=0';
    const seen: (string | null)[] = [];
    const stop = $effect.root(() => { $effect(() => { seen.push(route.param('filter')); }); });
    flushSync();
    route.set({ filter: 'metrics.rmse < 1' });
    flushSync();
    stop();
    expect(location.hash).toBe('#/runs?exp=0&filter=metrics.rmse+%3C+1');
    expect(seen).toEqual([null, 'metrics.rmse < 1']);
  });
});

describe('runs view', () => {
  it('selection lives in the URL: toggle, add a range, clear', () => {
    location.hash = '#/runs?exp=0';
    runsView.toggleSelected(ids.a);
    runsView.addToSelection([ids.b, ids.c]);
    expect([...runsView.selected]).toEqual([ids.a, ids.b, ids.c]);
    expect(route.param('sel')).toBe([ids.a, ids.b, ids.c].join(','));
    runsView.toggleSelected(ids.b);
    expect([...runsView.selected]).toEqual([ids.a, ids.c]);
    runsView.setSelection([]);
    expect(route.param('sel')).toBeNull();
    expect(runsView.selected.size).toBe(0);
  });

  it('a sweep parent selected alone offers its children; selecting them replaces the selection', () => {
    location.hash = '#/runs?exp=0';
    runsView.setSelection([ids.sweep]);
    expect(runsView.selectedParent?.id).toBe(ids.sweep);
    expect([...runsView.selectedParent!.children].sort()).toEqual([ids.a, ids.b, ids.c].sort());
    runsView.selectChildren();
    expect([...runsView.selected].sort()).toEqual([ids.a, ids.b, ids.c].sort());
    expect(runsView.selectedParent).toBeNull();
  });

  it('a filter hides runs from the visible selection (the ids stay in the URL); a metric sort orders rows', () => {
    location.hash = `#/runs?exp=0&sel=${ids.a},${ids.lone}`;
    runsView.setFilter('metrics.rmse < 0.75');
    expect(runsView.filtered.map((r) => r.info.runName).sort()).toEqual(['b', 'c']);
    expect(runsView.selectedVisible).toEqual([]);
    expect(runsView.selected.size).toBe(2);
    runsView.setFilter('');
    runsView.sortBy({ kind: 'metric', key: 'rmse', agg: 'latest' }); // a loss: smallest first
    expect(route.param('dir')).toBe('asc');
    expect(runsView.sorted.filter((r) => r.metrics.rmse).map((r) => r.info.runName)).toEqual(['b', 'c', 'a']);
    expect(runsView.nested).toBe(false); // sorted by a column, every run is its own row
  });

  it('a refresh that changes only metric values keeps the keys, the columns and the experiments (same objects), and re-sorts', async () => {
    location.hash = '#/runs?exp=0&sort=m%3Armse&dir=asc';
    const before = { keys: runsView.keys, columns: runsView.columns, experiments: lab.experiments, runs: runsView.experimentRuns };
    expect(runsView.sorted.filter((r) => r.metrics.rmse).map((r) => r.info.runName)).toEqual(['b', 'c', 'a']);
    // Run a's rmse becomes the smallest: a training run's next flush, as the store publishes it.
    await lab.store.logBatch(ids.a, { metrics: [{ key: 'rmse', values: Float64Array.of(0.1), steps: Float64Array.of(1), timestamps: Float64Array.of(Date.now()) }] });
    await lab.refresh();
    expect(runsView.experimentRuns).not.toBe(before.runs);
    expect(runsView.sorted.filter((r) => r.metrics.rmse).map((r) => r.info.runName)).toEqual(['a', 'b', 'c']);
    // Equal values stay the same objects, so nothing that reads them (header, picker, side list) redraws.
    expect(runsView.keys).toBe(before.keys);
    expect(runsView.columns).toBe(before.columns);
    expect(lab.experiments).toBe(before.experiments);
    // A new key is a change: the keys and the default columns follow.
    await lab.store.logBatch(ids.a, { metrics: [{ key: 'mae', values: Float64Array.of(0.2), steps: Float64Array.of(1), timestamps: Float64Array.of(Date.now()) }] });
    await lab.refresh();
    expect(runsView.keys).not.toBe(before.keys);
    expect(runsView.keys.metrics).toEqual(['mae', 'rmse']);
    expect(runsView.columns.map((c) => c.kind === 'metric' && c.key).filter(Boolean)).toContain('mae');
  });

  it('store changes in a burst refresh the lab at most once per 200 ms (Node has no frames: the backup timer runs it)', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(400); // refreshes queued by earlier writes have run
    const v0 = lab.version;
    await lab.store.setTag(ids.lone, 'burst', '1');
    await vi.waitFor(() => expect(lab.version).toBe(v0 + 1), { timeout: 2000, interval: 5 });
    await lab.store.setTag(ids.lone, 'burst', '2'); // right after a refresh: waits out the gap
    await sleep(150); // a refresh per change would have run (100 ms backup timer)
    expect(lab.version).toBe(v0 + 1);
    await vi.waitFor(() => expect(lab.version).toBe(v0 + 2), { timeout: 2000, interval: 5 });
    expect(lab.runs.find((r) => r.info.runId === ids.lone)?.tags.burst).toBe('2');
  });
});
