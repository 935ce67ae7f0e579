"""Queueing formulas: Erlang B and C in log space, vectorised over all hours of a plan.

Erlang B is ``PoisPMF(n; a) / PoisCDF(n; a)`` computed as a difference of logs, exact for any
number of servers (tested from 1 to 20,000) with no overflow; Erlang C follows from B. This is
the phone-queue reference; staffing uses ``scheduler.staffing.chat``, which reduces to it exactly with
one chat at a time and no abandonment.

Takes and returns numpy arrays; no frames.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def erlang_b(n, a):
    """Blocking probability of M/M/n/n with offered load ``a`` Erlangs (vectorised)."""
    n, a = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(a, dtype=float))
    out = np.where(n <= 0, 1.0, 0.0)
    ok = (n > 0) & (a > 0)
    out[ok] = np.exp(stats.poisson.logpmf(n[ok], a[ok]) - stats.poisson.logcdf(n[ok], a[ok]))
    return out


def erlang_c(n, a):
    """Probability that an arrival waits in M/M/n (1 when the queue is unstable)."""
    n, a = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(a, dtype=float))
    b = erlang_b(n, a)
    rho = np.divide(a, n, out=np.ones_like(a), where=n > 0)
    stable = (n > a) & (n > 0)
    c = np.ones_like(a)
    c[stable] = b[stable] / (1.0 - rho[stable] * (1.0 - b[stable]))
    c[a <= 0] = 0.0
    return c


def erlang_c_metrics(n, a, aht_s, within_s) -> dict[str, np.ndarray]:
    """P(wait), service level (share answered within ``within_s``), ASA and occupancy of M/M/n.

    Parameters
    ----------
    n : servers (int array); a : offered load in Erlangs; aht_s : mean service time in seconds;
    within_s : the answer-time target in seconds. All broadcast together.
    """
    n, a, aht_s, within_s = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (n, a, aht_s, within_s)))
    p_wait = erlang_c(n, a)
    spare = np.maximum(n - a, 0.0)
    stable = spare > 0
    sl = np.zeros_like(a)
    sl[stable] = 1.0 - p_wait[stable] * np.exp(-spare[stable] * within_s[stable] / aht_s[stable])
    sl[a <= 0] = 1.0
    asa = np.full_like(a, np.inf)
    asa[stable] = p_wait[stable] * aht_s[stable] / spare[stable]
    asa[a <= 0] = 0.0
    occupancy = np.divide(np.minimum(a, n), n, out=np.zeros_like(a), where=n > 0)
    return {"p_wait": p_wait, "service_level": sl, "asa_s": asa, "occupancy": occupancy}
