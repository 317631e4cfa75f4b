/**
 * CSV problems as people should read them: which row, which column, what is wrong.
 *
 * Row numbers are **file line numbers, 1-based, as an editor or spreadsheet shows them**: the
 * header is row 1 and, in a plain file, the first data row is row 2. Blank lines and line breaks
 * inside quoted cells are counted, so the number always points at the line where the record
 * starts. `index` is the 0-based position of the data row in the parsed table, when there is one.
 */
import { isMissingText, isNumberText } from './cells';
import type { DataTable } from './types';

export type CsvErrorCode =
  | 'empty-file'
  | 'no-data'
  | 'ragged-row'
  | 'unclosed-quote'
  | 'bad-quote'
  | 'row-too-long'
  | 'duplicate-header'
  | 'empty-header'
  | 'too-large'
  | 'undetectable-delimiter'
  | 'not-a-number'
  | 'unknown-column';

export class CsvError extends Error {
  readonly code: CsvErrorCode;
  /** File line (1-based, header = 1) where the offending record starts. */
  readonly row?: number;
  /** Column name, when one column is at fault. */
  readonly column?: string;
  /** 0-based data row index in the table, when the fault is in a data row. */
  readonly index?: number;

  constructor(code: CsvErrorCode, message: string, where: { row?: number; column?: string; index?: number } = {}) {
    super(message);
    this.name = 'CsvError';
    this.code = code;
    if (where.row !== undefined) this.row = where.row;
    if (where.column !== undefined) this.column = where.column;
    if (where.index !== undefined) this.index = where.index;
  }

  /** Plain data, for crossing a worker boundary (structured clone drops custom fields). */
  toJSON(): CsvErrorData {
    return { name: 'CsvError', code: this.code, message: this.message, row: this.row, column: this.column, index: this.index };
  }

  static fromJSON(d: CsvErrorData): CsvError {
    return new CsvError(d.code, d.message, { row: d.row, column: d.column, index: d.index });
  }
}

export interface CsvErrorData {
  name: 'CsvError';
  code: CsvErrorCode;
  message: string;
  row?: number;
  column?: string;
  index?: number;
}

/** "Row 213, column `pH`: " — the prefix every located message starts with. */
export function where(row: number | undefined, column?: string): string {
  const parts: string[] = [];
  if (row !== undefined) parts.push(`Row ${row}`);
  if (column !== undefined) parts.push(`column \`${column}\``);
  if (parts.length === 0) return '';
  const s = parts.join(', ');
  return s.charAt(0).toUpperCase() + s.slice(1) + ': ';
}

/**
 * The file line of data row `index`. Tables without `sourceLines` are assumed to come from a
 * plain file: header on line 1, data from line 2.
 */
export function lineOfRow(table: DataTable, index: number): number {
  const pairs = table.sourceLines;
  if (!pairs || pairs.length === 0) return index + 2;
  // Binary search for the last pair whose row index is <= index.
  let lo = 0;
  let hi = pairs.length / 2 - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pairs[2 * mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return pairs[2 * lo + 1] + (index - pairs[2 * lo]);
}

/**
 * Checks that the chosen columns (a target, the training features) are numeric, and throws a
 * CsvError naming the first offending cell otherwise: "Row 213, column `pH`: 'n/a' is not a
 * number". "First" means the earliest row; among cells on that row, the earliest listed column.
 */
export function requireNumeric(table: DataTable, columns: readonly string[]): void {
  let worst: { index: number; column: string; text: string } | undefined;
  for (const name of columns) {
    const j = table.columns.indexOf(name);
    if (j < 0) {
      throw new CsvError('unknown-column', `There is no column \`${name}\` in this dataset.`, { column: name });
    }
    if (table.types[j] === 'number') continue;
    const values = table.data[j] as string[];
    const limit = worst ? worst.index : values.length;
    for (let i = 0; i < limit; i++) {
      if (!isMissingText(values[i]) && !isNumberText(values[i])) {
        worst = { index: i, column: name, text: values[i] };
        break;
      }
    }
  }
  if (!worst) return;
  const row = lineOfRow(table, worst.index);
  throw new CsvError(
    'not-a-number',
    `${where(row, worst.column)}'${clip(worst.text)}' is not a number. ` +
      'Fix the cell, leave it empty, or choose another column.',
    { row, column: worst.column, index: worst.index },
  );
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
