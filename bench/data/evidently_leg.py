"""The Evidently leg of bench/data: its DataDriftPreset over the same columns.

    .cache/bench-peers/venv/bin/python bench/data/evidently_leg.py DATASET REFERENCE > evidently.json

Reads both samples with catalogue.read (as pandas_scipy.py does), declares the columns as the
gate sees them (numbers numerical, text categorical: a DataDefinition, so Evidently infers
nothing), and runs `Report([DataDriftPreset()])` with Evidently's reference = our reference
(the production sample) and current = our dataset, so the normalised Wasserstein divides by the
same standard deviation as the gate's. Evidently picks each column's test itself (reference
> 1,000 rows: normed Wasserstein for numbers, Jensen–Shannon for categories, threshold 0.1: the
same as the gate's `auto`); the leg records the method per column. Only drift: the preset has
no row count, schema, missing, range, allowed, unique or unseen-category check.

Prints {"drift": column -> {method: statistic}, "checks": {"drift:<column>": verdict},
"methods": column -> Evidently's method name}; timings on stderr.
"""
import json
import os
import sys
import time

import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import catalogue  # noqa: E402  (beside this file)

# Evidently's method names -> the gate's; p-value tests are keyed by their p-value.
METHODS = {
    'Wasserstein distance (normed)': 'wasserstein',
    'Jensen-Shannon distance': 'jensen-shannon',
    'PSI': 'psi',
    'K-S p_value': 'ks_p',
    'chi-square p_value': 'chi2_p',
    'Z-test p_value': 'z_p',
}
P_VALUES = {'ks_p', 'chi2_p', 'z_p'}


def main(dataset_path, reference_path):
    import evidently
    started = time.perf_counter()
    dataset = catalogue.read(dataset_path)
    reference = catalogue.read(reference_path)
    read_s = time.perf_counter() - started
    numeric = [c for c in dataset.columns if pd.api.types.is_numeric_dtype(dataset[c]) and not pd.api.types.is_bool_dtype(dataset[c])]
    categorical = [c for c in dataset.columns if c not in numeric]
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    snapshot = Report([DataDriftPreset()]).run(
        current_data=Dataset.from_pandas(dataset, data_definition=definition),
        reference_data=Dataset.from_pandas(reference, data_definition=definition),
    )
    drift, checks, methods = {}, {}, {}
    for metric in snapshot.dict()['metrics']:
        config = metric.get('config', {})
        if not config.get('type', '').endswith('ValueDrift'):
            continue
        column, name, value = config['column'], config['method'], float(metric['value'])
        key = METHODS.get(name, name)
        methods[column] = name
        drift[column] = {key: value}
        drifted = value < config['threshold'] if key in P_VALUES else value >= config['threshold']
        checks[f'drift:{column}'] = {'passed': not drifted, 'observed': value}
    print(f'evidently {evidently.__version__} (pandas {pd.__version__}): read {read_s:.2f} s, '
          f'report {time.perf_counter() - started - read_s:.2f} s; methods: {json.dumps(methods)}', file=sys.stderr)
    json.dump({'drift': drift, 'checks': checks, 'methods': methods}, sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: evidently_leg.py DATASET REFERENCE')
    main(sys.argv[1], sys.argv[2])
