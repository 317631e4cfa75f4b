import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/lib/data/csv';
import { profileTable } from '../../src/lib/data/profile';
import { wineText } from '../data/wine';

/** Textbook statistics straight from the file text, without our parser. */
function expectedStats(text: string, sep: string) {
  const lines = text.split('\n').filter((l) => l !== '');
  const rows = lines.slice(1).map((l) => l.split(sep).map(Number));
  return rows[0].map((_, j) => {
    const xs = rows.map((r) => r[j]);
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    return { n, mean, std: Math.sqrt(variance), min: Math.min(...xs), max: Math.max(...xs) };
  });
}

describe('profile', () => {
  for (const [file, sep] of [['winequality-red.csv', ';'], ['wine-quality.csv', ',']] as const) {
    it(`matches an independent computation on ${file}`, async () => {
      const text = await wineText(file);
      const profile = profileTable((await parseCsv(text)).table);
      const want = expectedStats(text, sep);
      expect(profile).toHaveLength(12);
      profile.forEach((p, j) => {
        expect(p.type).toBe('number');
        expect(p.count).toBe(want[j].n);
        expect(p.missing).toBe(0);
        expect(p.mean).toBeCloseTo(want[j].mean, 10);
        expect(p.std).toBeCloseTo(want[j].std, 10);
        expect(p.min).toBe(want[j].min);
        expect(p.max).toBe(want[j].max);
      });
    });
  }

  it('agrees with the quality ranges stated for the wine files', async () => {
    const red = profileTable((await parseCsv(await wineText('winequality-red.csv'))).table);
    const white = profileTable((await parseCsv(await wineText('wine-quality.csv'))).table);
    expect([red[11].min, red[11].max]).toEqual([3, 8]);
    expect([white[11].min, white[11].max]).toEqual([3, 9]);
  });

  it('skips missing values and uses the sample standard deviation', async () => {
    const { table } = await parseCsv('x,y\n1,a\n,b\n3,a\nNA,\n5,__proto__\n');
    const [x, y] = profileTable(table);
    expect(x).toMatchObject({ type: 'number', count: 3, missing: 2, mean: 3, min: 1, max: 5 });
    expect(x.std).toBeCloseTo(2, 12); // deviations -2, 0, 2 over n - 1 = 2
    expect(y).toMatchObject({ type: 'string', count: 4, missing: 1, distinctCount: 3 });
    expect(y.distinct).toEqual([
      { value: 'a', count: 2 },
      { value: '__proto__', count: 1 },
      { value: 'b', count: 1 },
    ]);
  });

  it('keeps the top 20 distinct values and no std for a single value', async () => {
    const lines = ['k,v'];
    for (let i = 0; i < 30; i++) for (let r = 0; r <= i; r++) lines.push(`k${i},${i === 0 ? 7 : ''}`);
    const [k, v] = profileTable((await parseCsv(lines.join('\n'))).table);
    expect(k.distinctCount).toBe(30);
    expect(k.distinct).toHaveLength(20);
    expect(k.distinct![0]).toEqual({ value: 'k29', count: 30 });
    expect(k.distinct![19]).toEqual({ value: 'k10', count: 11 });
    expect(v).toMatchObject({ count: 1, mean: 7 });
    expect(v.std).toBeUndefined();
  });
});
