"""Exact binomial confidence intervals for response rates.

Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits illustrated in
the case of the binomial. Biometrika 26(4), 404-413. The "exact" interval inverts two one-sided
binomial tests; its limits are beta quantiles:

    lower = B(alpha/2; k, n - k + 1),  upper = B(1 - alpha/2; k + 1, n - k)

with lower = 0 when k = 0 and upper = 1 when k = n. It never undercovers, which suits the small
single-arm ATC trials (n = 5 to 42) where normal approximations fail.
"""

from __future__ import annotations

#: Two-sided 95% intervals, as trial reports give them.
CONFIDENCE = 0.95


def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for ``k`` responders of ``n``, as proportions in [0, 1]."""
    # The regularised incomplete beta's inverse is the beta quantile (scipy.stats.beta.ppf) without
    # the import of scipy.stats, which takes seconds; imported here so `import atc_mine` stays light.
    from scipy.special import betaincinv

    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    alpha = 1 - confidence
    lower = 0.0 if k == 0 else float(betaincinv(k, n - k + 1, alpha / 2))
    upper = 1.0 if k == n else float(betaincinv(k + 1, n - k, 1 - alpha / 2))
    return lower, upper
