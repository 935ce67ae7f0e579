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
  kinds, ``log S`` is centred on the planned kind's own past events (:func:`forecasts.scale.kind_level`); optionally (``lead_signal``)
  shifted by the planned event's own deposit opening when it is already in the history.
  In-event re-forecast: when the history ends inside the planned event (a cut-off ``as_of`` in
  its warm-up, or on the sale day), ``log S`` is re-estimated from the event's own hours seen so
  far, each long phase's observed excess over the profile's a signal whose noise is learned from
  past events cut at the same point, combined with the prior by precision
  (:func:`forecasts.inevent.in_event_scale`); the scale's variance, and so the bands, shrink.
  ``peak_multiplier`` rescales ``S·(U − 1)`` for a what-if (see :class:`PromoForecaster`).
* Closed hours (a clock hour or weekday never seen in a queue's history) forecast 0.
* Bands by simulation (MODEL_NOTES §1.3): each draw picks one past event and adds its
  day-level deviation from the pooled profile, centred on that event's mean (event bootstrap), the event scale ``S`` plus a Gaussian
  ``N(0, σ_between / √E)``, a day-level busyness ``G ~ Gamma(κ, 1/κ)`` with κ estimated by
  moments from normal days, and Poisson noise. Seeded, so deterministic.

The pieces live in their own modules; this one is the public face (:class:`PromoForecaster`,
:func:`forecast`) and re-exports ``PHASE_ORDER``:

* :mod:`forecasts.phases`: hours → phase cells, time units;
* :mod:`forecasts.baseline`: the weekday × hour baseline ``B``, the trend, κ;
* :mod:`forecasts.residuals`: each event's log residuals against its own baseline;
* :mod:`forecasts.uplift`: the per-phase profiles ``log U`` with empirical-Bayes shrinkage;
* :mod:`forecasts.links`: fitting the after-sales wave and the unpaid-orders share;
* :mod:`forecasts.scale`: the event scale ``S`` and ``peak_multiplier``;
* :mod:`forecasts.inevent`: ``S`` re-estimated from the planned event's own hours seen so far;
* :mod:`forecasts.bands`: the uplift draws and the simulated bands.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasts.bands import EventDraws, simulate_bands
from forecasts.baseline import fit_baseline, fit_kappa, hour_grid, normal_days, trend_slope
from forecasts.errors import InputError
from forecasts.inevent import in_event_scale
from forecasts.links import fit_shares, fit_waves
from forecasts.phases import DAY_NS, HOUR_NS, PHASE_ORDER, busiest_event, ns
from forecasts.promotions import Promotions
from forecasts.residuals import event_residuals
from forecasts.scale import event_scale, rescale_peak
from forecasts.uplift import pool_profile

__all__ = ["PHASE_ORDER", "PromoForecaster", "forecast", "until"]


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
        as a lead indicator of its scale (see :func:`forecasts.scale.event_scale`). Off by default: on the
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
            for the ``waves`` that have a past event with both queues, with ``wave_samples_``
            (→ event → its :class:`~forecasts.wave.Sample`); ``shares_`` (driven queue →
            fitted :class:`~forecasts.share.Share`) likewise.
        """
        missing = {"queue", "ds", "y"} - set(history.columns)
        if missing:
            raise InputError(f"history frame: missing column(s) {', '.join(sorted(missing))}")
        hist = history[["queue", "ds", "y"]]
        ds = ns(hist["ds"])
        day0 = ds.min() // DAY_NS
        n_days = int(ds.max() // DAY_NS - day0 + 1)
        days = day0 + np.arange(n_days)
        normal = normal_days(days, promotions.events, self.margin_days)
        self.promotions_ = promotions
        self.history_end_ = pd.Timestamp(ds.max())
        self.queues_ = sorted(hist["queue"].unique())
        self.baseline_, self.kappa_, self.residuals_, self.partial_ = {}, {}, {}, {}
        y = hist["y"].to_numpy(dtype=float)
        for q in self.queues_:
            sel = (hist["queue"] == q).to_numpy()
            grid = hour_grid(ds[sel], y[sel], day0, n_days)
            self.baseline_[q], self.kappa_[q], self.residuals_[q], self.partial_[q] = \
                self._fit_queue(days, grid, normal, promotions)
        self.waves_, self.wave_samples_ = fit_waves(self.waves, self.residuals_, self.partial_, self.queues_)
        self.shares_ = fit_shares(self.shares, self.waves, self.residuals_, self.queues_)
        self.past_events_ = sorted({e for q in self.queues_ for e in self.residuals_[q]})
        return self

    def _fit_queue(self, days: np.ndarray, grid: np.ndarray, normal: np.ndarray, promotions: Promotions) -> tuple:
        """One queue's ``(baseline, κ, past events, events under way)`` from its day × hour ``grid``.

        Normal days are those of ``normal`` with every clock hour the queue is ever open present.
        """
        open_h = ~np.isnan(grid).all(axis=0)  # clock hours the queue is ever open
        ok = normal & ~np.isnan(grid[:, open_h]).any(axis=1)
        slope = trend_slope(days, grid, ok) if self.trend else 0.0
        baseline = fit_baseline(days, grid, ok, slope, self.baseline_weeks, cut=days.size)
        kappa = fit_kappa(days, grid, ok, slope, self.kappa_weeks)
        past, partial = event_residuals(days, grid, ok, slope, promotions, self.baseline_weeks, self.margin_days)
        return baseline, kappa, past, partial

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
        t = np.arange(ns([first])[0], ns([last])[0] + DAY_NS, HOUR_NS)
        name = self._pick_event(t, event)
        rng = np.random.default_rng(self.seed)
        day, hour = t // DAY_NS, (t // HOUR_NS) % 24
        mus = {q: self.baseline_[q].at(day, (day + 3) % 7, hour) for q in self.queues_}
        ups = self._uplift_draws(t, name, rng)
        if self.peak_multiplier is not None:
            rescale_peak(self.peak_multiplier, t, name, self.promotions_, self.queues_, mus, ups)
        return simulate_bands(t, self.queues_, mus, ups, self.kappa_, self.quantiles, rng)

    def _pick_event(self, t: np.ndarray, event: str | None) -> str | None:
        """``event`` when the calendar has it, else the calendar's event overlapping the hours ``t`` most."""
        evs = self.promotions_.events
        if event is None:
            return busiest_event(evs, t)
        if event not in set(evs["event"]):
            raise InputError(f"forecast: unknown event {event!r}; the promotions calendar has "
                             f"{', '.join(evs['event'])}")
        return event

    def _uplift_draws(self, t: np.ndarray, event: str | None, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Queue → draws (n_draws × hours) of its uplift factor; all 1 without a planned event.

        Draws the event scale ``S`` first, then each queue with its own profile before the
        queues driven by it (:class:`~forecasts.bands.EventDraws`).
        """
        n = self.n_draws
        if event is None:
            return {q: np.ones((n, t.size)) for q in self.queues_}
        kind = self.promotions_.event_row(event)["kind"]
        pools = {q: pool_profile(self.residuals_[q], self.promotions_, kind, event) for q in self.queues_}
        loc, var = event_scale(event, pools, self.residuals_, self.partial_, self.promotions_, self.lead_signal)
        loc, var = in_event_scale(event, self.promotions_, pools, self.residuals_, self.partial_, (loc, var),
                                  self.kappa_, self.baseline_weeks)
        scale = np.exp(rng.normal(loc, np.sqrt(var), size=n))
        draws = EventDraws(promotions=self.promotions_, event=event, t=t, pools=pools, n_draws=n,
                           baseline=self.baseline_, kappa=self.kappa_, wave_links=self.waves or {},
                           waves=self.waves_, wave_samples=self.wave_samples_, shares=self.shares_)
        ups = {}
        for q in sorted(self.queues_, key=lambda q: q in self.shares_):  # an orders queue before the queue it drives
            if q in self.shares_:
                ups[q] = draws.share(q, ups[self.shares[q]], rng)
            else:
                ups[q] = draws.uplift(q, scale, rng)
        return ups


def forecast(history: pd.DataFrame, promotions: Promotions, start, end, event: str | None = None, *,
             as_of=None, **params) -> pd.DataFrame:
    """Fit a :class:`PromoForecaster` with ``params`` and forecast ``start`` 00:00 .. ``end`` 23:00.

    Equal to ``PromoForecaster(**params).fit(history, promotions).predict(start, end, event)``, on
    the rows of ``history`` before ``as_of`` when it is given.

    Parameters
    ----------
    history : DataFrame
        ``queue, ds, y``.
    promotions : Promotions
        The calendar.
    start, end : date-like
        First and last day of the window.
    event : str, optional
        The planned event (default: the calendar's event overlapping the window most).
    as_of : str or Timestamp, optional
        A re-forecast's cut-off: only hours with ``ds < as_of`` are used. When the planned event
        is under way at the cut-off, its scale is re-estimated from its hours already seen
        (:func:`forecasts.inevent.in_event_scale`), as it is whenever the history ends inside it.
        Hours of the window before ``as_of`` are forecast as usual.
    **params
        :class:`PromoForecaster` parameters.

    Returns
    -------
    DataFrame
        The **forecast** frame ``queue, ds, mean, p10, p50, p90``.

    Raises
    ------
    InputError
        ``as_of`` is not a time, or no history row lies before it.
    """
    return PromoForecaster(**params).fit(until(history, as_of), promotions).predict(start, end, event)


def until(history: pd.DataFrame, as_of) -> pd.DataFrame:
    """The rows of the **history** frame with ``ds < as_of`` (all of them when ``as_of`` is None)."""
    if as_of is None:
        return history
    try:
        cut = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise InputError(f"forecast: as_of {as_of!r} is not a time; expected YYYY-MM-DD HH:MM") from None
    if pd.isna(cut):
        raise InputError(f"forecast: as_of {as_of!r} is not a time; expected YYYY-MM-DD HH:MM")
    kept = history[pd.to_datetime(history["ds"]) < cut]
    if kept.empty:
        raise InputError(f"forecast: no history before as_of {cut:%Y-%m-%d %H:%M}; expected hours before the cut-off")
    return kept
