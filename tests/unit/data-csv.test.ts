import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvParseOptions } from '../../src/lib/data/csv';
import { CsvError, lineOfRow, requireNumeric } from '../../src/lib/data/csv-errors';
import { wineText } from '../data/wine';

const WINE_COLUMNS = [
  'fixed acidity', 'volatile acidity', 'citric acid', 'residual sugar', 'chlorides', 'free sulfur dioxide',
  'total sulfur dioxide', 'density', 'pH', 'sulphates', 'alcohol', 'quality',
];

/** Runs the parse and returns the CsvError it must throw. */
async function csvError(text: string | Blob, options?: CsvParseOptions): Promise<CsvError> {
  try {
    await parseCsv(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error('expected a CsvError');
}

/** Independent reading of the wine files: no quotes in data rows, so splitting is enough. */
function naiveWine(text: string, sep: string): { header: string[]; rows: number[][] } {
  const lines = text.split('\n').filter((l) => l !== '');
  return {
    header: lines[0].split(sep).map((h) => h.slice(1, -1)),
    rows: lines.slice(1).map((l) => l.split(sep).map(Number)),
  };
}

describe('wine files', () => {
  for (const [file, sep, rows] of [['winequality-red.csv', ';', 1599], ['wine-quality.csv', ',', 4898]] as const) {
    it(`parses ${file}`, async () => {
      const text = await wineText(file);
      const r = await parseCsv(text);
      expect(r.delimiter).toBe(sep);
      expect(r.linebreak).toBe('\n');
      expect(r.table.rowCount).toBe(rows);
      expect(r.table.columns).toEqual(WINE_COLUMNS);
      expect(r.table.types).toEqual(WINE_COLUMNS.map(() => 'number'));
      expect(r.table.sourceLines).toBeUndefined();
      expect(r.missing).toEqual(WINE_COLUMNS.map(() => 0));
      expect(r.byteSize).toBe(Buffer.byteLength(text));
      const naive = naiveWine(text, sep);
      expect(naive.header).toEqual(WINE_COLUMNS);
      for (let j = 0; j < 12; j++) {
        expect(Array.from(r.table.data[j] as Float64Array)).toEqual(naive.rows.map((row) => row[j]));
      }
    });
  }
});

describe('format handling', () => {
  it('C3: strips a BOM and reads CRLF files, from a string and from bytes', async () => {
    const text = '\ufeff"a";"b"\r\n1;x\r\n2;y\r\n';
    for (const src of [text, new Blob([new TextEncoder().encode(text)])]) {
      const r = await parseCsv(src);
      expect(r.table.columns).toEqual(['a', 'b']);
      expect(r.linebreak).toBe('\r\n');
      expect(r.table.data[1]).toEqual(['x', 'y']);
      expect(Array.from(r.table.data[0] as Float64Array)).toEqual([1, 2]);
    }
  });

  it('C3: keeps a __proto__ column and other awkward names', async () => {
    const r = await parseCsv('__proto__,constructor,toString\n1,2,3\n');
    expect(r.table.columns).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Array.from(r.table.data[0] as Float64Array)).toEqual([1]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('detects tab and pipe delimiters and honours a given one', async () => {
    expect((await parseCsv('a\tb\n1\t2\n')).delimiter).toBe('\t');
    expect((await parseCsv('a|b\n1|2\n')).delimiter).toBe('|');
    const r = await parseCsv('a,b;c\n1,2;3\n', { delimiter: ';' });
    expect(r.table.columns).toEqual(['a,b', 'c']);
  });

  it('C3: reports an undetectable delimiter', async () => {
    const e = await csvError('just one column\nvalue\nanother value\n');
    expect(e.code).toBe('undetectable-delimiter');
  });

  it('infers numbers and missing values, and counts missing cells', async () => {
    const r = await parseCsv('n,m,s\n1,NA,a\n-2.5e3, null ,b\n,N/a,\n.5,NaN,c\n');
    expect(r.table.types).toEqual(['number', 'number', 'string']);
    expect(Array.from(r.table.data[0] as Float64Array)).toEqual([1, -2500, NaN, 0.5]);
    expect(r.missing).toEqual([1, 4, 1]);
    expect(r.table.data[2]).toEqual(['a', 'b', '', 'c']);
  });

  it('treats hex, Infinity and overflowing numbers as text', async () => {
    for (const bad of ['0x1A', 'Infinity', '1e400', '1_000']) {
      const r = await parseCsv(`a,b\n1,2\n${bad},3\n`);
      expect(r.table.types[0]).toBe('string');
      expect(r.table.data[0]).toEqual(['1', bad]);
    }
  });

  it('keeps the original spelling of early cells when a column turns into text', async () => {
    const r = await parseCsv('zip,x\n00501,1\n1.50,2\n+3,3\nNA,4\n10001,5\nK1A 0B1,6\n');
    expect(r.table.types[0]).toBe('string');
    expect(r.table.data[0]).toEqual(['00501', '1.50', '+3', 'NA', '10001', 'K1A 0B1']);
    expect(r.missing[0]).toBe(1);
  });

  it('counts blank lines and quoted line breaks in row numbers', async () => {
    const text = 'a,b\n\n1,"two\nlines"\n3,x\n\n\n5,6\n';
    const r = await parseCsv(text);
    expect(r.table.rowCount).toBe(3);
    expect(r.table.data[1]).toEqual(['two\nlines', 'x', '6']);
    expect([0, 1, 2].map((i) => lineOfRow(r.table, i))).toEqual([3, 5, 8]);
  });

  it('reads quoted headers, quoted delimiters and doubled quotes', async () => {
    const r = await parseCsv('"x, y","say ""hi"""\n"1,5",ok\n');
    expect(r.table.columns).toEqual(['x, y', 'say "hi"']);
    expect(r.table.data[0]).toEqual(['1,5']);
  });
});

describe('bad files name the row and column', () => {
  it('empty file', async () => {
    expect((await csvError('')).code).toBe('empty-file');
    expect((await csvError('\n \n\n')).code).toBe('empty-file');
    expect((await csvError(new Blob([]))).code).toBe('empty-file');
  });

  it('header only', async () => {
    const e = await csvError('a,b\n');
    expect(e.code).toBe('no-data');
    expect(e.row).toBe(1);
  });

  it('C2: too few and too many fields', async () => {
    const few = await csvError('a,b,c\n1,2,3\n4,5\n');
    expect(few).toMatchObject({ code: 'ragged-row', row: 3, index: 1 });
    expect(few.message).toMatch(/^Row 3: expected 3 fields like the header, found 2/);
    const many = await csvError('a;b\n1;2\n3;4\n5;6;7\n');
    expect(many).toMatchObject({ code: 'ragged-row', row: 4 });
    expect(many.message).toContain('found 3');
  });

  it('C2: ragged rows can be skipped and listed instead', async () => {
    const r = await parseCsv('a,b\n1,2\n3\n4,5\n6,7,8\n', { raggedRows: 'skip' });
    expect(r.table.rowCount).toBe(2);
    expect(r.skippedRows).toEqual([3, 5]);
    expect(r.skippedCount).toBe(2);
  });

  it('C2: unclosed quote is fatal and names the line where it opens', async () => {
    const e = await csvError('a,b\n1,2\n3,4\n5,"six\n7,8\n9,10\n');
    expect(e).toMatchObject({ code: 'unclosed-quote', row: 4, column: 'b' });
    expect(e.message).toMatch(/^Row 4, column `b`: a quoted cell starts here/);
  });

  it('text after a closing quote is an error', async () => {
    const e = await csvError('a,b\n1,"x"y\n');
    expect(e).toMatchObject({ code: 'bad-quote', row: 2, column: 'b' });
  });

  it('C3: duplicate and empty header names', async () => {
    const dup = await csvError('a,b,a\n1,2,3\n');
    expect(dup).toMatchObject({ code: 'duplicate-header', row: 1, column: 'a' });
    expect(dup.message).toContain('columns 1 and 3');
    const empty = await csvError('a,,c\n1,2,3\n');
    expect(empty).toMatchObject({ code: 'empty-header', row: 1 });
    expect(empty.message).toContain('column 2');
  });

  it('C1: a file over the size cap is refused before reading', async () => {
    const e = await csvError(new Blob(['a,b\n1,2\n']), { maxBytes: 4 });
    expect(e.code).toBe('too-large');
  });
});

describe('requireNumeric', () => {
  it('names the first text cell in a column that must be numeric', async () => {
    const lines = ['pH,label'];
    for (let i = 0; i < 300; i++) lines.push(i === 211 ? 'n/a,x' : i === 250 ? 'abc,y' : `${3 + i / 1000},z`);
    const { table } = await parseCsv(lines.join('\n'));
    expect(table.types[0]).toBe('string');
    let err: unknown;
    try {
      requireNumeric(table, ['pH']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvError);
    // 'n/a' is a missing value; 'abc' on data row 250 (file row 252) is the first text.
    expect(err).toMatchObject({ code: 'not-a-number', row: 252, column: 'pH', index: 250 });
    expect((err as Error).message).toMatch(/^Row 252, column `pH`: 'abc' is not a number/);
  });

  it('uses file rows when blank lines shift them, and picks the earliest row', async () => {
    const { table } = await parseCsv('a,b\n\n1,2\n\nx,3\n4,y\n');
    expect(() => requireNumeric(table, ['b', 'a'])).toThrow(/^Row 5, column `a`: 'x' is not a number/);
    expect(() => requireNumeric(table, ['nope'])).toThrow(CsvError);
  });

  it('passes numeric columns', async () => {
    const { table } = await parseCsv('a,b\n1,2\n,3\n');
    expect(() => requireNumeric(table, ['a', 'b'])).not.toThrow();
  });
});

describe('sources', () => {
  it('reads a ReadableStream of bytes split inside multi-byte characters', async () => {
    const bytes = new TextEncoder().encode('naïve,€\n1,2\n3,4\n');
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 1) c.enqueue(bytes.slice(i, i + 1));
        c.close();
      },
    });
    const r = await parseCsv(stream);
    expect(r.table.columns).toEqual(['naïve', '€']);
    expect(r.byteSize).toBe(bytes.length);
  });

  it('reads an async iterable of small text chunks', async () => {
    async function* chunks() {
      const text = 'x;y\r\n1;"a\r\nb"\r\n2;c\r\n';
      for (let i = 0; i < text.length; i += 3) yield text.slice(i, i + 3);
    }
    const r = await parseCsv(chunks(), { chunkChars: 4 });
    expect(r.delimiter).toBe(';');
    expect(r.table.data[1]).toEqual(['a\r\nb', 'c']);
    expect(lineOfRow(r.table, 1)).toBe(4);
  });
});
