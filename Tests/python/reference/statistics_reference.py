#!/usr/bin/env python3
"""Reference values for CrampInsights' statistics, computed with scipy and statsmodels.

Writes Tests/CrampInsightsTests/Fixtures/reference.json, which the Swift tests compare against
to 6 significant digits. test_statistics_reference.py runs this again and checks that the file
is what these libraries give, so the reference cannot drift from them.

usage: python3 Tests/python/reference/statistics_reference.py [--check]
"""
import json
import pathlib
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.stats.contingency import relative_risk
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

OUT = pathlib.Path(__file__).resolve().parents[2] / "CrampInsightsTests" / "Fixtures" / "reference.json"


def build():
    reference = {}
    reference["chi2_quantile"] = [{"p": p, "df": df, "x": float(stats.chi2.ppf(p, df))}
                                  for p, df in [(0.025, 2), (0.975, 2), (0.025, 26), (0.975, 28), (0.95, 1), (0.5, 7), (0.001, 3)]]
    reference["chi2_survival"] = [{"x": x, "df": df, "p": float(stats.chi2.sf(x, df))}
                                  for x, df in [(3.841458820694124, 1), (0.1, 1), (12.5, 1), (40.0, 1), (7.3, 4)]]
    reference["normal_quantile"] = [{"p": p, "z": float(stats.norm.ppf(p))} for p in [0.975, 0.5, 0.001, 0.9999, 0.02, 0.3]]
    reference["poisson_interval"] = [{"count": k, "lower": float(stats.chi2.ppf(0.025, 2 * k) / 2) if k > 0 else 0.0,
                                      "upper": float(stats.chi2.ppf(0.975, 2 * k + 2) / 2)} for k in [0, 1, 2, 5, 13, 40]]
    reference["clopper_pearson"] = []
    for k, n in [(0, 10), (3, 10), (10, 10), (7, 40), (1, 2), (25, 120)]:
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
        reference["clopper_pearson"].append({"k": k, "n": n, "lower": float(ci.low), "upper": float(ci.high)})
    reference["wilson"] = []
    for k, n in [(0, 5), (4, 5), (5, 5), (12, 30), (1, 7)]:
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        reference["wilson"].append({"k": k, "n": n, "lower": float(low), "upper": float(high)})
    reference["fisher"] = []
    for table in [[[3, 1], [1, 3]], [[12, 24], [13, 71]], [[0, 10], [6, 14]], [[5, 0], [0, 5]], [[2, 30], [9, 79]], [[1, 1], [1, 1]]]:
        result = stats.fisher_exact(table, alternative="two-sided")
        greater = stats.fisher_exact(table, alternative="greater").pvalue
        less = stats.fisher_exact(table, alternative="less").pvalue
        reference["fisher"].append({"table": table, "p": float(result.pvalue), "greater": float(greater), "less": float(less)})
    reference["relative_risk"] = []
    for a, n1, c, n0 in [(12, 36, 13, 84), (5, 9, 10, 50), (30, 60, 20, 60)]:
        result = relative_risk(a, n1, c, n0)
        ci = result.confidence_interval(confidence_level=0.95)
        reference["relative_risk"].append({"a": a, "b": n1 - a, "c": c, "d": n0 - c, "rr": float(result.relative_risk),
                                           "lower": float(ci.low), "upper": float(ci.high)})
    p_values = [0.01, 0.04, 0.03, 0.005, 0.5, 0.2, 0.04, 0.9]
    reference["benjamini_hochberg"] = {"p": p_values, "q": [float(q) for q in multipletests(p_values, method="fdr_bh")[1]]}
    reference["quantile"] = {"values": [3.0, 1.5, 9.0, 4.0, 4.0, 2.5, 7.0], "q25": float(np.quantile([3.0, 1.5, 9.0, 4.0, 4.0, 2.5, 7.0], 0.25)),
                             "q75": float(np.quantile([3.0, 1.5, 9.0, 4.0, 4.0, 2.5, 7.0], 0.75))}

    # A plain logistic regression on a fixed diary-like data set (no randomness at check time).
    rng = np.random.default_rng(20261126)
    n = 150
    exposure = (rng.random(n) < 0.3).astype(float)
    previous = (rng.random(n) < 0.25).astype(float)
    trend = np.arange(n) / (n - 1) - 0.5
    eta = -1.6 + 1.2 * exposure + 0.6 * previous - 0.4 * trend
    outcome = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    design = np.column_stack([np.ones(n), exposure, previous, trend])
    model = sm.Logit(outcome, design).fit(disp=0, tol=1e-12, maxiter=200)
    reference["logistic"] = {"rows": design.tolist(), "outcomes": outcome.astype(int).tolist(),
                             "coefficients": [float(x) for x in model.params], "standard_errors": [float(x) for x in model.bse],
                             "p_values": [float(x) for x in model.pvalues], "log_likelihood": float(model.llf)}
    # The likelihood-ratio test of the exposure's coefficient, as the trigger statistics use it.
    restricted = sm.Logit(outcome, design[:, [0, 2, 3]]).fit(disp=0, tol=1e-12, maxiter=200)
    reference["logistic"]["exposure_lr_p"] = float(stats.chi2.sf(2 * (model.llf - restricted.llf), 1))
    reference["versions"] = {"scipy": scipy.__version__, "statsmodels": sm.__version__ if hasattr(sm, "__version__") else "", "numpy": np.__version__}
    return reference


def main():
    reference = build()
    text = json.dumps(reference, indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        stored = json.loads(OUT.read_text())
        fresh = json.loads(text)
        stored.pop("versions", None)
        fresh.pop("versions", None)
        return 0 if compare(stored, fresh) else 1
    OUT.write_text(text)
    return 0


def compare(a, b, path="$"):
    """Equal up to 1e-9 relative: library versions may differ in the last digits."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(compare(a[k], b[k], f"{path}.{k}") for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(compare(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b)))
    if isinstance(a, float) or isinstance(b, float):
        ok = abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
        if not ok:
            print(f"{path}: stored {a}, libraries give {b}")
        return ok
    return a == b


if __name__ == "__main__":
    sys.exit(main())
