/**
 * What a colleague finds in a zip the lab exported, whichever layout it has: `mlflow.db` (the
 * SQLite store, read here with sql.js as MLflow's SQL store would) or an `mlruns/` file store.
 */
import initSqlJs from 'sql.js';
import { strFromU8, unzipSync } from 'fflate';

export interface ExportedRuns {
  layout: 'sqlite' | 'mlruns';
  runIds: Set<string>;
  /** The values logged for `key`, in step order. */
  metric(runId: string, key: string): number[];
}

export async function readExportedZip(zip: Uint8Array): Promise<ExportedRuns> {
  const files = unzipSync(zip);
  const dbName = Object.keys(files).find((n) => n === 'mlflow.db' || n.endsWith('/mlflow.db'));
  if (dbName) {
    const db = new (await initSqlJs()).Database(files[dbName]);
    const rows = (sql: string, args: (string | number)[] = []) => {
      const st = db.prepare(sql);
      st.bind(args);
      const out: unknown[][] = [];
      while (st.step()) out.push(Object.values(st.getAsObject()));
      st.free();
      return out;
    };
    return {
      layout: 'sqlite',
      runIds: new Set(rows('SELECT run_uuid FROM runs').map((r) => String(r[0]))),
      metric: (runId, key) => rows('SELECT value, is_nan FROM metrics WHERE run_uuid = ? AND "key" = ? ORDER BY step, timestamp', [runId, key])
        .map(([v, nan]) => (nan ? NaN : Number(v))),
    };
  }
  const runIds = new Set(Object.keys(files).map((n) => /([0-9a-f]{32})\/meta\.yaml$/.exec(n)?.[1]).filter((x): x is string => !!x));
  return {
    layout: 'mlruns',
    runIds,
    metric: (runId, key) => {
      const name = Object.keys(files).find((n) => n.endsWith(`${runId}/metrics/${key}`));
      if (!name) return [];
      // `<timestamp> <value> <step>` per line, the value as Python's float() reads it.
      return strFromU8(files[name]).trim().split('\n').map((l) => l.split(' ')).sort((a, b) => Number(a[2]) - Number(b[2])).map((p) => Number(p[1]));
    },
  };
}
