#!/usr/bin/env bash
# Installs the moto server that the S3 tests run against (a real `moto_server` on loopback, see
# test/support/moto.ts) into a Python venv, from PyPI:
#   ${MOTO_VENV:-<repo root>/.cache/moto-venv}, with moto[server] pinned in test/s3/requirements.txt.
# Idempotent: does nothing when the venv already has that version (a fresh install takes ~30 s).
# MOTO_PYTHON chooses the interpreter the venv is made from (default: python3; moto needs >= 3.10).
set -euo pipefail
# --import moto.server: the [server] extra (Flask...) must be there too.
. "$(dirname "${BASH_SOURCE[0]}")/../support/install-python-venv.sh" --requirements test/s3/requirements.txt \
  --package 'moto[server]' --bin moto_server --venv-var MOTO_VENV --venv-default .cache/moto-venv --python-var MOTO_PYTHON \
  --import moto.server
