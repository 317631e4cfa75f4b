/**
 * sql.js, loaded on first use only (a dynamic import from the bundle worker), with its wasm file
 * emitted by Vite next to the other assets (precached with them, so it works offline).
 */
import type { SqlJsStatic } from '../src/lib/mlflow/sqljs';

let engine: Promise<SqlJsStatic> | null = null;

export function loadSqlJs(): Promise<SqlJsStatic> {
  engine ??= (async () => {
    const [{ default: init }, { default: wasmUrl }] = await Promise.all([
      import('sql.js/dist/sql-wasm-browser.js'),
      import('sql.js/dist/sql-wasm-browser.wasm?url'),
    ]);
    return init({ locateFile: () => wasmUrl });
  })();
  return engine;
}
