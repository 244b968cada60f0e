#!/usr/bin/python3
"""The drift catalogue in plain pandas + scipy: the baseline of bench/data.

Reads the dataset and the reference (CSV; Debian has no pyarrow for Parquet), and for every
column computes what the gate computes:
  numeric:     PSI and Jensen-Shannon over reference-decile bins (type-7 quantiles, right-closed
               bins, PSI zeros -> 1e-4), chi-square on those bins, KS (ks_2samp, asymp),
               Wasserstein (wasserstein_distance / max(std_ref, 0.001));
  categorical: chi-square (chi2_contingency, no Yates), PSI, Jensen-Shannon over the categories.
Nulls are dropped per column. Read with the C parser and dtypes given up front (text columns as
'category'), pandas' fastest path without pyarrow. Prints one JSON object (column -> statistics).

    /usr/bin/python3 bench/data/pandas_scipy.py bench/work/dataset.csv bench/work/reference.csv
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

DECILES = [i / 10 for i in range(1, 10)]
EPS = 1e-4


def psi(p_counts, q_counts):
    p = p_counts / p_counts.sum()
    q = q_counts / q_counts.sum()
    p = np.where(p == 0, EPS, p)
    q = np.where(q == 0, EPS, q)
    return float(np.sum((p - q) * np.log(p / q)))


def chi2(d_counts, r_counts):
    table = np.array([d_counts, r_counts], dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 0.0, 1.0
    res = stats.chi2_contingency(table, correction=False)
    return float(res[0]), float(res[1])


def numeric(d, r):
    cuts = np.unique(np.quantile(r, DECILES))
    dc = np.bincount(np.searchsorted(cuts, d, side='left'), minlength=len(cuts) + 1)
    rc = np.bincount(np.searchsorted(cuts, r, side='left'), minlength=len(cuts) + 1)
    ks = stats.ks_2samp(d, r, method='asymp')
    chi_stat, chi_p = chi2(dc, rc)
    return {
        'psi': psi(dc, rc),
        'jensen-shannon': float(jensenshannon(dc / dc.sum(), rc / rc.sum())),
        'chi2': chi_stat, 'chi2_p': chi_p,
        'ks': float(ks.statistic), 'ks_p': float(ks.pvalue),
        'wasserstein': float(stats.wasserstein_distance(d, r)) / max(float(np.std(r)), 0.001),
    }


def categorical(d, r):
    dv, rv = d.value_counts(), r.value_counts()
    # Categorical dtypes: plain-string indexes so the two samples' categories line up.
    dv.index, rv.index = dv.index.astype(str), rv.index.astype(str)
    cats = dv.index.union(rv.index)
    dc = dv.reindex(cats, fill_value=0).to_numpy()
    rc = rv.reindex(cats, fill_value=0).to_numpy()
    chi_stat, chi_p = chi2(dc, rc)
    return {
        'psi': psi(dc, rc),
        'jensen-shannon': float(jensenshannon(dc / dc.sum(), rc / rc.sum())),
        'chi2': chi_stat, 'chi2_p': chi_p,
    }


def read(path):
    # pandas' fast path without pyarrow: the C parser with the dtypes given up front (text columns
    # as 'category': codes instead of 5M Python strings per column, and a cheap value_counts).
    sample = pd.read_csv(path, nrows=10_000)
    dtypes = {c: ('category' if sample[c].dtype == object else sample[c].dtype) for c in sample.columns}
    # Integer columns may hold nulls further down: read them as float64 there.
    dtypes = {c: ('float64' if pd.api.types.is_integer_dtype(t) else t) for c, t in dtypes.items()}
    return pd.read_csv(path, dtype=dtypes, engine='c')


def main(dataset_path, reference_path):
    dataset = read(dataset_path)
    reference = read(reference_path)
    out = {}
    for column in dataset.columns:
        d, r = dataset[column].dropna(), reference[column].dropna()
        if pd.api.types.is_numeric_dtype(dataset[column]):
            out[column] = numeric(d.to_numpy(dtype=float), r.to_numpy(dtype=float))
        else:
            out[column] = categorical(d, r)
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
