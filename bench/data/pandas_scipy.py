#!/usr/bin/python3
"""The drift catalogue in plain pandas + scipy: the baseline of bench/data.

Reads the dataset and the reference (CSV; Debian has no pyarrow for Parquet), and for every
column computes what the gate computes:
  numeric:     PSI and Jensen-Shannon over reference-decile bins (type-7 quantiles, right-closed
               bins, PSI zeros -> 1e-4), chi-square on those bins, KS (ks_2samp, asymp),
               Wasserstein (wasserstein_distance / max(std_ref, 0.001));
  categorical: chi-square (chi2_contingency, no Yates), PSI, Jensen-Shannon over the categories.
Nulls are dropped per column. Read by catalogue.read: CSV with the C parser and dtypes given up
front (text columns as 'category'), pandas' fastest path without pyarrow; Parquet with pyarrow
(not on Debian: run it with the peers' venv, install-peers.sh). Prints one JSON object
(column -> statistics).

With `full` (catalogue-full.json): the non-drift checks in pandas (catalogue.verdicts: isna,
comparisons, isin, duplicated, value_counts) and drift `auto`: per column only the method the
gate's rule picks (wasserstein / jensen-shannon on large samples), integer columns whose values
are all distinct left out as ids. Prints {"drift": column -> statistics, "checks": verdicts}.

    /usr/bin/python3 bench/data/pandas_scipy.py bench/work/dataset.csv bench/work/reference.csv [drift|full]
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import catalogue  # noqa: E402  (beside this file)

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


def wasserstein(d, r):
    return float(stats.wasserstein_distance(d, r)) / max(float(np.std(r)), 0.001)


def auto_drift(dataset, reference):
    """drift `all` + `auto`: the chosen method per column; integer columns with all values distinct are ids."""
    out = {}
    for column in dataset.columns:
        if column not in reference:
            continue
        d, r = dataset[column].dropna(), reference[column].dropna()
        numeric = pd.api.types.is_numeric_dtype(dataset[column]) and not pd.api.types.is_bool_dtype(dataset[column])
        if numeric and catalogue.integer_like(dataset[column]) and len(d) >= 20 and d.nunique() == len(d):
            continue
        method = catalogue.auto_method(numeric, len(d), len(r))
        if numeric:
            d, r = d.to_numpy(dtype=float), r.to_numpy(dtype=float)
            if method == 'wasserstein':
                out[column] = {'wasserstein': wasserstein(d, r)}
            else:
                ks = stats.ks_2samp(d, r, method='asymp')
                out[column] = {'ks': float(ks.statistic), 'ks_p': float(ks.pvalue)}
        else:
            stat = categorical(d, r)
            out[column] = {method: stat[method], **({'chi2_p': stat['chi2_p']} if method == 'chi2' else {})}
    return out


def drift_verdicts(scores):
    out = {}
    for column, s in scores.items():
        if 'wasserstein' in s:
            out[f'drift:{column}'] = {'passed': s['wasserstein'] < 0.1, 'observed': s['wasserstein']}
        elif 'jensen-shannon' in s:
            out[f'drift:{column}'] = {'passed': s['jensen-shannon'] < 0.1, 'observed': s['jensen-shannon']}
        elif 'ks_p' in s:
            out[f'drift:{column}'] = {'passed': s['ks_p'] >= 0.05, 'observed': s['ks']}
        else:
            out[f'drift:{column}'] = {'passed': s['chi2_p'] >= 0.05, 'observed': s['chi2']}
    return out


def main(dataset_path, reference_path, mode='drift'):
    started = time.perf_counter()
    dataset = catalogue.read(dataset_path)
    reference = catalogue.read(reference_path)
    read_s = time.perf_counter() - started
    if mode == 'full':
        checks = catalogue.verdicts(catalogue.load(), dataset, reference)
        drift = auto_drift(dataset, reference)
        checks.update(drift_verdicts(drift))
        out = {'drift': drift, 'checks': checks}
    else:
        out = {}
        for column in dataset.columns:
            d, r = dataset[column].dropna(), reference[column].dropna()
            if pd.api.types.is_numeric_dtype(dataset[column]):
                out[column] = numeric(d.to_numpy(dtype=float), r.to_numpy(dtype=float))
            else:
                out[column] = categorical(d, r)
    print(f'pandas + scipy ({mode}, pandas {pd.__version__}): read {read_s:.2f} s, checks {time.perf_counter() - started - read_s:.2f} s', file=sys.stderr)
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    if len(sys.argv) < 3 or (len(sys.argv) > 3 and sys.argv[3] not in ('drift', 'full')):
        sys.exit('usage: pandas_scipy.py DATASET REFERENCE [drift|full]')
    main(*sys.argv[1:4])
