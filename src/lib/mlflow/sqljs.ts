/**
 * The slice of sql.js (SQLite compiled to WebAssembly) the lab uses, typed structurally so
 * src/lib never imports the engine: the bundle worker (and Node tests) load it and pass it in.
 */
import type { OpenedDb, SqlValue } from './sqlite-read';

export interface SqlJsStatement {
  step(): boolean;
  getAsObject(): Record<string, SqlValue>;
  /** The current row as values in column order. */
  get(): SqlValue[];
  bind(values: SqlValue[]): boolean;
  run(values?: SqlValue[]): void;
  reset(): void;
  free(): void;
}
export interface SqlJsDatabase {
  prepare(sql: string): SqlJsStatement;
  run(sql: string, params?: SqlValue[]): void;
  exec(sql: string): unknown;
  export(): Uint8Array;
  close(): void;
}
export interface SqlJsStatic {
  Database: new (data?: Uint8Array) => SqlJsDatabase;
}

/** A sql.js database as the reader's SqlDb. */
export function sqlDbOf(db: SqlJsDatabase): OpenedDb {
  return {
    query(sql) {
      const st = db.prepare(sql);
      try {
        const rows: Record<string, SqlValue>[] = [];
        while (st.step()) rows.push(st.getAsObject());
        return rows;
      } finally {
        st.free();
      }
    },
    each(sql, onRow) {
      const st = db.prepare(sql);
      try {
        while (st.step()) onRow(st.get());
      } finally {
        st.free();
      }
    },
    close: () => db.close(),
  };
}
