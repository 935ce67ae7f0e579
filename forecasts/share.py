"""Unpaid orders (the reminder backlog's volume) as a per-phase share of the orders queue's uplift
(MODEL_NOTES §1.2, "queue interactions").

Every unpaid order is an order first, so the driven queue's excess over its baseline follows the
orders queue's hour by hour, at a share that depends on the phase (a final-payment window leaves
far more orders unpaid per pre-sale chat than a warm-up day)::

    y_d(t) = b_d(t) · (1 + ρ_{e, φ(t)} · (y_o(t) / b_o(t) − 1))

``b`` the queues' baselines, ``φ(t)`` the phase of hour ``t``, ``ρ_{e, φ}`` one ratio per past
event and phase. Each is a ratio of sums over the phase's hours, ``Σ (y_d − b_d) / Σ b_d (y_o/b_o − 1)``:
the orders queue's hourly noise cancels in the sum (a least-squares slope would shrink toward 0
where its excess is small next to that noise). A phase an event lacks takes the mean of the
events that have it, else the event's all-phase ratio. A forecast draws one past event's ratios
per draw: the bands carry the spread between events.

Why not a free profile of its own: reminder counts are small (145 unpaid orders on a normal demo
day, about 6 an hour), so a day × hour profile learns Poisson noise; the orders queue's profile
is learned from twenty times the counts, and the share adds one number per phase.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Share:
    """Fitted shares: per past event (``events``) a ratio per phase (``ratios``, NaN where the
    event lacks the phase) and over all its phases (``overall``)."""

    events: tuple
    ratios: np.ndarray
    overall: np.ndarray

    def table(self, among: list[int]) -> np.ndarray:
        """The ratios of the events ``among`` (rows) per phase, every gap filled."""
        ratios = self.ratios[among]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a phase none of them has: an all-NaN column
            mean = np.nanmean(ratios, axis=0)
        return np.where(np.isnan(ratios), np.where(np.isnan(mean), self.overall[among, None], mean), ratios)


def _ratio(excess: np.ndarray, driven: np.ndarray) -> float:
    """``Σ driven / Σ excess`` (≥ 0), NaN when the orders queue has no excess to share."""
    den = float(excess.sum())
    return max(float(driven.sum()) / den, 0.0) if den > 0 else np.nan


def event_ratios(orders_rel: np.ndarray, y: np.ndarray, b: np.ndarray, phase: np.ndarray, n_phases: int) -> tuple[np.ndarray, float]:
    """One event's ratio per phase and over all phases.

    ``orders_rel`` the orders queue's relative excess ``y_o/b_o − 1`` in each hour, ``y`` and ``b``
    the driven queue's counts and baseline, ``phase`` each hour's phase index (−1: none)."""
    excess, driven = b * orders_rel, y - b
    ratios = np.array([_ratio(excess[phase == k], driven[phase == k]) if (phase == k).any() else np.nan
                       for k in range(n_phases)])
    return ratios, _ratio(excess[phase >= 0], driven[phase >= 0])


def fit_share(per_event: dict[str, tuple[np.ndarray, float]]) -> Share | None:
    """The :class:`Share` of the events whose all-phase ratio is defined; None without one."""
    usable = sorted(e for e, (_, overall) in per_event.items() if np.isfinite(overall))
    if not usable:
        return None
    return Share(events=tuple(usable), ratios=np.stack([per_event[e][0] for e in usable]),
                 overall=np.array([per_event[e][1] for e in usable]))
