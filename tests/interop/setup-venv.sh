#!/usr/bin/env bash
# Creates (once) the Python virtualenvs the interop tests and benches use, and prints the path of
# the main one (real MLflow 3, scikit-learn and onnxruntime from PyPI, requirements.txt). A second
# venv holds an older MLflow 2 (requirements-mlflow2.txt), so the mlruns/ layout is proven with
# both; tests find it through tests/interop/.venv-mlflow2 (or MFFLOW_PYTHON2). Each venv lives in
# a cache folder keyed by its requirements' hash, so fresh clones on the same machine reuse it;
# tests/interop/.venv is a link to the main one (override its location with MFFLOW_VENV).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mfflow"

# make_venv REQUIREMENTS DEFAULT_PATH → prints the venv path, building it when missing.
make_venv() {
  local venv="$2"
  if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$1" >&2
    touch "$venv/.complete"
  fi
  echo "$venv"
}

link() {
  if [ "$1" != "$2" ]; then
    rm -rf "$2"
    ln -s "$1" "$2"
  fi
}

want="$(sha256sum "$here/requirements.txt" | cut -c1-12)"
venv="$(make_venv "$here/requirements.txt" "${MFFLOW_VENV:-$cache/venv-$want}")"
want2="$(sha256sum "$here/requirements-mlflow2.txt" | cut -c1-12)"
venv2="$(make_venv "$here/requirements-mlflow2.txt" "${MFFLOW_VENV2:-$cache/venv-mlflow2-$want2}")"
link "$venv" "$here/.venv"
link "$venv2" "$here/.venv-mlflow2"
echo "$venv"
