#!/usr/bin/env python3
"""drift-peer.py - the benchmark peer of sluice-drift: the same drift
statistics computed with pandas and scipy from the same JSON Lines.

    drift-peer.py save BASE.jsonl BASE.pkl     keep the baseline's columns
    drift-peer.py compare BASE.pkl CUR.jsonl   compare, print a JSON report

The saved baseline plays the part of sluice-drift's profile, so both sides
time the same work: read the current rows, summarise them, compare.  For the
three numeric fields: Wasserstein distance over the baseline's population
standard deviation, two-sample KS (asymptotic p), PSI over the baseline's
deciles (empty bins 1e-4); for the categorical one: Jensen-Shannon distance
(base 2), L-infinity and the chi-squared test of homogeneity; p-values
corrected with Benjamini-Hochberg.  Exit status 0 whatever the verdict (it
is a benchmark), 64 on bad usage.
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

NUMERIC = ["age", "income", "score"]
CATEGORICAL = ["segment"]


def load(path):
    frame = pd.read_json(path, lines=True, dtype=False)
    return frame[NUMERIC + CATEGORICAL]


def psi(base, cur):
    # bins (-inf, e1], (e1, e2], ..., (e9, inf) at the baseline's deciles
    edges = np.quantile(base, np.arange(1, 10) / 10, method="inverted_cdf")
    b = np.bincount(np.searchsorted(edges, base), minlength=10) / len(base)
    c = np.bincount(np.searchsorted(edges, cur), minlength=10) / len(cur)
    b = np.where(b == 0, 1e-4, b)
    c = np.where(c == 0, 1e-4, c)
    return float(np.sum((c - b) * np.log(c / b)))


def bh(p):
    p = np.asarray(p, float)
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(adj)
    out[order] = np.minimum(adj, 1)
    return out


def compare(base, cur):
    fields, pvalues = {}, []
    for f in NUMERIC:
        a = pd.to_numeric(base[f], errors="coerce").dropna().to_numpy(float)
        b = pd.to_numeric(cur[f], errors="coerce").dropna().to_numpy(float)
        ks = stats.ks_2samp(a, b, method="asymp")
        fields[f] = {"kind": "numeric", "stats": {
            "wasserstein_norm": stats.wasserstein_distance(a, b) / a.std(),
            "ks_d": float(ks.statistic), "ks_p": float(ks.pvalue),
            "psi": psi(a, b)}}
        pvalues.append((f, "ks_p"))
    for f in CATEGORICAL:
        a = base[f].dropna().astype(str).value_counts()
        b = cur[f].dropna().astype(str).value_counts()
        keys = sorted(set(a.index) | set(b.index))
        p = a.reindex(keys, fill_value=0).to_numpy(float)
        q = b.reindex(keys, fill_value=0).to_numpy(float)
        fields[f] = {"kind": "categorical", "stats": {
            "js_distance": float(jensenshannon(p, q, base=2)),
            "linf": float(np.abs(p / p.sum() - q / q.sum()).max()),
            "chi2_p": float(stats.chi2_contingency([p, q],
                                                    correction=False)[1])}}
        pvalues.append((f, "chi2_p"))
    adj = bh([fields[f]["stats"][s] for f, s in pvalues])
    for (f, s), v in zip(pvalues, adj):
        fields[f]["stats"][s + "_adjusted"] = float(v)
    for f, v in fields.items():
        s = v["stats"]
        v["drift"] = bool(s["wasserstein_norm"] > 0.1 if "ks_d" in s
                          else s["js_distance"] > 0.1)
    return {"drift": any(v["drift"] for v in fields.values()),
            "fields": fields}


def main(argv):
    if len(argv) != 4 or argv[1] not in ("save", "compare"):
        print("usage: drift-peer.py save BASE.jsonl BASE.pkl | "
              "compare BASE.pkl CUR.jsonl", file=sys.stderr)
        return 64
    if argv[1] == "save":
        load(argv[2]).to_pickle(argv[3])
        return 0
    report = compare(pd.read_pickle(argv[2]), load(argv[3]))
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
