/**
 * An elastic-net run as a real MLflow Project: `MLproject` (its hyperparameters as `-P`
 * parameters, the run's values as defaults), `python_env.yaml` pinned to the releases the
 * interop tests prove, `train.py` (pandas + scikit-learn's ElasticNet + MLflow, the lab's split
 * and preprocessing written out) and the data as `data.csv` (shortest round-trip numbers, read
 * back bit for bit with pandas' `float_precision="round_trip"`). The same MLproject keeps an
 * `mfflow` key, so the zip opens in the lab as a project too.
 * Only the elastic net exports this way: TF.js models have no scikit-learn counterpart that
 * would give the same numbers.
 */
import type { DataTable } from '../data/types';
import type { ResolvedTrainSpec } from '../training/contract';

/** The releases `python_env.yaml` pins (tests/interop/requirements.txt runs them). */
export const EXPORT_PINS = { python: '3.11', mlflow: '3.17.2', 'scikit-learn': '1.6.1', pandas: '2.2.3', numpy: '2.2.6' } as const;

export class ExportError extends Error {}

const enc = new TextEncoder();

/** A float as PyYAML reads a float (a dot, a signed exponent): 1e-7 → 1.0e-7, 0.42 → 0.42. */
export function yamlFloat(v: number): string {
  if (!Number.isFinite(v)) throw new ExportError(`${v} cannot be a parameter default`);
  if (Object.is(v, -0)) return '-0.0';
  const s = String(v);
  const m = /^(-?\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m) return `${m[1]}.${m[2] ?? '0'}e${m[3]}`;
  return s.includes('.') ? s : `${s}.0`;
}

/** The data the run trained on, as a comma-separated CSV of the features and the target. */
export function dataCsv(table: DataTable, columns: readonly string[]): Uint8Array {
  const cols = columns.map((c) => {
    const i = table.columns.indexOf(c);
    if (i < 0) throw new ExportError(`The dataset has no column ${c}`);
    return table.data[i];
  });
  const quote = (s: string) => (/[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [columns.map(quote).join(',')];
  for (let r = 0; r < table.rowCount; r++) {
    lines.push(cols.map((c) => {
      const v = c[r];
      return typeof v === 'number' ? (Number.isNaN(v) ? '' : String(v)) : quote(v);
    }).join(','));
  }
  return enc.encode(lines.join('\n') + '\n');
}

const pyStrLit = (s: string) => JSON.stringify(s); // a JSON string is a valid Python string literal
const yamlStr = (s: string) => JSON.stringify(s); // and a valid YAML double-quoted scalar

export interface ExportInput {
  /** The run's name, for the project's name. */
  name: string;
  spec: ResolvedTrainSpec;
  table: DataTable;
  /** Where the data came from (recorded in train.py's docstring). */
  datasetSource?: string;
  runId?: string;
}

export function buildMlflowProject(input: ExportInput): Map<string, Uint8Array> {
  const { spec } = input;
  if (spec.model !== 'elasticnet') throw new ExportError(`Only elastic-net runs export as an MLflow Project (scikit-learn gives the same numbers); this run trained ${spec.model}`);
  const p = spec.params;
  const alpha = Number(p.alpha), l1 = Number(p.l1_ratio), maxIter = Number(p.max_iter), tol = Number(p.tol);
  const fitIntercept = p.fit_intercept !== false && p.fit_intercept !== 'false';
  const name = input.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'mfflow-run';
  const { testSize, seed, shuffle } = spec.split;

  const mlproject = `name: ${yamlStr(name)}

python_env: python_env.yaml

entry_points:
  main:
    parameters:
      alpha: {type: float, default: ${yamlFloat(alpha)}}
      l1_ratio: {type: float, default: ${yamlFloat(l1)}}
      max_iter: {type: int, default: ${maxIter}}
      tol: {type: float, default: ${yamlFloat(tol)}}
    command: "python train.py --alpha {alpha} --l1-ratio {l1_ratio} --max-iter {max_iter} --tol {tol}"
    # Read by MFFlow only (MLflow reads just parameters and command): the same training in the lab.
    mfflow:
      train:
        dataset: data.csv
        model: elasticnet
        target: ${yamlStr(spec.target)}
        features: [${spec.features.map(yamlStr).join(', ')}]
        params: {alpha: "{alpha}", l1_ratio: "{l1_ratio}", max_iter: "{max_iter}", tol: "{tol}", fit_intercept: ${fitIntercept}}
        split: {testSize: ${yamlFloat(testSize)}, seed: ${seed}, shuffle: ${shuffle}}
        standardize: ${spec.standardize}
`;

  const pythonEnv = `python: "${EXPORT_PINS.python}"
build_dependencies:
  - pip
dependencies:
  - mlflow==${EXPORT_PINS.mlflow}
  - scikit-learn==${EXPORT_PINS['scikit-learn']}
  - pandas==${EXPORT_PINS.pandas}
  - numpy==${EXPORT_PINS.numpy}
`;

  const split = shuffle === 'numpy'
    ? `    np.random.seed(SEED)\n    train, test = train_test_split(frame, test_size=TEST_SIZE)`
    : `    train, test = train_test_split(frame, test_size=TEST_SIZE, shuffle=False)`;
  const scale = spec.standardize
    ? `    scaler = StandardScaler().fit(x_train)\n    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)\n`
    : '';
  const trainPy = `"""Exported by MFFlow from run ${input.runId ?? input.name}: the lab's elastic net as scikit-learn runs it.

Usage: mlflow run . -P alpha=0.42   (or: python train.py --alpha 0.42)
Data: data.csv${input.datasetSource ? `, from ${input.datasetSource}` : ''}. Rows with a missing feature or target are
dropped, then numpy's seed and train_test_split give the lab's split; metrics are on the test rows.
"""
import argparse

import mlflow
import numpy as np
import pandas as pd
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
${spec.standardize ? 'from sklearn.preprocessing import StandardScaler\n' : ''}
FEATURES = [${spec.features.map(pyStrLit).join(', ')}]
TARGET = ${pyStrLit(spec.target)}
TEST_SIZE = ${testSize}
SEED = ${seed}
FIT_INTERCEPT = ${fitIntercept ? 'True' : 'False'}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--alpha", type=float, default=${alpha})
    parser.add_argument("--l1-ratio", type=float, default=${l1})
    parser.add_argument("--max-iter", type=int, default=${maxIter})
    parser.add_argument("--tol", type=float, default=${tol})
    args = parser.parse_args()

    frame = pd.read_csv("data.csv", float_precision="round_trip")
    frame = frame[FEATURES + [TARGET]].dropna().reset_index(drop=True)
${split}
    x_train, y_train = train[FEATURES], train[TARGET]
    x_test, y_test = test[FEATURES], test[TARGET]
${scale}
    with mlflow.start_run():
        model = ElasticNet(alpha=args.alpha, l1_ratio=args.l1_ratio, fit_intercept=FIT_INTERCEPT,
                           max_iter=args.max_iter, tol=args.tol, random_state=42)
        model.fit(x_train, y_train)
        predicted = model.predict(x_test)
        rmse = float(np.sqrt(mean_squared_error(y_test, predicted)))
        mae = float(mean_absolute_error(y_test, predicted))
        r2 = float(r2_score(y_test, predicted))
        print(f"ElasticNet (alpha={args.alpha}, l1_ratio={args.l1_ratio}): rmse={rmse} mae={mae} r2={r2}")
        mlflow.log_params({"alpha": args.alpha, "l1_ratio": args.l1_ratio, "max_iter": args.max_iter, "tol": args.tol})
        mlflow.log_metrics({"rmse": rmse, "r2": r2, "mae": mae})


if __name__ == "__main__":
    main()
`;

  const readme = `# ${name}

Exported by MFFlow from an elastic-net run. Run it with real MLflow:

    mlflow run . -P alpha=0.42                     # a virtualenv from python_env.yaml
    mlflow run . --env-manager local -P alpha=0.42 # the current Python (mlflow, scikit-learn, pandas installed)

It logs rmse, mae and r2 equal (to ~1e-12) to the lab's run with the same parameters. The same
folder opens in MFFlow as a project (the MLproject's mfflow key).
`;
  return new Map([
    ['MLproject', enc.encode(mlproject)],
    ['python_env.yaml', enc.encode(pythonEnv)],
    ['train.py', enc.encode(trainPy)],
    ['data.csv', dataCsv(input.table, [...spec.features, spec.target])],
    ['README.md', enc.encode(readme)],
  ]);
}
