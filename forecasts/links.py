"""Queue links fitted from past events: the after-sales wave and the unpaid-orders share (MODEL_NOTES §1.2).

Takes each queue's past events (:class:`forecasts.residuals.EventData`, from the **history**
frame ``queue, ds, y`` against each event's baseline) and the links named by the forecaster's
``waves`` and ``shares`` parameters (linked queue → orders queue); returns no frame: per
responding queue a :class:`forecasts.wave.Wave` (with each past event's
:class:`~forecasts.wave.Sample`), per driven queue a :class:`forecasts.share.Share`.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from forecasts.errors import InputError
from forecasts.phases import HOUR_NS, PHASE_ORDER, phase_index, without_aftersales
from forecasts.residuals import EventData
from forecasts.share import Share, event_ratios, fit_share
from forecasts.wave import ORDER_PHASES, Sample, Wave, fit_wave, respond


def wave_sample(orders: EventData, resp: EventData) -> Sample:
    """One past event on a regular hourly grid for :func:`forecasts.wave.fit_wave`.

    The orders queue's excess in the order phases (in units of its mean baseline hour), the
    responding queue's counts and baseline, fitted on its after-sales phase.
    """
    t0 = min(orders.t.min(), resp.t.min())
    n = int((max(orders.t.max(), resp.t.max()) - t0) // HOUR_NS) + 1
    o, y, b, fit = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool)
    sel = orders.hours_in(ORDER_PHASES)
    o[(orders.t[sel] - t0) // HOUR_NS] = (orders.y - orders.b)[sel] / max(float(orders.b.mean()), 1e-9)
    pos = (resp.t - t0) // HOUR_NS
    y[pos], b[pos] = resp.y, resp.b
    fit[pos[resp.hours_in(("aftersales",))]] = True
    return Sample(orders=o, y=y, b=b, fit=fit, t0=int(t0))


def share_ratios(orders: EventData, driven: EventData) -> tuple[np.ndarray, float]:
    """One past event's shares (:func:`forecasts.share.event_ratios`) over the hours both queues have."""
    _, io, idr = np.intersect1d(orders.t, driven.t, return_indices=True)
    rel = np.where(orders.b[io] > 0, orders.y[io] / np.maximum(orders.b[io], 1e-9) - 1.0, 0.0)
    phase = phase_index(driven.cells, driven.t.size)[idr]
    return event_ratios(rel, driven.y[idr], driven.b[idr], phase, len(PHASE_ORDER))


def check_pair(what: str, q: str, oq: str, queues: list[str]) -> None:
    """A wave's or a share's two queues: both in the history, and not the same."""
    if q not in queues or oq not in queues or q == oq:
        raise InputError(f"forecast: {what} {q} → {oq} must name two queues the history has "
                         f"(it has {', '.join(queues)})")


def fit_waves(pairs: dict | None, residuals: dict, partial: dict,
              queues: list[str]) -> tuple[dict[str, Wave], dict[str, dict[str, Sample]]]:
    """Fit each responding queue's wave and take it out of that queue's residuals.

    Parameters
    ----------
    pairs : dict or None
        Responding queue → orders queue.
    residuals, partial : dict
        Queue → event → :class:`~forecasts.residuals.EventData` (past events, events under
        way). **Updated in place**: the responding queue's past events get residuals against
        baseline + their own fitted wave and lose their after-sales cells (the wave is that
        phase's model), so the profile learns the other phases; events under way lose their
        after-sales cells too.
    queues : list of str
        The history's queues.

    Returns
    -------
    (waves, samples) : tuple of dict
        Responding queue → its :class:`~forecasts.wave.Wave`, and → event → its
        :class:`~forecasts.wave.Sample`, for the queues with a past event shared with the orders queue.
    """
    waves, samples_of = {}, {}
    for q, oq in (pairs or {}).items():
        check_pair("wave", q, oq, queues)
        past = residuals[q]
        samples = {e: wave_sample(residuals[oq][e], d) for e, d in past.items() if e in residuals[oq]}
        wave = fit_wave(samples)
        if wave is None:
            continue
        waves[q], samples_of[q] = wave, samples
        for i, e in enumerate(wave.events):
            d, smp = past[e], samples[e]
            own = (smp.b * wave.ratios[i] * respond(smp.orders, wave.lags[i], wave.shape))[(d.t - smp.t0) // HOUR_NS]
            past[e] = replace(d, r=np.log((d.y + 0.5) / (d.b + own + 0.5)), wave=own)
        for book in (past, partial[q]):
            for e, d in book.items():
                book[e] = replace(d, cells=without_aftersales(d.cells))
    return waves, samples_of


def fit_shares(pairs: dict | None, waves: dict | None, residuals: dict, queues: list[str]) -> dict[str, Share]:
    """Fit each driven queue's shares of its orders queue's uplift, from the past events both queues have.

    ``pairs`` maps driven queue → orders queue, ``waves`` responding queue → orders queue (a
    driven queue has no wave, and its orders queue is not driven itself); ``residuals`` queue →
    event → :class:`~forecasts.residuals.EventData`. Returns driven queue → its
    :class:`~forecasts.share.Share`, for the queues with a past event shared with the orders queue.
    """
    shares = {}
    for q, oq in (pairs or {}).items():
        check_pair("share", q, oq, queues)
        if q in (waves or {}) or oq in pairs:
            raise InputError(f"forecast: share {q} → {oq}: a driven queue has no wave, and its orders queue "
                             "is not driven itself")
        per_event = {e: share_ratios(residuals[oq][e], d) for e, d in residuals[q].items() if e in residuals[oq]}
        share = fit_share(per_event)
        if share is not None:
            shares[q] = share
    return shares
