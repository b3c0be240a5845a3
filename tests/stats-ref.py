#!/usr/bin/env python3
"""stats-ref.py - reference values for libcommon/stats.c from scipy.stats.

Reads JSON Lines on stdin, one case each, and writes each case back with
"want" set to what scipy (or, for the project's own conventions, numpy)
computes.  tests/unit/test-stats.c pipes generated cases through it and
compares; tests/fixtures/stats/cases.jsonl was filled by it once and checked
in (run: tests/stats-ref.py < cases.jsonl).

Cases ("op" and its inputs):
  ks      a, b [, wa, wb]  ks_2samp(a, b, method="asymp") -> [D, p]
                           (weights: D from weighted CDFs, p from the
                           weight totals)
  ksp     d, n, m          the asymptotic p-value alone (kstwo.sf)
  w1      a, b [, wa, wb]  wasserstein_distance(a, b, wa, wb)
  psi     a, b             PSI of b against a's deciles (our convention,
                           restated in numpy: edges at np.quantile(a,
                           0.1 .. 0.9, method="inverted_cdf"), bins
                           (-inf, e1], ..., (e9, inf), empty share 1e-4)
  js      p, q             jensenshannon(p, q, base=2)
  linf    p, q             max |p/sum p - q/sum q|
  chi2    a, b             chi2_contingency([a, b], correction=False)[1]
                           on the columns not empty on both sides
  chi2sf  x, dof           chi2.sf(x, dof)
  bh      p                Benjamini-Hochberg adjusted p-values
  bonf    p                Bonferroni adjusted p-values
  quantile a, q            np.quantile(a, q, method="inverted_cdf")
"""
import json
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance


def wcdf(v, w, x):
    """Fraction of the weight on values <= x."""
    order = np.argsort(v, kind="stable")
    v, w = np.asarray(v, float)[order], np.asarray(w, float)[order]
    cum = np.concatenate([[0.0], np.cumsum(w)])
    return cum[np.searchsorted(v, x, side="right")] / cum[-1]


def ks(c):
    a, b = c["a"], c["b"]
    if "wa" not in c:
        r = stats.ks_2samp(a, b, method="asymp")
        return [float(r.statistic), float(r.pvalue)]
    allv = np.unique(np.concatenate([a, b]))
    d = float(np.max(np.abs(wcdf(a, c["wa"], allv) - wcdf(b, c["wb"], allv))))
    return [d, ksp({"d": d, "n": sum(c["wa"]), "m": sum(c["wb"])})]


def ksp(c):
    m, n = sorted([float(c["n"]), float(c["m"])], reverse=True)
    en = m * n / (m + n)
    return float(np.clip(stats.kstwo.sf(c["d"], np.round(en)), 0, 1))


def w1(c):
    return float(stats.wasserstein_distance(c["a"], c["b"], c.get("wa"),
                                            c.get("wb")))


def psi(c):
    a, b = np.asarray(c["a"], float), np.asarray(c["b"], float)
    edges = np.quantile(a, np.arange(1, 10) / 10, method="inverted_cdf")

    def shares(x):
        f = np.concatenate([[0.0], [np.mean(x <= e) for e in edges], [1.0]])
        s = np.diff(f)
        s[s <= 0] = 1e-4
        return s

    sa, sb = shares(a), shares(b)
    return float(np.sum((sb - sa) * np.log(sb / sa)))


def js(c):
    return float(distance.jensenshannon(c["p"], c["q"], base=2))


def linf(c):
    p, q = np.asarray(c["p"], float), np.asarray(c["q"], float)
    return float(np.max(np.abs(p / p.sum() - q / q.sum())))


def chi2(c):
    t = np.array([c["a"], c["b"]], float)
    t = t[:, t.sum(axis=0) > 0]
    if t.shape[1] < 2:
        return 1.0
    return float(stats.chi2_contingency(t, correction=False)[1])


def chi2sf(c):
    return float(stats.chi2.sf(c["x"], c["dof"]))


def bh(c):
    p = np.asarray(c["p"], float)
    n = len(p)
    order = np.argsort(p, kind="stable")
    raw = p[order] * n / np.arange(1, n + 1)
    adj = np.minimum.accumulate(raw[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(adj, 1)
    return [float(x) for x in out]


def bonf(c):
    return [float(min(1.0, x * len(c["p"]))) for x in c["p"]]


def quantile(c):
    return float(np.quantile(np.asarray(c["a"], float), c["q"],
                             method="inverted_cdf"))


OPS = {"ks": ks, "ksp": ksp, "w1": w1, "psi": psi, "js": js, "linf": linf,
       "chi2": chi2, "chi2sf": chi2sf, "bh": bh, "bonf": bonf,
       "quantile": quantile}

for line in sys.stdin:
    if not line.strip():
        continue
    case = json.loads(line)
    case["want"] = OPS[case["op"]](case)
    sys.stdout.write(json.dumps(case, separators=(",", ":")) + "\n")
