"""The after-sales wave as a lagged response to the sale's orders (MODEL_NOTES §1.2, "queue interactions").

Returns wait for delivery, so the after-sales queue's excess over its baseline follows the
sale's orders by days: ``excess(t) = b(t) · ρ · Σ_s o(s) k(t − s)``, a distributed lag of the
orders curve ``o`` with a gamma kernel ``k`` of mean ``L`` days and shape ``a``. The orders
curve is the orders queue's excess over its baseline in the order-taking phases (final payment
and the peak day), in units of its mean baseline hour; ``b`` is the responding queue's baseline,
so the wave keeps that queue's own hours of the day.

Each past event gets its own lag ``L_e`` and ratio ``ρ_e`` (returns per order: delivery times and
return rates differ between sales); the shape is shared. A forecast cannot know the coming
sale's lag, so it draws ``(ρ_e, L_e)`` pairs from the past events: the mean is the mixture and
the bands carry the timing uncertainty. The fit is weighted least squares (weights ``1/b``,
Poisson-like) on the after-sales phase's hours, by grid search over ``L`` and ``a`` with ``ρ``
in closed form.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import gamma

ORDER_PHASES = ("final_payment", "peak")
SHAPES = (2.0, 3.0, 4.0, 6.0)
LAGS = np.arange(1.0, 14.01, 0.25)  # days
HORIZON_H = 30 * 24  # the kernel's length in hours


@lru_cache(maxsize=512)
def kernel(lag_days: float, shape: float) -> np.ndarray:
    """Hourly weights of a gamma lag with mean ``lag_days`` and ``shape``, summing to 1 over 30 days."""
    edges = np.arange(HORIZON_H + 1) / 24.0
    k = np.diff(gamma.cdf(edges, shape, scale=lag_days / shape))
    return k / k.sum()


def respond(orders: np.ndarray, lag_days: float, shape: float) -> np.ndarray:
    """The lagged response ``Σ_s o(s) k(t − s)`` of an hourly orders curve, same length."""
    return np.convolve(orders, kernel(float(lag_days), float(shape)))[: orders.size]


@dataclass(frozen=True)
class Sample:
    """One past event on a regular hourly grid: the orders curve, the responding queue's counts
    ``y`` and baseline ``b``, the mask of hours the wave is fitted on (the after-sales phase), and
    the grid's first hour ``t0`` (ns since the epoch)."""

    orders: np.ndarray
    y: np.ndarray
    b: np.ndarray
    fit: np.ndarray
    t0: int = 0


@dataclass(frozen=True)
class Wave:
    """A fitted wave: the shared kernel ``shape`` and, per past event (``events``), its lag
    (days) and ratio."""

    shape: float
    events: tuple
    lags: np.ndarray
    ratios: np.ndarray

    def relative(self, orders: np.ndarray) -> np.ndarray:
        """The wave's relative uplift ``ρ_e · (k_e * o)`` for each past event's pair (events × hours)."""
        return np.stack([r * respond(orders, lag, self.shape) for lag, r in zip(self.lags, self.ratios)])

    def weights(self, early: Sample, kappa: float, among: list[int]) -> np.ndarray:
        """Posterior weights of the pairs ``among`` given an event whose wave has begun.

        ``early`` holds the event's known orders and its after-sales hours seen so far. Each pair
        predicts those hours' excess. Compared per day (busyness is day-level), with negative-binomial
        variance ``Λ + Λ²/κ`` of the day's count ``Λ = Σ b(1 + wave)``, the pairs get Gaussian
        likelihoods; uniform weights when no hour has been seen.
        """
        if not early.fit.any():
            return np.full(len(among), 1.0 / len(among))
        day = np.flatnonzero(early.fit) // 24
        z = np.bincount(day, weights=(early.y - early.b)[early.fit])
        loglik = []
        for i in among:
            pred = (early.b * self.ratios[i] * respond(early.orders, self.lags[i], self.shape))[early.fit]
            lam = np.bincount(day, weights=early.b[early.fit] + pred)
            var = lam + lam**2 / kappa + 1.0
            p = np.bincount(day, weights=pred)
            loglik.append(float(-0.5 * (((z - p) ** 2) / var + np.log(var)).sum()))
        w = np.exp(np.array(loglik) - max(loglik))
        return w / w.sum()


def _fit_one(s: Sample, shape: float) -> tuple[float, float, float]:
    """Best ``(sse, lag, ratio)`` of one event for a kernel shape (ratio ≥ 0)."""
    w = 1.0 / np.maximum(s.b[s.fit], 1.0)
    z = (s.y - s.b)[s.fit]
    best = (np.inf, float(LAGS[0]), 0.0)
    for lag in LAGS:
        c = (s.b * respond(s.orders, lag, shape))[s.fit]
        den = float((w * c * c).sum())
        if den <= 0:
            continue
        ratio = max(float((w * c * z).sum()) / den, 0.0)
        sse = float((w * (z - ratio * c) ** 2).sum())
        if sse < best[0]:
            best = (sse, float(lag), ratio)
    return best


def fit_wave(samples: dict[str, Sample]) -> Wave | None:
    """Fit the shared shape and each event's lag and ratio; None without a usable event.

    An event is usable when it has orders (a positive orders curve) and after-sales hours.
    """
    usable = {e: s for e, s in samples.items() if s.orders.sum() > 0 and s.fit.any()}
    if not usable:
        return None
    fits = {a: {e: _fit_one(s, a) for e, s in usable.items()} for a in SHAPES}
    shape = min(SHAPES, key=lambda a: sum(f[0] for f in fits[a].values()))
    names = tuple(sorted(usable))
    return Wave(shape=shape, events=names,
                lags=np.array([fits[shape][e][1] for e in names]),
                ratios=np.array([fits[shape][e][2] for e in names]))
