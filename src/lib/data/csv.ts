/**
 * Streaming CSV → DataTable. papaparse's low-level Parser does the quoting rules; we feed it
 * chunks ourselves (so the same code reads strings, Files and fetched streams in Node, pages and
 * workers), read the header ourselves (papaparse's `header: true` drops a `__proto__` column and
 * renames duplicates), and check every record's shape so errors can name the row and column.
 */
import Papa from 'papaparse';
import { ColumnBuilder } from './csv-columns';
import { CsvError, where } from './csv-errors';
import { DEFAULT_MAX_BYTES, openSource, type CsvSource, type TextPiece } from './csv-source';
import type { DataTable } from './types';

export type { CsvSource } from './csv-source';
export { DEFAULT_MAX_BYTES } from './csv-source';

export const DELIMITERS = [',', ';', '\t', '|'] as const;

export interface CsvProgress {
  /** Bytes read from the source so far. */
  loadedBytes: number;
  /** Total bytes when known (Files, strings, responses with Content-Length). */
  totalBytes?: number;
  /** Data rows parsed so far. */
  rows: number;
}

export interface CsvParseOptions {
  /** Column separator; detected among `,` `;` tab `|` when absent. */
  delimiter?: string;
  /** Refuse larger inputs (bytes). Default 512 MB. */
  maxBytes?: number;
  /** Size of a stream source when the caller knows it (for progress and the early size check). */
  totalBytes?: number;
  /** Text encoding of byte sources. Default UTF-8. */
  encoding?: string;
  /** Ragged rows stop the parse (default) or are skipped and listed in `skippedRows`. */
  raggedRows?: 'error' | 'skip';
  /** A single record longer than this (characters) is taken as an unclosed quote. Default 16 M. */
  maxRecordChars?: number;
  /** Characters handed to the parser at a time. Default 128 K: rows of a small chunk die young, which
   * keeps garbage collection cheap. */
  chunkChars?: number;
  signal?: AbortSignal;
  onProgress?: (p: CsvProgress) => void;
}

export interface CsvParseResult {
  table: DataTable;
  delimiter: string;
  linebreak: string;
  byteSize: number;
  /** Missing cells per column, in column order. */
  missing: number[];
  /** File lines of ragged rows skipped with `raggedRows: 'skip'` (first 1000). */
  skippedRows: number[];
  skippedCount: number;
}

const SAMPLE_CHARS = 64 * 1024;
/** Yield to the event loop this often, so cancel messages and progress get through. */
const YIELD_EVERY_MS = 30;
/** Progress reports are throttled; each one may be a message to the page. */
const REPORT_EVERY_MS = 50;

export async function parseCsv(source: CsvSource, options: CsvParseOptions = {}): Promise<CsvParseResult> {
  const signal = options.signal;
  throwIfAborted(signal);
  const chunkChars = options.chunkChars ?? 128 * 1024;
  const { total, pieces } = openSource(source, {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    totalBytes: options.totalBytes,
    encoding: options.encoding,
    pieceChars: chunkChars,
  });
  const iterator = pieces[Symbol.asyncIterator]();
  try {
    // Gather a sample first: delimiter and line-ending detection need whole rows to look at.
    let buffered = '';
    let loaded = 0;
    let ended = false;
    while (!ended && buffered.length < SAMPLE_CHARS) {
      const next = await nextOrAbort(iterator, signal);
      if (next.done) ended = true;
      else {
        buffered += next.value.text;
        loaded = next.value.loaded;
      }
    }
    if (ended && buffered.trim() === '') throw new CsvError('empty-file', 'The file is empty: there is no header and no data.');
    // Only the sample: papaparse splits its whole input into lines even for a 20-row preview.
    const { delimiter, linebreak } = detectFormat(buffered.slice(0, SAMPLE_CHARS), options.delimiter);

    const records = new RecordSink(delimiter, options.raggedRows ?? 'error');
    const feeder = new ChunkFeeder(delimiter, linebreak, records, options.maxRecordChars ?? 16 << 20);
    let lastYield = now();
    let lastReport = -Infinity;
    let bytesPerChar = 1;
    // A source may hand over megabytes at once (Node's Blob.stream does), so progress estimates
    // the bytes actually parsed: bytes read minus what is still buffered.
    const report = () => {
      const parsed = Math.max(0, Math.round(loaded - buffered.length * bytesPerChar));
      options.onProgress?.({ loadedBytes: parsed, totalBytes: total, rows: records.rowCount });
    };
    const pause = async () => {
      const t = now();
      if (t - lastReport >= REPORT_EVERY_MS) {
        report();
        lastReport = t;
      }
      if (t - lastYield >= YIELD_EVERY_MS) {
        await macrotask();
        throwIfAborted(signal);
        lastYield = now();
      }
    };

    for (;;) {
      while (buffered.length >= chunkChars) {
        feeder.feed(buffered.slice(0, chunkChars), false);
        buffered = buffered.slice(chunkChars);
        await pause();
      }
      if (ended) break;
      await pause();
      const next = await nextOrAbort(iterator, signal);
      if (next.done) ended = true;
      else {
        const bytes = next.value.loaded - loaded;
        if (next.value.text.length > 0) bytesPerChar = bytes / next.value.text.length;
        buffered += next.value.text;
        loaded = next.value.loaded;
      }
    }
    feeder.feed(buffered, true);
    buffered = '';
    report();
    const table = records.finish();
    return {
      table,
      delimiter,
      linebreak,
      byteSize: loaded,
      missing: records.missingCounts(),
      skippedRows: records.skippedRows,
      skippedCount: records.skippedCount,
    };
  } catch (e) {
    void iterator.return?.();
    throw e;
  }
}

/**
 * Picks the delimiter (unless given) and line ending from the first rows. A candidate must split
 * the header into at least two names; among those, the one that gives the most following rows
 * the header's field count wins (then more columns, then list order). Scoring against the
 * header, rather than papaparse's average field count, keeps one ragged row among the first
 * few from hiding the delimiter: that row should be reported, not the whole file refused.
 */
function detectFormat(sample: string, given: string | undefined): { delimiter: string; linebreak: string } {
  const candidates = given ? [given] : DELIMITERS;
  let best: { delimiter: string; linebreak: string; matches: number; width: number } | undefined;
  for (const d of candidates) {
    const res = Papa.parse<string[]>(sample, { delimiter: d, preview: 20, skipEmptyLines: 'greedy' });
    const rows = res.data;
    const width = rows.length > 0 ? rows[0].length : 0;
    if (width < 2 && !given) continue;
    let matches = 0;
    for (let i = 1; i < rows.length; i++) if (rows[i].length === width) matches++;
    if (!best || matches > best.matches || (matches === best.matches && width > best.width)) {
      best = { delimiter: d, linebreak: res.meta.linebreak, matches, width };
    }
  }
  if (!best) {
    throw new CsvError(
      'undetectable-delimiter',
      'Could not tell which character separates the columns: the header does not split on a comma, ' +
        'semicolon, tab or pipe. Choose the delimiter, or check that this is a CSV file.',
    );
  }
  return { delimiter: best.delimiter, linebreak: best.linebreak };
}

/** Hands text to papaparse's Parser and carries the unfinished last record into the next chunk. */
class ChunkFeeder {
  private parser: Papa.Parser;
  private pending = '';
  private base = 0;

  constructor(
    delimiter: string,
    private linebreak: string,
    private sink: RecordSink,
    private maxRecordChars: number,
  ) {
    this.parser = new Papa.Parser({ delimiter, newline: linebreak as Papa.ParseConfig['newline'], quoteChar: '"' });
  }

  feed(text: string, final: boolean): void {
    const input = this.pending + text;
    const res = this.parser.parse(input, this.base, !final) as Papa.ParseResult<string[]> & { meta: { cursor: number } };
    // Only a quote character can put a line break inside a cell.
    const mayHaveBreaks = input.indexOf('"') !== -1;
    this.sink.accept(res.data, res.errors, mayHaveBreaks ? breakCounter(this.linebreak) : null);
    if (final) return;
    const consumed = res.meta.cursor - this.base;
    this.pending = input.substring(consumed);
    this.base = res.meta.cursor;
    if (this.pending.length > this.maxRecordChars) {
      const row = this.sink.nextLine;
      const hasQuote = this.pending.indexOf('"') !== -1;
      throw new CsvError(
        hasQuote ? 'unclosed-quote' : 'row-too-long',
        hasQuote
          ? `${where(row)}a quoted cell starts here and its closing quote is missing, so the rest of the file would be read as one cell.`
          : `${where(row)}this row is longer than ${this.maxRecordChars} characters; is the line ending or delimiter right?`,
        { row },
      );
    }
  }
}

/** Counts line breaks inside a record's cells (cells from quoted fields may hold them). */
type BreakCounter = (fields: string[]) => number;

function breakCounter(linebreak: string): BreakCounter {
  const ch = linebreak === '\r' ? '\r' : '\n';
  return (fields) => {
    let n = 0;
    for (const f of fields) {
      let at = f.indexOf(ch);
      while (at !== -1) {
        n++;
        at = f.indexOf(ch, at + 1);
      }
    }
    return n;
  };
}

/** Turns records into a header and columns, tracking file lines for messages. */
class RecordSink {
  rowCount = 0;
  /** File line (1-based) where the next record starts. */
  nextLine = 1;
  skippedRows: number[] = [];
  skippedCount = 0;
  private header: string[] | null = null;
  private headerLine = 0;
  private columns: ColumnBuilder[] = [];
  private sourceLines: number[] = [];

  constructor(
    private delimiter: string,
    private ragged: 'error' | 'skip',
  ) {}

  accept(rows: string[][], errors: Papa.ParseError[], countBreaks: BreakCounter | null): void {
    let badQuoteAt = -1;
    let badQuote: Papa.ParseError | undefined;
    for (const e of errors) {
      // Errors on a record the parser has not finished yet come back with the next chunk.
      const r = e.row;
      if (e.type === 'Quotes' && r !== undefined && r < rows.length && (badQuoteAt < 0 || r < badQuoteAt)) {
        badQuoteAt = r;
        badQuote = e;
      }
    }
    for (let i = 0; i < rows.length; i++) {
      const fields = rows[i];
      const line = this.nextLine;
      if (i === badQuoteAt) this.quoteError(badQuote!, fields, line);
      this.nextLine += 1 + (countBreaks ? countBreaks(fields) : 0);
      if (isBlank(fields)) continue; // what papaparse calls skipEmptyLines: 'greedy'
      if (!this.header) this.setHeader(fields, line);
      else this.addRow(fields, line);
    }
  }

  private quoteError(e: Papa.ParseError, fields: string[], row: number): never {
    const column = this.header?.[fields.length - 1];
    if (e.code === 'MissingQuotes') {
      throw new CsvError(
        'unclosed-quote',
        `${where(row, column)}a quoted cell starts here and its closing quote is missing, so the rest of the file would be read as one cell.`,
        { row, column },
      );
    }
    throw new CsvError(
      'bad-quote',
      `${where(row, column)}a quoted cell has text after its closing quote. Inside quotes, write a quote as "".`,
      { row, column },
    );
  }

  private setHeader(fields: string[], line: number): void {
    const seen = new Map<string, number>();
    fields.forEach((name, j) => {
      if (name.trim() === '') {
        throw new CsvError('empty-header', `${where(line)}column ${j + 1} of the header has no name. Give every column a name.`, { row: line });
      }
      const before = seen.get(name);
      if (before !== undefined) {
        throw new CsvError(
          'duplicate-header',
          `${where(line, name)}the name appears twice in the header (columns ${before + 1} and ${j + 1}). Column names must be unique.`,
          { row: line, column: name },
        );
      }
      seen.set(name, j);
    });
    this.header = fields;
    this.headerLine = line;
    this.columns = fields.map((n) => new ColumnBuilder(n));
  }

  private addRow(fields: string[], line: number): void {
    const n = this.columns.length;
    if (fields.length !== n) {
      if (this.ragged === 'skip') {
        if (this.skippedRows.length < 1000) this.skippedRows.push(line);
        this.skippedCount++;
        return;
      }
      const few = fields.length < n;
      throw new CsvError(
        'ragged-row',
        `${where(line)}expected ${n} fields like the header, found ${fields.length}` +
          (few ? '. Is a value or a delimiter missing?' : `. Does a value contain an unquoted '${printable(this.delimiter)}'?`),
        { row: line, index: this.rowCount },
      );
    }
    this.noteLine(line);
    for (let j = 0; j < n; j++) this.columns[j].push(fields[j]);
    this.rowCount++;
  }

  /** Records a (row, line) pair only where the plain "one record per line" count breaks. */
  private noteLine(line: number): void {
    const p = this.sourceLines;
    const expected = p.length === 0 ? -1 : p[p.length - 1] + (this.rowCount - p[p.length - 2]);
    if (line !== expected) p.push(this.rowCount, line);
  }

  missingCounts(): number[] {
    return this.columns.map((c) => c.missing);
  }

  finish(): DataTable {
    if (!this.header) throw new CsvError('empty-file', 'The file is empty: there is no header and no data.');
    if (this.rowCount === 0) {
      throw new CsvError('no-data', `The file has a header (row ${this.headerLine}) but no data rows.`, { row: this.headerLine });
    }
    const table: DataTable = {
      columns: [...this.header],
      types: this.columns.map((c) => c.type),
      data: this.columns.map((c) => c.finish()),
      rowCount: this.rowCount,
    };
    const plain = this.sourceLines.length === 2 && this.sourceLines[1] === 2;
    if (!plain) table.sourceLines = this.sourceLines;
    return table;
  }
}

function isBlank(fields: string[]): boolean {
  if (fields.length === 1) return fields[0].trim() === '';
  if (fields[0].trim() !== '') return false;
  for (const f of fields) if (f.trim() !== '') return false;
  return true;
}

function printable(d: string): string {
  return d === '\t' ? 'tab' : d;
}

async function nextOrAbort<T>(it: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T>> {
  if (!signal) return it.next();
  throwIfAborted(signal);
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([it.next(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

export function abortError(): Error {
  return new DOMException('Reading the CSV was cancelled.', 'AbortError');
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
