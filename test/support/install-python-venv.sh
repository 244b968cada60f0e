#!/usr/bin/env bash
# Installs a Python tool the tests run against into a venv, from PyPI, at the version its
# requirements file pins (test/mlflow/install.sh and test/s3/install.sh run it; see
# test/support/python-server.ts for the check the tests make). Idempotent: does nothing when the
# venv already has that version and its executable.
#
#   install-python-venv.sh --requirements FILE --package SPEC --bin NAME --venv-var VAR \
#     --venv-default DIR --python-var VAR [--import MODULE]
#
#   --requirements  the requirements file, relative to the repo root; pip installs all of it
#   --package       the pinned requirement as the file names it, e.g. mlflow or moto[server]
#                   (its line: SPEC==<version>; the version checked is the distribution's)
#   --bin           the executable the venv must have in bin/ afterwards
#   --venv-var      the variable that chooses the venv (default: <repo root>/--venv-default)
#   --python-var    the variable that chooses the interpreter the venv is made from (default:
#                   python3; it needs Python >= 3.10)
#   --import        a module that must import too, e.g. one an extra brings (moto.server)
set -euo pipefail
prog="$(basename "$0")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

requirements='' package='' bin='' venv_var='' venv_default='' python_var='' probe_import=''
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "$prog: $1 needs a value" >&2; exit 2; }
  case "$1" in
    --requirements) requirements="$root/$2" ;;
    --package) package="$2" ;;
    --bin) bin="$2" ;;
    --venv-var) venv_var="$2" ;;
    --venv-default) venv_default="$2" ;;
    --python-var) python_var="$2" ;;
    --import) probe_import="$2" ;;
    *) echo "$prog: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
for option in requirements package bin venv_var venv_default python_var; do
  [ -n "${!option}" ] || { echo "$prog: --${option//_/-} is required" >&2; exit 2; }
done

dist="${package%%\[*}" # the distribution: moto[server] -> moto
venv="${!venv_var:-$root/$venv_default}"
want="$(sed -n "s/^$dist\(\[[^]]*\]\)\{0,1\}==\([^[:space:]]*\).*/\2/p" "$requirements")"
[ -n "$want" ] || { echo "$prog: no '$package==<version>' line in $requirements" >&2; exit 1; }
python="${!python_var:-python3}"

# The version of the package in the venv, if it (and --import) imports.
installed_version() {
  [ -x "$venv/bin/python" ] || return 0
  "$venv/bin/python" -c "import importlib.metadata as m${probe_import:+, $probe_import}; print(m.version(\"$dist\"))" 2>/dev/null || true
}

if [ "$(installed_version)" = "$want" ] && [ -x "$venv/bin/$bin" ]; then
  echo "$dist $want already installed in $venv"
  exit 0
fi

command -v "$python" >/dev/null 2>&1 || { echo "$prog: $python not found; $dist needs Python >= 3.10 (set $python_var)" >&2; exit 1; }
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || {
  echo "$prog: $("$python" --version 2>&1) is too old: $dist $want needs Python >= 3.10 (set $python_var)" >&2
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
    echo "$prog: '$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1
  }
fi

echo "installing $package $want into $venv"
start=$SECONDS
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
got="$(installed_version)"
if [ "$got" != "$want" ] || [ ! -x "$venv/bin/$bin" ]; then
  echo "$prog: expected $package $want in $venv after the install, found '${got:-none}'" >&2
  exit 1
fi
echo "$dist $got installed in $venv in $((SECONDS - start)) s"
