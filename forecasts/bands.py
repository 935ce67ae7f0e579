"""Bands by simulation: draws of each queue's uplift, then of its counts (MODEL_NOTES §1.3).

Takes the fitted pieces of :class:`forecasts.model.PromoForecaster` (baselines, pooled uplift
profiles, the event scale's draws, waves and shares) and the planned event's rows of the
promotions calendar (**events** ``event, kind, start, peak, end``; **phases** ``event, phase,
start, end``); :func:`simulate_bands` returns the **forecast** frame ``queue, ds, mean, p10,
p50, p90``.

Each draw picks one past event and adds its day-level deviation from the pooled profile
(event bootstrap), the event scale ``S`` plus a Gaussian ``N(0, σ_between / √E)``, a day-level
busyness ``G ~ Gamma(κ, 1/κ)`` and Poisson noise. The generator is shared and called in a fixed
order, so a seed gives one forecast.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasts.phases import DAY_NS, HOUR_NS, N_DAYS_CELL, PHASE_ORDER, cells, ns, phase_index, without_aftersales
from forecasts.promotions import Promotions
from forecasts.uplift import fitted
from forecasts.wave import ORDER_PHASES


@dataclass(frozen=True)
class EventDraws:
    """The planned ``event``'s uplift draws over the hours ``t`` (ns), one queue at a time.

    ``pools`` maps queue → its :class:`~forecasts.uplift.Profile` (None without past events);
    ``baseline`` and ``kappa`` queue → its :class:`~forecasts.baseline.Baseline` and κ;
    ``wave_links`` responding queue → orders queue, ``waves`` → the fitted
    :class:`~forecasts.wave.Wave`, ``wave_samples`` → event → :class:`~forecasts.wave.Sample`;
    ``shares`` driven queue → the fitted :class:`~forecasts.share.Share`.
    """

    promotions: Promotions
    event: str
    t: np.ndarray
    pools: dict
    n_draws: int
    baseline: dict
    kappa: dict
    wave_links: dict
    waves: dict
    wave_samples: dict
    shares: dict

    def _cells(self, t: np.ndarray) -> list:
        """The planned event's phase cells of the hours ``t``."""
        peak = ns([self.promotions.event_row(self.event)["peak"]])[0]
        return cells(t, peak, self.promotions.phases_of(self.event))

    def uplift(self, q: str, scale: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Draws (n_draws × hours) of the uplift factor ``1 + S·(U − 1)`` (plus ``S·wave``) × the event's day deviation."""
        n, t = self.n_draws, self.t
        pool = self.pools[q]
        if pool is None:
            return np.ones((n, t.size))
        ev = self.promotions.event_row(self.event)
        peak = ns([ev["peak"]])[0]
        comps, dev, s_inf, _ = pool
        event_cells = self._cells(t)
        if q in self.waves:
            event_cells = without_aftersales(event_cells)
        u = np.exp(fitted(comps, event_cells, t.size))
        on = (t >= ns([ev["start"]])[0]) & (t < ns([ev["end"]])[0])
        pick = rng.integers(0, dev.shape[0], size=n)
        eps = rng.normal(0.0, s_inf, size=n)
        kd = np.clip(t // DAY_NS - peak // DAY_NS, -N_DAYS_CELL, N_DAYS_CELL) + N_DAYS_CELL
        shift = np.where(on[None, :], dev[pick][:, kd] + eps[:, None], 0.0)
        up = np.where(u[None, :] >= 1.0, 1.0 + scale[:, None] * (u[None, :] - 1.0),
                      u[None, :] ** scale[:, None])  # a dip scaled on the log scale: deeper, never below 0
        if q in self.waves:
            wave, scaled = self.wave(q, rng)
            up = up + (scale[:, None] if scaled else 1.0) * wave
        return up * np.exp(shift)

    def wave(self, q: str, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
        """Draws (n_draws × hours) of queue ``q``'s after-sales wave, relative to its baseline, and
        whether they still take the event scale.

        Before the sale, the orders curve is the orders queue's forecast excess (pooled profile,
        before the event scale) in the planned event's order phases, over the whole event (orders
        before the window still drive the wave inside it), and each draw takes one past event's lag
        and ratio. Once the planned event's peak is in the history (a re-forecast during the wave),
        its orders are known: they drive the wave unscaled, and the past events' pairs are weighted
        by how well they predict the after-sales hours seen so far (:meth:`~forecasts.wave.Wave.weights`).
        """
        t, pools = self.t, self.pools
        oq, wave = self.wave_links[q], self.waves[q]
        ev = self.promotions.event_row(self.event)
        start = ns([ev["start"]])[0]
        grid = np.arange(start, ns([ev["end"]])[0], HOUR_NS)
        early = self.wave_samples[q].get(self.event)
        among = [i for i, e in enumerate(wave.events) if e != self.event]
        if early is not None and among:
            orders = np.zeros(grid.size)
            at = (early.t0 - start) // HOUR_NS + np.arange(early.orders.size)
            keep = (at >= 0) & (at < grid.size)
            orders[at[keep]] = early.orders[keep]
            p = wave.weights(early, self.kappa[q], among)
        elif pools.get(oq) is None:
            return np.zeros((self.n_draws, t.size)), True
        else:
            orders = self.orders_curve(oq, grid, pools[oq].comps)
            alike = [i for i in among if wave.events[i] in (pools[q].names if pools.get(q) else ())]
            among = alike or among
            p = np.full(len(among), 1.0 / len(among))
        rel = wave.relative(orders)[among]
        inside = (t >= grid[0]) & (t <= grid[-1])
        out = np.zeros((len(among), t.size))
        out[:, inside] = rel[:, (t[inside] - start) // HOUR_NS]
        return out[rng.choice(len(among), size=self.n_draws, p=p)], early is None

    def share(self, q: str, orders_up: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Draws (n_draws × hours) of a driven queue's uplift factor ``1 + ρ·(U_o − 1)``.

        ``U_o`` the orders queue's draws ``orders_up`` (event scale, day deviations and all),
        ``ρ`` per draw one past event's share in each hour's phase (of the events the queue's
        profile would pool, when the share has them).
        """
        share = self.shares[q]
        names = self.pools[q].names if self.pools.get(q) is not None else ()
        among = [i for i, e in enumerate(share.events) if e in names] or list(range(len(share.events)))
        phase = phase_index(self._cells(self.t), self.t.size)
        rho = share.table(among)[rng.integers(0, len(among), size=self.n_draws)][:, np.maximum(phase, 0)]
        return np.maximum(1.0 + np.where(phase >= 0, rho, 0.0) * (orders_up - 1.0), 0.0)

    def orders_curve(self, oq: str, grid: np.ndarray, comps: np.ndarray) -> np.ndarray:
        """The orders queue's forecast excess in the planned event's order phases, in units of its mean baseline hour."""
        day = grid // DAY_NS
        b = self.baseline[oq].at(day, (day + 3) % 7, (grid // HOUR_NS) % 24)
        event_cells = self._cells(grid)
        u = np.exp(fitted(comps, event_cells, grid.size))
        order = np.zeros(grid.size, dtype=bool)
        for k, pos, _, _ in event_cells:
            order[pos] |= PHASE_ORDER[k] in ORDER_PHASES
        return np.where(order, b * (u - 1.0), 0.0) / max(float(b.mean()), 1e-9)


def simulate_bands(t: np.ndarray, queues: list[str], mus: dict, ups: dict, kappa: dict,
                   quantiles: tuple[float, float, float], rng: np.random.Generator) -> pd.DataFrame:
    """Counts drawn as Poisson(baseline × uplift × day busyness), summarised per queue and hour.

    Parameters
    ----------
    t : ndarray of int64
        The window's hours (ns), whole days.
    queues : list of str
        Queues in output order.
    mus, ups, kappa : dict
        Queue → baseline per hour, uplift draws (n_draws × hours), κ of the day busyness
        ``G ~ Gamma(κ, 1/κ)``.
    quantiles : tuple of float
        The three quantiles reported as ``p10, p50, p90``.
    rng : Generator
        Continues the forecast's generator.

    Returns
    -------
    DataFrame
        The **forecast** frame ``queue, ds, mean, p10, p50, p90``, sorted by queue then ds
        (``mean`` the mean of λ, the quantiles of the drawn counts).
    """
    day = t // DAY_NS
    dmap = day - day[0]
    frames = []
    for q in queues:
        n = ups[q].shape[0]
        g = rng.gamma(kappa[q], 1.0 / kappa[q], size=(n, int(dmap[-1]) + 1))
        lam = mus[q][None, :] * ups[q] * g[:, dmap]
        y = rng.poisson(lam)
        qs = np.quantile(y, quantiles, axis=0)
        frames.append(pd.DataFrame({
            "queue": q,
            "ds": pd.to_datetime(t).astype("datetime64[ns]"),
            "mean": lam.mean(axis=0),
            "p10": qs[0].astype(float), "p50": qs[1].astype(float), "p90": qs[2].astype(float),
        }))
    return pd.concat(frames, ignore_index=True)
