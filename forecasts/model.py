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
* Hours of the window outside the driving event get the baseline only; one event (the
  ``event`` argument, or the calendar's event overlapping the window most) drives the uplift.
* Bands by simulation (MODEL_NOTES §1.3): each draw picks one past event and adds its
  day-level deviation from the pooled profile (event bootstrap) plus a Gaussian
  ``N(0, σ_between / √E)``, a day-level busyness ``G ~ Gamma(κ, 1/κ)`` with κ estimated by
  moments from normal days, and Poisson noise. Seeded, so deterministic.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasts.errors import InputError
from forecasts.promotions import Promotions

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
    """

    def __init__(self, baseline_weeks: int = 8, n_draws: int = 1000, seed: int = 0,
                 quantiles: tuple[float, float, float] = (0.1, 0.5, 0.9), margin_days: int = 3,
                 kappa_weeks: int = 26):
        self.baseline_weeks = baseline_weeks
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
            ``history_end_`` and ``promotions_`` set.
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
        self.baseline_, self.kappa_, self.residuals_ = {}, {}, {}
        for q in self.queues_:
            sel = (hist["queue"] == q).to_numpy()
            grid = np.full((n_days, 24), np.nan)
            t = ds[sel]
            grid[t // DAY_NS - day0, (t // HOUR_NS) % 24] = hist["y"].to_numpy(dtype=float)[sel]
            ok = normal & ~np.isnan(grid).any(axis=1)
            slope = self._slope(days, grid, ok)
            self.baseline_[q] = self._baseline(days, grid, ok, slope, cut=n_days)
            self.kappa_[q] = self._kappa(days, grid, ok, slope)
            self.residuals_[q] = self._event_residuals(days, grid, ok, slope, promotions)
        self.past_events_ = sorted({e for q in self.queues_ for e in self.residuals_[q]})
        return self

    def _normal_days(self, days: np.ndarray, promotions: Promotions) -> np.ndarray:
        ok = np.ones(days.size, dtype=bool)
        for ev in promotions.events.itertuples(index=False):
            lo = _ns([ev.start])[0] // DAY_NS - self.margin_days
            hi = (_ns([ev.end])[0] - 1) // DAY_NS + self.margin_days
            ok &= (days < lo) | (days > hi)
        return ok

    @staticmethod
    def _slope(days: np.ndarray, grid: np.ndarray, ok: np.ndarray) -> float:
        """Log-linear daily trend of normal days' totals, adjusted for weekday; clipped to ±50 %/year."""
        if ok.sum() < 28:
            return 0.0
        tot = np.log(grid[ok].sum(axis=1) + 1.0)
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
        table = np.tile(vals.mean(axis=0), (7, 1))
        for w in range(7):
            if (dow == w).any():
                table[w] = vals[dow == w].mean(axis=0)
        return _Baseline(table=table, mid=float(days[idx].mean()), slope=slope)

    def _kappa(self, days, grid, ok, slope) -> float:
        """Day-level NB2 dispersion by moments (MODEL_NOTES §1.3), κ = 1/φ."""
        idx = np.flatnonzero(ok)[-7 * self.kappa_weeks:]
        if idx.size < 14:
            return 100.0
        tot = grid[idx].sum(axis=1) * np.exp(-slope * (days[idx] - days[idx].mean()))
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

    def _event_residuals(self, days, grid, ok, slope, promotions: Promotions) -> dict:
        """Per past event: hourly log residuals against its own baseline, their cells, days to peak."""
        out = {}
        day0 = days[0]
        for ev in promotions.events.itertuples(index=False):
            s, e, pk = (_ns([x])[0] for x in (ev.start, ev.end, ev.peak))
            pd_idx = pk // DAY_NS - day0
            if not (0 <= pd_idx < len(days)) or np.isnan(grid[pd_idx]).sum() > 4:
                continue  # the peak day is not in the history: not a past event
            base = self._baseline(days, grid, ok, slope, cut=s // DAY_NS - day0,
                                  after=(e - 1) // DAY_NS - day0 + self.margin_days + 1)
            t = np.arange(max(s, day0 * DAY_NS), min(e, (days[-1] + 1) * DAY_NS), HOUR_NS)
            y = grid[t // DAY_NS - day0, (t // HOUR_NS) % 24]
            t = t[~np.isnan(y)]
            y = y[~np.isnan(y)]
            b = base.at(t // DAY_NS, (t // DAY_NS + 3) % 7, (t // HOUR_NS) % 24)
            r = np.log((y + 0.5) / (b + 0.5))
            out[ev.event] = (r, _cells(t, pk, promotions.phases_of(ev.event)), t // DAY_NS - pk // DAY_NS)
        return out

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
        frames = []
        for q in self.queues_:
            frames.append(self._predict_queue(q, t, name, rng))
        return pd.concat(frames, ignore_index=True)

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

    def _pool(self, q: str, kind: str):
        """Log-uplift components, per-event day deviations and the bootstrap inflation for one queue.

        Past events of the same ``kind`` are pooled when there are at least two, else all past
        events; cells none of them has are taken from the all-event fit, then from the nearest
        day with data. Returns None without past events.
        """
        res = self.residuals_[q]
        kinds = dict(zip(self.promotions_.events["event"], self.promotions_.events["kind"]))
        same = [k for k in res if kinds.get(k) == kind]
        names = same if len(same) >= 2 else list(res)
        if not names:
            return None
        chosen = _backfit([res[k][:2] for k in names])
        if len(names) < len(res):
            chosen = np.where(np.isnan(chosen), _backfit([v[:2] for v in res.values()]), chosen)
        comps = _fill_days(chosen)
        dev = np.zeros((len(names), 2 * N_DAYS_CELL + 1))
        seen = []
        for i, k in enumerate(names):
            r, cells, kday = res[k]
            resid = r - _fitted(comps, cells, r.size)
            kd = np.clip(kday, -N_DAYS_CELL, N_DAYS_CELL) + N_DAYS_CELL
            cnt = np.bincount(kd, minlength=dev.shape[1])
            tot = np.bincount(kd, weights=resid, minlength=dev.shape[1])
            dev[i] = np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0)
            seen.append(dev[i][cnt > 0])
        seen = np.concatenate(seen)
        sigma_b = float(np.std(seen)) if seen.size > 1 else 0.1
        return comps, dev, sigma_b / np.sqrt(len(names))

    def _predict_queue(self, q: str, t: np.ndarray, event: str | None, rng) -> pd.DataFrame:
        day = t // DAY_NS
        hour = (t // HOUR_NS) % 24
        mu = self.baseline_[q].at(day, (day + 3) % 7, hour)
        log_u = np.zeros((1, t.size))
        n = self.n_draws
        if event is not None:
            ev = self.promotions_.event_row(event)
            pool = self._pool(q, ev["kind"])
            peak = _ns([ev["peak"]])[0]
            cells = _cells(t, peak, self.promotions_.phases_of(event))
            if pool is not None:
                comps, dev, s_inf = pool
                on = (t >= _ns([ev["start"]])[0]) & (t < _ns([ev["end"]])[0])
                pick = rng.integers(0, dev.shape[0], size=n)
                eps = rng.normal(0.0, s_inf, size=n)
                kd = np.clip(day - peak // DAY_NS, -N_DAYS_CELL, N_DAYS_CELL) + N_DAYS_CELL
                shift = dev[pick][:, kd] + eps[:, None]
                log_u = _fitted(comps, cells, t.size)[None, :] + np.where(on[None, :], shift, 0.0)
        dmap = day - day[0]
        g = rng.gamma(self.kappa_[q], 1.0 / self.kappa_[q], size=(n, int(dmap[-1]) + 1))
        lam = mu[None, :] * np.exp(log_u) * g[:, dmap]
        y = rng.poisson(lam)
        qs = np.quantile(y, self.quantiles, axis=0)
        return pd.DataFrame({
            "queue": q,
            "ds": pd.to_datetime(t).astype("datetime64[ns]"),
            "mean": lam.mean(axis=0),
            "p10": qs[0].astype(float), "p50": qs[1].astype(float), "p90": qs[2].astype(float),
        })


def forecast(history: pd.DataFrame, promotions: Promotions, start, end, event: str | None = None,
             **params) -> pd.DataFrame:
    """Fit a :class:`PromoForecaster` with ``params`` and forecast ``start`` 00:00 .. ``end`` 23:00.

    Equal to ``PromoForecaster(**params).fit(history, promotions).predict(start, end, event)``.
    """
    return PromoForecaster(**params).fit(history, promotions).predict(start, end, event)
