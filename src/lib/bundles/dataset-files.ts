/**
 * The datasets a bundle's runs trained on, carried in the bundle so the person importing it can
 * re-train and compare. MLflow has no place for a dataset's rows (its `datasets` table and
 * `inputs/` hold only name, digest, schema and source), so they go beside the store, outside
 * `mlruns/` and `mlflow.db`, where MLflow never looks:
 *
 *   datasets/mfflow-datasets.json   what each file is: digest, name, source, delimiter, columns
 *   datasets/<digest>-<name>.csv    the parsed table as CSV (`,`, RFC 4180 quoting)
 *
 * CSV, not a private format, because a colleague opens it with pandas as easily as the lab does.
 * Importing parses each file again and keeps it only when the table's digest (digest.ts) equals
 * the one the runs refer to, so a file edited by hand or damaged cannot pose as the data a run
 * was trained on; it is left out with a warning naming the file.
 */
import { parseCsv } from '../data/csv';
import { tableDigest } from '../data/digest';
import { profileTable } from '../data/profile';
import type { DataTable, StoredDataset } from '../data/types';
import type { DatasetInput } from '../tracking/types';
import { errorMessage } from '../util/errors';

export const DATASETS_DIR = 'datasets';
export const DATASETS_MANIFEST = `${DATASETS_DIR}/mfflow-datasets.json`;
/** The default: datasets go into an export when together they are under this many bytes. */
export const AUTO_DATASETS_BELOW = 50 * 1024 * 1024;

interface ManifestEntry {
  file: string;
  digest: string;
  name: string;
  sourceType: string;
  source: string;
  delimiter: string;
  createdAt: number;
  byteSize: number;
  rows: number;
  columns: string[];
}

interface Manifest {
  format: 'mfflow-datasets';
  version: 1;
  datasets: ManifestEntry[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The distinct dataset digests the runs' inputs refer to, in first-seen order. */
export function usedDatasetDigests(runs: readonly { inputs: readonly DatasetInput[] }[]): string[] {
  const seen = new Set<string>();
  for (const r of runs) for (const i of r.inputs) if (i.dataset.digest) seen.add(i.dataset.digest);
  return [...seen];
}

/** Whether to include datasets of `bytes` in total: `true`/`false` as asked, `undefined` = under AUTO_DATASETS_BELOW. */
export function includeDatasets(asked: boolean | undefined, bytes: number): boolean {
  return asked ?? bytes < AUTO_DATASETS_BELOW;
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** NaN as `NaN`, not an empty cell: a row of empty cells reads as a blank line, which parsers skip. */
function numberCell(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return Object.is(v, -0) ? '-0' : String(v);
}

/** A table as CSV text: the header, then one line per row. */
export function tableCsv(t: DataTable): string {
  const lines: string[] = [t.columns.map(csvCell).join(',')];
  for (let i = 0; i < t.rowCount; i++) {
    const cells: string[] = new Array(t.data.length);
    for (let j = 0; j < t.data.length; j++) {
      const col = t.data[j];
      cells[j] = col instanceof Float64Array ? numberCell(col[i]) : csvCell(col[i]);
    }
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

function fileName(d: StoredDataset): string {
  const base = d.name.replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_').replace(/^[._]+|[._]+$/g, '').slice(0, 60) || 'data';
  return `${DATASETS_DIR}/${d.digest}-${base}.csv`;
}

/** The datasets as archive files: one CSV each and the manifest. */
export function datasetFiles(datasets: readonly StoredDataset[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const manifest: Manifest = { format: 'mfflow-datasets', version: 1, datasets: [] };
  for (const d of datasets) {
    const file = fileName(d);
    files.set(file, enc.encode(tableCsv(d.table)));
    manifest.datasets.push({
      file, digest: d.digest, name: d.name, sourceType: d.sourceType, source: d.source, delimiter: d.delimiter,
      createdAt: d.createdAt, byteSize: d.byteSize, rows: d.table.rowCount, columns: d.table.columns,
    });
  }
  if (manifest.datasets.length) files.set(DATASETS_MANIFEST, enc.encode(`${JSON.stringify(manifest, null, 1)}\n`));
  return files;
}

/** The manifest's path in an archive: `datasets/mfflow-datasets.json` at the shallowest depth, or null. */
export function findDatasetManifest(paths: Iterable<string>): string | null {
  let best: string | null = null;
  for (const p of paths) {
    if (p !== DATASETS_MANIFEST && !p.endsWith(`/${DATASETS_MANIFEST}`)) continue;
    if (best === null || p.split('/').length < best.split('/').length) best = p;
  }
  return best;
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string') throw new Error(`${what} must be text`);
  return v;
};

/**
 * The datasets of an archive (none when it has no manifest). Each is parsed and its digest
 * checked; one that fails is left out, with a warning naming its file and why.
 */
export async function readDatasetFiles(entries: ReadonlyMap<string, Uint8Array>, now = Date.now()): Promise<{ datasets: StoredDataset[]; warnings: string[] }> {
  const at = findDatasetManifest(entries.keys());
  if (at === null) return { datasets: [], warnings: [] };
  const root = at.slice(0, at.length - DATASETS_MANIFEST.length);
  const warnings: string[] = [];
  let manifest: Manifest;
  try {
    manifest = JSON.parse(dec.decode(entries.get(at)!)) as Manifest;
    if (manifest?.format !== 'mfflow-datasets' || !Array.isArray(manifest.datasets)) throw new Error('it is not an MFFlow dataset list');
  } catch (e) {
    return { datasets: [], warnings: [`${at}: ${errorMessage(e)}; no dataset imported`] };
  }
  const datasets: StoredDataset[] = [];
  const seen = new Set<string>();
  for (const [n, m] of manifest.datasets.entries()) {
    const where = `${at}, dataset ${n + 1}`;
    try {
      const file = str(m?.file, 'file');
      if (!file.startsWith(`${DATASETS_DIR}/`) || file.includes('..')) throw new Error(`file "${file}" is not under ${DATASETS_DIR}/`);
      const bytes = entries.get(root + file);
      if (!bytes) throw new Error(`its file ${root + file} is not in the archive`);
      const digest = str(m.digest, 'digest');
      if (seen.has(digest)) continue;
      const parsed = await parseCsv(dec.decode(bytes), { delimiter: ',' });
      const got = tableDigest(parsed.table);
      if (got !== digest) throw new Error(`the rows of ${root + file} have digest ${got}, not ${digest} as the runs record; left out`);
      seen.add(digest);
      const createdAt = Number.isFinite(m.createdAt) ? m.createdAt : now;
      datasets.push({
        digest, name: str(m.name, 'name'), sourceType: str(m.sourceType, 'sourceType'), source: str(m.source, 'source'),
        createdAt, byteSize: Number.isFinite(m.byteSize) ? m.byteSize : bytes.length, delimiter: typeof m.delimiter === 'string' ? m.delimiter : ',',
        profile: profileTable(parsed.table), table: parsed.table,
      });
    } catch (e) {
      warnings.push(`${where}: ${errorMessage(e)}`);
    }
  }
  return { datasets, warnings };
}
