#!/usr/bin/env bash
# Interop tests: Vitest drives them; each test runs Python scripts in a virtualenv with
# real MLflow / scikit-learn / onnxruntime from PyPI and compares with the lab's code.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$(bash "$here/setup-venv.sh")"
export MFFLOW_PYTHON="$venv/bin/python"
cd "$here/../.."
exec npx vitest run --config vitest.interop.config.ts "$@"
