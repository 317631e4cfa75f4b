/** sql.js in Node (its default build finds its wasm next to itself), for the SQLite store tests. */
import initSqlJs from 'sql.js';
import type { OpenDb } from '../../src/lib/bundles/sqlite-import';
import { sqlDbOf, type SqlJsStatic } from '../../src/lib/mlflow/sqljs';

let engine: Promise<SqlJsStatic> | null = null;
export const sqlJs = (): Promise<SqlJsStatic> => (engine ??= initSqlJs());
export const openDb: OpenDb = async (bytes) => sqlDbOf(new (await sqlJs()).Database(bytes));
