// A dropped folder (src/lib/bundles/folder-source.ts) imports as its zip would, under the zip's rules.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { collectBundleBatches } from '../../src/lib/bundles/collect';
import { SqliteExport } from '../../src/lib/bundles/sqlite-export';
import { finishExport } from '../../src/lib/bundles/export-finish';
import { prepareFolder } from '../../src/lib/bundles/prepare-archive';
import { readFolder, type FolderFile } from '../../src/lib/bundles/folder-source';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { fillLab, prepareZip } from './bundles-helpers';
import { openStore } from './storage-helpers';
import { openDb, sqlJs } from './sqlite-helpers';

const file = (path: string, bytes: Uint8Array): FolderFile => ({ path, file: new Blob([bytes as Uint8Array<ArrayBuffer>]) });

describe('importing a folder', () => {
  it('the unpacked SQLite export, as a folder, prepares the same runs as its zip and commits them', async () => {
    const a = await openStore();
    const lab = await fillLab(a);
    const job = new SqliteExport(new (await sqlJs()).Database());
    const experiments = await collectBundleBatches(a, { kind: 'lab' }, (runs) => job.add(runs));
    const { parts } = await finishExport(job, experiments);
    const zip = new Uint8Array(Buffer.concat(parts));
    const files = [...unzipSafe(zip)].filter(([n]) => !n.endsWith('/')).map(([n, b]) => file(`store/${n}`, b));
    files.push(file('store/.git/objects/ab', new Uint8Array(3)));
    const fromFolder = (await prepareFolder(files, { openDb })).prep;
    const fromZip = await prepareZip(zip);
    expect(fromFolder.runs.map((r) => r.run.info.runId).sort()).toEqual(fromZip.runs.map((r) => r.run.info.runId).sort());
    const b = await openStore();
    const report = await b.importBundle(fromFolder);
    expect([...report.addedRuns].sort()).toEqual([...lab.runIds].sort());
    expect((await b.importBundle((await prepareFolder(files, { openDb })).prep)).addedRuns).toEqual([]);
  });

  it('refuses what a zip would refuse, naming the file and the rule', async () => {
    await expect(readFolder([])).rejects.toMatchObject({ name: 'ArchiveError', rule: 'empty' });
    await expect(readFolder([file('a/../b', new Uint8Array(1))])).rejects.toMatchObject({ rule: 'dot-dot', entry: 'a/../b' });
    await expect(readFolder([file('a', new Uint8Array(10))], { limits: { maxTotalBytes: 5 } })).rejects.toMatchObject({ rule: 'too-big' });
    await expect(readFolder([file('a', new Uint8Array(1)), file('b', new Uint8Array(1))], { limits: { maxEntries: 1 } })).rejects.toMatchObject({ rule: 'too-many-entries' });
    const ctl = new AbortController();
    ctl.abort(new DOMException('The import was cancelled.', 'AbortError'));
    await expect(readFolder([file('a', new Uint8Array(1))], { signal: ctl.signal })).rejects.toThrow('cancelled');
  });
});
