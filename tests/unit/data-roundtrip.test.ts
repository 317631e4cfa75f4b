import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/lib/data/csv';
import { CsvError } from '../../src/lib/data/csv-errors';
import { tableDigest } from '../../src/lib/data/digest';

// The test's own statement of the cell rules (not imported from the code under test).
const MISSING = new Set(['', 'na', 'nan', 'null', 'n/a']);
const NUMBER = /^[ \t]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t]*$/;
const isMissing = (s: string) => MISSING.has(s.trim().toLowerCase());
const isNumber = (s: string) => NUMBER.test(s) && Number.isFinite(Number(s));

interface Format {
  delimiter: string;
  eol: string;
  quoteAll: boolean;
  trailingEol: boolean;
}

function toCsv(header: string[], rows: string[][], f: Format): string {
  const cell = (s: string) =>
    f.quoteAll || s.includes(f.delimiter) || /["\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  const text = [header, ...rows].map((r) => r.map(cell).join(f.delimiter)).join(f.eol);
  return f.trailingEol ? text + f.eol : text;
}

/** What the table must be: blank rows dropped, each column typed by the rules above. */
function expected(header: string[], rows: string[][]) {
  const kept = rows.filter((r) => r.some((c) => c.trim() !== ''));
  const columns = header.map((_, j) => kept.map((r) => r[j]));
  const types = columns.map((cells) => (cells.every((c) => isMissing(c) || isNumber(c)) ? 'number' : 'string'));
  const data = columns.map((cells, j) => (types[j] === 'number' ? cells.map((c) => (isMissing(c) ? NaN : Number(c))) : cells));
  return { rowCount: kept.length, types, data };
}

// Cells mix numbers, missing tokens and text with every character that needs quoting.
const piece = fc.constantFrom('a', 'Z', 'é', '€', '😀', ' ', '0', '7', '.', '-', 'e', ',', ';', '\t', '|', '"', '\n', '\r\n', 'NA', 'null', 'N/A', 'nan');
const textCell = fc.array(piece, { maxLength: 6 }).map((p) => p.join(''));
const numberCell = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom('', 'NA', '1.50', '007', '.5', '-2e-3'),
);
const format = (delimiters: readonly string[]) =>
  fc.record({
    delimiter: fc.constantFrom(...delimiters),
    eol: fc.constantFrom('\n', '\r\n'),
    quoteAll: fc.boolean(),
    trailingEol: fc.boolean(),
  });

const table = (cell: fc.Arbitrary<string>, name: fc.Arbitrary<string>) =>
  fc.integer({ min: 2, max: 5 }).chain((width) =>
    fc.record({
      header: fc.uniqueArray(name.filter((n) => n.trim() !== ''), { minLength: width, maxLength: width }),
      numeric: fc.array(fc.boolean(), { minLength: width, maxLength: width }),
      rows: fc.array(fc.array(fc.boolean(), { minLength: width, maxLength: width }), { minLength: 1, maxLength: 15 }),
      seed: fc.array(fc.tuple(cell, numberCell), { minLength: 75, maxLength: 75 }),
    }).map(({ header, numeric, rows, seed }) => ({
      header,
      rows: rows.map((r, i) => r.map((_, j) => (numeric[j] ? seed[(i * 5 + j) % 75][1] : seed[(i * 5 + j) % 75][0]))),
    })),
  );

async function check(header: string[], rows: string[][], f: Format, detect: boolean): Promise<string | null> {
  const text = toCsv(header, rows, f);
  const want = expected(header, rows);
  const run = parseCsv(text, detect ? {} : { delimiter: f.delimiter });
  if (want.rowCount === 0) {
    await expect(run).rejects.toMatchObject({ code: 'no-data' });
    return null;
  }
  const got = await run;
  expect(got.delimiter).toBe(f.delimiter);
  expect(got.table.columns).toEqual(header);
  expect(got.table.rowCount).toBe(want.rowCount);
  expect(got.table.types).toEqual(want.types);
  got.table.data.forEach((col, j) => {
    expect(col instanceof Float64Array ? Array.from(col) : col).toEqual(want.data[j]);
  });
  return tableDigest(got.table);
}

describe('random tables survive CSV round trips', () => {
  it('keeps "-0" as -0, as Python and pandas read it (fast-check once found it expected +0)', async () => {
    const { table } = await parseCsv('a,b\n-0,1\n 0 ,2\n', { delimiter: ',' });
    expect(Object.is((table.data[0] as Float64Array)[0], -0)).toBe(true);
    expect(Object.is((table.data[0] as Float64Array)[1], 0)).toBe(true);
  });

  it('with any content, given the delimiter', async () => {
    await fc.assert(
      fc.asyncProperty(table(textCell, textCell), format([',', ';', '\t', '|']), format([',', ';', '\t', '|']), async (t, f1, f2) => {
        const d1 = await check(t.header, t.rows, f1, false);
        const d2 = await check(t.header, t.rows, f2, false);
        expect(d1).toBe(d2);
      }),
      { numRuns: 300 },
    );
  });

  it('with the delimiter detected, when cells hold no other candidate delimiter', async () => {
    const safe = fc.array(fc.constantFrom('a', 'é', ' ', '7', '"', '\n', 'NA', 'x y'), { maxLength: 5 }).map((p) => p.join(''));
    await fc.assert(
      fc.asyncProperty(
        format([',', ';', '\t', '|']).chain((f) => fc.record({ f: fc.constant(f), t: table(fc.oneof(safe, fc.constant(f.delimiter)), safe) })),
        async ({ f, t }) => {
          await check(t.header, t.rows, f, true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports the right row for a ragged row anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.constantFrom(1, 3), async (bad, width) => {
        const rows = Array.from({ length: 41 }, (_, i) => (i === bad ? Array(width).fill('1') : ['1', '2']));
        const text = ['a,b', ...rows.map((r) => r.join(','))].join('\n');
        const err = await parseCsv(text).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CsvError);
        expect(err).toMatchObject({ code: 'ragged-row', row: bad + 2 });
      }),
      { numRuns: 50 },
    );
  });
});
