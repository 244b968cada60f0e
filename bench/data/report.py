#!/usr/bin/python3
"""Turns the legs measured by run.sh into bench/data/results.json and results.md."""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

work, out = sys.argv[1], sys.argv[2]
LEGS = [('pandas_csv', 'pandas + scipy', 'CSV'), ('floor_csv', 'DuckDB floor (hand-written query)', 'CSV'),
        ('floor_parquet', 'DuckDB floor (hand-written query)', 'Parquet'), ('gate_csv', 'our gate (runDataGate)', 'CSV'),
        ('gate_parquet', 'our gate (runDataGate)', 'Parquet')]


def measure(name):
    path = os.path.join(work, 'legs', name + '.time')
    if not os.path.exists(path) or not os.path.exists(os.path.join(work, 'legs', name + '.status')):
        return None
    text = open(path).read()
    wall = re.search(r'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)', text)
    rss = re.search(r'Maximum resident set size \(kbytes\): (\d+)', text)
    status = open(os.path.join(work, 'legs', name + '.status')).read().strip()
    if not wall or not rss:
        return {'status': int(status)}
    parts = [float(p) for p in wall.group(1).split(':')]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {'wallSeconds': round(seconds, 2), 'peakRssMb': round(int(rss.group(1)) / 1024, 1), 'status': int(status)}


rows = []
for name, what, fmt in LEGS:
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
    'pandasOverFloorTimeCsv': ratio('pandas_csv', 'floor_csv', 'wallSeconds'),
    'pandasOverFloorRssCsv': ratio('pandas_csv', 'floor_csv', 'peakRssMb'),
}
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
mem_gb = round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2 ** 30, 1)
machine = f'{cpu}, {os.cpu_count()} cores, {mem_gb} GiB RAM, {platform.system()} {platform.release()}'
node = subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()
sizes = {f: os.path.getsize(os.path.join(work, f)) for f in ['dataset.csv', 'dataset.parquet', 'reference.csv', 'reference.parquet']}
result = {
    'command': 'bash bench/data/run.sh',
    'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
    'machine': machine, 'node': node,
    'data': {'datasetRows': 5_000_000, 'referenceRows': 200_000, 'columns': 11, 'bytes': sizes},
    'legs': rows, 'ratios': ratios,
}
with open(os.path.join(out, 'results.json'), 'w') as f:
    json.dump(result, f, indent=1)
    f.write('\n')

lines = [
    '# bench/data: drift catalogue on 5M rows × 11 columns', '',
    f"Command: `{result['command']}` · date {result['date']} · {machine} · node {node}", '',
    f"Data: dataset 5,000,000 rows × 11 columns (6 numeric, 5 categorical, nulls in 2), CSV {sizes['dataset.csv'] / 1e6:.0f} MB, "
    f"Parquet {sizes['dataset.parquet'] / 1e6:.0f} MB; drifted reference 200,000 rows. Catalogue: PSI, chi-square and "
    'Jensen–Shannon on all 11 columns, KS and Wasserstein on the 6 numeric ones (50 column×method scores).', '',
    '| leg | input | wall time (s) | peak RSS (MB) | exit |', '| --- | --- | ---: | ---: | ---: |',
]
for r in rows:
    lines.append(f"| {r['what']} | {r['format']} | {r.get('wallSeconds', '—')} | {r.get('peakRssMb', '—')} | {r['status']} |")
lines += ['', 'Ratios: ' + ', '.join(f'{k} {v}' for k, v in ratios.items() if v is not None), '']
with open(os.path.join(out, 'results.md'), 'w') as f:
    f.write('\n'.join(lines))
print('\n'.join(lines))
