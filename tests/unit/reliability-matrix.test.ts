/**
 * docs/reliability-matrix.md lists, for every fault row, the test files that cover it. This test
 * keeps the table honest: all 37 rows are there, every listed file exists, and each holds a test
 * whose title starts with the row id, so deleting or renaming a covering test fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const ROW_IDS = [
  ...Array.from({ length: 10 }, (_, i) => `S${i + 1}`), ...Array.from({ length: 5 }, (_, i) => `M${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `Z${i + 1}`), ...Array.from({ length: 3 }, (_, i) => `Y${i + 1}`),
  ...Array.from({ length: 4 }, (_, i) => `C${i + 1}`), ...Array.from({ length: 6 }, (_, i) => `R${i + 1}`),
];

interface Row { id: string; files: string[]; engines: string[] }

function readTable(): Row[] {
  const md = readFileSync(join(root, 'docs', 'reliability-matrix.md'), 'utf8');
  return md.split('\n')
    .filter((l) => /^\|\s*[SMZYCR]\d+\s*\|/.test(l))
    .map((l) => {
      const cells = l.split('|').slice(1, -1).map((c) => c.trim());
      return { id: cells[0], files: [...cells[3].matchAll(/`([^`]+)`/g)].map((m) => m[1]), engines: cells[4].split(',').map((e) => e.replace(/\(.*\)/, '').trim()) };
    });
}

/** Row ids that test titles in `source` start with: `it('S4: …')`, `test(\`Z5/Z6: …\`)`, `name: 'R6: …'`. */
export function titledRows(source: string): Set<string> {
  const ids = new Set<string>();
  const title = /(?:\b(?:it|test|describe)(?:\.each\([^)]*\))?\(\s*|\bname:\s*)(['"`])((?:[SMZYCR]\d+)(?:\s*[/,]\s*[SMZYCR]\d+)*):/g;
  for (const m of source.matchAll(title)) for (const id of m[2].split(/[/,]/)) ids.add(id.trim());
  return ids;
}

describe('reliability matrix', () => {
  const rows = readTable();

  it('lists each of the 37 rows once, in order', () => {
    expect(rows.map((r) => r.id)).toEqual(ROW_IDS);
  });

  it('names engines we test in', () => {
    for (const r of rows) {
      expect(r.engines.length, r.id).toBeGreaterThan(0);
      for (const e of r.engines) expect(['Node', 'Chromium', 'Firefox', 'WebKit'], `${r.id}: ${e}`).toContain(e);
      // A row tested in a browser lists a browser test file, and the other way round.
      const browserFile = r.files.some((f) => f.startsWith('tests/e2e/') || f.startsWith('tests/engines/'));
      expect(browserFile, r.id).toBe(r.engines.some((e) => e !== 'Node'));
      expect(r.files.some((f) => f.startsWith('tests/unit/')), r.id).toBe(r.engines.includes('Node'));
    }
  });

  for (const id of ROW_IDS) {
    it(`${id}: every listed file exists and holds a test titled "${id}: …"`, () => {
      const row = rows.find((r) => r.id === id);
      expect(row, `row ${id} missing from docs/reliability-matrix.md`).toBeDefined();
      expect(row!.files.length).toBeGreaterThan(0);
      for (const f of row!.files) {
        const path = join(root, f);
        expect(existsSync(path), `${id}: ${f} does not exist`).toBe(true);
        expect([...titledRows(readFileSync(path, 'utf8'))], `${id}: no test in ${f} has a title starting with "${id}:"`).toContain(id);
      }
    });
  }

  it('reads titles the way the table means them', () => {
    const src = "it('S1: x', ...); test(`Z5/Z6: y`, ...); it.each(cases)('S2: %s', ...); name: 'R6: CSP', it('mentions S3: inside')";
    expect([...titledRows(src)].sort()).toEqual(['R6', 'S1', 'S2', 'Z5', 'Z6']);
    expect(titledRows("it('S10: crash')").has('S1')).toBe(false);
  });
});
