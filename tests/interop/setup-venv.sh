#!/usr/bin/env bash
# Creates (once) the Python virtualenv the interop tests and benches use, with real MLflow,
# scikit-learn and onnxruntime from PyPI, and prints its path. The venv lives in a cache folder
# keyed by the requirements' hash, so fresh clones on the same machine reuse it;
# tests/interop/.venv is a link to it (override the location with MFFLOW_VENV).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
want="$(sha256sum "$here/requirements.txt" | cut -c1-12)"
venv="${MFFLOW_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mfflow/venv-$want}"
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" >&2
  touch "$venv/.complete"
fi
if [ "$venv" != "$here/.venv" ]; then
  rm -rf "$here/.venv"
  ln -s "$venv" "$here/.venv"
fi
echo "$venv"
