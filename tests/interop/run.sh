#!/usr/bin/env bash
# Interop tests: Vitest drives them; each test runs Python scripts in a virtualenv with
# real MLflow / scikit-learn / onnxruntime from PyPI and compares with the lab's code.
# MFFLOW_PYTHON2 is the older MLflow 2 (tests/interop/requirements-mlflow2.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$(bash "$here/setup-venv.sh")"
export MFFLOW_PYTHON="$venv/bin/python"
export MFFLOW_PYTHON2="$here/.venv-mlflow2/bin/python"
cd "$here/../.."
exec npx vitest run --config vitest.interop.config.ts "$@"
