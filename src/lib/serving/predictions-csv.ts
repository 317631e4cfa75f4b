/**
 * CSV for batch predictions, safe to open in a spreadsheet (docs/reliability.md §5): a text cell
 * starting with = + - @ tab or CR gets a leading apostrophe so it is not run as a formula.
 * Numbers are written as numbers (a negative prediction stays -1.5, not '-1.5); NaN is an
 * empty cell, as pandas writes it.
 */

export type CsvCell = string | number | boolean | null | undefined;

export interface CsvColumn {
  name: string;
  values: ArrayLike<CsvCell> | Float64Array;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell: defused when it could start a formula, quoted when it holds , " or a line break. */
export function csvText(s: string): string {
  const safe = FORMULA_START.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? '' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return csvText(v);
}

/** The whole table, header first, `\n` line ends and a final newline (pandas `to_csv` layout without the index). */
export function predictionsCsv(columns: readonly CsvColumn[]): string {
  const n = columns.reduce((m, c) => Math.max(m, c.values.length), 0);
  const lines = [columns.map((c) => csvText(c.name)).join(',')];
  for (let i = 0; i < n; i++) lines.push(columns.map((c) => csvCell(i < c.values.length ? c.values[i] : null)).join(','));
  return `${lines.join('\n')}\n`;
}
