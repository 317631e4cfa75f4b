#!/usr/bin/env bash
# Creates (once) the Python virtualenv the interop tests use, with real MLflow and
# scikit-learn from PyPI. Re-running is cheap: it only reinstalls when requirements change.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${MFFLOW_VENV:-$here/.venv}"
stamp="$venv/.requirements.sha"
want="$(sha256sum "$here/requirements.txt" | cut -c1-64)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv"; exit 0
fi
python3 -m venv "$venv" >&2
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" >&2
echo "$want" > "$stamp"
echo "$venv"
