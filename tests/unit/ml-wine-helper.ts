/** Test-only wine loader: a few lines of CSV splitting (the app's CSV parser lives in src/lib/data). */
import { wineText, type WineFile } from '../data/wine';

export interface Wine {
  names: string[];
  /** Feature columns in file order (everything but `quality`). */
  columns: Float64Array[];
  quality: Float64Array;
  nRows: number;
}

export async function loadWine(file: WineFile): Promise<Wine> {
  const sep = file === 'winequality-red.csv' ? ';' : ',';
  const lines = (await wineText(file)).trim().split('\n');
  const header = lines[0].split(sep).map((h) => h.replace(/^"|"$/g, ''));
  const rows = lines.slice(1).map((l) => l.split(sep).map(Number));
  const all = header.map((_, j) => Float64Array.from(rows, (r) => r[j]));
  const q = header.indexOf('quality');
  return {
    names: header.filter((_, j) => j !== q),
    columns: all.filter((_, j) => j !== q),
    quality: all[q],
    nRows: rows.length,
  };
}
