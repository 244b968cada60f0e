#!/usr/bin/env bash
# Installs the MLflow that the registry tests run against (a real `mlflow server` on loopback,
# see test/support/mlflow.ts) into a Python venv, from PyPI:
#   ${MLFLOW_VENV:-<repo root>/.cache/mlflow-venv}, with mlflow pinned in test/mlflow/requirements.txt.
# Idempotent: does nothing when the venv already has that version (a fresh install takes ~70 s).
# MLFLOW_PYTHON chooses the interpreter the venv is made from (default: python3; MLflow needs >= 3.10).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../support/install-python-venv.sh" --requirements test/mlflow/requirements.txt \
  --package mlflow --bin mlflow --venv-var MLFLOW_VENV --venv-default .cache/mlflow-venv --python-var MLFLOW_PYTHON
