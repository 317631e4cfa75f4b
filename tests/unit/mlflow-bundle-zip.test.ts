import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exportMlflowZip, importMlflowZip, importMlflowZipBlob } from '../../src/lib/mlflow/bundle-zip';
import { writeMlrunsTree } from '../../src/lib/mlflow/write-tree';
import { readMlrunsTree } from '../../src/lib/mlflow/read-tree';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { ArchiveError } from '../../src/lib/archive/safe-zip';
import { FormatError } from '../../src/lib/mlflow/errors';
import { sampleBundle, PARENT } from './mlflow-sample';

const zip = exportMlflowZip(sampleBundle());

describe('MLflow bundle zips', () => {
  it('export → import → export is byte-identical', () => {
    const { bundle, warnings, root } = importMlflowZip(zip);
    expect(warnings).toEqual([]);
    expect(root).toBe('mlruns/');
    expect(exportMlflowZip(bundle)).toEqual(zip);
  });

  it('imports a zip of the mlruns contents (no top folder) and a zip nested deeper', async () => {
    const tree = writeMlrunsTree(sampleBundle());
    const strip = new Map([...tree].filter(([k]) => k.startsWith('mlruns/') && k !== 'mlruns/').map(([k, v]) => [k.slice(7), v]));
    expect(importMlflowZip(zipFiles(strip)).bundle.runs.length).toBe(3);
    const deep = new Map([...tree].map(([k, v]) => [`export/2024/${k}`, v]));
    const r = await importMlflowZipBlob(new Blob([zipFiles(deep)]));
    expect(r.root).toBe('export/2024/mlruns/');
    expect(r.bundle.runs.find((x) => x.run.info.runId === PARENT)!.artifacts.length).toBe(2);
  });

  it('Z8: truncated or bit-flipped bundles give a bundle or a typed error, never anything else', () => {
    fc.assert(fc.property(fc.nat(zip.length - 1), fc.nat(7), fc.boolean(), (pos, bit, truncate) => {
      const bad = truncate ? zip.slice(0, pos) : zip.slice();
      if (!truncate) bad[pos] ^= 1 << bit;
      try {
        importMlflowZip(bad);
      } catch (e) {
        if (!(e instanceof ArchiveError || e instanceof FormatError)) throw e;
      }
    }), { numRuns: 800 });
  });

  it('Y3: damaged files inside a valid archive give a FormatError naming the file', () => {
    const tree = writeMlrunsTree(sampleBundle());
    const names = [...tree.keys()].filter((k) => !k.endsWith('/') && !k.includes('/artifacts/'));
    fc.assert(fc.property(fc.constantFrom(...names), fc.nat(), fc.nat(7), fc.boolean(), (name, pos, bit, truncate) => {
      const bytes = tree.get(name)!;
      const copy = new Map(tree);
      if (bytes.length === 0) return;
      const i = pos % bytes.length;
      const bad = truncate ? bytes.slice(0, i) : bytes.slice();
      if (!truncate) bad[i] ^= 1 << bit;
      copy.set(name, bad);
      try {
        readMlrunsTree(copy);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        expect(e.message.startsWith('mlruns/') || e.file === '(archive)').toBe(true);
      }
    }), { numRuns: 500 });
  });
});
