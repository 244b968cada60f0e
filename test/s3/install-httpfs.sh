#!/usr/bin/env bash
# Downloads the wheel of DuckDB's httpfs extension that the product pins for this machine
# (HTTPFS_WHEELS in src/data/engine/duckdb-extensions.ts: file name and sha256) into
#   ${HTTPFS_WHEEL_DIR:-<repo root>/.cache/duckdb-httpfs}
# with pip (which honours the usual PIP_INDEX_URL / pip.conf). The S3-source tests serve it from a
# package index on loopback (test/support/package-index.ts), so they never reach the internet.
# Idempotent: does nothing when the file is there with the pinned digest. test/s3/install.sh runs it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${HTTPFS_WHEEL_DIR:-$root/.cache/duckdb-httpfs}"
pins="$root/src/data/engine/duckdb-extensions.ts"
# The Python whose pip downloads it (install.sh passes the moto venv's).
python="${HTTPFS_PYTHON:-python3}"

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) platform=linux_amd64 tag=manylinux2014_x86_64 ;;
  Linux/aarch64 | Linux/arm64) platform=linux_arm64 tag=manylinux2014_aarch64 ;;
  Darwin/x86_64) platform=osx_amd64 tag=macosx_11_0_x86_64 ;;
  Darwin/arm64) platform=osx_arm64 tag=macosx_11_0_arm64 ;;
  *) echo "install-httpfs.sh: no pinned httpfs wheel for $(uname -s)/$(uname -m)" >&2; exit 1 ;;
esac
line="$(grep -E "^  $platform: \{ file: " "$pins")" || { echo "install-httpfs.sh: $pins pins nothing for $platform" >&2; exit 1; }
file="$(sed -n "s/.*file: '\([^']*\)'.*/\1/p" <<<"$line")"
sha256="$(sed -n "s/.*sha256: '\([0-9a-f]*\)'.*/\1/p" <<<"$line")"
version="$(sed -n 's/^duckdb_extension_httpfs-\([^-]*\)-.*/\1/p' <<<"$file")"

digest() { "$python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"; }
if [ -f "$dir/$file" ] && [ "$(digest "$dir/$file")" = "$sha256" ]; then
  echo "$file already in $dir"
  exit 0
fi
mkdir -p "$dir"
echo "downloading $file into $dir"
"$python" -m pip download --quiet --disable-pip-version-check --no-input --no-deps --only-binary=:all: \
  --platform "$tag" --python-version 3.11 --dest "$dir" "duckdb-extension-httpfs==$version"
got="$(digest "$dir/$file")"
if [ "$got" != "$sha256" ]; then
  rm -f "$dir/$file"
  echo "install-httpfs.sh: $file has sha256 $got, not the pinned $sha256" >&2
  exit 1
fi
