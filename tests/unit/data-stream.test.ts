import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvProgress } from '../../src/lib/data/csv';
import { CsvError } from '../../src/lib/data/csv-errors';

const ROW_BYTES_TARGET = 50 * 1024 * 1024;

/** A generated ~50 MB CSV as 256 KB byte chunks, with the values each row should parse to. */
function bigCsv(): { chunks: Uint8Array[]; rows: number; total: number; sumB: number } {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [enc.encode('id;a;b;label\n')];
  let total = chunks[0].length;
  let rows = 0;
  let sumB = 0;
  let lines: string[] = [];
  let pending = 0;
  while (total + pending < ROW_BYTES_TARGET) {
    const b = (rows % 1000) / 8;
    sumB += b;
    // A quoted label with a delimiter and a line break every 97 rows keeps the quote path busy.
    const label = rows % 97 === 0 ? `"x;\n${rows}"` : `c${rows % 5}`;
    const line = `${rows};${rows * 0.5};${b};${label}\n`;
    lines.push(line);
    pending += line.length;
    rows++;
    if (pending > 256 * 1024) {
      const bytes = enc.encode(lines.join(''));
      chunks.push(bytes);
      total += bytes.length;
      lines = [];
      pending = 0;
    }
  }
  const bytes = enc.encode(lines.join(''));
  chunks.push(bytes);
  total += bytes.length;
  return { chunks, rows, total, sumB };
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]);
      else c.close();
    },
  });
}

describe('large input', () => {
  const big = bigCsv();

  it('streams 50 MB with increasing progress', async () => {
    const seen: CsvProgress[] = [];
    const t0 = performance.now();
    const r = await parseCsv(streamOf(big.chunks), { totalBytes: big.total, onProgress: (p) => seen.push(p) });
    const ms = performance.now() - t0;
    console.log(`50 MB stream: ${big.rows} rows in ${ms.toFixed(0)} ms, ${seen.length} progress reports`);
    expect(r.table.rowCount).toBe(big.rows);
    expect(r.table.types).toEqual(['number', 'number', 'number', 'string']);
    expect(r.byteSize).toBe(big.total);
    const b = r.table.data[2] as Float64Array;
    expect(b.reduce((s, v) => s + v, 0)).toBeCloseTo(big.sumB, 6);
    const id = r.table.data[0] as Float64Array;
    expect(id[big.rows - 1]).toBe(big.rows - 1);
    expect((r.table.data[3] as string[])[97]).toBe('x;\n97');
    // Quoted line breaks shift file rows: data row 98 starts two lines later than plain.
    expect(r.table.sourceLines?.slice(0, 4)).toEqual([0, 2, 1, 4]);
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].loadedBytes).toBeGreaterThanOrEqual(seen[i - 1].loadedBytes);
      expect(seen[i].rows).toBeGreaterThanOrEqual(seen[i - 1].rows);
    }
    expect(seen[0].loadedBytes).toBeLessThan(big.total);
    expect(seen.at(-1)).toMatchObject({ loadedBytes: big.total, totalBytes: big.total, rows: big.rows });
  }, 60_000);

  it('aborts mid-way with an AbortError and stops reading', async () => {
    const controller = new AbortController();
    let pulled = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled < big.chunks.length) c.enqueue(big.chunks[pulled++]);
        else c.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    const p = parseCsv(stream, {
      signal: controller.signal,
      onProgress: (pr) => {
        if (pr.loadedBytes > big.total / 4) controller.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(pulled).toBeLessThan(big.chunks.length / 2);
    await new Promise((r) => setTimeout(r, 10));
    expect(cancelled).toBe(true);
  }, 60_000);

  it('aborts from a timer while parsing a big string', async () => {
    const text = 'id;a;b;label\n' + '1;2.5;3;x\n'.repeat(2_000_000);
    const controller = new AbortController();
    const p = parseCsv(text, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  }, 60_000);

  it('refuses a stream that grows past the cap while reading', async () => {
    const err = await parseCsv(streamOf(big.chunks), { maxBytes: 1024 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvError);
    expect(err).toMatchObject({ code: 'too-large' });
  });

  it('stops early on an unclosed quote instead of reading the rest as one cell', async () => {
    const head = new TextEncoder().encode('a,b\n1,2\n3,"oops\n');
    const filler = new TextEncoder().encode('5,6\n'.repeat(64 * 1024));
    const chunks = [head, ...Array.from({ length: 200 }, () => filler)];
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled < chunks.length) c.enqueue(chunks[pulled++]);
        else c.close();
      },
    });
    const err = await parseCsv(stream, { maxRecordChars: 4 << 20 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unclosed-quote', row: 3 });
    expect(pulled).toBeLessThan(chunks.length);
  });
});
