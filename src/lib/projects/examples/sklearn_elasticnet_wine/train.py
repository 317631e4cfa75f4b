"""MLflow's wine-quality elastic net (examples/sklearn_elasticnet_wine), as the lab ships it.

Usage: python train.py [alpha] [l1_ratio]   (or: mlflow run . -P alpha=0.42)
Fits scikit-learn's ElasticNet on the red wine file after numpy's seed 40 and a default
train_test_split, then logs alpha, l1_ratio, rmse, mae and r2 to MLflow.
"""
import sys

import mlflow
import numpy as np
import pandas as pd
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

DATA_URL = "https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv"


def main(argv):
    alpha = float(argv[1]) if len(argv) > 1 else 0.5
    l1_ratio = float(argv[2]) if len(argv) > 2 else 0.1
    np.random.seed(40)
    frame = pd.read_csv(DATA_URL, sep=";")
    train, test = train_test_split(frame)
    x_train, y_train = train.drop(["quality"], axis=1), train[["quality"]]
    x_test, y_test = test.drop(["quality"], axis=1), test[["quality"]]
    with mlflow.start_run():
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, random_state=42)
        model.fit(x_train, y_train)
        predicted = model.predict(x_test)
        mlflow.log_param("alpha", alpha)
        mlflow.log_param("l1_ratio", l1_ratio)
        mlflow.log_metric("rmse", float(np.sqrt(mean_squared_error(y_test, predicted))))
        mlflow.log_metric("mae", float(mean_absolute_error(y_test, predicted)))
        mlflow.log_metric("r2", float(r2_score(y_test, predicted)))


if __name__ == "__main__":
    main(sys.argv)
