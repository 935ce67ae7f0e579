"""Chat with concurrency and impatient buyers: an exact birth-death model, vectorised over hours.

Each of ``c`` agents holds up to ``K`` chats; a chat's handle time is ``S_i`` while its agent
holds ``i`` chats (the per-level table ``aht_by_load_s``), so an agent with ``i`` chats finishes
them at rate ``R(i) = i / S_i``. New chats go to the least-loaded agent, so with ``x`` chats in
service ``x = i*c + r`` the loads are balanced: ``c - r`` agents hold ``i`` and ``r`` hold
``i + 1``, and chats finish at rate ``(c - r) R(i) + r R(i + 1)``. Past ``n = c*K`` chats wait
in FCFS order and leave after an exponential patience (rate ``theta``); the waiting tail is
the Erlang A tail with ``n*mu`` replaced by ``c R(K)`` (Luo & Zhang 2013; Tezcan & Zhang 2014).

Everything is computed in logs: the finite part by cumulative sums of log birth/death ratios
(closed-form Poisson sums when ``K = 1``), the tail by lower incomplete gamma functions
``gamma(s, y)`` with ``s = c R(K) / theta`` and ``y = lambda / theta``. With ``K = 1`` this is
exactly Erlang A, and with no abandonment exactly Erlang C.

Service level counts abandoned chats as failures: answered within ``tau`` / all arrivals.

Takes and returns numpy arrays; no frames.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats


def log_tail(a, x):
    """``log sum_{j>=0} x^j / ((a+1)(a+2)...(a+j))`` for ``a > 0, x >= 0``, stable for any size.

    Equals ``log(a) - a log(x) + x + log(gamma_lower(a, x))``; the regularised incomplete gamma
    is used where it does not underflow, a direct series elsewhere (there ``a >> x`` and the
    series converges in a few dozen terms).
    """
    a, x = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(x, dtype=float))
    out = np.zeros_like(a)
    pos = x > 0
    p = np.zeros_like(a)
    p[pos] = special.gammainc(a[pos], x[pos])
    direct = pos & (p > 1e-250)
    out[direct] = (np.log(a[direct]) - a[direct] * np.log(x[direct]) + x[direct]
                   + special.gammaln(a[direct]) + np.log(p[direct]))
    series = pos & ~direct
    if series.any():
        j = np.arange(1, 400)
        aa, xx = a[series][:, None], x[series][:, None]
        terms = np.cumsum(np.log(xx) - np.log(aa + j), axis=1)
        out[series] = np.logaddexp(0.0, special.logsumexp(terms, axis=1))
    return out


def _finite_part(c, lam, rates):
    """Log masses (relative to the empty state) of the states below full and of the full state.

    Returns ``(log_below, log_full, mean_busy_below)`` where ``log_below = log sum_{x<n} pi_x``,
    ``log_full = log pi_n`` and ``mean_busy_below = sum_{x<n} x pi_x / sum_{x<n} pi_x``.
    """
    K = len(rates) - 1
    n = c * K
    if K == 1:  # Poisson sums: Erlang A/C closed form, any size
        a = lam / rates[1]
        log_below = np.where(n > 0, a + stats.poisson.logcdf(n - 1, a), -np.inf)
        log_full = n * np.log(np.where(a > 0, a, 1.0)) - special.gammaln(n + 1)
        log_below_m1 = np.where(n > 1, a + stats.poisson.logcdf(n - 2, a), -np.inf)
        mean_below = np.where(n > 0, a * np.exp(log_below_m1 - np.where(np.isfinite(log_below), log_below, 0.0)), 0.0)
        return log_below, log_full, mean_below
    x = np.arange(1, int(n.max()) + 1)[None, :]
    cc = np.maximum(c[:, None], 1)
    i_full, r_full = x // cc, x % cc
    death = (cc - r_full) * rates[np.minimum(i_full, K)] + r_full * rates[np.minimum(i_full + 1, K)]
    step = np.log(lam)[:, None] - np.log(np.where(death > 0, death, 1.0))
    logp = np.concatenate([np.zeros((len(c), 1)), np.cumsum(step, axis=1)], axis=1)
    states = np.arange(logp.shape[1])[None, :]
    below = states < n[:, None]
    masked = np.where(below, logp, -np.inf)
    log_below = special.logsumexp(masked, axis=1)
    log_full = np.take_along_axis(logp, n[:, None], axis=1)[:, 0]
    weights = np.exp(masked - log_below[:, None])
    return log_below, log_full, (weights * states).sum(axis=1)


def chat_metrics(agents, volume_per_h, aht_by_load_s, patience_s, within_s) -> dict[str, np.ndarray]:
    """Service of ``agents`` agents (each up to ``len(aht_by_load_s)`` chats) for Poisson chat arrivals.

    Parameters
    ----------
    agents : agents at the desk per hour (int array)
    volume_per_h : chats reaching agents per hour (after bot deflection)
    aht_by_load_s : handle time of a chat while its agent holds 1, 2, ... chats (seconds)
    patience_s : mean patience in seconds; ``None`` or ``inf`` for no abandonment (Erlang C)
    within_s : answer-time target in seconds

    Returns
    -------
    dict of arrays: ``p_wait, service_level, abandon_rate, asa_s, occupancy`` (``asa_s`` is the
    mean wait over all arrivals; occupancy is the share of chat slots in use).
    """
    c, vol, tau = np.broadcast_arrays(np.asarray(agents, dtype=int), np.asarray(volume_per_h, dtype=float),
                                      np.asarray(within_s, dtype=float))
    c, vol, tau = (np.atleast_1d(v).copy() for v in (c, vol, tau))
    K = len(aht_by_load_s)
    rates = np.array([0.0] + [(i + 1) / s for i, s in enumerate(aht_by_load_s)])  # R(i) per second
    lam = vol / 3600.0
    theta = 0.0 if patience_s is None or not np.isfinite(patience_s) else 1.0 / patience_s
    out = {k: np.zeros(len(c)) for k in ("p_wait", "service_level", "abandon_rate", "asa_s", "occupancy")}
    out["service_level"][:] = 1.0
    busy = lam > 0
    none = busy & (c <= 0)
    for k, v in (("p_wait", 1.0), ("service_level", 0.0), ("abandon_rate", 1.0 if theta > 0 else 0.0), ("asa_s", np.inf if theta == 0 else 1.0 / max(theta, 1e-300))):
        out[k][none] = v
    go = busy & (c > 0)
    if go.any():
        res = _with_agents(c[go], lam[go], tau[go], rates, K, theta)
        for k, v in res.items():
            out[k][go] = v
    return out


def _with_agents(c, lam, tau, rates, K, theta) -> dict[str, np.ndarray]:
    full_rate = c * rates[K]
    log_below, log_full, mean_below = _finite_part(c, lam, rates)
    if theta > 0:
        s, y = full_rate / theta, lam / theta
        log_t = log_tail(s, y)
        served = np.exp(np.log(s) - np.log(s + 1) + log_tail(s + 1, y) - log_t)  # P(served | waits)
        y2 = y * np.exp(-theta * tau)
        late = np.exp((s + 1) * (-theta * tau) - (y2 - y) + log_tail(s + 1, y2) - log_tail(s + 1, y))
        within = served * (1.0 - late)  # P(served within tau | waits)
        p_ab_w = 1.0 - served
    else:
        stable = full_rate > lam
        log_t = np.where(stable, -np.log1p(-np.minimum(lam / full_rate, 1 - 1e-16)), np.inf)
        within = np.where(stable, 1.0 - np.exp(-(full_rate - lam) * tau), 0.0)
        p_ab_w = np.zeros_like(lam)
    log_wait = log_full + log_t
    with np.errstate(invalid="ignore"):
        p_wait = np.where(np.isfinite(log_wait), np.exp(log_wait - np.logaddexp(log_below, log_wait)), 1.0)
    p_ab = p_wait * p_ab_w
    if theta > 0:
        asa = p_ab / theta
    else:
        asa = np.where(full_rate > lam, p_wait / np.maximum(full_rate - lam, 1e-300), np.inf)
    n = c * K
    occupancy = ((1 - p_wait) * mean_below + p_wait * n) / n
    return {"p_wait": p_wait, "service_level": 1.0 - p_wait + p_wait * within, "abandon_rate": p_ab,
            "asa_s": asa, "occupancy": occupancy}
