#!/usr/bin/python3
"""Turns the legs measured by run.sh into bench/data/results.json and results.md.

    /usr/bin/python3 bench/data/report.py bench/work bench/data [rounds]

Each leg ran `rounds` times round-robin; the tables show the median (and the range), the ratios
and the targets use the medians. The statistics of the gate and of the floor are compared with
pandas + scipy (exact, from the raw values) column by column, decisions included.
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
LEGS = [
    ('pandas_csv', 'pandas + scipy', 'CSV'),
    ('floor_csv', 'DuckDB floor (hand-written queries)', 'CSV'),
    ('gate_csv', 'our gate (runDataGate)', 'CSV'),
    ('floor_parquet', 'DuckDB floor (hand-written queries)', 'Parquet'),
    ('gate_parquet', 'our gate (runDataGate)', 'Parquet'),
]
KEY_LEGS = [
    ('keys_parquet', 'gate pass 2 only (duplicates + unique), DuckDB default memory limit', 'Parquet'),
    ('keys_parquet_500mb', 'gate pass 2 only (duplicates + unique), memory_limit 500MB + temp directory', 'Parquet'),
]
THRESHOLDS = {'psi': 0.2, 'jensen-shannon': 0.1, 'wasserstein': 0.1}
ALPHA = 0.05


def measure_one(base):
    if not os.path.exists(base + '.time') or not os.path.exists(base + '.status'):
        return None
    text = open(base + '.time').read()
    wall = re.search(r'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)', text)
    rss = re.search(r'Maximum resident set size \(kbytes\): (\d+)', text)
    cpu = re.search(r'Percent of CPU this job got: (\d+)%', text)
    status = int(open(base + '.status').read().strip())
    load = open(base + '.load').read().strip() if os.path.exists(base + '.load') else ''
    if not wall or not rss:
        return {'status': status}
    parts = [float(p) for p in wall.group(1).split(':')]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {'wallSeconds': round(seconds, 2), 'peakRssMb': round(int(rss.group(1)) / 1024, 1), 'status': status,
            'cpuPercent': int(cpu.group(1)) if cpu else None, 'loadAfter': load.split('load average:')[-1].strip()}


def measure(name):
    samples = [m for m in (measure_one(os.path.join(work, 'legs', f'{name}.{r}')) for r in range(1, rounds + 1)) if m]
    if not samples:
        return None
    ok = [s for s in samples if s.get('status') == 0 and 'wallSeconds' in s]
    row = {'status': max(s['status'] for s in samples), 'samples': samples}
    if ok:
        walls = [s['wallSeconds'] for s in ok]
        rsss = [s['peakRssMb'] for s in ok]
        cpus = [s['cpuPercent'] for s in ok if s.get('cpuPercent') is not None]
        row.update({'wallSeconds': round(statistics.median(walls), 2), 'wallRange': [min(walls), max(walls)],
                    'peakRssMb': round(statistics.median(rsss), 1), 'peakRssRange': [min(rsss), max(rsss)],
                    'cpuPercent': round(statistics.median(cpus)) if cpus else None, 'bestWallSeconds': min(walls)})
    return row


def load_json(name):
    path = os.path.join(work, 'legs', f'{name}.1.json')
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


def by_column_from_gate(results):
    """The gate's results → {column: {method: statistic, method_p: p}}."""
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
    if a in by and b in by and key in by[a] and key in by[b]:
        return round(by[a][key] / by[b][key], 2)
    return None


ratios = {
    'pandasOverGateTimeCsv': ratio('pandas_csv', 'gate_csv', 'wallSeconds'),
    'pandasOverGateRssCsv': ratio('pandas_csv', 'gate_csv', 'peakRssMb'),
    'gateOverFloorTimeCsv': ratio('gate_csv', 'floor_csv', 'wallSeconds'),
    'gateOverFloorTimeParquet': ratio('gate_parquet', 'floor_parquet', 'wallSeconds'),
    'gateOverFloorRssCsv': ratio('gate_csv', 'floor_csv', 'peakRssMb'),
    'pandasOverFloorTimeCsv': ratio('pandas_csv', 'floor_csv', 'wallSeconds'),
    'pandasOverFloorRssCsv': ratio('pandas_csv', 'floor_csv', 'peakRssMb'),
}
best = {
    'pandasOverGateTimeCsv': ratio('pandas_csv', 'gate_csv', 'bestWallSeconds'),
    'gateOverFloorTimeCsv': ratio('gate_csv', 'floor_csv', 'bestWallSeconds'),
    'gateOverFloorTimeParquet': ratio('gate_parquet', 'floor_parquet', 'bestWallSeconds'),
}
targets = [
    ('gate ≥ 5× faster than pandas (CSV)', ratios['pandasOverGateTimeCsv'], lambda v: v >= 5),
    ('gate ≥ 4× less peak memory than pandas (CSV)', ratios['pandasOverGateRssCsv'], lambda v: v >= 4),
    ('gate within 1.5× of the floor (CSV)', ratios['gateOverFloorTimeCsv'], lambda v: v <= 1.5),
    ('gate within 1.5× of the floor (Parquet)', ratios['gateOverFloorTimeParquet'], lambda v: v <= 1.5),
]
target_rows = [{'target': t, 'ratio': v, 'met': (v is not None and ok(v))} for t, v, ok in targets]

exact = load_json('pandas_csv')
agree = {'gate_csv': agreement(by_column_from_gate(load_json('gate_csv')), exact),
         'floor_csv': agreement(load_json('floor_csv'), exact)}

cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
mem_gb = round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2 ** 30, 1)
machine = f'{cpu}, {os.cpu_count()} cores, {mem_gb} GiB RAM, {platform.system()} {platform.release()}'
node = subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()
duckdb = json.load(open('node_modules/@duckdb/node-api/package.json'))['version']
versions = subprocess.run(['/usr/bin/python3', '-c', 'import pandas, scipy, numpy; print(pandas.__version__, scipy.__version__, numpy.__version__)'],
                          capture_output=True, text=True).stdout.split()
sizes = {f: os.path.getsize(os.path.join(work, f)) for f in ['dataset.csv', 'dataset.parquet', 'reference.csv', 'reference.parquet']}
result = {
    'command': 'bash bench/data/run.sh',
    'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
    'machine': machine, 'node': node, 'duckdb': duckdb,
    'python': {'pandas': versions[0] if versions else None, 'scipy': versions[1] if len(versions) > 1 else None},
    'rounds': rounds,
    'data': {'datasetRows': 5_000_000, 'referenceRows': 200_000, 'columns': 11, 'bytes': sizes},
    'legs': rows, 'ratios': ratios, 'ratiosOfBestRounds': best, 'targets': target_rows, 'agreementWithScipy': agree,
}
with open(os.path.join(out, 'results.json'), 'w') as f:
    json.dump(result, f, indent=1)
    f.write('\n')


def rng(r, key, unit=''):
    lo, hi = r.get(key + 'Range', [None, None])
    return '' if lo is None or rounds == 1 else f' ({lo}–{hi})'


lines = [
    '# bench/data: drift catalogue on 5M rows × 11 columns', '',
    f"Command: `{result['command']}` · {result['date']} · {machine} · node {node} · DuckDB {duckdb} · "
    f"pandas {result['python']['pandas']} / scipy {result['python']['scipy']} · {rounds} round(s) round-robin, median (range)", '',
    f"Data: dataset 5,000,000 rows × 11 columns (6 numeric, 5 categorical, nulls in 2), CSV {sizes['dataset.csv'] / 1e6:.0f} MB, "
    f"Parquet {sizes['dataset.parquet'] / 1e6:.0f} MB; drifted reference 200,000 rows. Catalogue: PSI, chi-square and "
    'Jensen–Shannon on all 11 columns, KS and Wasserstein on the 6 numeric ones (50 column×method scores).', '',
    '| leg | input | wall time (s) | peak RSS (MB) | CPU % | exit |', '| --- | --- | ---: | ---: | ---: | ---: |',
]
for r in rows:
    if r['leg'].startswith('keys'):
        continue
    lines.append(f"| {r['what']} | {r['format']} | {r.get('wallSeconds', '—')}{rng(r, 'wall')} | {r.get('peakRssMb', '—')}{rng(r, 'peakRss')} | {r.get('cpuPercent', '—')} | {r['status']} |")
lines += ['', '| target | ratio (medians) | met |', '| --- | ---: | :---: |']
for t in target_rows:
    lines.append(f"| {t['target']} | {t['ratio'] if t['ratio'] is not None else '—'} | {'yes' if t['met'] else 'no'} |")
lines += ['', 'All ratios (medians): ' + ', '.join(f'{k} {v}' for k, v in ratios.items() if v is not None),
          '', 'Time ratios of each leg\'s best round: ' + ', '.join(f'{k} {v}' for k, v in best.items() if v is not None),
          '', 'CPU %: the machine has 2 cores and is shared; pandas uses one, the DuckDB legs two. When another job holds a core '
          'the DuckDB legs run at ~100 % and take ~1.7× longer while pandas does not change, so the pandas/gate time ratio '
          'depends on the load (see results.json: every round with its CPU % and load average).', '']
lines += ['Agreement with pandas + scipy (exact statistics from the raw values), largest relative difference per method:', '',
          '| method | gate (CSV) | floor (CSV) | decisions that differ |', '| --- | ---: | ---: | --- |']
for method in ('psi', 'chi2', 'jensen-shannon', 'ks', 'wasserstein'):
    g = (agree['gate_csv'] or {}).get(method)
    fl = (agree['floor_csv'] or {}).get(method)
    if not g:
        continue
    differ = sorted(set(g['decisionsDiffer']) | set((fl or {}).get('decisionsDiffer', [])))
    floor_text = f"{fl['maxRelativeDifference']:.2g}" if fl else '—'
    lines.append(f"| {method} | {g['maxRelativeDifference']:.2g} ({g['worstColumn']}) | {floor_text} | {', '.join(differ) or 'none'} |")
lines += ['', 'Dataset pass 2 alone (unique on 2 columns + duplicates on all 11: a hash aggregate over 5M distinct keys):', '',
          '| leg | input | wall time (s) | peak RSS (MB) | CPU % | exit |', '| --- | --- | ---: | ---: | ---: | ---: |']
for r in rows:
    if r['leg'].startswith('keys'):
        lines.append(f"| {r['what']} | {r['format']} | {r.get('wallSeconds', '—')}{rng(r, 'wall')} | {r.get('peakRssMb', '—')}{rng(r, 'peakRss')} | {r.get('cpuPercent', '—')} | {r['status']} |")
lines += ['', '''## What each leg does

- **pandas + scipy** (`pandas_scipy.py`): `read_csv` with the C parser and dtypes given up front
  (text columns as `category`; pyarrow is not available on Debian), then numpy/scipy on the raw
  values: `np.quantile` deciles, `searchsorted` + `bincount` bins, `ks_2samp(method='asymp')`,
  `wasserstein_distance`, `chi2_contingency`, `jensenshannon`. These are the exact statistics.
- **floor** (`floor.ts`): two hand-written statements. Reference (one scan, one thread, allocator
  flushed after): count, `stddev_pop`, `quantile_cont` deciles, `list(x ORDER BY x)`; over the
  result row the grid (⌈m·p⌉-th values at p = 0, 1/1000, …, 1, the 100 smallest and largest
  values, the deciles), the bounds (each grid point and `nextafter(g, −∞)`) and the reference's
  counts at the bounds by binary search. Dataset (one scan, streaming only): `count`,
  `histogram(x, bounds)` with ~2,400 DOUBLE literal bounds, two tail sums per numeric column;
  `count` + `histogram(c)` per categorical column. CSV read with 4 MiB buffers.
- **gate** (`gate.ts` → `runDataGate`): the same plan compiled from the five drift checks (the
  identical aggregates of the five methods are shared): DESCRIBE of both files, 1 reference
  pass, 1 dataset pass; strict CSV options, NaN/±∞ filtered out of the DOUBLE columns.
- **pass 2** (`keys.ts`): `duplicates` (all 11 columns) + `unique` (2 columns) alone: one
  `GROUP BY GROUPING SETS` hash aggregate over 5M distinct keys. With `memory_limit` it spills
  to a temp directory (`engineOptions` of `runDataGate`, `DuckDbEngine.open`).
''']
with open(os.path.join(out, 'results.md'), 'w') as f:
    f.write('\n'.join(lines))
print('\n'.join(lines))
