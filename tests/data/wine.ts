/**
 * The wine-quality CSVs MLflow's example uses. Tests read them from ../shared/data; a clone
 * without ../shared downloads them once from MLflow's public URLs into a git-ignored cache.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// import.meta.url works in Vitest and in Playwright's ESM loader alike (__dirname does not).
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WINE_URLS = {
  'winequality-red.csv': 'https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv',
  'wine-quality.csv': 'https://raw.githubusercontent.com/mlflow/mlflow/master/examples/sklearn_elasticnet_wine/wine-quality.csv',
} as const;
export type WineFile = keyof typeof WINE_URLS;

/** Absolute path of a wine CSV, fetched into .cache/data when ../shared is absent. */
export async function winePath(name: WineFile): Promise<string> {
  const shared = resolve(root, '../shared/data', name);
  if (existsSync(shared)) return shared;
  const cached = join(root, '.cache/data', name);
  if (!existsSync(cached)) {
    mkdirSync(join(root, '.cache/data'), { recursive: true });
    const res = await fetch(WINE_URLS[name]);
    if (!res.ok) throw new Error(`cannot download ${name}: HTTP ${res.status}`);
    writeFileSync(cached, Buffer.from(await res.arrayBuffer()));
  }
  return cached;
}

export async function wineText(name: WineFile): Promise<string> {
  return readFileSync(await winePath(name), 'utf8');
}
