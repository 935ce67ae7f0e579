"""The event scale ``S`` shared by every queue, and the ``peak_multiplier`` what-if (MODEL_NOTES §1.2).

Takes each queue's past events (:class:`forecasts.residuals.EventData`) and pooled uplift
(:class:`forecasts.uplift.Profile`), and the promotions calendar's **events** frame (``event,
kind, start, peak, end``); returns no frame: ``(log Ŝ, variance)`` of the planned event's scale
on the uplift, ``λ = b·(1 + S·(U − 1))``. :func:`rescale_peak` rewrites the uplift draws so the
peak day hits a given multiple of a normal day.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasts.errors import InputError
from forecasts.phases import DAY_NS, ns
from forecasts.promotions import Promotions
from forecasts.residuals import EventData
from forecasts.uplift import Profile, fitted

SCALE_KDAYS = (-1, 0)  # the days (to the peak day) a past event's scale is measured on: the eve and the peak day


def excess(data: EventData, comps: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, float]:
    """Observed and pooled-profile excess volume over the baseline (and the event's own wave), ``Σ(y − b)`` and ``Σ b(U − 1)``."""
    u = np.exp(fitted(comps, data.cells, data.r.size))
    sel = slice(None) if mask is None else mask
    wave = 0.0 if data.wave is None else data.wave
    return float((data.y - data.b - wave)[sel].sum()), float((data.b * (u - 1.0))[sel].sum())


def past_log_scales(pools: dict[str, Profile | None], residuals: dict) -> tuple[list, np.ndarray, np.ndarray]:
    """Past events' ``log S_e`` (the eve and the peak day, ``SCALE_KDAYS``) and ``log L_e`` (deposit hours; NaN
    without), summed over queues.

    The scale is measured where the volume and the staffing risk are: over the whole window the
    long warm-up and after-sales days weigh as much as the sale itself (on the demo backtest two
    weeks out, the peak-day WAPE was 0.254 with the whole window, 0.233 with the eve and peak day).

    Returns ``(named, log_s, log_l)``: the events whose excess has the profile's sign and their two log ratios.
    """
    past = sorted({k for p in pools.values() if p is not None for k in p.names})
    log_s, log_l, named = [], [], []
    for k in past:
        xs = ps = xl = pl = 0.0
        for q, p in pools.items():
            if p is None or k not in residuals[q]:
                continue
            d = residuals[q][k]
            x, pr = excess(d, p.comps, np.isin(d.kday, SCALE_KDAYS))
            xs, ps = xs + x, ps + pr
            x, pr = excess(d, p.comps, d.hours_in(("deposit",)))
            xl, pl = xl + x, pl + pr
        if xs * ps > 0:  # both positive (a sale), or both negative (an event that lowers volume)
            named.append(k)
            log_s.append(np.log(xs / ps))
            log_l.append(np.log(xl / pl) if xl * pl > 0 else np.nan)
    return named, np.array(log_s), np.array(log_l)


def event_scale(event: str, pools: dict[str, Profile | None], residuals: dict, partial: dict,
                promotions: Promotions, lead_signal: bool) -> tuple[float, float]:
    """The planned event's scale on the uplift: ``(log Ŝ, its variance)``.

    The uplift above the baseline, ``λ = b·(1 + S·(U − 1))``, has an event scale ``S``
    shared by all queues (orders drive every queue). Past events give ``log S_e`` (their
    eve and peak day's excess over the pooled profile's, summed over queues): ``τ²`` is its
    variance across events (0.04 with fewer than three). When the planned event's
    deposit opening is already in the history (before the cut-off), its excess ratio
    ``log L`` is a lead indicator (MODEL_NOTES §1.2 "scale between events"; on the demo's
    past events the deposit ratio has the sign of the whole event's, the warm-up level
    does not, so only the deposit hours are used); ``s²``, the noise of that indicator, is
    the mean of ``(log L_e − log S_e)²`` over past events (``τ²`` with fewer than three,
    i.e. half weight). Shrunk (empirical Bayes): ``log Ŝ = w·log L``, ``w = τ²/(τ² + s²)``,
    variance ``w·s²``; without a lead signal ``log Ŝ = 0`` with variance ``τ²``, or the kind's
    level (:func:`kind_level`).

    Parameters
    ----------
    event : str
        The planned event.
    pools : dict
        Queue → its :class:`~forecasts.uplift.Profile` for the event (None without past events).
    residuals, partial : dict
        Queue → event → :class:`~forecasts.residuals.EventData`, for past events and for
        events under way at the end of the history.
    promotions : Promotions
        The calendar (for the events' kinds).
    lead_signal : bool
        Use the planned event's deposit hours already in the history.
    """
    lead = {q: partial[q][event] for q in pools if pools[q] is not None and event in partial[q]}
    named, log_s, log_l = past_log_scales(pools, residuals)
    n = log_s.size
    tau2 = max(float(np.var(log_s, ddof=1) * n / (n - 1)) if n >= 3 else 0.04, 0.0025)
    kind_loc, tau2 = kind_level(promotions.kinds(), event, named, log_s, tau2)
    if not (lead_signal and lead):
        return kind_loc, tau2
    x = sum(excess(d, pools[q].comps, d.hours_in(("deposit",)))[0] for q, d in lead.items())
    pr = sum(excess(d, pools[q].comps, d.hours_in(("deposit",)))[1] for q, d in lead.items())
    ok = np.isfinite(log_l)
    if x <= 0 or pr <= 0 or ok.sum() < 2:  # no signal, or the deposit spike was not learned from ≥ 2 past events
        return 0.0, tau2
    s2 = float(np.mean((log_l[ok] - log_s[ok]) ** 2)) + 1e-4 if ok.sum() >= 3 else tau2
    w = tau2 / (tau2 + s2)
    return float(w * np.clip(np.log(x / pr), -1.0, 1.0)), float(w * s2)


def kind_level(kinds: dict, event: str, named: list, log_s: np.ndarray, tau2: float) -> tuple[float, float]:
    """The planned event's kind's level on the pooled profile: ``(log level, scale variance)``.

    When the profile pools events of other kinds (fewer than two of the planned kind), the
    past events of the planned kind say how much bigger or smaller this kind runs (a 618 is
    not a Double 11): the level is their mean ``log S``, a fixed effect of the kind. (Empirical
    Bayes shrinkage toward 0 was tried: with two or three kinds and two or three events the
    between-kind spread estimates near 0 and cancels the effect; on the demo backtest the fixed
    effect cut the pooled peak-day WAPE from 0.275 to 0.239; halving it, a fixed shrinkage toward the
    pool, took it from 0.216 to 0.237 14 days out, 0.164 to 0.171 on the eve.) Its variance is the spread of
    events within a kind, ``ω²`` (pooled over kinds with two or more past events; ``tau2``
    without), plus the level's own uncertainty ``ω²/n``. Without a past event of the kind, or
    with a profile of the kind alone: (0, ``tau2``). ``kinds`` maps event → kind; ``named``
    are the past events behind ``log_s``.
    """
    same = np.array([kinds[k] == kinds[event] for k in named], dtype=bool)
    if not same.any() or same.all():
        return 0.0, tau2
    groups = [log_s[[kinds[k] == kd for k in named]] for kd in {kinds[k] for k in named}]
    spread = [(g.size - 1, float(np.var(g, ddof=1))) for g in groups if g.size >= 2]
    omega2 = max(sum(df * v for df, v in spread) / sum(df for df, _ in spread), 0.0025) if spread else tau2
    n = int(same.sum())
    return float(log_s[same].mean()), float(omega2 * (1 + 1 / n))


def rescale_peak(multiplier: float, t: np.ndarray, event: str | None, promotions: Promotions,
                 queues: list[str], mus: dict, ups: dict) -> None:
    """Apply ``peak_multiplier`` in place: every queue's uplift above the baseline × s.

    ``s = (m − 1)·B / (F − B)``, ``B`` the baseline ``mus`` and ``F`` the learned forecast
    (``mus`` × mean of the uplift draws ``ups``) of the event's peak day, summed over ``queues``
    (see :class:`forecasts.model.PromoForecaster`). ``ups`` (queue → n_draws × hours) is rewritten.
    """
    m = float(multiplier)
    if not np.isfinite(m) or m < 1:
        raise InputError(f"forecast: peak_multiplier {multiplier!r} must be a number ≥ 1 "
                         "(the peak day's volume as a multiple of a normal day's)")
    if event is None:
        raise InputError("forecast: peak_multiplier needs a planned event in the window")
    peak_day = ns([promotions.event_row(event)["peak"]])[0] // DAY_NS
    on = t // DAY_NS == peak_day
    if not on.any():
        raise InputError(f"forecast: peak_multiplier needs the peak day of {event} "
                         f"({pd.Timestamp(peak_day * DAY_NS):%Y-%m-%d}) inside the forecast window")
    base = sum(float(mus[q][on].sum()) for q in queues)
    fc = sum(float((mus[q][on] * ups[q][:, on].mean(axis=0)).sum()) for q in queues)
    if base <= 0 or fc - base < 0.05 * base:
        raise InputError(f"forecast: no uplift learned for {event}'s peak day, so peak_multiplier "
                         "has no shape to rescale (add past events to the promotions calendar)")
    s = (m - 1.0) * base / (fc - base)
    for q in queues:
        ups[q] = np.maximum(1.0 + s * (ups[q] - 1.0), 0.0)
