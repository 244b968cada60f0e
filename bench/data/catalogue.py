"""The python side of bench/data's full catalogue (catalogue-full.json), shared by the python legs.

- load(): the checks, as gate.ts passes them to runDataGate;
- read(path): a sample as a DataFrame by pandas' fastest path on that format: CSV with the C
  parser and the dtypes given up front (text columns as 'category': codes instead of 5M Python
  strings per column), Parquet with pyarrow, text columns read as dictionaries (categories);
- verdicts(...): the non-drift checks in pandas, one key per check and column as catalogue.ts
  says (`missing:num_nullable`, `unique:num_normal`, ...) -> {'passed', 'observed'};
- auto_method(...): the gate's `method: auto` rule (src/data/drift/auto.ts).
"""
import json
import os

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
AUTO_MAX_EFFECTIVE_N_FOR_TESTS = 1000


def load():
    with open(os.path.join(HERE, 'catalogue-full.json')) as f:
        return json.load(f)['checks']


def read(path):
    if path.endswith('.parquet'):
        import pyarrow.parquet as pq  # not on Debian: the Parquet legs run in the peers' venv
        schema = pq.read_schema(path)
        text = [f.name for f in schema if str(f.type) in ('string', 'large_string')]
        return pq.read_table(path, read_dictionary=text).to_pandas()
    sample = pd.read_csv(path, nrows=10_000)
    dtypes = {c: ('category' if sample[c].dtype == object else sample[c].dtype) for c in sample.columns}
    # Integer columns may hold nulls further down: read them as float64 there.
    dtypes = {c: ('float64' if pd.api.types.is_integer_dtype(t) else t) for c, t in dtypes.items()}
    return pd.read_csv(path, dtype=dtypes, engine='c')


def integer_like(series):
    """Integer-typed, or float64 read from a CSV integer column (read() widens those for nulls)."""
    if pd.api.types.is_integer_dtype(series):
        return True
    if not pd.api.types.is_float_dtype(series):
        return False
    head = series.dropna().head(10_000)
    return bool(len(head) and (head == head.round()).all())


def kind_of(series):
    if pd.api.types.is_bool_dtype(series):
        return 'boolean'
    if integer_like(series):
        return 'integer'
    if pd.api.types.is_numeric_dtype(series):
        return 'numeric'
    return 'text'


def auto_method(numeric, n, m):
    effective = n * m / (n + m) if n + m > 0 else 0
    if effective <= AUTO_MAX_EFFECTIVE_N_FOR_TESTS:
        return 'ks' if numeric else 'chi2'
    return 'wasserstein' if numeric else 'jensen-shannon'


def verdicts(checks, dataset, reference):
    """Every check of the catalogue but drift, on the dataset (unseen categories: against the reference)."""
    rows = len(dataset)
    out = {}
    for check in checks:
        kind = check['type']
        if kind == 'row_count':
            out['row_count'] = {'passed': rows >= check.get('min', 0) and rows <= check.get('max', rows), 'observed': rows}
        elif kind == 'schema':
            for column, wanted in check['required'].items():
                actual = kind_of(dataset[column]) if column in dataset else 'missing'
                out[f'schema:{column}'] = {'passed': actual == wanted or (wanted == 'numeric' and actual == 'integer'), 'observed': actual}
        elif kind == 'missing':
            for column in check['columns']:
                missing = int(dataset[column].isna().sum())
                limit = check.get('maxCount', check.get('maxPercent', 0) / 100 * rows)
                out[f'missing:{column}'] = {'passed': missing <= limit, 'observed': missing}
        elif kind == 'range':
            for column in check['columns']:
                s = dataset[column]
                outside = pd.Series(False, index=s.index)
                if 'min' in check:
                    outside |= s < check['min']
                if 'max' in check:
                    outside |= s > check['max']
                n = int(outside.sum())
                out[f'range:{column}'] = {'passed': n == 0, 'observed': n}
        elif kind == 'allowed':
            for column in check['columns']:
                s = dataset[column]
                n = int((s.notna() & ~s.astype(str).isin([str(v) for v in check['values']]) if not isinstance(s.dtype, pd.CategoricalDtype)
                         else s.notna() & ~s.isin(check['values'])).sum())
                out[f'allowed:{column}'] = {'passed': n == 0, 'observed': n}
        elif kind == 'unique':
            key = check['columns']
            repeated = int((dataset[key[0]] if len(key) == 1 else dataset[key]).duplicated().sum())
            out[f"unique:{'+'.join(key)}"] = {'passed': repeated == 0, 'observed': repeated}
        elif kind == 'unseen_categories':
            for column in check['columns']:
                training = dataset[column].value_counts()
                training.index = training.index.astype(str)
                production = reference[column].dropna().astype(str).unique()
                failing = [v for v in production if training.get(v, 0) < check['minCount']]
                out[f'unseen_categories:{column}'] = {'passed': not failing, 'observed': len(failing)}
    return out
