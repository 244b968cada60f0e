#!/usr/bin/python3
"""
The numpy side of bench/model: the same paired bootstrap as src/model/stats/bootstrap.ts,
vectorised the way a numpy user would write it (draw n indices per resample, score both models
on the same resample). Reads the float64 columns bench/model/run.ts wrote, prints one JSON line.

    /usr/bin/python3 bench/model/bootstrap_numpy.py <dir> <metric> <resamples> <seed>
"""
import json
import resource
import sys
import time

import numpy as np

directory, metric, resamples, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
y = np.fromfile(f"{directory}/label.f64")
c = np.fromfile(f"{directory}/candidate.f64")
p = np.fromfile(f"{directory}/production.f64")
n = len(y)
rng = np.random.default_rng(seed)
started = time.perf_counter()

if metric == "accuracy":
    # Per-row difference of correctness, as int8 (the numpy user's natural choice is the bool arrays;
    # the int8 difference is the fastest equivalent and the same algorithm as the TypeScript).
    diff = (((c >= 0.5) == (y == 1)).astype(np.int8) - ((p >= 0.5) == (y == 1)).astype(np.int8))
    diffs = np.empty(resamples)
    for r in range(resamples):
        diffs[r] = diff[rng.integers(0, n, n)].sum() / n
elif metric == "auc":
    def prep(s):
        order = np.argsort(s, kind="stable")
        ss = s[order]
        starts = np.flatnonzero(np.r_[True, ss[1:] != ss[:-1]])
        return order, y[order], starts

    def wauc(prepared, w):
        order, ys, starts = prepared
        ws = w[order]
        pos = np.add.reduceat(ws * ys, starts)
        neg = np.add.reduceat(ws * (1 - ys), starts)
        below = np.cumsum(neg) - neg
        return np.sum(pos * (below + 0.5 * neg)) / (pos.sum() * neg.sum())

    pc, pp = prep(c), prep(p)
    diffs = np.empty(resamples)
    for r in range(resamples):
        w = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)
        diffs[r] = wauc(pc, w) - wauc(pp, w)
else:
    raise SystemExit(f"unknown metric {metric}")

seconds = time.perf_counter() - started
diffs.sort()
k = max(1, int(np.ceil(0.05 * resamples)))
print(json.dumps({
    "seconds": seconds,
    "lower": float(diffs[k - 1]),
    "upper": float(diffs[resamples - k]),
    "standardError": float(np.std(diffs, ddof=1)),
    "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
