"""The promotion-aware hourly forecaster (MODEL_NOTES §1).

Takes the **history** frame (``queue, ds, y``, see :mod:`forecasts.history`) and a
:class:`forecasts.promotions.Promotions` calendar (``events``: ``event, kind, start, peak,
end``; ``phases``: ``event, phase, start, end``); returns the **forecast** frame
``queue, ds, mean, p10, p50, p90`` (one row per queue × hour, sorted by queue then ds).

Model, per queue q and hour t::

    λ(t) = B(dow, hour) · exp(slope · (t - t_B)) · U(slot(t)) · G(day),   y ~ Poisson(λ)

* ``B`` the normal-week baseline: mean count per weekday × hour over the last
  ``baseline_weeks`` weeks of normal days (days at least ``margin_days`` away from every
  event) before the end of the history; ``slope`` a log-linear daily trend fitted on all
  normal days (weekday-adjusted); ``t_B`` the centre of the baseline window.
* ``slot(t)``: each hour of an event is mapped to one phase (the covering phase that started
  last; ties go deposit > final_payment > peak > aftersales > warmup) and a cell
  ``(d, h)`` of that phase: warm-up ``d`` = days before the peak day, ``h`` = clock hour;
  after-sales ``d`` = days since the phase started, ``h`` = clock hour; deposit,
  final-payment and peak ``d, h`` = divmod(hours since the phase opened, 24). So the planned
  event's own calendar drives the forecast: moving its final-payment opening moves the spike.
* ``log U`` learned from past events, each against its *own* baseline (the normal weeks
  just before it, or just after it when the history starts inside the event): residuals
  ``r_e = log((y + ½) / (b_e + ½))`` per cell, averaged over past events of the planned
  event's ``kind`` (all events if fewer than two of that kind) and shrunk toward a smooth
  fit ``m`` (empirical Bayes, MODEL_NOTES §1.2): ``w = τ² / (τ² + σ²/E)``. ``m`` is the
  additive day + hour fit for multi-day phases and a 3-hour moving average for short ones.
* After-sales wave (``waves``, e.g. ``{"aftersale": "presale"}``): the responding queue's
  after-sales phase has no free profile; its excess is ``b·S·ρ·(k_L * o)``, a gamma-lagged
  response to the orders queue's excess in the order phases (:mod:`forecasts.wave`), with one
  ``(ρ, L)`` pair per past event drawn for the bands (weighted by the wave's first days in a
  re-forecast).
* Unpaid orders (``shares``, e.g. ``{"reminder": "presale"}``): the driven queue has no profile
  of its own in the forecast; its uplift is ``1 + ρ·(U_o − 1)`` hour by hour, ``U_o`` the orders
  queue's drawn uplift and ``ρ`` one past event's share in the hour's phase (:mod:`forecasts.share`).
* Hours of the window outside the driving event get the baseline only; one event (the
  ``event`` argument, or the calendar's event overlapping the window most) drives the uplift.
* Event scale: the uplift above the baseline is ``b·(1 + S·(U − 1))`` with one scale ``S`` per
  event shared by every queue (orders drive pre-sale, reminders and the after-sales wave alike),
  ``log S ~ N(0, τ²)``, ``τ²`` the spread of past events' scales; when the profile pools other
  kinds, ``log S`` is centred on the planned kind's own past events (:meth:`_kind_level`); optionally (``lead_signal``)
  shifted by the planned event's own deposit opening when it is already in the history.
  ``peak_multiplier`` rescales ``S·(U − 1)`` for a what-if (see :class:`PromoForecaster`).
* Closed hours (a clock hour or weekday never seen in a queue's history) forecast 0.
* Bands by simulation (MODEL_NOTES §1.3): each draw picks one past event and adds its
  day-level deviation from the pooled profile, centred on that event's mean (event bootstrap), the event scale ``S`` plus a Gaussian
  ``N(0, σ_between / √E)``, a day-level busyness ``G ~ Gamma(κ, 1/κ)`` with κ estimated by
  moments from normal days, and Poisson noise. Seeded, so deterministic.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecasts.errors import InputError
from forecasts.promotions import Promotions
from forecasts.share import event_ratios, fit_share
from forecasts.wave import ORDER_PHASES, Sample, fit_wave, respond

PHASE_ORDER = ("warmup", "deposit", "final_payment", "peak", "aftersales")
# tie-break when two phases start at the same hour: the higher number wins
_PRIORITY = {"warmup": 0, "aftersales": 1, "peak": 2, "final_payment": 3, "deposit": 4}
_LONG = {"warmup", "aftersales"}
N_DAYS_CELL = 45  # days per phase grid (longer phases reuse the last day)
DAY_NS = 86_400 * 10**9
HOUR_NS = 3_600 * 10**9


@dataclass(frozen=True)
class _Baseline:
    """Weekday × hour mean counts ``table`` (7 × 24) centred on day ``mid`` with log ``slope`` per day."""

    table: np.ndarray
    mid: float
    slope: float

    def at(self, day: np.ndarray, dow: np.ndarray, hour: np.ndarray) -> np.ndarray:
        """Expected counts for hours given by day number (since epoch), weekday and hour."""
        return self.table[dow, hour] * np.exp(self.slope * (day - self.mid))


@dataclass(frozen=True)
class _EventData:
    """One event's hours ``t`` in the history: log residuals ``r`` against its own baseline ``b``
    (plus its fitted after-sales ``wave``, in counts, for a queue with one), counts ``y``, phase
    ``cells`` (see :func:`_cells`) and days to the peak ``kday``."""

    t: np.ndarray
    r: np.ndarray
    cells: list
    kday: np.ndarray
    y: np.ndarray
    b: np.ndarray
    wave: np.ndarray | None = None


def _phase_hours(data: "_EventData", phases: tuple[str, ...]) -> np.ndarray:
    """Mask of an event's hours inside any of ``phases``."""
    mask = np.zeros(data.r.size, dtype=bool)
    for k, pos, _, _ in data.cells:
        if PHASE_ORDER[k] in phases:
            mask[pos] = True
    return mask


def _deposit_hours(data: "_EventData") -> np.ndarray:
    """Mask of an event's hours inside its deposit phase."""
    return _phase_hours(data, ("deposit",))


def _wave_sample(orders: "_EventData", resp: "_EventData") -> Sample:
    """One past event on a regular hourly grid for :func:`forecasts.wave.fit_wave`: the orders
    queue's excess in the order phases (in units of its mean baseline hour), the responding
    queue's counts and baseline, fitted on its after-sales phase."""
    t0 = min(orders.t.min(), resp.t.min())
    n = int((max(orders.t.max(), resp.t.max()) - t0) // HOUR_NS) + 1
    o, y, b, fit = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool)
    sel = _phase_hours(orders, ORDER_PHASES)
    o[(orders.t[sel] - t0) // HOUR_NS] = (orders.y - orders.b)[sel] / max(float(orders.b.mean()), 1e-9)
    pos = (resp.t - t0) // HOUR_NS
    y[pos], b[pos] = resp.y, resp.b
    fit[pos[_phase_hours(resp, ("aftersales",))]] = True
    return Sample(orders=o, y=y, b=b, fit=fit, t0=int(t0))


def _phase_index(cells: list, size: int) -> np.ndarray:
    """Each hour's phase, an index of ``PHASE_ORDER`` (−1 outside every phase): of the phases covering
    the hour, the one ``_PRIORITY`` ranks highest (a final-payment window inside the peak day or
    the warm-up, a deposit opening inside the warm-up)."""
    phase, rank = np.full(size, -1), np.full(size, -1)
    for k, pos, _, _ in cells:
        better = pos[_PRIORITY[PHASE_ORDER[k]] > rank[pos]]
        phase[better], rank[better] = k, _PRIORITY[PHASE_ORDER[k]]
    return phase


def _share_ratios(orders: "_EventData", driven: "_EventData") -> tuple[np.ndarray, float]:
    """One past event's shares (:func:`forecasts.share.event_ratios`) over the hours both queues have."""
    _, io, idr = np.intersect1d(orders.t, driven.t, return_indices=True)
    rel = np.where(orders.b[io] > 0, orders.y[io] / np.maximum(orders.b[io], 1e-9) - 1.0, 0.0)
    phase = _phase_index(driven.cells, driven.t.size)[idr]
    return event_ratios(rel, driven.y[idr], driven.b[idr], phase, len(PHASE_ORDER))


def _without_aftersales(cells: list) -> list:
    """Phase cells minus the after-sales phase (a queue with a wave models that phase by the wave)."""
    return [c for c in cells if PHASE_ORDER[c[0]] != "aftersales"]


def _ns(values) -> np.ndarray:
    """Timestamps as int64 nanoseconds since the epoch."""
    return np.asarray(pd.to_datetime(values).astype("datetime64[ns]"), dtype="datetime64[ns]").astype(np.int64)


def _cells(t_ns: np.ndarray, peak_ns: int, phases: pd.DataFrame) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Map hours to the cells of every phase covering them.

    Returns a list of ``(phase index, positions in t_ns, day cell, hour cell)``, one item per
    phase row: warm-up ``d`` = days before the peak day, ``h`` = clock hour; after-sales
    ``d`` = days since the phase started, ``h`` = clock hour; deposit, final payment and peak
    ``(d, h)`` = divmod(hours since the phase opened, 24).
    """
    out = []
    day = t_ns // DAY_NS
    clock = (t_ns // HOUR_NS) % 24
    for row in phases.itertuples(index=False):
        s, e = _ns([row.start])[0], _ns([row.end])[0]
        pos = np.flatnonzero((t_ns >= s) & (t_ns < e))
        if pos.size == 0:
            continue
        if row.phase == "warmup":
            d, h = peak_ns // DAY_NS - day[pos], clock[pos]
        elif row.phase == "aftersales":
            d, h = day[pos] - s // DAY_NS, clock[pos]
        else:
            d, h = np.divmod((t_ns[pos] - s) // HOUR_NS, 24)
        out.append((PHASE_ORDER.index(row.phase), pos, np.clip(d, 0, N_DAYS_CELL - 1), h))
    return out


def _smooth(g: np.ndarray, phase: str) -> np.ndarray:
    """Low-dimensional fit m of a (day, hour) grid: day + hour effects for long phases, 3-hour MA else."""
    if np.isnan(g).all():
        return g.copy()
    with _quiet():
        if phase in _LONG:
            hour = np.nanmean(g - np.nanmean(g, axis=1, keepdims=True), axis=0)
            hour = np.nan_to_num(hour)
            m = np.nanmean(g - hour[None, :], axis=1, keepdims=True) + hour[None, :]
        else:
            pad = np.concatenate([[np.nan], g.reshape(-1), [np.nan]])
            m = np.nanmean(np.stack([pad[:-2], pad[1:-1], pad[2:]]), axis=0).reshape(g.shape)
    return np.where(np.isnan(g), np.nan, m)


def _shrink(R: np.ndarray, phase: str) -> np.ndarray:
    """Empirical-Bayes cell estimate ``w·r̄ + (1-w)·m`` from per-event grids R (event, day, hour).

    ``r̄`` the mean over events, ``σ²`` the between-event variance (smoothed over neighbouring
    hours, median where fewer than two events), ``m`` the smooth fit (:func:`_smooth`),
    ``τ² = var(r̄ - m)``, ``w = τ² / (τ² + σ²/E)`` (MODEL_NOTES §1.2). NaN where no event has data.
    """
    n = (~np.isnan(R)).sum(axis=0)
    with _quiet():
        rbar = np.nanmean(R, axis=0)
        var = np.nanvar(R, axis=0, ddof=1) if R.shape[0] > 1 else np.full(rbar.shape, np.nan)
        var = np.where(n >= 2, var, np.nan)
        pad = np.concatenate([var[:, -1:], var, var[:, :1]], axis=1)
        var = np.nanmean(np.stack([pad[:, :-2], pad[:, 1:-1], pad[:, 2:]]), axis=0)
        med = float(np.nanmedian(var)) if np.isfinite(var).any() else 0.05
    var = np.where(np.isnan(var), med, var)
    m = _smooth(rbar, phase)
    diff = (rbar - m)[~np.isnan(rbar)]
    if diff.size == 0:
        return rbar
    tau2 = max(float(np.var(diff)), 1e-6)
    w = tau2 / (tau2 + var / np.maximum(n, 1))
    return w * rbar + (1 - w) * m


def _backfit(events: list, n_iter: int = 8) -> np.ndarray:
    """Additive log-uplift components (phase, day, hour) from past events by backfitting.

    ``events`` is a list of ``(r, cells)``: the event's hourly log residuals and its
    :func:`_cells`. Each hour's residual is the sum of the components of every phase covering
    it (e.g. the final-payment opening on top of the peak day), so calendars that differ
    between events separate the components. Each sweep re-estimates one phase at a time from
    the partial residuals with :func:`_shrink`. NaN where no event has data.
    """
    comps = np.full((len(PHASE_ORDER), N_DAYS_CELL, 24), np.nan)
    present = sorted({c[0] for _, cells in events for c in cells})
    for _ in range(n_iter):
        for k in present:
            R = np.full((len(events), N_DAYS_CELL, 24), np.nan)
            for e, (r, cells) in enumerate(events):
                fit = _fitted(comps, cells, r.size)
                for kk, pos, d, h in cells:
                    if kk == k:
                        own = np.nan_to_num(comps[k, d, h])
                        R[e, d, h] = r[pos] - fit[pos] + own
            comps[k] = _shrink(R, PHASE_ORDER[k])
    return comps


def _fitted(comps: np.ndarray, cells: list, size: int) -> np.ndarray:
    """Sum of the components covering each hour (0 where none or unknown)."""
    fit = np.zeros(size)
    for k, pos, d, h in cells:
        fit[pos] += np.nan_to_num(comps[k, d, h])
    return fit


@contextmanager
def _quiet():
    """Silence numpy's 'mean of empty slice' warnings inside a block."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _fill_days(grid: np.ndarray) -> np.ndarray:
    """Fill NaN cells of a (phase, day, hour) grid from the nearest day with data, else 0."""
    out = grid.copy()
    for k in range(out.shape[0]):
        for hr in range(out.shape[2]):
            col = out[k, :, hr]
            ok = np.flatnonzero(~np.isnan(col))
            if ok.size == 0:
                col[:] = 0.0
                continue
            idx = np.arange(col.size)
            nearest = ok[np.abs(idx[:, None] - ok[None, :]).argmin(axis=1)]
            out[k, :, hr] = col[nearest]
    return out


class PromoForecaster:
    """Baseline × pooled event uplift × busyness forecaster (scikit-learn style).

    Parameters
    ----------
    baseline_weeks : int
        Normal weeks used for the weekday × hour baseline (and per-event baselines).
    n_draws : int
        Monte Carlo draws for the bands.
    seed : int
        Seed of the simulation; equal seeds give equal forecasts.
    quantiles : tuple of float
        The three quantiles reported as ``p10, p50, p90``.
    margin_days : int
        Days before an event's start and after its end also kept out of normal days.
    kappa_weeks : int
        Normal weeks used to estimate the over-dispersion κ.
    trend : bool
        Fit a log-linear daily trend on normal days (clipped to ±50 %/year) when they span at least a
        year (a shorter trend is confounded with the season); False = flat level.
    lead_signal : bool
        Use the planned event's own hours already in the history (warm-up, deposit opening)
        as a lead indicator of its scale (see :meth:`_event_scale`). Off by default: on the
        demo backtest it helped Double 11 but hurt 618 (see the issue-5 report).
    peak_multiplier : float, optional
        What-if: rescale the planned event so that its **peak day** (the calendar day of the
        event's ``peak``), summed over all queues, has ``peak_multiplier ×`` the volume of a
        normal day (the baseline forecast for that same day). Every hour's uplift *above the
        baseline* (all queues, every phase: warm-up, sale, after-sales wave, reminders) is
        multiplied by the same factor ``s = (m − 1)·B / (F − B)`` (``B`` the baseline, ``F`` the
        learned forecast of the peak day), so the shape is kept and the after-sales wave
        follows the order volume. ``None`` (default) = as learned. Must be ≥ 1.
    waves : dict, optional
        Responding queue → orders queue, e.g. ``{"aftersale": "presale"}``: the responding
        queue's after-sales phase is modelled as a lagged response to the orders queue's volume
        in the order phases (:mod:`forecasts.wave`), with each past event's lag and ratio, instead
        of a free day × hour profile. ``None`` (default): no wave, every queue has a profile.
    shares : dict, optional
        Driven queue → orders queue, e.g. ``{"reminder": "presale"}`` (unpaid orders follow
        orders): the driven queue's uplift is the orders queue's, hour by hour, times a share per
        phase learned from each past event (:mod:`forecasts.share`), instead of its own profile.
        The orders queue must have its own profile (not be driven itself).
    """

    def __init__(self, baseline_weeks: int = 8, n_draws: int = 1000, seed: int = 0,
                 quantiles: tuple[float, float, float] = (0.1, 0.5, 0.9), margin_days: int = 3,
                 kappa_weeks: int = 26, trend: bool = True, lead_signal: bool = False,
                 peak_multiplier: float | None = None, waves: dict | None = None, shares: dict | None = None):
        self.waves = waves
        self.shares = shares
        self.baseline_weeks = baseline_weeks
        self.trend = trend
        self.lead_signal = lead_signal
        self.peak_multiplier = peak_multiplier
        self.n_draws = n_draws
        self.seed = seed
        self.quantiles = quantiles
        self.margin_days = margin_days
        self.kappa_weeks = kappa_weeks

    # ------------------------------------------------------------------ fit
    def fit(self, history: pd.DataFrame, promotions: Promotions) -> "PromoForecaster":
        """Learn baselines, past events' uplift residuals and κ per queue.

        Parameters
        ----------
        history : DataFrame
            ``queue, ds, y`` hourly counts.
        promotions : Promotions
            Past and planned events with their phases.

        Returns
        -------
        PromoForecaster
            ``self``, with ``queues_``, ``baseline_`` (per queue), ``kappa_`` (per queue),
            ``residuals_`` (per queue: past event → its hourly log residuals against its own
            baseline, their phase cells and days to the peak), ``past_events_``,
            ``partial_`` (per queue: events under way at the end of the history → the same for
            their hours seen so far, the lead signal of their scale), ``history_end_`` and
            ``promotions_`` set; ``waves_`` (responding queue → fitted :class:`~forecasts.wave.Wave`)
            for the ``waves`` that have a past event with both queues; ``shares_`` (driven queue →
            fitted :class:`~forecasts.share.Share`) likewise.
        """
        missing = {"queue", "ds", "y"} - set(history.columns)
        if missing:
            raise InputError(f"history frame: missing column(s) {', '.join(sorted(missing))}")
        hist = history[["queue", "ds", "y"]]
        ds = _ns(hist["ds"])
        day0 = ds.min() // DAY_NS
        n_days = int(ds.max() // DAY_NS - day0 + 1)
        days = day0 + np.arange(n_days)
        normal = self._normal_days(days, promotions)
        self.promotions_ = promotions
        self.history_end_ = pd.Timestamp(ds.max())
        self.queues_ = sorted(hist["queue"].unique())
        self.baseline_, self.kappa_, self.residuals_, self.partial_ = {}, {}, {}, {}
        for q in self.queues_:
            sel = (hist["queue"] == q).to_numpy()
            grid = np.full((n_days, 24), np.nan)
            t = ds[sel]
            grid[t // DAY_NS - day0, (t // HOUR_NS) % 24] = hist["y"].to_numpy(dtype=float)[sel]
            open_h = ~np.isnan(grid).all(axis=0)  # clock hours the queue is ever open
            ok = normal & ~np.isnan(grid[:, open_h]).any(axis=1)
            slope = self._slope(days, grid, ok) if self.trend else 0.0
            self.baseline_[q] = self._baseline(days, grid, ok, slope, cut=n_days)
            self.kappa_[q] = self._kappa(days, grid, ok, slope)
            self.residuals_[q], self.partial_[q] = self._event_residuals(days, grid, ok, slope, promotions)
        self.waves_ = self._fit_waves()
        self.shares_ = self._fit_shares()
        self.past_events_ = sorted({e for q in self.queues_ for e in self.residuals_[q]})
        return self

    def _fit_waves(self) -> dict:
        """Fit each responding queue's wave and take it out of that queue's residuals.

        The responding queue's past events get residuals against baseline + their own fitted
        wave and lose their after-sales cells (the wave is that phase's model), so the profile
        learns the other phases; events under way lose their after-sales cells too.
        """
        waves, self.wave_samples_ = {}, {}
        for q, oq in (self.waves or {}).items():
            self._check_pair("wave", q, oq)
            past = self.residuals_[q]
            samples = {e: _wave_sample(self.residuals_[oq][e], d) for e, d in past.items() if e in self.residuals_[oq]}
            wave = fit_wave(samples)
            if wave is None:
                continue
            waves[q], self.wave_samples_[q] = wave, samples
            for i, e in enumerate(wave.events):
                d, smp = past[e], samples[e]
                own = (smp.b * wave.ratios[i] * respond(smp.orders, wave.lags[i], wave.shape))[(d.t - smp.t0) // HOUR_NS]
                past[e] = replace(d, r=np.log((d.y + 0.5) / (d.b + own + 0.5)), wave=own)
            for book in (past, self.partial_[q]):
                for e, d in book.items():
                    book[e] = replace(d, cells=_without_aftersales(d.cells))
        return waves

    def _fit_shares(self) -> dict:
        """Fit each driven queue's shares of its orders queue's uplift, from the past events both queues have."""
        shares = {}
        for q, oq in (self.shares or {}).items():
            self._check_pair("share", q, oq)
            if q in (self.waves or {}) or oq in self.shares:
                raise InputError(f"forecast: share {q} → {oq}: a driven queue has no wave, and its orders queue "
                                 "is not driven itself")
            per_event = {e: _share_ratios(self.residuals_[oq][e], d) for e, d in self.residuals_[q].items()
                         if e in self.residuals_[oq]}
            share = fit_share(per_event)
            if share is not None:
                shares[q] = share
        return shares

    def _check_pair(self, what: str, q: str, oq: str) -> None:
        """A wave's or a share's two queues: both in the history, and not the same."""
        if q not in self.queues_ or oq not in self.queues_ or q == oq:
            raise InputError(f"forecast: {what} {q} → {oq} must name two queues the history has "
                             f"(it has {', '.join(self.queues_)})")

    def _normal_days(self, days: np.ndarray, promotions: Promotions) -> np.ndarray:
        ok = np.ones(days.size, dtype=bool)
        for ev in promotions.events.itertuples(index=False):
            lo = _ns([ev.start])[0] // DAY_NS - self.margin_days
            hi = (_ns([ev.end])[0] - 1) // DAY_NS + self.margin_days
            ok &= (days < lo) | (days > hi)
        return ok

    @staticmethod
    def _slope(days: np.ndarray, grid: np.ndarray, ok: np.ndarray) -> float:
        """Log-linear daily trend of normal days' totals, adjusted for weekday; clipped to ±50 %/year; 0 under a year of normal days."""
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

    def _pick_days(self, ok: np.ndarray, cut: int, after: int | None = None) -> np.ndarray:
        """Indices of the last ``baseline_weeks`` weeks of normal days before ``cut``, else the first after ``after``."""
        want = 7 * self.baseline_weeks
        idx = np.flatnonzero(ok[:max(cut, 0)])[-want:]
        if idx.size < 14 and after is not None:
            idx = np.flatnonzero(ok[max(after, 0):])[:want] + max(after, 0)
        if idx.size == 0:
            idx = np.flatnonzero(ok)[-want:]
        return idx

    def _baseline(self, days, grid, ok, slope, cut, after=None) -> _Baseline:
        """Weekday × hour means of the normal days chosen by :meth:`_pick_days`, de-trended to their centre."""
        idx = self._pick_days(ok, cut, after)
        if idx.size == 0:
            raise InputError("history: no normal day (a full day away from every event) to learn a baseline from")
        vals = grid[idx] * np.exp(-slope * (days[idx] - days[idx].mean()))[:, None]
        dow = (days[idx] + 3) % 7
        with _quiet():
            table = np.tile(np.nanmean(vals, axis=0), (7, 1))
            for w in range(7):
                if (dow == w).any():
                    table[w] = np.nanmean(vals[dow == w], axis=0)
                elif not np.isfinite(grid[(days + 3) % 7 == w]).any():
                    table[w] = 0.0  # a weekday the queue is never open (e.g. weekends)
        table = np.nan_to_num(table)  # clock hours the queue is never open
        return _Baseline(table=table, mid=float(days[idx].mean()), slope=slope)

    def _kappa(self, days, grid, ok, slope) -> float:
        """Day-level NB2 dispersion by moments (MODEL_NOTES §1.3), κ = 1/φ."""
        idx = np.flatnonzero(ok)[-7 * self.kappa_weeks:]
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

    def _event_residuals(self, days, grid, ok, slope, promotions: Promotions) -> tuple[dict, dict]:
        """Per event seen in the history: hourly log residuals against its own baseline.

        Returns ``(past, partial)``: ``past`` holds events whose peak day is in the history,
        ``partial`` events under way when the history ends (their hours seen so far). Each value
        is an :class:`_EventData`.
        """
        past, partial = {}, {}
        day0 = days[0]
        open_h = ~np.isnan(grid).all(axis=0)
        for ev in promotions.events.itertuples(index=False):
            s, e, pk = (_ns([x])[0] for x in (ev.start, ev.end, ev.peak))
            pd_idx = pk // DAY_NS - day0
            if (e - 1) // DAY_NS < day0 or s // DAY_NS > days[-1]:
                continue  # no hour of the event in the history
            in_past = 0 <= pd_idx < len(days) and np.isnan(grid[pd_idx, open_h]).sum() <= 4
            if not in_past and pd_idx < len(days):
                continue  # peak day in the history but missing: unusable
            base = self._baseline(days, grid, ok, slope, cut=s // DAY_NS - day0,
                                  after=(e - 1) // DAY_NS - day0 + self.margin_days + 1)
            t = np.arange(max(s, day0 * DAY_NS), min(e, (days[-1] + 1) * DAY_NS), HOUR_NS)
            y = grid[t // DAY_NS - day0, (t // HOUR_NS) % 24]
            t = t[~np.isnan(y)]
            y = y[~np.isnan(y)]
            if t.size == 0:
                continue
            b = base.at(t // DAY_NS, (t // DAY_NS + 3) % 7, (t // HOUR_NS) % 24)
            data = _EventData(t=t, r=np.log((y + 0.5) / (b + 0.5)), cells=_cells(t, pk, promotions.phases_of(ev.event)),
                              kday=t // DAY_NS - pk // DAY_NS, y=y, b=b)
            (past if in_past else partial)[ev.event] = data
        return past, partial

    # -------------------------------------------------------------- predict
    def predict(self, start, end, event: str | None = None) -> pd.DataFrame:
        """Forecast every queue and hour from ``start`` 00:00 to ``end`` 23:00.

        Parameters
        ----------
        start, end : date-like
            First and last day of the window (times of day are ignored: the forecast covers
            ``start`` 00:00 .. ``end`` 23:00 inclusive).
        event : str, optional
            The planned event whose phase calendar drives the uplift. Default: the event of
            the calendar that overlaps the window most; none → baseline only.

        Returns
        -------
        DataFrame
            ``queue, ds, mean, p10, p50, p90`` (floats ≥ 0, ``p10 ≤ p50 ≤ p90``), sorted by
            queue then ds.
        """
        first = pd.Timestamp(start).normalize()
        last = pd.Timestamp(end).normalize()
        if last < first:
            raise InputError(f"forecast window: end {last:%Y-%m-%d} is before start {first:%Y-%m-%d}")
        t = np.arange(_ns([first])[0], _ns([last])[0] + DAY_NS, HOUR_NS)
        name = self._pick_event(t, event)
        rng = np.random.default_rng(self.seed)
        return self._predict_all(t, name, rng)

    def _pick_event(self, t: np.ndarray, event: str | None) -> str | None:
        evs = self.promotions_.events
        if event is not None:
            if event not in set(evs["event"]):
                raise InputError(f"forecast: unknown event {event!r}; the promotions calendar has "
                                 f"{', '.join(evs['event'])}")
            return event
        best, best_n = None, 0
        for ev in evs.itertuples(index=False):
            s, e = _ns([ev.start])[0], _ns([ev.end])[0]
            n = int(((t >= s) & (t < e)).sum())
            if n > best_n:
                best, best_n = ev.event, n
        return best

    def _pool(self, q: str, kind: str, planned: str):
        """Log-uplift components, centred per-event day deviations and the bootstrap inflation.

        Past events of the same ``kind`` are pooled when there are at least two, else the past
        events with the same set of phases as the ``planned`` event (at least two), else the one
        event of the kind, else all past events; cells none of them has are taken from the all-event fit, then from the nearest
        day with data. Each event's day deviations from the pooled profile are centred on the
        event's own mean (the event's overall scale is handled by :meth:`_event_scale`).
        Returns None without past events, else ``(comps, dev, inflation, names)``.
        """
        res = self.residuals_[q]
        kinds = self.promotions_.kinds()
        same = [k for k in res if kinds.get(k) == kind]
        if len(same) < 2:  # too few of the kind: pool the events with the same phases (e.g. deposit + final payment)
            phases = self.promotions_.phases
            shape = {k: frozenset(phases.loc[phases["event"] == k, "phase"]) for k in set(kinds)}
            alike = [k for k in res if shape[k] == shape[planned]]
            same = alike if len(alike) >= 2 else (same or list(res))
        names = same
        if not names:
            return None
        chosen = _backfit([(res[k].r, res[k].cells) for k in names])
        if len(names) < len(res):
            chosen = np.where(np.isnan(chosen), _backfit([(v.r, v.cells) for v in res.values()]), chosen)
        comps = _fill_days(chosen)
        dev = np.zeros((len(names), 2 * N_DAYS_CELL + 1))
        seen = []
        for i, k in enumerate(names):
            d = res[k]
            resid = d.r - _fitted(comps, d.cells, d.r.size)
            kd = np.clip(d.kday, -N_DAYS_CELL, N_DAYS_CELL) + N_DAYS_CELL
            cnt = np.bincount(kd, minlength=dev.shape[1])
            tot = np.bincount(kd, weights=resid, minlength=dev.shape[1])
            dev[i] = np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0)
            dev[i] = np.where(cnt > 0, dev[i] - np.average(dev[i], weights=cnt), 0.0)
            seen.append(dev[i][cnt > 0])
        seen = np.concatenate(seen)
        sigma_b = float(np.std(seen)) if seen.size > 1 else 0.1
        return comps, dev, sigma_b / np.sqrt(len(names)), names

    def _excess(self, data: "_EventData", comps: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, float]:
        """Observed and pooled-profile excess volume over the baseline (and the event's own wave), ``Σ(y − b)`` and ``Σ b(U − 1)``."""
        u = np.exp(_fitted(comps, data.cells, data.r.size))
        sel = slice(None) if mask is None else mask
        wave = 0.0 if data.wave is None else data.wave
        return float((data.y - data.b - wave)[sel].sum()), float((data.b * (u - 1.0))[sel].sum())

    def _event_scale(self, event: str, pools: dict) -> tuple[float, float]:
        """The planned event's scale on the uplift: ``(log Ŝ, its variance)``.

        The uplift above the baseline, ``λ = b·(1 + S·(U − 1))``, has an event scale ``S``
        shared by all queues (orders drive every queue). Past events give ``log S_e`` (their
        whole window's excess over the pooled profile's, summed over queues): ``τ²`` is its
        variance across events (0.04 with fewer than three). When the planned event's
        deposit opening is already in the history (before the cut-off), its excess ratio
        ``log L`` is a lead indicator (MODEL_NOTES §1.2 "scale between events"; on the demo's
        past events the deposit ratio has the sign of the whole event's, the warm-up level
        does not, so only the deposit hours are used); ``s²``, the noise of that indicator, is
        the mean of ``(log L_e − log S_e)²`` over past events (``τ²`` with fewer than three,
        i.e. half weight). Shrunk (empirical Bayes): ``log Ŝ = w·log L``, ``w = τ²/(τ² + s²)``,
        variance ``w·s²``; without a lead signal ``log Ŝ = 0`` with variance ``τ²``.
        """
        past = sorted({k for p in pools.values() if p is not None for k in p[3]})
        lead = {q: self.partial_[q][event] for q in pools if pools[q] is not None and event in self.partial_[q]}
        log_s, log_l, named = [], [], []
        for k in past:
            xs = ps = xl = pl = 0.0
            for q, p in pools.items():
                if p is None or k not in self.residuals_[q]:
                    continue
                d = self.residuals_[q][k]
                x, pr = self._excess(d, p[0])
                xs, ps = xs + x, ps + pr
                x, pr = self._excess(d, p[0], _deposit_hours(d))
                xl, pl = xl + x, pl + pr
            if xs > 0 and ps > 0:
                named.append(k)
                log_s.append(np.log(xs / ps))
                log_l.append(np.log(xl / pl) if xl > 0 and pl > 0 else np.nan)
        log_s, log_l = np.array(log_s), np.array(log_l)
        n = log_s.size
        tau2 = max(float(np.var(log_s, ddof=1) * n / (n - 1)) if n >= 3 else 0.04, 0.0025)
        kind_loc, tau2 = self._kind_level(event, named, log_s, tau2)
        if not (self.lead_signal and lead):
            return kind_loc, tau2
        x = sum(self._excess(d, pools[q][0], _deposit_hours(d))[0] for q, d in lead.items())
        pr = sum(self._excess(d, pools[q][0], _deposit_hours(d))[1] for q, d in lead.items())
        ok = np.isfinite(log_l)
        if x <= 0 or pr <= 0 or ok.sum() < 2:  # no signal, or the deposit spike was not learned from ≥ 2 past events
            return 0.0, tau2
        s2 = float(np.mean((log_l[ok] - log_s[ok]) ** 2)) + 1e-4 if ok.sum() >= 3 else tau2
        w = tau2 / (tau2 + s2)
        return float(w * np.clip(np.log(x / pr), -1.0, 1.0)), float(w * s2)

    def _kind_level(self, event: str, named: list, log_s: np.ndarray, tau2: float) -> tuple[float, float]:
        """The planned event's kind's level on the pooled profile: ``(log level, scale variance)``.

        When the profile pools events of other kinds (fewer than two of the planned kind), the
        past events of the planned kind say how much bigger or smaller this kind runs (a 618 is
        not a Double 11): the level is their mean ``log S``, a fixed effect of the kind. (Empirical
        Bayes shrinkage toward 0 was tried: with two or three kinds and two or three events the
        between-kind spread estimates near 0 and cancels the effect; on the demo backtest the fixed
        effect cut the pooled peak-day WAPE from 0.275 to 0.239.) Its variance is the spread of
        events within a kind, ``ω²`` (pooled over kinds with two or more past events; ``tau2``
        without), plus the level's own uncertainty ``ω²/n``. Without a past event of the kind, or
        with a profile of the kind alone: (0, ``tau2``).
        """
        kinds = self.promotions_.kinds()
        same = np.array([kinds[k] == kinds[event] for k in named], dtype=bool)
        if not same.any() or same.all():
            return 0.0, tau2
        groups = [log_s[[kinds[k] == kd for k in named]] for kd in {kinds[k] for k in named}]
        spread = [(g.size - 1, float(np.var(g, ddof=1))) for g in groups if g.size >= 2]
        omega2 = max(sum(df * v for df, v in spread) / sum(df for df, _ in spread), 0.0025) if spread else tau2
        n = int(same.sum())
        return float(log_s[same].mean()), float(omega2 * (1 + 1 / n))

    def _uplift_draws(self, q: str, t: np.ndarray, event: str, pools: dict, scale, rng) -> np.ndarray:
        """Draws (n_draws × hours) of the uplift factor ``1 + S·(U − 1)`` (plus ``S·wave``) × the event's day deviation."""
        n = self.n_draws
        pool = pools[q]
        if pool is None:
            return np.ones((n, t.size))
        ev = self.promotions_.event_row(event)
        peak = _ns([ev["peak"]])[0]
        comps, dev, s_inf, _ = pool
        cells = _cells(t, peak, self.promotions_.phases_of(event))
        if q in self.waves_:
            cells = _without_aftersales(cells)
        u = np.exp(_fitted(comps, cells, t.size))
        on = (t >= _ns([ev["start"]])[0]) & (t < _ns([ev["end"]])[0])
        pick = rng.integers(0, dev.shape[0], size=n)
        eps = rng.normal(0.0, s_inf, size=n)
        kd = np.clip(t // DAY_NS - peak // DAY_NS, -N_DAYS_CELL, N_DAYS_CELL) + N_DAYS_CELL
        shift = np.where(on[None, :], dev[pick][:, kd] + eps[:, None], 0.0)
        up = np.where(u[None, :] >= 1.0, 1.0 + scale[:, None] * (u[None, :] - 1.0), u[None, :])  # dips are not scaled
        if q in self.waves_:
            wave, scaled = self._wave_draws(q, t, event, pools, rng)
            up = up + (scale[:, None] if scaled else 1.0) * wave
        return up * np.exp(shift)

    def _wave_draws(self, q: str, t: np.ndarray, event: str, pools: dict, rng) -> tuple[np.ndarray, bool]:
        """Draws (n_draws × hours) of queue ``q``'s after-sales wave, relative to its baseline, and
        whether they still take the event scale.

        Before the sale, the orders curve is the orders queue's forecast excess (pooled profile,
        before the event scale) in the planned event's order phases, over the whole event (orders
        before the window still drive the wave inside it), and each draw takes one past event's lag
        and ratio. Once the planned event's peak is in the history (a re-forecast during the wave),
        its orders are known: they drive the wave unscaled, and the past events' pairs are weighted
        by how well they predict the after-sales hours seen so far (:meth:`~forecasts.wave.Wave.weights`).
        """
        oq, wave = self.waves[q], self.waves_[q]
        ev = self.promotions_.event_row(event)
        start = _ns([ev["start"]])[0]
        grid = np.arange(start, _ns([ev["end"]])[0], HOUR_NS)
        early = self.wave_samples_[q].get(event)
        among = [i for i, e in enumerate(wave.events) if e != event]
        if early is not None and among:
            orders = np.zeros(grid.size)
            at = (early.t0 - start) // HOUR_NS + np.arange(early.orders.size)
            keep = (at >= 0) & (at < grid.size)
            orders[at[keep]] = early.orders[keep]
            p = wave.weights(early, self.kappa_[q], among)
        elif pools.get(oq) is None:
            return np.zeros((self.n_draws, t.size)), True
        else:
            orders = self._orders_curve(oq, grid, event, pools[oq][0])
            alike = [i for i in among if wave.events[i] in (pools[q][3] if pools.get(q) else ())]
            among = alike or among
            p = np.full(len(among), 1.0 / len(among))
        rel = wave.relative(orders)[among]
        inside = (t >= grid[0]) & (t <= grid[-1])
        out = np.zeros((len(among), t.size))
        out[:, inside] = rel[:, (t[inside] - start) // HOUR_NS]
        return out[rng.choice(len(among), size=self.n_draws, p=p)], early is None

    def _share_draws(self, q: str, t: np.ndarray, event: str, pools: dict, orders_up: np.ndarray, rng) -> np.ndarray:
        """Draws (n_draws × hours) of a driven queue's uplift factor ``1 + ρ·(U_o − 1)``: ``U_o`` the orders
        queue's draws (event scale, day deviations and all), ``ρ`` per draw one past event's share in
        each hour's phase (of the events the queue's profile would pool, when the share has them)."""
        share = self.shares_[q]
        names = pools[q][3] if pools.get(q) is not None else ()
        among = [i for i, e in enumerate(share.events) if e in names] or list(range(len(share.events)))
        phase = _phase_index(_cells(t, _ns([self.promotions_.event_row(event)["peak"]])[0],
                                    self.promotions_.phases_of(event)), t.size)
        rho = share.table(among)[rng.integers(0, len(among), size=self.n_draws)][:, np.maximum(phase, 0)]
        return np.maximum(1.0 + np.where(phase >= 0, rho, 0.0) * (orders_up - 1.0), 0.0)

    def _orders_curve(self, oq: str, grid: np.ndarray, event: str, comps: np.ndarray) -> np.ndarray:
        """The orders queue's forecast excess in the planned event's order phases, in units of its mean baseline hour."""
        day = grid // DAY_NS
        b = self.baseline_[oq].at(day, (day + 3) % 7, (grid // HOUR_NS) % 24)
        cells = _cells(grid, _ns([self.promotions_.event_row(event)["peak"]])[0], self.promotions_.phases_of(event))
        u = np.exp(_fitted(comps, cells, grid.size))
        order = np.zeros(grid.size, dtype=bool)
        for k, pos, _, _ in cells:
            order[pos] |= PHASE_ORDER[k] in ORDER_PHASES
        return np.where(order, b * (u - 1.0), 0.0) / max(float(b.mean()), 1e-9)

    def _predict_all(self, t: np.ndarray, event: str | None, rng) -> pd.DataFrame:
        day = t // DAY_NS
        hour = (t // HOUR_NS) % 24
        n = self.n_draws
        mus, ups = {}, {}
        pools = {}
        if event is not None:
            kind = self.promotions_.event_row(event)["kind"]
            pools = {q: self._pool(q, kind, event) for q in self.queues_}
            loc, var = self._event_scale(event, pools)
            scale = np.exp(rng.normal(loc, np.sqrt(var), size=n))
        for q in sorted(self.queues_, key=lambda q: q in self.shares_):  # an orders queue before the queue it drives
            mus[q] = self.baseline_[q].at(day, (day + 3) % 7, hour)
            if event is None:
                ups[q] = np.ones((n, t.size))
            elif q in self.shares_:
                ups[q] = self._share_draws(q, t, event, pools, ups[self.shares[q]], rng)
            else:
                ups[q] = self._uplift_draws(q, t, event, pools, scale, rng)
        if self.peak_multiplier is not None:
            self._rescale_peak(t, event, mus, ups)
        dmap = day - day[0]
        frames = []
        for q in self.queues_:
            g = rng.gamma(self.kappa_[q], 1.0 / self.kappa_[q], size=(n, int(dmap[-1]) + 1))
            lam = mus[q][None, :] * ups[q] * g[:, dmap]
            y = rng.poisson(lam)
            qs = np.quantile(y, self.quantiles, axis=0)
            frames.append(pd.DataFrame({
                "queue": q,
                "ds": pd.to_datetime(t).astype("datetime64[ns]"),
                "mean": lam.mean(axis=0),
                "p10": qs[0].astype(float), "p50": qs[1].astype(float), "p90": qs[2].astype(float),
            }))
        return pd.concat(frames, ignore_index=True)

    def _rescale_peak(self, t: np.ndarray, event: str | None, mus: dict, ups: dict) -> None:
        """Apply ``peak_multiplier`` in place: uplift above the baseline × s (see the class docstring)."""
        m = float(self.peak_multiplier)
        if not np.isfinite(m) or m < 1:
            raise InputError(f"forecast: peak_multiplier {self.peak_multiplier!r} must be a number ≥ 1 "
                             "(the peak day's volume as a multiple of a normal day's)")
        if event is None:
            raise InputError("forecast: peak_multiplier needs a planned event in the window")
        peak_day = _ns([self.promotions_.event_row(event)["peak"]])[0] // DAY_NS
        on = t // DAY_NS == peak_day
        if not on.any():
            raise InputError(f"forecast: peak_multiplier needs the peak day of {event} "
                             f"({pd.Timestamp(peak_day * DAY_NS):%Y-%m-%d}) inside the forecast window")
        base = sum(float(mus[q][on].sum()) for q in self.queues_)
        fc = sum(float((mus[q][on] * ups[q][:, on].mean(axis=0)).sum()) for q in self.queues_)
        if base <= 0 or fc - base < 0.05 * base:
            raise InputError(f"forecast: no uplift learned for {event}'s peak day, so peak_multiplier "
                             "has no shape to rescale (add past events to the promotions calendar)")
        s = (m - 1.0) * base / (fc - base)
        for q in self.queues_:
            ups[q] = np.maximum(1.0 + s * (ups[q] - 1.0), 0.0)


def forecast(history: pd.DataFrame, promotions: Promotions, start, end, event: str | None = None,
             **params) -> pd.DataFrame:
    """Fit a :class:`PromoForecaster` with ``params`` and forecast ``start`` 00:00 .. ``end`` 23:00.

    Equal to ``PromoForecaster(**params).fit(history, promotions).predict(start, end, event)``.
    """
    return PromoForecaster(**params).fit(history, promotions).predict(start, end, event)
