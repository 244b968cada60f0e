#!/usr/bin/env bash
# Installs the Trino server the Trino tests run against (a single-node coordinator on loopback
# with the memory connector, see test/support/trino.ts):
#   ${TRINO_HOME:-<repo root>/.cache/trino-server-<version>}, version pinned below.
# The server tarball (about 820 MB) comes from Maven Central through Maven itself
# (io.trino:trino-server:<version>:tar.gz into <repo root>/.cache/m2, with strict checksums), and
# its SHA-1 is checked again here against the .sha1 file Maven fetched beside it. Only what a
# memory-catalog server needs is extracted: bin/, lib/ and plugin/memory (the other ~60 plugins
# are skipped).
# Trino needs Java >= 24: JAVA_HOME when it is one, else the newest JDK >= 24 under
# /usr/lib/jvm (Debian/Ubuntu's place for JDKs); its path is recorded in <install>/java-home.
# Idempotent: does nothing when that version is installed with a JDK recorded (a fresh install
# takes about a minute; the extraction is most of it).
set -euo pipefail
version=476
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
home="${TRINO_HOME:-$root/.cache/trino-server-$version}"
m2="$root/.cache/m2"
prog="test/trino/install.sh"

java_major() {
  # `java -version` prints e.g. openjdk version "25.0.1" 2025-10-21 (or "1.8.0_..." before 9).
  local v
  v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -1)"
  case "$v" in 1.*) echo 1 ;; "") echo 0 ;; *) echo "${v%%.*}" ;; esac
}

find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 24 ]; then
    echo "$JAVA_HOME"
    return
  fi
  local best='' best_major=0 dir major
  for dir in /usr/lib/jvm/*/; do
    dir="${dir%/}"
    [ -x "$dir/bin/java" ] || continue
    major="$(java_major "$dir")"
    if [ "$major" -ge 24 ] && [ "$major" -gt "$best_major" ]; then best="$dir" best_major="$major"; fi
  done
  echo "$best"
}

if [ -f "$home/.installed" ] && [ -s "$home/java-home" ] && [ -x "$(cat "$home/java-home")/bin/java" ]; then
  echo "$prog: Trino $version already installed in $home (Java: $(cat "$home/java-home"))"
  exit 0
fi

jdk="$(find_jdk)"
if [ -z "$jdk" ]; then
  echo "$prog: Trino $version needs Java 24 or newer; JAVA_HOME (${JAVA_HOME:-unset}) is not one and /usr/lib/jvm has none." >&2
  echo "$prog: install a JDK >= 24 (e.g. Debian's openjdk-25-jdk-headless or a Temurin 25 package) or set JAVA_HOME to one." >&2
  exit 1
fi

tarball="$m2/io/trino/trino-server/$version/trino-server-$version.tar.gz"
if [ ! -f "$tarball" ] || [ ! -f "$tarball.sha1" ]; then
  if ! command -v mvn >/dev/null 2>&1; then
    echo "$prog: fetching the Trino server needs Maven (mvn), which is not on PATH; install it (Debian: apt-get install maven)." >&2
    exit 1
  fi
  echo "$prog: fetching io.trino:trino-server:$version:tar.gz with Maven"
  # -C: fail on a checksum mismatch instead of warning. The dependency plugin runs without a project.
  mvn -B -q -C -Dmaven.repo.local="$m2" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get \
    -Dartifact="io.trino:trino-server:$version:tar.gz" -Dtransitive=false
fi
expected="$(cut -c1-40 "$tarball.sha1")"
actual="$(sha1sum "$tarball" | cut -c1-40)"
if [ "$expected" != "$actual" ]; then
  echo "$prog: $tarball has SHA-1 $actual, Maven Central says $expected; removing it, run again." >&2
  rm -f "$tarball" "$tarball.sha1"
  exit 1
fi

echo "$prog: extracting bin/, lib/ and plugin/memory into $home"
staging="$home.partial"
rm -rf "$staging"
mkdir -p "$staging"
tar -xzf "$tarball" -C "$staging" --strip-components=1 \
  "trino-server-$version/bin" "trino-server-$version/lib" "trino-server-$version/plugin/memory"
echo "$jdk" > "$staging/java-home"
touch "$staging/.installed"
rm -rf "$home"
mv "$staging" "$home"
echo "$prog: Trino $version installed in $home (Java: $jdk, $("$jdk/bin/java" -version 2>&1 | head -1))"
