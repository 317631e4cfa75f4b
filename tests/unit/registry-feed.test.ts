/**
 * One connection and one change feed for runs and the registry: the tracking store's registry
 * writes on the store's own connection and every write (an edit, or models committed by an
 * import) is announced on the store's feed, here and to other stores (tabs) on the database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collectBundle } from '../../src/lib/bundles/collect';
import { prepareEntries } from '../../src/lib/bundles/prepare-import';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { exportMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import type { StoreChange } from '../../src/lib/storage/change-feed';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { fillLab } from './bundles-helpers';
import { fillRegistry } from './bundles-registry-fixture';
import { tickingClock, uniqueDbName } from './storage-helpers';

const open: TrackingStore[] = [];
afterEach(() => { for (const s of open.splice(0)) s.close(); });

async function tab(dbName: string): Promise<TrackingStore> {
  const s = await TrackingStore.open({ dbName, now: tickingClock() });
  open.push(s);
  return s;
}

function heard(s: TrackingStore): StoreChange[] {
  const seen: StoreChange[] = [];
  s.subscribe((c) => seen.push(c));
  return seen;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('the registry on the tracking store', () => {
  it('edits are announced on the store feed, with the model names, here and in another tab', async () => {
    const name = uniqueDbName('reg-feed');
    const a = await tab(name), b = await tab(name);
    const here = heard(a), there = heard(b);
    await a.registry.createRegisteredModel('wine');
    expect(here).toEqual([{ runIds: [], experimentIds: [], models: ['wine'], origin: 'local' }]);
    await until(() => there.length === 1);
    // Notices to other tabs are merged (change-feed.ts, BROADCAST_MS): this one may also name
    // the Default experiment that opening `a` created a moment before.
    expect(there[0]).toMatchObject({ runIds: [], models: ['wine'], origin: 'remote' });
    expect((await b.registry.listRegisteredModels()).map((m) => m.name)).toEqual(['wine']);

    await a.registry.renameRegisteredModel('wine', 'red');
    expect(here.at(-1)!.models).toEqual(['wine', 'red']);
    await expect(a.registry.createRegisteredModel('red')).rejects.toThrow(/already exists/);
    expect(here).toHaveLength(2); // a refused write announces nothing
  });

  it('an import announces the registered models it committed with the runs, and nothing for models it kept', async () => {
    const src = await tab(uniqueDbName('reg-src'));
    const runs = await fillLab(src);
    await fillRegistry(src.registry, runs.runIds[0], runs.runIds[2]);
    const zip = exportMlflowZip(await collectBundle(src, { kind: 'lab' }, src.registry));

    const name = uniqueDbName('reg-dst');
    const dst = await tab(name), other = await tab(name);
    const here = heard(dst), there = heard(other);
    const report = await dst.importBundle(prepareEntries(unzipSafe(zip)));
    expect(report.addedRegisteredModels.sort()).toEqual(['retired', 'wine']);
    expect(here.filter((c) => c.models).map((c) => c.models!.sort())).toEqual([['retired', 'wine']]);
    await until(() => there.some((c) => c.models));
    expect((await other.registry.listRegisteredModels()).map((m) => m.name).sort()).toEqual(['retired', 'wine']);

    here.length = 0;
    const again = await dst.importBundle(prepareEntries(unzipSafe(zip)));
    expect(again.unchangedRegisteredModels.sort()).toEqual(['retired', 'wine']);
    expect(here.filter((c) => c.models)).toEqual([]);
  });
});
