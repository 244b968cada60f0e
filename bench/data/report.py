#!/usr/bin/python3
"""Turns the legs measured by run.sh into results.json and results.md.

    /usr/bin/python3 bench/data/report.py bench/work bench/data [rounds]

Each leg ran `rounds` times round-robin; the tables show the median (and the range), the ratios
and the goals use the medians. The goals are against the fastest of the peers (pandas + scipy,
Evidently, Great Expectations) per format, and against the DuckDB floor. Per leg and round the
report keeps the load: the load average before and after, and the CPU that other processes took
while the leg ran (machine busy time from /proc/stat, less the leg's own user + system time, as
a share of the machine's cores). The drift statistics of each leg are compared with pandas +
scipy (exact, from the raw values) column by column; with the full catalogue, every leg's
verdicts (catalogue.ts keys) are compared with the gate's.
"""
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

work, out = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1
legs_dir = os.path.join(work, 'legs')
try:
    meta = json.load(open(os.path.join(legs_dir, 'meta.json')))
except (OSError, ValueError):
    meta = {'catalogue': 'drift'}  # a run.sh from before the full catalogue
catalogue = meta.get('catalogue', 'drift')
debian = meta.get('debianPython') or {}
peers = meta.get('peersPython') or {}

PEER_LEGS = {
    'CSV': ['pandas_csv', 'evidently_csv', 'ge_csv'],
    'Parquet': ['pandas_parquet', 'evidently_parquet', 'ge_parquet'],
}
LEGS = [
    ('pandas_csv', f"pandas + scipy (pandas {debian.get('pandas', '?')}, Debian)", 'CSV'),
    ('evidently_csv', f"Evidently {peers.get('evidently', '?')} DataDriftPreset (drift only)", 'CSV'),
    ('ge_csv', f"Great Expectations {peers.get('great_expectations', '?')} (drift: KL)", 'CSV'),
    ('floor_csv', 'DuckDB floor (hand-written queries)', 'CSV'),
    ('gate_csv', 'our gate (runDataGate)', 'CSV'),
    ('pandas_parquet', f"pandas + scipy (pandas {peers.get('pandas', '?')} + pyarrow)", 'Parquet'),
    ('evidently_parquet', f"Evidently {peers.get('evidently', '?')} DataDriftPreset (drift only)", 'Parquet'),
    ('ge_parquet', f"Great Expectations {peers.get('great_expectations', '?')} (drift: KL)", 'Parquet'),
    ('floor_parquet', 'DuckDB floor (hand-written queries)', 'Parquet'),
    ('gate_parquet', 'our gate (runDataGate)', 'Parquet'),
]
KEY_LEGS = [
    ('keys_parquet', 'gate pass 2 only (duplicates + unique), DuckDB default memory limit', 'Parquet'),
    ('keys_parquet_500mb', 'gate pass 2 only (duplicates + unique), memory_limit 500MB + temp directory', 'Parquet'),
]
THRESHOLDS = {'psi': 0.2, 'jensen-shannon': 0.1, 'wasserstein': 0.1}
ALPHA = 0.05
CORES = os.cpu_count() or 1
TICKS = os.sysconf('SC_CLK_TCK')


def read(path):
    try:
        return open(path).read()
    except OSError:
        return None


def busy_ticks(line):
    """user nice system idle iowait irq softirq steal … of /proc/stat's cpu line → (busy, total)."""
    values = [int(v) for v in line.split()[1:9]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def others_cpu(base, wall, own_seconds):
    """Cores' worth of CPU that other processes used during the leg (0 … CORES)."""
    before, after = read(base + '.stat-before'), read(base + '.stat-after')
    if not before or not after or not wall:
        return None
    busy = (busy_ticks(after)[0] - busy_ticks(before)[0]) / TICKS
    return round(max(0.0, busy - own_seconds) / wall, 2)


def measure_one(base):
    text = read(base + '.time')
    status_text = read(base + '.status')
    if text is None or status_text is None:
        return None
    wall = re.search(r'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)', text)
    rss = re.search(r'Maximum resident set size \(kbytes\): (\d+)', text)
    cpu = re.search(r'Percent of CPU this job got: (\d+)%', text)
    user = re.search(r'User time \(seconds\): (\S+)', text)
    system = re.search(r'System time \(seconds\): (\S+)', text)
    status = int(status_text.strip())
    load = (read(base + '.load') or '').strip()
    before = (read(base + '.load-before') or '').split()
    if not wall or not rss:
        return {'status': status}
    parts = [float(p) for p in wall.group(1).split(':')]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    own = (float(user.group(1)) if user else 0) + (float(system.group(1)) if system else 0)
    return {'wallSeconds': round(seconds, 2), 'peakRssMb': round(int(rss.group(1)) / 1024, 1), 'status': status,
            'cpuPercent': int(cpu.group(1)) if cpu else None, 'cpuSeconds': round(own, 2),
            'loadBefore': ' '.join(before[:3]) or None, 'loadAfter': load.split('load average:')[-1].strip(),
            'othersCores': others_cpu(base, seconds, own)}


def measure(name):
    samples = [m for m in (measure_one(os.path.join(legs_dir, f'{name}.{r}')) for r in range(1, rounds + 1)) if m]
    if not samples:
        return None
    ok = [s for s in samples if s.get('status') == 0 and 'wallSeconds' in s]
    row = {'status': max(s['status'] for s in samples), 'samples': samples}
    if ok:
        walls = [s['wallSeconds'] for s in ok]
        rsss = [s['peakRssMb'] for s in ok]
        cpus = [s['cpuPercent'] for s in ok if s.get('cpuPercent') is not None]
        others = [s['othersCores'] for s in ok if s.get('othersCores') is not None]
        row.update({'wallSeconds': round(statistics.median(walls), 2), 'wallRange': [min(walls), max(walls)],
                    'peakRssMb': round(statistics.median(rsss), 1), 'peakRssRange': [min(rsss), max(rsss)],
                    'cpuPercent': round(statistics.median(cpus)) if cpus else None, 'bestWallSeconds': min(walls),
                    'othersCores': round(statistics.median(others), 2) if others else None})
    return row


def load_json(name):
    try:
        return json.load(open(os.path.join(legs_dir, f'{name}.1.json')))
    except (OSError, ValueError):
        return None


def drift_of(output):
    """A leg's drift statistics {column: {method: statistic}}: the old shape, or `drift` of the full one."""
    if not isinstance(output, dict):
        return None
    return output.get('drift', output) if 'checks' in output else output


def gate_results_by_column(results):
    out = {}
    for r in results or []:
        d = r.get('details') or {}
        if not r.get('id', '').startswith('data.drift.') or 'method' not in d:
            continue
        c = out.setdefault(d['column'], {})
        c[d['method']] = d['statistic']
        if d.get('pValue') is not None:
            c[d['method'] + '_p'] = d['pValue']
    return out


def gate_verdicts(results):
    """The gate's results → catalogue.ts keys (`missing:num_nullable`, …) → passed."""
    out = {}
    for r in results or []:
        parts = r.get('id', '').split('.')
        if len(parts) < 2 or parts[0] != 'data' or parts[1] == 'plan' or r.get('status') not in ('pass', 'fail'):
            continue
        key = parts[1] if len(parts) == 2 else f'{parts[1]}:{".".join(parts[2:])}'
        out[key] = r['status'] == 'pass'
    return out


def drifted(method, values):
    if method in ('ks', 'chi2'):
        return values.get(method + '_p', 1) < ALPHA
    return values.get(method, 0) >= THRESHOLDS[method]


def agreement(ours, exact):
    """Per method: the largest relative difference of the statistic, and columns whose decision differs."""
    if not ours or not exact:
        return None
    per = {}
    for column, values in exact.items():
        for method in ('psi', 'chi2', 'jensen-shannon', 'ks', 'wasserstein'):
            if method not in values or method not in ours.get(column, {}):
                continue
            a, b = ours[column][method], values[method]
            rel = abs(a - b) / abs(b) if b != 0 else abs(a - b)
            p = per.setdefault(method, {'scores': 0, 'maxRelativeDifference': 0.0, 'worstColumn': None, 'decisionsDiffer': []})
            p['scores'] += 1
            if rel > p['maxRelativeDifference']:
                p['maxRelativeDifference'], p['worstColumn'] = rel, column
            if drifted(method, ours[column]) != drifted(method, values):
                p['decisionsDiffer'].append(column)
    for p in per.values():
        p['maxRelativeDifference'] = float(f"{p['maxRelativeDifference']:.3g}")
    return per


rows = []
for name, what, fmt in LEGS + KEY_LEGS:
    m = measure(name)
    if m is not None:
        rows.append({'leg': name, 'what': what, 'format': fmt, **m})
by = {r['leg']: r for r in rows}


def ratio(a, b, key):
    if a in by and b in by and by[a].get(key) and by[b].get(key):
        return round(by[a][key] / by[b][key], 2)
    return None


def fastest_peer(fmt, key='wallSeconds'):
    measured = [by[n] for n in PEER_LEGS[fmt] if n in by and by[n].get(key)]
    return min(measured, key=lambda r: r[key])['leg'] if measured else None


def leanest_peer(fmt):
    measured = [by[n] for n in PEER_LEGS[fmt] if n in by and by[n].get('peakRssMb')]
    return min(measured, key=lambda r: r['peakRssMb'])['leg'] if measured else None


goals, ratios = [], {}
for fmt, suffix in (('CSV', 'csv'), ('Parquet', 'parquet')):
    gate = f'gate_{suffix}'
    peer = fastest_peer(fmt)
    lean = leanest_peer(fmt)
    t = ratio(peer, gate, 'wallSeconds') if peer else None
    m = ratio(peer, gate, 'peakRssMb') if peer else None
    ml = ratio(lean, gate, 'peakRssMb') if lean else None
    f = ratio(gate, f'floor_{suffix}', 'wallSeconds')
    ratios.update({f'fastestPeerOverGateTime{fmt}': t, f'fastestPeerOverGateRss{fmt}': m, f'leanestPeerOverGateRss{fmt}': ml,
                   f'gateOverFloorTime{fmt}': f, f'gateOverFloorRss{fmt}': ratio(gate, f'floor_{suffix}', 'peakRssMb'),
                   f'gateOverFloorTimeBestRounds{fmt}': ratio(gate, f'floor_{suffix}', 'bestWallSeconds')})
    for n in PEER_LEGS[fmt]:
        if n in by:
            ratios[f'{n}OverGateTime'] = ratio(n, gate, 'wallSeconds')
            ratios[f'{n}OverGateRss'] = ratio(n, gate, 'peakRssMb')
    peer_name = by[peer]['what'] if peer else 'no peer measured'
    if peer:  # CATALOGUE=drift has no Parquet peer
        goals += [
            {'goal': f'gate ≥ 5× faster than the fastest peer ({fmt}: {peer_name})', 'ratio': t, 'met': t is not None and t >= 5},
            {'goal': f'gate ≥ 4× less peak memory than the fastest peer ({fmt})', 'ratio': m, 'met': m is not None and m >= 4},
        ]
    goals.append({'goal': f'gate ≤ 1.5× the DuckDB floor ({fmt})', 'ratio': f, 'met': f is not None and f <= 1.5})
    if lean and lean != peer:
        goals.append({'goal': f'(for information) gate ≥ 4× less peak memory than the leanest peer ({fmt}: {by[lean]["what"]})', 'ratio': ml,
                      'met': ml is not None and ml >= 4})

exact = drift_of(load_json('pandas_csv'))
agree = {name: agreement(drift_of(load_json(name)) if not name.startswith('gate') else gate_results_by_column(load_json(name)), exact)
         for name in ('gate_csv', 'floor_csv', 'evidently_csv', 'pandas_parquet')}

verdicts = {}
if catalogue == 'full':
    reference = gate_verdicts(load_json('gate_csv'))
    for name, _, _ in LEGS:
        output = load_json(name)
        if name.startswith('gate'):
            theirs = gate_verdicts(output)
        elif isinstance(output, dict) and 'checks' in output:
            theirs = {k: bool(v.get('passed')) for k, v in output['checks'].items()}
        else:
            continue
        differ = sorted(k for k in reference if k in theirs and theirs[k] != reference[k])
        verdicts[name] = {'checks': len(theirs), 'compared': sum(1 for k in reference if k in theirs),
                          'failed': sorted(k for k, v in theirs.items() if not v), 'differFromGate': differ}

breakdowns = {}
for name in ('gate_csv', 'gate_parquet'):
    for r in range(1, rounds + 1):
        match = re.search(r'gate breakdown (\{.*\})', read(os.path.join(legs_dir, f'{name}.{r}.err')) or '')
        if match:
            breakdowns.setdefault(name, []).append(json.loads(match.group(1)))

rounds_load = []
for r in range(1, rounds + 1):
    before = (read(os.path.join(legs_dir, f'round.{r}.load-before')) or '').split('load average:')[-1].strip()
    after = (read(os.path.join(legs_dir, f'round.{r}.load-after')) or '').split('load average:')[-1].strip()
    others = [s['othersCores'] for row in rows for s in row['samples'][r - 1:r] if s.get('othersCores') is not None]
    rounds_load.append({'round': r, 'loadBefore': before or None, 'loadAfter': after or None,
                        'othersCoresMedian': round(statistics.median(others), 2) if others else None,
                        'othersCoresMax': max(others) if others else None})

cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
mem_gb = round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2 ** 30, 1)
machine = f'{cpu}, {CORES} cores, {mem_gb} GiB RAM, {platform.system()} {platform.release()}'
node = subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()
duckdb = json.load(open('node_modules/@duckdb/node-api/package.json'))['version']
sizes = {f: os.path.getsize(os.path.join(work, f)) for f in ['dataset.csv', 'dataset.parquet', 'reference.csv', 'reference.parquet']}


def count_rows(path):
    with open(path, 'rb') as f:
        return sum(chunk.count(b'\n') for chunk in iter(lambda: f.read(1 << 20), b'')) - 1


dataset_rows, reference_rows = count_rows(os.path.join(work, 'dataset.csv')), count_rows(os.path.join(work, 'reference.csv'))
result = {
    'command': meta.get('command', 'bash bench/data/run.sh'),
    'catalogue': catalogue,
    'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
    'machine': machine, 'node': node, 'duckdb': duckdb,
    'python': {'debian': debian, 'peersVenv': peers},
    'rounds': rounds,
    'data': {'datasetRows': dataset_rows, 'referenceRows': reference_rows, 'columns': 11, 'bytes': sizes},
    'legs': rows, 'ratios': ratios, 'goals': goals, 'load': rounds_load, 'gateBreakdown': breakdowns,
    'agreementWithScipy': agree, 'verdicts': verdicts,
}
with open(os.path.join(out, 'results.json'), 'w') as f:
    json.dump(result, f, indent=1)
    f.write('\n')


def rng(r, key):
    lo, hi = r.get(key + 'Range', [None, None])
    return '' if lo is None or rounds == 1 else f' ({lo}–{hi})'


def cell(v):
    return '—' if v is None else v


what_ran = {
    'full': 'Catalogue (catalogue-full.json): row_count, schema, missing (11 columns), range (4), allowed (3), unique (num_normal: '
            'all its values distinct, the id stand-in), unseen_categories (5), drift `all` with `auto` (normalised Wasserstein on the '
            '6 numeric, Jensen–Shannon on the 5 categorical columns at these sizes). Evidently runs its DataDriftPreset only (drift); '
            'Great Expectations runs everything, its drift as a KL divergence (GE has no two-sample drift test).',
    'drift': 'Catalogue: PSI, chi-square and Jensen–Shannon on all 11 columns, KS and Wasserstein on the 6 numeric ones '
             '(50 column×method scores).',
}[catalogue]
lines = [
    f'# bench/data: the {"full" if catalogue == "full" else "drift"} catalogue on {dataset_rows:,} rows × 11 columns', '',
    f"Command: `{result['command']}` · {result['date']} · {machine} · node {node} · DuckDB {duckdb} · "
    f"Debian pandas {debian.get('pandas', '—')} / scipy {debian.get('scipy', '—')} · peers' venv: "
    + (', '.join(f'{k} {v}' for k, v in peers.items()) or '—') + f' · {rounds} round(s) round-robin, median (range)', '',
    f"Data: dataset {dataset_rows:,} rows × 11 columns (6 numeric, 5 categorical, nulls in 2), CSV {sizes['dataset.csv'] / 1e6:.0f} MB, "
    f"Parquet {sizes['dataset.parquet'] / 1e6:.0f} MB; drifted reference {reference_rows:,} rows. {what_ran}", '',
    '| leg | input | wall time (s) | peak RSS (MB) | CPU % | others\' CPU (cores) | exit |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
]
for r in rows:
    if r['leg'].startswith('keys'):
        continue
    lines.append(f"| {r['what']} | {r['format']} | {cell(r.get('wallSeconds'))}{rng(r, 'wall')} | {cell(r.get('peakRssMb'))}{rng(r, 'peakRss')} | "
                 f"{cell(r.get('cpuPercent'))} | {cell(r.get('othersCores'))} | {r['status']} |")
lines += ['', '| goal | ratio (medians) | met |', '| --- | ---: | :---: |']
for g in goals:
    lines.append(f"| {g['goal']} | {cell(g['ratio'])} | {'yes' if g['met'] else 'no'} |")
lines += ['', 'All ratios (medians): ' + ', '.join(f'{k} {v}' for k, v in ratios.items() if v is not None), '',
          'Load per round (load average before → after the round; the CPU other processes took while a leg ran, in cores '
          f'of {CORES}, median and largest over the round\'s legs):', '',
          '| round | load before | load after | others\' CPU, median | others\' CPU, max |', '| ---: | --- | --- | ---: | ---: |']
for l in rounds_load:
    lines.append(f"| {l['round']} | {cell(l['loadBefore'])} | {cell(l['loadAfter'])} | {cell(l['othersCoresMedian'])} | {cell(l['othersCoresMax'])} |")
lines += ['', f'CPU %: the machine has {CORES} cores and is shared; pandas, Evidently and GE use one, the DuckDB legs all. When another job '
          'holds a core the DuckDB legs slow down and the single-threaded peers do not, so the peer/gate time ratios depend on the load: '
          'read them with the others\' CPU column (results.json: every round of every leg).', '']
if breakdowns:
    lines += ['Where the gate\'s time goes (first round; ms): startup = node + tsx + imports before runDataGate; then each statement; '
              'outside = the rest of runDataGate (DESCRIBE, validation, planning, scoring):', '',
              '| leg | startup | statements | outside the statements | runDataGate |', '| --- | ---: | --- | ---: | ---: |']
    for name, b in breakdowns.items():
        first = b[0]
        statements = ', '.join(f"{q['pass']} {q['ms']}" for q in first['queries'])
        lines.append(f"| {name} | {first['startupMs']} | {statements} | {first['outsideQueriesMs']} | {first['runDataGateMs']} |")
    lines.append('')
lines += ['Agreement with pandas + scipy on CSV (exact statistics from the raw values), largest relative difference per method:', '',
          '| method | gate (CSV) | floor (CSV) | Evidently (CSV) | pandas + pyarrow (Parquet) | decisions that differ |', '| --- | ---: | ---: | ---: | ---: | --- |']
for method in ('psi', 'chi2', 'jensen-shannon', 'ks', 'wasserstein'):
    g = (agree['gate_csv'] or {}).get(method)
    if not g:
        continue
    others = [(agree[n] or {}).get(method) for n in ('floor_csv', 'evidently_csv', 'pandas_parquet')]
    differ = sorted(set(g['decisionsDiffer']).union(*[set(o['decisionsDiffer']) for o in others if o]))
    texts = [f"{o['maxRelativeDifference']:.2g}" if o else '—' for o in others]
    lines.append(f"| {method} | {g['maxRelativeDifference']:.2g} ({g['worstColumn']}) | {' | '.join(texts)} | {', '.join(differ) or 'none'} |")
if verdicts:
    lines += ['', 'Verdicts against the gate\'s (CSV) per check and column:', '',
              '| leg | verdicts | compared with the gate | failing | differ from the gate |', '| --- | ---: | ---: | --- | --- |']
    for name, v in verdicts.items():
        lines.append(f"| {name} | {v['checks']} | {v['compared']} | {', '.join(v['failed']) or 'none'} | {', '.join(v['differFromGate']) or 'none'} |")
lines += ['', 'Dataset pass 2 alone (unique on 2 columns + duplicates on all 11: a hash aggregate over every distinct key):', '',
          '| leg | input | wall time (s) | peak RSS (MB) | CPU % | exit |', '| --- | --- | ---: | ---: | ---: | ---: |']
for r in rows:
    if r['leg'].startswith('keys'):
        lines.append(f"| {r['what']} | {r['format']} | {cell(r.get('wallSeconds'))}{rng(r, 'wall')} | {cell(r.get('peakRssMb'))}{rng(r, 'peakRss')} | {cell(r.get('cpuPercent'))} | {r['status']} |")
lines += ['', '''## What each leg does

- **pandas + scipy** (`pandas_scipy.py`): `catalogue.read` — CSV with the C parser and dtypes
  given up front (text columns as `category`), Parquet with pyarrow (text as dictionaries); the
  CSV leg runs Debian's pandas (no pyarrow there), the Parquet leg the peers' venv. Drift with
  numpy/scipy on the raw values (`np.quantile` deciles, `searchsorted` + `bincount` bins,
  `ks_2samp(method='asymp')`, `wasserstein_distance`, `chi2_contingency`, `jensenshannon`): the
  exact statistics. Full catalogue: `isna`, comparisons, `isin`, `duplicated`, `value_counts`,
  and drift `auto` (only the method the gate's rule picks).
- **Evidently** (`evidently_leg.py`): `Report([DataDriftPreset()])`, reference = our reference,
  current = our dataset, columns declared as the gate sees them; Evidently picks the test per
  column (here normed Wasserstein / Jensen–Shannon, threshold 0.1, as the gate's `auto`).
- **Great Expectations** (`ge_leg.py`): an ephemeral context, a pandas data source, one suite of
  46 expectations (row count, types, not-null mostly, between, in set, unique, distinct values
  contain the reference's categories, KL divergence against the reference's partition).
- **floor** (`floor.ts`): two hand-written statements. Reference (one scan, one thread, allocator
  flushed after): count, `stddev_pop`, `quantile_cont` deciles, `list(x ORDER BY x)`; over the
  result row the grid, the bounds and the reference's counts at the bounds by binary search.
  Dataset (one scan, streaming): `count`, `histogram(x, bounds)`, two tail sums per numeric
  column; `count` + `histogram(c)` per categorical column; with the full catalogue also
  `count(*)`, min / max / count outside per range column, `count(DISTINCT)` per unique and per
  integer column (missing, allowed and unseen categories come from the counts and histograms).
- **gate** (`gate.ts` → `runDataGate`): the catalogue compiled into its passes: DESCRIBE of both
  files, 1 reference pass, dataset pass 1 and, for unique, dataset pass 2 (a GROUP BY GROUPING
  SETS over every key); strict CSV options, NaN/±∞ probes on the DOUBLE columns.
- **pass 2** (`keys.ts`): `duplicates` (all 11 columns) + `unique` (2 columns) alone. With
  `memory_limit` it spills to a temp directory (`engineOptions` of `runDataGate`).
''']
with open(os.path.join(out, 'results.md'), 'w') as f:
    f.write('\n'.join(lines))
print('\n'.join(lines))
