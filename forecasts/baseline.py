"""The normal-week weekday × hour baseline, its trend and the day-level busyness κ (MODEL_NOTES §1, §1.3).

Takes one queue's hours of the **history** frame (``queue, ds, y``) laid out as a day × clock-hour
grid (:func:`hour_grid`) and the **events** frame of the promotions calendar (``event, kind,
start, peak, end``, for :func:`normal_days`); returns no frame: a :class:`Baseline` (the 7 × 24
table of mean counts, its centre day and log slope per day), the trend slope and κ.

``B(dow, hour)`` is the mean count per weekday × hour over the last ``weeks`` weeks of normal
days (days at least ``margin_days`` away from every event) before a cut-off; ``slope`` a
log-linear daily trend fitted on all normal days (weekday-adjusted); κ the over-dispersion of
normal days' totals, by moments. Day numbers count days since 1970-01-01 (a Thursday, hence the
``+ 3`` in every weekday).
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasts.errors import InputError
from forecasts.phases import DAY_NS, HOUR_NS, ns


@dataclass(frozen=True)
class Baseline:
    """Weekday × hour mean counts ``table`` (7 × 24) centred on day ``mid`` with log ``slope`` per day."""

    table: np.ndarray
    mid: float
    slope: float

    def at(self, day: np.ndarray, dow: np.ndarray, hour: np.ndarray) -> np.ndarray:
        """Expected counts for hours given by day number (since epoch), weekday and hour."""
        return self.table[dow, hour] * np.exp(self.slope * (day - self.mid))


@contextmanager
def quiet():
    """Silence numpy's 'mean of empty slice' warnings inside a block."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def hour_grid(t: np.ndarray, y: np.ndarray, day0: int, n_days: int) -> np.ndarray:
    """One queue's counts ``y`` at hours ``t`` (ns) as an ``n_days`` × 24 grid from day ``day0``; NaN where missing."""
    grid = np.full((n_days, 24), np.nan)
    grid[t // DAY_NS - day0, (t // HOUR_NS) % 24] = y
    return grid


def normal_days(days: np.ndarray, events: pd.DataFrame, margin_days: int) -> np.ndarray:
    """Mask of ``days`` at least ``margin_days`` before every event's start and after its end."""
    ok = np.ones(days.size, dtype=bool)
    for ev in events.itertuples(index=False):
        lo = ns([ev.start])[0] // DAY_NS - margin_days
        hi = (ns([ev.end])[0] - 1) // DAY_NS + margin_days
        ok &= (days < lo) | (days > hi)
    return ok


def trend_slope(days: np.ndarray, grid: np.ndarray, ok: np.ndarray) -> float:
    """Log-linear daily trend of normal days' totals, adjusted for weekday.

    Clipped to ±50 %/year; 0 under a year of normal days (a shorter trend is confounded with
    the season).
    """
    if ok.sum() < 28 or np.ptp(days[ok]) < 365:
        return 0.0  # under a year a trend is confounded with the season: flat level
    tot = np.log(np.nansum(grid[ok], axis=1) + 1.0)
    dow = (days[ok] + 3) % 7  # 1970-01-01 was a Thursday
    for w in range(7):
        sel = dow == w
        if sel.any():
            tot[sel] -= tot[sel].mean()
    x = days[ok] - days[ok].mean()
    slope = float((x * tot).sum() / (x * x).sum())
    return float(np.clip(slope, -np.log(1.5) / 365, np.log(1.5) / 365))


def pick_days(ok: np.ndarray, weeks: int, cut: int, after: int | None = None) -> np.ndarray:
    """Indices of the last ``weeks`` weeks of normal days before ``cut``, else the first after ``after``."""
    want = 7 * weeks
    idx = np.flatnonzero(ok[:max(cut, 0)])[-want:]
    if idx.size < 14 and after is not None:
        idx = np.flatnonzero(ok[max(after, 0):])[:want] + max(after, 0)
    if idx.size == 0:
        idx = np.flatnonzero(ok)[-want:]
    return idx


def fit_baseline(days: np.ndarray, grid: np.ndarray, ok: np.ndarray, slope: float, weeks: int,
                 cut: int, after: int | None = None) -> Baseline:
    """Weekday × hour means of the normal days chosen by :func:`pick_days`, de-trended to their centre.

    Parameters
    ----------
    days : ndarray
        Day numbers of the grid's rows.
    grid : ndarray
        Counts, days × 24 (:func:`hour_grid`).
    ok : ndarray of bool
        Normal days with every open clock hour present.
    slope : float
        Log trend per day (:func:`trend_slope`).
    weeks : int
        Normal weeks to average.
    cut, after : int
        Row index before which to take the weeks, and from which to take them instead when
        fewer than two weeks lie before ``cut``.

    Returns
    -------
    Baseline
        Closed clock hours and weekdays (never seen) are 0.
    """
    idx = pick_days(ok, weeks, cut, after)
    if idx.size == 0:
        raise InputError("history: no normal day (a full day away from every event) to learn a baseline from")
    vals = grid[idx] * np.exp(-slope * (days[idx] - days[idx].mean()))[:, None]
    dow = (days[idx] + 3) % 7
    with quiet():
        table = np.tile(np.nanmean(vals, axis=0), (7, 1))
        for w in range(7):
            if (dow == w).any():
                table[w] = np.nanmean(vals[dow == w], axis=0)
            elif not np.isfinite(grid[(days + 3) % 7 == w]).any():
                table[w] = 0.0  # a weekday the queue is never open (e.g. weekends)
    table = np.nan_to_num(table)  # clock hours the queue is never open
    return Baseline(table=table, mid=float(days[idx].mean()), slope=slope)


def fit_kappa(days: np.ndarray, grid: np.ndarray, ok: np.ndarray, slope: float, weeks: int) -> float:
    """Day-level NB2 dispersion by moments over the last ``weeks`` weeks of normal days (MODEL_NOTES §1.3), κ = 1/φ."""
    idx = np.flatnonzero(ok)[-7 * weeks:]
    if idx.size < 14:
        return 100.0
    tot = np.nansum(grid[idx], axis=1) * np.exp(-slope * (days[idx] - days[idx].mean()))
    dow = (days[idx] + 3) % 7
    mu = np.empty_like(tot)
    for w in range(7):
        sel = dow == w
        n = sel.sum()
        if n:
            # leave-one-out mean so the fit does not eat the variance
            mu[sel] = (tot[sel].sum() - tot[sel]) / max(n - 1, 1) if n > 1 else tot[sel]
    phi = float(((tot - mu) ** 2 - mu).sum() / (mu**2).sum())
    return float(np.clip(1.0 / max(phi, 1e-4), 5.0, 1e4))
