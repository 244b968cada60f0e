#!/usr/bin/env bash
# Installs the MLflow that the registry tests run against (a real `mlflow server` on loopback,
# see test/support/mlflow.ts) into a Python venv, from PyPI:
#   ${MLFLOW_VENV:-<repo root>/.cache/mlflow-venv}, with mlflow pinned in test/mlflow/requirements.txt.
# Idempotent: does nothing when the venv already has that version (a fresh install takes ~70 s).
# MLFLOW_PYTHON chooses the interpreter the venv is made from (default: python3; MLflow needs >= 3.10).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${MLFLOW_VENV:-$root/.cache/mlflow-venv}"
requirements="$here/requirements.txt"
want="$(sed -n 's/^mlflow==\([^[:space:]]*\).*/\1/p' "$requirements")"
[ -n "$want" ] || { echo "install.sh: no 'mlflow==<version>' line in $requirements" >&2; exit 1; }
python="${MLFLOW_PYTHON:-python3}"

installed_version() {
  [ -x "$venv/bin/python" ] || return 0
  "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mlflow"))' 2>/dev/null || true
}

if [ "$(installed_version)" = "$want" ] && [ -x "$venv/bin/mlflow" ]; then
  echo "mlflow $want already installed in $venv"
  exit 0
fi

command -v "$python" >/dev/null 2>&1 || { echo "install.sh: $python not found; MLflow needs Python >= 3.10 (set MLFLOW_PYTHON)" >&2; exit 1; }
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || {
  echo "install.sh: $("$python" --version 2>&1) is too old: mlflow $want needs Python >= 3.10 (set MLFLOW_PYTHON)" >&2
  exit 1
}

# A venv whose interpreter no longer runs (e.g. the Python it was made from is gone) is made anew;
# otherwise pip completes or upgrades the one there.
if [ -e "$venv" ] && ! "$venv/bin/python" -c 'pass' >/dev/null 2>&1; then
  echo "recreating the broken venv at $venv"
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv" || {
    echo "install.sh: '$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1
  }
fi

echo "installing mlflow $want into $venv"
start=$SECONDS
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
got="$(installed_version)"
if [ "$got" != "$want" ] || [ ! -x "$venv/bin/mlflow" ]; then
  echo "install.sh: expected mlflow $want in $venv after the install, found '${got:-none}'" >&2
  exit 1
fi
echo "mlflow $got installed in $venv in $((SECONDS - start)) s"
