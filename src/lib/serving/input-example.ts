/**
 * The first row of a model's input example (`input_example.json`, MLflow's pandas "split"
 * orient: `{"columns": [...], "data": [[...], ...]}`), as text per column, to prefill the Serve
 * page's form. Anything else (another orient, a tensor example, bad JSON) gives null: the form
 * then starts empty, as it did before.
 */
import type { MLmodel } from '../mlflow/mlmodel';
import type { ModelFiles } from './worker-api';

export function firstExampleRow(mlmodel: Pick<MLmodel, 'savedInputExampleInfo'>, files: ModelFiles): Record<string, string> | null {
  const info = mlmodel.savedInputExampleInfo as Record<string, unknown> | undefined;
  const path = typeof info?.artifact_path === 'string' ? info.artifact_path : 'input_example.json';
  const bytes = files[path];
  if (!bytes) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { columns, data } = parsed as { columns?: unknown; data?: unknown };
  if (!Array.isArray(columns) || !Array.isArray(data) || !Array.isArray(data[0])) return null;
  const row = data[0] as unknown[];
  const out: Record<string, string> = {};
  columns.forEach((c, i) => {
    const v = row[i];
    if (typeof c === 'string' && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) {
      Object.defineProperty(out, c, { value: String(v), enumerable: true, writable: true, configurable: true });
    }
  });
  return Object.keys(out).length ? out : null;
}
