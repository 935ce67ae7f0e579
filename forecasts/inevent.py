"""The planned event's scale re-estimated from its own hours already observed (issue 20, item 1).

Takes each queue's pooled uplift (:class:`forecasts.uplift.Profile`), its past events and the
planned event's hours seen so far (:class:`forecasts.residuals.EventData`, from the **history**
frame ``queue, ds, y`` against each event's own baseline) and the prior ``(log S, variance)`` of
:func:`forecasts.scale.event_scale`; returns no frame: the posterior ``(log Ŝ, variance)``.

A re-forecast is fitted as of a cut-off inside the planned event: its warm-up (and deposit
opening, ...) are already in the history. Each phase ``φ`` the event has shown gives a signal,
its observed excess over the pooled profile's, summed over queues::

    log L_φ = log( Σ (y − b) / Σ b·(U − 1) )      over the observed hours of phase φ

How much ``log L_φ`` says about the scale of the hours still to come is learned from the past
events: each is cut at the same position relative to its peak (the hours before → its ``log
L_e,φ``; the hours from there to its end → its ``log S_e``, the scale of its remaining excess),
and ``s²_φ = n/(n − 1) · mean_e (log L_e,φ − log S_e)²`` is the signal's noise (busyness, the
phase's own randomness, a phase that does not carry the sale's size, like a deposit opening at a
fixed multiple of the hour), over the ``n`` past events of the planned event's kind or with its
set of phases (:func:`alike_events`); a signal needs two of them. The signals and the
prior combine by precision (normal-normal shrinkage, MODEL_NOTES §1.2 "scale between events")::

    1/v = 1/τ² + Σ_φ 1/s²_φ,     log Ŝ = v · (μ/τ² + Σ_φ log L_φ / s²_φ)

so early in a warm-up (little excess seen, large ``s²``) the forecast stays on the prior from
past events, and on the eve it follows the event's own size; the bands narrow with ``v``.

``s²_φ`` is at least the noise busyness and the baselines put into ``log L_φ``: the planned event's
own (:func:`_noise`), plus the pooled profile's (:func:`_pool_noise`): the profile's excess over the
same hours is the mean of ``E`` past events' excesses, each as noisy as the planned event's. The
past events' own cut-off signals cannot show that noise (each is part of the profile it is measured
against; with ``E = 1`` its signal is 0 by construction). A Double 12's warm-up (7 days, a ~5 %
excess) is where it matters: against the one earlier Double 12, whose warm-up busyness and
baseline left its excess at 62 % of the generator's, the 2024 eve read +0.64 (the truth ≈ −0.25).
Demo backtest on the eve: peak-day WAPE 0.172 → 0.164, window 0.182 → 0.176 (14 days out unchanged).

Tried and not kept (demo backtest, peak-day WAPE 14 days out / on the eve, against 0.216 / 0.164): the
remaining scale regressed on the warm-up signal over the alike past events, ``log S = α + β·log L``, ridge
toward (0, 1) with 0.1 pseudo-observations: 0.215 / 0.165 (slope alone, through 0: 0.210 / 0.167); the
sale's excess per baseline hour regressed on the warm-up's across all past events, every kind (a
size-independent intercept, identified by the kinds' different sizes): 0.217 / 0.159 when only events
with a comparable length of warm-up are used, 0.217 / 0.218 with all; the past events' ``log S_e`` taken
on the eve and peak day instead of all their later hours: 0.216 / 0.168. At the eve the alike events'
own warm-up and later scales lie on the line ``log S = log L`` within their noise (on the demo the
warm-up excess is close to proportional to the sale's), so there is little for an intercept to learn.
``benchmarks/backtest_floors.py`` bounds what any scale estimate can buy: with each event's scale over
its remaining hours known ex post the peak-day WAPE is 0.169 / 0.147 (the peak day's own busyness and
the profile's hour shape are left), with its eve and peak day known 0.116 / 0.114.
Events that lower volume work alike: ``L`` is a ratio of two negative sums.
"""
from __future__ import annotations

import numpy as np

from forecasts.phases import PHASE_ORDER, ns, phase_index
from forecasts.promotions import Promotions
from forecasts.residuals import EventData
from forecasts.uplift import Profile, fitted

MIN_EVENTS = 1  # past events needed to learn a signal's noise
PRIOR_WEIGHT = 1.0  # pseudo-events behind the noise's prior 2τ² (a signal unrelated to the size, until shown otherwise)
SIZE_PHASES = ("warmup", "peak", "aftersales")  # long phases; opening rushes are left to ``lead_signal``
CLIP = 1.5  # |log L| beyond this is not believed (a phase the profile barely knows)


def _sums(d: EventData, comps: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """``Σ (y − b − own wave)`` and ``Σ b·(U − 1)`` over the hours ``mask`` of one event."""
    u = np.exp(fitted(comps, d.cells, d.r.size))
    wave = 0.0 if d.wave is None else d.wave
    return float((d.y - d.b - wave)[mask].sum()), float((d.b * (u - 1.0))[mask].sum())


def _log_ratio(x: float, p: float) -> float:
    """``log(x / p)`` clipped to ±CLIP; NaN when the two sums differ in sign or ``p`` is ~0."""
    if x * p <= 0 or abs(p) < 1e-9:
        return np.nan
    return float(np.clip(np.log(x / p), -CLIP, CLIP))


def _noise(d: EventData, u: np.ndarray, mask: np.ndarray, kappa: float, weeks: int) -> float:
    """Variance of ``Σ (y − b)`` over the hours ``mask`` that busyness alone would give: per day
    ``Λ²/κ + Λ`` (day-level Gamma busyness and Poisson counts, ``Λ`` the day's expected count), plus
    the baseline's own error, a level known to ``1/√(κ·weeks·days)`` (``weeks`` normal weeks behind it)."""
    if not mask.any():
        return 0.0
    day = d.t[mask] // (86_400 * 10**9)
    lam = np.bincount(day - day.min(), weights=(d.b * u)[mask])
    days = int((lam > 0).sum())
    base = float(d.b[mask].sum()) ** 2 / (kappa * weeks * min(max(days, 1), 7))
    return float((lam**2 / kappa + lam).sum()) + base


def _signals(books: dict[str, EventData], pools: dict[str, Profile], before: int, peak: int,
             noise: tuple[dict, int] | None = None) -> tuple[np.ndarray, float, np.ndarray]:
    """One event's ``log L_φ`` per phase (hours earlier than ``before`` ns from its ``peak``, ns),
    ``log S`` of its later hours, and (with ``noise`` = (queue → κ, baseline weeks)) the variance of
    each ``log L_φ`` that busyness alone gives (:func:`_noise`, by the delta method); summed over
    the queues of ``books`` (queue → its :class:`EventData`)."""
    n = len(PHASE_ORDER)
    xs, ps, vs = np.zeros(n), np.zeros(n), np.zeros(n)
    rest = np.zeros(2)
    for q, d in books.items():
        early = d.t - peak < before
        phase = phase_index(d.cells, d.t.size)
        u = np.exp(fitted(pools[q].comps, d.cells, d.r.size))
        for k in range(n):
            x, p = _sums(d, pools[q].comps, early & (phase == k))
            xs[k], ps[k] = xs[k] + x, ps[k] + p
            if noise is not None:
                vs[k] += _noise(d, u, early & (phase == k), noise[0][q], noise[1])
        rest += _sums(d, pools[q].comps, ~early)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(np.abs(xs) > 0, vs / xs**2, np.inf)
    return np.array([_log_ratio(x, p) for x, p in zip(xs, ps)]), _log_ratio(*rest), var


def _pool_noise(qs: list[str], pools: dict[str, Profile], residuals: dict, before: int, peaks: dict,
                noise: tuple[dict, int]) -> np.ndarray:
    """Per phase, the variance the pooled profile's own noise adds to a ``log L_φ``: the profile is the
    mean of its ``E`` past events, each with the busyness and baseline error of :func:`_noise` over
    its hours before the same cut, so ``mean_e var_e / E`` (0 without pooled events)."""
    pooled = sorted({e for q in qs for e in pools[q].names})
    if not pooled:
        return np.zeros(len(PHASE_ORDER))
    var = [_signals({q: residuals[q][e] for q in qs if e in residuals[q]}, pools, before, peaks[e], noise)[2]
           for e in pooled]
    return np.mean(var, axis=0) / len(pooled)


def alike_events(promotions: Promotions, event: str, past: set) -> list[str]:
    """The ``past`` events a signal's noise is learned from: those of the planned ``event``'s kind or with
    its set of phases (a Double 12 without a deposit says little about a Double 11's warm-up)."""
    kinds, phases = promotions.kinds(), promotions.phases
    shape = {k: frozenset(phases.loc[phases["event"] == k, "phase"]) for k in past | {event}}
    return sorted(e for e in past if kinds[e] == kinds[event] or shape[e] == shape[event])


def in_event_scale(event: str, promotions: Promotions, pools: dict[str, Profile | None], residuals: dict,
                   partial: dict, prior: tuple[float, float], kappa: dict, weeks: int) -> tuple[float, float]:
    """Posterior ``(log Ŝ, variance)`` of the planned ``event``'s scale given its observed hours.

    Parameters
    ----------
    event : str
        The planned event.
    promotions : Promotions
        The calendar (events' peaks, kinds and phases).
    pools : dict
        Queue → its :class:`~forecasts.uplift.Profile` for the event (None without past events).
    residuals, partial : dict
        Queue → event → :class:`~forecasts.residuals.EventData`: past events, and events under
        way when the history ends (the planned event's hours seen so far).
    prior : (float, float)
        ``(μ, τ²)`` from the past events alone (:func:`forecasts.scale.event_scale`).
    kappa : dict
        Queue → κ, its day-level busyness (:func:`forecasts.baseline.fit_kappa`).
    weeks : int
        Normal weeks behind each event's baseline.

    Returns
    -------
    (float, float)
        The prior unchanged when the event has no observed hour or no signal is learnable.
    """
    qs = [q for q in pools if pools[q] is not None and event in partial.get(q, {})]
    if not qs:
        return prior
    peaks = dict(zip(promotions.events["event"], ns(promotions.events["peak"])))
    now = {q: partial[q][event] for q in qs}
    before = max(int(d.t.max()) for d in now.values()) + 3_600 * 10**9 - peaks[event]
    own, _, v_own = _signals(now, pools, before, peaks[event], (kappa, weeks))
    past = alike_events(promotions, event, {e for q in qs for e in residuals[q]} - {event})
    rows = [_signals({q: residuals[q][e] for q in qs if e in residuals[q]}, pools, before, peaks[e]) for e in past]
    v_pool = _pool_noise(qs, pools, residuals, before, peaks, (kappa, weeks))
    mu, tau2 = prior
    precision, weighted = 1.0 / tau2, mu / tau2
    for k in range(len(PHASE_ORDER)):
        diffs = np.array([sig[k] - rest for sig, rest, _ in rows])
        diffs = diffs[np.isfinite(diffs)]
        if PHASE_ORDER[k] not in SIZE_PHASES or not np.isfinite(own[k]) or diffs.size < MIN_EVENTS:
            continue
        s2 = max((PRIOR_WEIGHT * 2 * tau2 + float(np.sum(diffs**2))) / (PRIOR_WEIGHT + diffs.size),
                 v_own[k] + v_pool[k])
        precision, weighted = precision + 1.0 / s2, weighted + own[k] / s2
    return float(weighted / precision), float(1.0 / precision)
