#!/usr/bin/env bash
# Creates the venv of bench/data's peer legs (Evidently, Great Expectations, pandas + pyarrow)
# from requirements-peers.txt: .cache/bench-peers/venv (git-ignored). Idempotent: an existing
# venv whose packages already match is left as it is.
#
#   bash bench/data/install-peers.sh          # PYTHON=python3.11 to pick the interpreter
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.cache/bench-peers/venv
REQUIREMENTS=bench/data/requirements-peers.txt
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; assert sys.version_info[:2] >= (3, 10), sys.version' || { echo "install-peers.sh: needs Python >= 3.10 ($PYTHON)" >&2; exit 1; }
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
"$VENV/bin/python" -c 'import evidently, great_expectations, pandas, pyarrow, scipy
print(f"bench peers: evidently {evidently.__version__}, great_expectations {great_expectations.__version__}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, scipy {scipy.__version__}")'
