/**
 * Imported runs say where they came from (the bundle's name or URL, the import time), and that
 * bookkeeping is not content: importing the same bundle again, later, finds every run unchanged.
 */
import { describe, expect, it } from 'vitest';
import { exportMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import { collectBundle } from '../../src/lib/bundles/collect';
import { tagImportSource } from '../../src/lib/bundles/provenance';
import { LAB_TAG } from '../../src/lib/tracking/tags';
import { dictGet } from '../../src/lib/util/dict';
import { fillLab, prepareZip } from './bundles-helpers';
import { openStore } from './storage-helpers';

describe('import provenance', () => {
  it('tags each imported run with the bundle and the time; a later import of the same bundle is unchanged, not a conflict', async () => {
    const a = await openStore();
    const lab = await fillLab(a);
    const zip = exportMlflowZip(await collectBundle(a, { kind: 'lab' }));
    const b = await openStore();
    const first = await b.importBundle(tagImportSource(await prepareZip(zip), 'wine-runs.zip', new Date('2026-12-03T07:00:00Z')));
    expect([...first.addedRuns].sort()).toEqual([...lab.runIds].sort());
    for (const id of lab.runIds) {
      const run = await b.getRun(id);
      expect([dictGet(run.tags, LAB_TAG.importSource), dictGet(run.tags, LAB_TAG.importTime)]).toEqual(['wine-runs.zip', '2026-12-03T07:00:00.000Z']);
    }
    const again = await b.importBundle(tagImportSource(await prepareZip(zip), 'https://example.org/wine-runs.zip', new Date('2026-12-04T07:00:00Z')));
    expect(again.addedRuns).toEqual([]);
    expect(again.conflicts).toEqual([]);
    expect([...again.unchanged].sort()).toEqual([...lab.runIds].sort());
    // Re-exported from the importing lab, the runs carry the tags and still match the source lab's.
    const back = await a.importBundle(tagImportSource(await prepareZip(exportMlflowZip(await collectBundle(b, { kind: 'lab' }))), 'back.zip', new Date()));
    expect(back.conflicts).toEqual([]);
    expect(back.addedRuns).toEqual([]);
  });
});
