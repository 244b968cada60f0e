#!/usr/bin/env bash
# Installs the moto server that the S3 tests run against (a real `moto_server` on loopback, see
# test/support/moto.ts) into a Python venv, from PyPI:
#   ${MOTO_VENV:-<repo root>/.cache/moto-venv}, with moto[server] pinned in test/s3/requirements.txt.
# Idempotent: does nothing when the venv already has that version (a fresh install takes ~30 s).
# MOTO_PYTHON chooses the interpreter the venv is made from (default: python3; moto needs >= 3.10).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${MOTO_VENV:-$root/.cache/moto-venv}"
requirements="$here/requirements.txt"
want="$(sed -n 's/^moto\(\[[^]]*\]\)\{0,1\}==\([^[:space:]]*\).*/\2/p' "$requirements")"
[ -n "$want" ] || { echo "install.sh: no 'moto[server]==<version>' line in $requirements" >&2; exit 1; }
python="${MOTO_PYTHON:-python3}"

# The version of moto in the venv, if its server (the [server] extra: Flask...) imports.
installed_version() {
  [ -x "$venv/bin/python" ] || return 0
  "$venv/bin/python" -c 'import importlib.metadata as m, moto.server; print(m.version("moto"))' 2>/dev/null || true
}

if [ "$(installed_version)" = "$want" ] && [ -x "$venv/bin/moto_server" ]; then
  echo "moto $want already installed in $venv"
  exit 0
fi

command -v "$python" >/dev/null 2>&1 || { echo "install.sh: $python not found; moto needs Python >= 3.10 (set MOTO_PYTHON)" >&2; exit 1; }
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || {
  echo "install.sh: $("$python" --version 2>&1) is too old: moto $want needs Python >= 3.10 (set MOTO_PYTHON)" >&2
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

echo "installing moto[server] $want into $venv"
start=$SECONDS
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
got="$(installed_version)"
if [ "$got" != "$want" ] || [ ! -x "$venv/bin/moto_server" ]; then
  echo "install.sh: expected moto $want (with its server) in $venv after the install, found '${got:-none}'" >&2
  exit 1
fi
echo "moto $got installed in $venv in $((SECONDS - start)) s"
