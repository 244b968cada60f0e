#!/usr/bin/env bash
# Installs the moto server that the S3 tests run against (a real `moto_server` on loopback, see
# test/support/moto.ts) into a Python venv, from PyPI:
#   ${MOTO_VENV:-<repo root>/.cache/moto-venv}, with moto[server] pinned in test/s3/requirements.txt.
# Idempotent: does nothing when the venv already has that version (a fresh install takes ~30 s).
# MOTO_PYTHON chooses the interpreter the venv is made from (default: python3; moto needs >= 3.10).
# Then install-httpfs.sh fetches DuckDB's pinned httpfs wheel into .cache/duckdb-httpfs (7 MB).
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
# --import moto.server: the [server] extra (Flask...) must be there too. In a subshell, as it ends
# with `exit` when moto is already there.
(
  . "$here/../support/install-python-venv.sh" --requirements test/s3/requirements.txt \
    --package 'moto[server]' --bin moto_server --venv-var MOTO_VENV --venv-default .cache/moto-venv --python-var MOTO_PYTHON \
    --import moto.server
)
# Then the wheel of DuckDB's httpfs extension that the s3:// source tests serve from a package
# index on loopback, downloaded with the venv's pip.
HTTPFS_PYTHON="${MOTO_VENV:-$(cd "$here/../.." && pwd)/.cache/moto-venv}/bin/python" bash "$here/install-httpfs.sh"
