#!/usr/bin/env bash
# The data-gate benchmark: the full drift catalogue on 5M rows × 11 columns, three ways,
# side by side in one run, each leg measured with /usr/bin/time -v (wall time, peak RSS).
#
#   bash bench/data/run.sh            # generates bench/work/* if missing, writes results.{json,md}
#
# Legs: pandas + scipy (CSV; Debian has no pyarrow), the hand-written DuckDB floor (CSV and
# Parquet), our gate's runDataGate (CSV and Parquet). Needs /usr/bin/time and Debian's
# python3-pandas / python3-scipy. LEG_TIMEOUT (seconds, default 1800) bounds each leg.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=bench/work
OUT=bench/data
# Node 24 from the node devDependency, as the npm scripts use.
export PATH="$PWD/node_modules/.bin:$PATH"
TSX=node_modules/.bin/tsx
LEG_TIMEOUT=${LEG_TIMEOUT:-1800}
mkdir -p "$WORK/legs"
[ -f "$WORK/dataset.parquet" ] && [ -f "$WORK/dataset.csv" ] || "$TSX" bench/data/generate.ts --out "$WORK"

run_leg() { # name, command...
  local name=$1; shift
  echo "== $name: $*" >&2
  local status=0
  timeout "$LEG_TIMEOUT" /usr/bin/time -v -o "$WORK/legs/$name.time" "$@" > "$WORK/legs/$name.json" 2> "$WORK/legs/$name.err" || status=$?
  echo "$status" > "$WORK/legs/$name.status"
  grep -E 'Elapsed|Maximum resident' "$WORK/legs/$name.time" >&2 || true
}

run_leg pandas_csv /usr/bin/python3 bench/data/pandas_scipy.py "$WORK/dataset.csv" "$WORK/reference.csv"
run_leg floor_csv "$TSX" bench/data/floor.ts "$WORK/dataset.csv" "$WORK/reference.csv"
run_leg floor_parquet "$TSX" bench/data/floor.ts "$WORK/dataset.parquet" "$WORK/reference.parquet"
run_leg gate_csv "$TSX" bench/data/gate.ts "$WORK/dataset.csv" "$WORK/reference.csv"
run_leg gate_parquet "$TSX" bench/data/gate.ts "$WORK/dataset.parquet" "$WORK/reference.parquet"

/usr/bin/python3 bench/data/report.py "$WORK" "$OUT"
