#!/usr/bin/env bash
# The data-gate benchmark: one catalogue of checks on 5M rows × 11 columns, by our gate, a
# hand-written DuckDB floor and three peers (pandas + scipy, Evidently, Great Expectations), CSV
# and Parquet, side by side in one run; each leg measured with /usr/bin/time -v (wall time, peak
# RSS of the process, its CPU time) and the machine's load around it.
#
#   bash bench/data/install-peers.sh   # once: the peers' venv (.cache/bench-peers/venv)
#   bash bench/data/run.sh             # generates bench/work/* if missing, writes results.{json,md}
#   REPEAT=1 bash bench/data/run.sh    # one round instead of three
#
# CATALOGUE=full (default): catalogue-full.json (row_count, schema, missing, range, allowed,
#   unique, unseen_categories, drift auto) — gate, floor, pandas + scipy and Great Expectations
#   run it all (GE's drift is a KL divergence: ge_leg.py), Evidently its DataDriftPreset only.
# CATALOGUE=drift: the drift-only catalogue of the results committed before (every drift method
#   on every column; no Evidently / GE legs), so those stay comparable.
# Legs: pandas + scipy on CSV with Debian's python3-pandas / python3-scipy (PANDAS_PYTHON), the
# same script on Parquet and the Evidently / GE legs on both with the peers' venv (PEERS_PYTHON;
# skipped with a note when it is missing), the DuckDB floor and our gate's runDataGate on both,
# and the gate's pass 2 alone (unique + duplicates over every row: the hash aggregate) with
# DuckDB's default memory limit and with memory_limit 500MB (spilling to a temp directory).
# The legs run round-robin, REPEAT rounds (default 3), so a change in the machine's load hits
# every leg alike; the report takes each leg's median. Around each leg run.sh keeps
# /proc/loadavg and the machine's CPU counters (/proc/stat), so the report can say how much CPU
# other processes took while the leg ran. LEG_TIMEOUT (seconds, default 1800) bounds each leg.
# WORK (default bench/work) holds the data and the legs' output, OUT (default bench/data) gets
# results.{json,md}; ROWS / REFERENCE_ROWS (default 5000000 / 200000) size data generated into
# an empty WORK: a smoke run is e.g.
#   WORK=.cache/bench-smoke/work OUT=.cache/bench-smoke ROWS=200000 REPEAT=1 bash bench/data/run.sh
# The machine is shared: check `uptime` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${WORK:-bench/work}
OUT=${OUT:-bench/data}
CATALOGUE=${CATALOGUE:-full}
ROWS=${ROWS:-5000000}
REFERENCE_ROWS=${REFERENCE_ROWS:-200000}
PANDAS_PYTHON=${PANDAS_PYTHON:-/usr/bin/python3}
PEERS_PYTHON=${PEERS_PYTHON:-.cache/bench-peers/venv/bin/python}
# Node 24 from the node devDependency, as the npm scripts use.
export PATH="$PWD/node_modules/.bin:$PATH"
TSX=node_modules/.bin/tsx
LEG_TIMEOUT=${LEG_TIMEOUT:-1800}
REPEAT=${REPEAT:-3}
case "$CATALOGUE" in full | drift) ;; *) echo "run.sh: CATALOGUE must be full or drift, not $CATALOGUE" >&2; exit 2 ;; esac
rm -rf "$WORK/legs"
mkdir -p "$WORK/legs" "$OUT"
[ -f "$WORK/dataset.parquet" ] && [ -f "$WORK/dataset.csv" ] || "$TSX" bench/data/generate.ts --rows "$ROWS" --reference-rows "$REFERENCE_ROWS" --out "$WORK"
PEERS=1
if [ "$CATALOGUE" = full ] && [ ! -x "$PEERS_PYTHON" ]; then
  echo "run.sh: no peers' venv at $PEERS_PYTHON (bash bench/data/install-peers.sh): pandas on Parquet, Evidently and GE legs skipped" >&2
  PEERS=0
fi
[ "$CATALOGUE" = drift ] && PEERS=0
echo "node $(node --version); catalogue $CATALOGUE; load: $(uptime)" >&2

# What the report needs to know about this run (versions are asked of each interpreter).
version_of() { "$1" -c "$2" 2>/dev/null || echo null; }
cat > "$WORK/legs/meta.json" <<JSON
{
 "catalogue": "$CATALOGUE",
 "rounds": $REPEAT,
 "command": "${BENCH_COMMAND:-bash bench/data/run.sh}",
 "debianPython": $(version_of "$PANDAS_PYTHON" 'import json, pandas, scipy, numpy; print(json.dumps({"pandas": pandas.__version__, "scipy": scipy.__version__, "numpy": numpy.__version__}))'),
 "peersPython": $([ "$PEERS" = 1 ] && version_of "$PEERS_PYTHON" 'import json, pandas, scipy, numpy, pyarrow, evidently, great_expectations as ge; print(json.dumps({"pandas": pandas.__version__, "scipy": scipy.__version__, "numpy": numpy.__version__, "pyarrow": pyarrow.__version__, "evidently": evidently.__version__, "great_expectations": ge.__version__}))' || echo null)
}
JSON

run_leg() { # name, round, command...
  local name=$1 round=$2; shift 2
  local base="$WORK/legs/$name.$round"
  echo "== $name (round $round): $*" >&2
  local status=0
  cat /proc/loadavg > "$base.load-before"
  head -1 /proc/stat > "$base.stat-before"
  timeout "$LEG_TIMEOUT" /usr/bin/time -v -o "$base.time" "$@" > "$base.json" 2> "$base.err" || status=$?
  head -1 /proc/stat > "$base.stat-after"
  echo "$status" > "$base.status"
  uptime > "$base.load"
  grep -E 'Elapsed|Maximum resident' "$base.time" >&2 || true
}

for round in $(seq 1 "$REPEAT"); do
  uptime > "$WORK/legs/round.$round.load-before"
  run_leg pandas_csv "$round" "$PANDAS_PYTHON" bench/data/pandas_scipy.py "$WORK/dataset.csv" "$WORK/reference.csv" "$CATALOGUE"
  if [ "$PEERS" = 1 ]; then
    run_leg evidently_csv "$round" "$PEERS_PYTHON" bench/data/evidently_leg.py "$WORK/dataset.csv" "$WORK/reference.csv"
    run_leg ge_csv "$round" "$PEERS_PYTHON" bench/data/ge_leg.py "$WORK/dataset.csv" "$WORK/reference.csv"
  fi
  run_leg floor_csv "$round" "$TSX" bench/data/floor.ts "$WORK/dataset.csv" "$WORK/reference.csv" "$CATALOGUE"
  run_leg gate_csv "$round" "$TSX" bench/data/gate.ts "$WORK/dataset.csv" "$WORK/reference.csv" "$CATALOGUE"
  if [ "$PEERS" = 1 ]; then
    run_leg pandas_parquet "$round" "$PEERS_PYTHON" bench/data/pandas_scipy.py "$WORK/dataset.parquet" "$WORK/reference.parquet" "$CATALOGUE"
    run_leg evidently_parquet "$round" "$PEERS_PYTHON" bench/data/evidently_leg.py "$WORK/dataset.parquet" "$WORK/reference.parquet"
    run_leg ge_parquet "$round" "$PEERS_PYTHON" bench/data/ge_leg.py "$WORK/dataset.parquet" "$WORK/reference.parquet"
  fi
  run_leg floor_parquet "$round" "$TSX" bench/data/floor.ts "$WORK/dataset.parquet" "$WORK/reference.parquet" "$CATALOGUE"
  run_leg gate_parquet "$round" "$TSX" bench/data/gate.ts "$WORK/dataset.parquet" "$WORK/reference.parquet" "$CATALOGUE"
  run_leg keys_parquet "$round" "$TSX" bench/data/keys.ts "$WORK/dataset.parquet"
  run_leg keys_parquet_500mb "$round" "$TSX" bench/data/keys.ts "$WORK/dataset.parquet" 500MB
  uptime > "$WORK/legs/round.$round.load-after"
done

/usr/bin/python3 bench/data/report.py "$WORK" "$OUT" "$REPEAT"
