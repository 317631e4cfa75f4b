import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXAMPLE_DATASETS } from '../../src/lib/data/examples';
import { WINE_URLS, winePath, type WineFile } from '../data/wine';

// The examples ship with the lab: the shipped copy must be MLflow's file, byte for byte, and the
// dataset must keep naming MLflow's URL as its source.
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SHA256: Record<WineFile, string> = {
  'winequality-red.csv': '4a402cf041b025d4566d954c3b9ba8635a3a8a01e039005d97d6a710278cf05e',
  'wine-quality.csv': '66b071bfe464e02aaef19d61fe28ce99b6f75efebb81be0fb58555713c3ab7a6',
};

describe('shipped wine examples', () => {
  for (const ex of EXAMPLE_DATASETS) {
    it(`${ex.file} is MLflow's ${ex.url.split('/').pop()}`, async () => {
      const name = ex.file.split('/').pop() as WineFile;
      expect(ex.url).toBe(WINE_URLS[name]);
      const shipped = readFileSync(resolve(__dirname, '../../public', ex.file));
      expect(sha(shipped)).toBe(SHA256[name]);
      expect(sha(readFileSync(await winePath(name)))).toBe(SHA256[name]);
      const lines = shipped.toString('utf8').trim().split('\n');
      expect(lines.length - 1).toBe(ex.expectedRows);
    });
  }
});
