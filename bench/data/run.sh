#!/usr/bin/env bash
# The data-gate benchmark: the full drift catalogue on 5M rows × 11 columns, three ways, side by
# side in one run, each leg measured with /usr/bin/time -v (wall time, peak RSS of the process).
#
#   bash bench/data/run.sh            # generates bench/work/* if missing, writes results.{json,md}
#   REPEAT=1 bash bench/data/run.sh   # one round instead of three
#
# Legs: pandas + scipy (CSV; Debian has no pyarrow), the hand-written DuckDB floor (CSV and
# Parquet), our gate's runDataGate (CSV and Parquet), and the gate's pass 2 alone (unique +
# duplicates over every row: the hash aggregate) with DuckDB's default memory limit and with
# memory_limit 500MB (spilling to a temp directory). The legs run round-robin, REPEAT rounds
# (default 3), so a change in the machine's load hits every leg alike; the report takes each
# leg's median. Needs /usr/bin/time and Debian's python3-pandas / python3-scipy. LEG_TIMEOUT
# (seconds, default 1800) bounds each leg. The machine is shared: check `uptime` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=bench/work
OUT=bench/data
# Node 24 from the node devDependency, as the npm scripts use.
export PATH="$PWD/node_modules/.bin:$PATH"
TSX=node_modules/.bin/tsx
LEG_TIMEOUT=${LEG_TIMEOUT:-1800}
REPEAT=${REPEAT:-3}
rm -rf "$WORK/legs"
mkdir -p "$WORK/legs"
[ -f "$WORK/dataset.parquet" ] && [ -f "$WORK/dataset.csv" ] || "$TSX" bench/data/generate.ts --out "$WORK"
echo "node $(node --version); load: $(uptime)" >&2

run_leg() { # name, round, command...
  local name=$1 round=$2; shift 2
  local base="$WORK/legs/$name.$round"
  echo "== $name (round $round): $*" >&2
  local status=0
  timeout "$LEG_TIMEOUT" /usr/bin/time -v -o "$base.time" "$@" > "$base.json" 2> "$base.err" || status=$?
  echo "$status" > "$base.status"
  uptime > "$base.load"
  grep -E 'Elapsed|Maximum resident' "$base.time" >&2 || true
}

for round in $(seq 1 "$REPEAT"); do
  run_leg pandas_csv "$round" /usr/bin/python3 bench/data/pandas_scipy.py "$WORK/dataset.csv" "$WORK/reference.csv"
  run_leg floor_csv "$round" "$TSX" bench/data/floor.ts "$WORK/dataset.csv" "$WORK/reference.csv"
  run_leg gate_csv "$round" "$TSX" bench/data/gate.ts "$WORK/dataset.csv" "$WORK/reference.csv"
  run_leg floor_parquet "$round" "$TSX" bench/data/floor.ts "$WORK/dataset.parquet" "$WORK/reference.parquet"
  run_leg gate_parquet "$round" "$TSX" bench/data/gate.ts "$WORK/dataset.parquet" "$WORK/reference.parquet"
  run_leg keys_parquet "$round" "$TSX" bench/data/keys.ts "$WORK/dataset.parquet"
  run_leg keys_parquet_500mb "$round" "$TSX" bench/data/keys.ts "$WORK/dataset.parquet" 500MB
done

/usr/bin/python3 bench/data/report.py "$WORK" "$OUT" "$REPEAT"
