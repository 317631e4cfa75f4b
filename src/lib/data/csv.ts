/**
 * Streaming CSV → DataTable. papaparse's low-level Parser does the quoting rules; we feed it
 * chunks ourselves (so the same code reads strings, Files and fetched streams in Node, pages and
 * workers), read the header ourselves (papaparse's `header: true` drops a `__proto__` column and
 * renames duplicates), and check every record's shape so errors can name the row and column.
 */
import Papa from 'papaparse';
import { CsvError } from './csv-errors';
import { ChunkFeeder, RecordSink } from './csv-records';
import { DEFAULT_MAX_BYTES, openSource, type CsvSource } from './csv-source';
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
    let reported = 0;
    const report = () => {
      const parsed = (reported = Math.max(reported, Math.round(loaded - buffered.length * bytesPerChar)));
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
