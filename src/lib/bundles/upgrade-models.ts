/**
 * Export-time upgrade of model folders stored before the lab logged MLflow Models: a run's
 * folder with the lab's `tfjs` flavor but no `python_function` is rebuilt by buildModelExport
 * (ONNX + python_function, signature, input example, environment files), so `runs:/<id>/model`
 * and the registry's versions load in pyfunc from any export. Folders MLflow wrote, and the
 * lab's newer ones, are left byte for byte as they are.
 */
import type { BundleRun } from '../mlflow/bundle';
import { findModelDirs, parseMLmodel } from '../mlflow/mlmodel';
import { dictHas } from '../util/dict';
import { buildModelExport } from './model-export';

/** Upgrades the run's old lab model folders in place; returns the folders it rebuilt. */
export function upgradeModelFolders(br: BundleRun): string[] {
  const done: string[] = [];
  for (const dir of findModelDirs(br.artifacts.map((a) => a.path))) {
    const prefix = dir === '' ? '' : `${dir}/`;
    const files = new Map(br.artifacts.filter((a) => a.path.startsWith(prefix)).map((a) => [a.path.slice(prefix.length), a.bytes] as const));
    let flavors;
    try {
      flavors = parseMLmodel(files.get('MLmodel')!, `${prefix}MLmodel`).flavors;
    } catch {
      continue; // not ours to fix: exported as it is
    }
    if (!dictHas(flavors, 'tfjs') || dictHas(flavors, 'python_function')) continue;
    let rebuilt: Map<string, Uint8Array>;
    try {
      rebuilt = buildModelExport({ run: br.run, dir, files });
    } catch {
      continue; // a damaged lab folder still travels, as before
    }
    br.artifacts = br.artifacts.filter((a) => !a.path.startsWith(prefix) || !rebuilt.has(a.path.slice(prefix.length)));
    for (const [name, bytes] of rebuilt) br.artifacts.push({ path: prefix + name, bytes });
    done.push(dir);
  }
  return done;
}
