/**
 * From papaparse's records to a DataTable: carries unfinished records across chunks, reads the
 * header, checks each record's width, and tracks the file line each record starts on so errors
 * can say "Row 213".
 */
import Papa from 'papaparse';
import { ColumnBuilder } from './csv-columns';
import { CsvError, where } from './csv-errors';
import type { DataTable } from './types';

/** Hands text to papaparse's Parser and carries the unfinished last record into the next chunk. */
export class ChunkFeeder {
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
export class RecordSink {
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
