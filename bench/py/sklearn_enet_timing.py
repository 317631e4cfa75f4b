"""Median scikit-learn ElasticNet(alpha=0.5, l1_ratio=0.5) fit time on each wine file's
training split (np.random.seed(40); train_test_split), the yardstick for the lab's solver
(docs/mlflow-formats.md §6.4). Prints one JSON line.

Usage: sklearn_enet_timing.py <winequality-red.csv> <wine-quality.csv> [samples] [batch]

Each figure is the median over `samples` timings of `batch` consecutive fits (per-fit mean),
after warm-up fits: the same procedure bench/lab/enet-fit-worker.ts applies to the lab's fit.

Two timings per file: `fit_ms_dataframe` fits the pandas DataFrames as MLflow's train.py
does (input validation included); `fit_ms_ndarray` fits a float64 Fortran-ordered array,
the cheapest input sklearn accepts, so it is closest to the solver's own cost.
"""
import json
import statistics
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import ElasticNet
from sklearn.model_selection import train_test_split


def median_ms(fn, samples, batch):
    for _ in range(max(50, samples)):  # warm caches and lazy imports
        fn()
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        times.append((time.perf_counter() - t0) * 1000 / batch)
    return statistics.median(times), min(times)


def main():
    red, white = sys.argv[1], sys.argv[2]
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 41
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 25
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "samples": samples, "batch": batch, "files": {}}
    for name, path, sep in (("red", red, ";"), ("white", white, ",")):
        data = pd.read_csv(path, sep=sep)
        np.random.seed(40)
        train, _ = train_test_split(data)
        x_df, y_df = train.drop(["quality"], axis=1), train[["quality"]]
        x_np = np.asfortranarray(x_df.to_numpy(dtype=np.float64))
        y_np = y_df.to_numpy(dtype=np.float64).ravel()
        model = ElasticNet(alpha=0.5, l1_ratio=0.5, random_state=42)
        df_med, df_min = median_ms(lambda: model.fit(x_df, y_df), samples, batch)
        np_med, np_min = median_ms(lambda: model.fit(x_np, y_np), samples, batch)
        out["files"][name] = {
            "n_train": len(train),
            "n_iter": int(model.n_iter_),
            "fit_ms_dataframe": df_med, "fit_ms_dataframe_min": df_min,
            "fit_ms_ndarray": np_med, "fit_ms_ndarray_min": np_min,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
