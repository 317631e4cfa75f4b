/** Tabular datasets as the lab stores and trains on them: columns, not row objects. */

export type ColumnType = 'number' | 'string';

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Non-missing values. */
  count: number;
  missing: number;
  mean?: number;
  std?: number;
  min?: number;
  max?: number;
  /** For string columns: distinct values and their counts (capped). */
  distinct?: { value: string; count: number }[];
  distinctCount?: number;
}

/** A parsed table. Numeric columns are Float64Array with NaN for missing cells. */
export interface DataTable {
  columns: string[];
  types: ColumnType[];
  data: (Float64Array | string[])[];
  rowCount: number;
  /**
   * Where data rows sit in the source file, for error messages: flat pairs (row index, file
   * line), sorted; data row i is on line `line + (i - index)` of the last pair with index <= i.
   * Only differs from "header on line 1, data from line 2" when the file has blank lines or
   * line breaks inside quoted cells. Absent means that plain layout.
   */
  sourceLines?: number[];
}

/** A dataset as stored in IndexedDB once, keyed by its content digest. */
export interface StoredDataset {
  /** The MLflow dataset digest (content hash, hex). Also the storage key. */
  digest: string;
  name: string;
  /** MLflow source type: `http` for URLs, `local` for files. */
  sourceType: string;
  /** JSON text, `{"url": ...}` or `{"uri": ...}`. */
  source: string;
  createdAt: number;
  /** Byte size of the original file. */
  byteSize: number;
  delimiter: string;
  profile: ColumnProfile[];
  table: DataTable;
}
