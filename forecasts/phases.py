"""Hours of a promotion mapped to its phases' (day, hour) cells (MODEL_NOTES §1).

Takes hour timestamps (``int64`` nanoseconds since the epoch) and one event's rows of the
**phases** frame (``event, phase, start, end``, from :class:`forecasts.promotions.Promotions`);
returns no frame: per phase row, the positions and cells of the hours it covers
(:func:`cells`), and the masks and phase indices built from them. Also picks the event that
drives a forecast window from the **events** frame (``event, kind, start, peak, end``).

Each hour of an event is mapped to a cell ``(d, h)`` of every phase covering it: warm-up
``d`` = days before the peak day, ``h`` = clock hour; after-sales ``d`` = days since the
phase started, ``h`` = clock hour; deposit, final payment and peak ``(d, h)`` =
divmod(hours since the phase opened, 24).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PHASE_ORDER = ("warmup", "deposit", "final_payment", "peak", "aftersales")
# tie-break when two phases start at the same hour: the higher number wins
PRIORITY = {"warmup": 0, "aftersales": 1, "peak": 2, "final_payment": 3, "deposit": 4}
N_DAYS_CELL = 45  # days per phase grid (longer phases reuse the last day)
DAY_NS = 86_400 * 10**9
HOUR_NS = 3_600 * 10**9

Cell = tuple[int, np.ndarray, np.ndarray, np.ndarray]
"""One phase row's hours: ``(phase index, positions, day cell, hour cell)``."""


def ns(values) -> np.ndarray:
    """Timestamps as int64 nanoseconds since the epoch."""
    return np.asarray(pd.to_datetime(values).astype("datetime64[ns]"), dtype="datetime64[ns]").astype(np.int64)


def cells(t_ns: np.ndarray, peak_ns: int, phases: pd.DataFrame) -> list[Cell]:
    """Map hours to the cells of every phase covering them.

    Parameters
    ----------
    t_ns : ndarray of int64
        The hours, nanoseconds since the epoch.
    peak_ns : int
        The event's peak, nanoseconds since the epoch.
    phases : DataFrame
        The event's phase rows, ``phase, start, end``.

    Returns
    -------
    list of Cell
        ``(phase index, positions in t_ns, day cell, hour cell)``, one item per phase row that
        covers an hour: warm-up ``d`` = days before the peak day, ``h`` = clock hour;
        after-sales ``d`` = days since the phase started, ``h`` = clock hour; deposit, final
        payment and peak ``(d, h)`` = divmod(hours since the phase opened, 24).
    """
    out = []
    day = t_ns // DAY_NS
    clock = (t_ns // HOUR_NS) % 24
    for row in phases.itertuples(index=False):
        s, e = ns([row.start])[0], ns([row.end])[0]
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


def phase_index(event_cells: list[Cell], size: int) -> np.ndarray:
    """Each hour's phase, an index of ``PHASE_ORDER`` (−1 outside every phase).

    Of the phases covering the hour, the one ``PRIORITY`` ranks highest (a final-payment
    window inside the peak day or the warm-up, a deposit opening inside the warm-up).
    """
    phase, rank = np.full(size, -1), np.full(size, -1)
    for k, pos, _, _ in event_cells:
        better = pos[PRIORITY[PHASE_ORDER[k]] > rank[pos]]
        phase[better], rank[better] = k, PRIORITY[PHASE_ORDER[k]]
    return phase


def phase_hours(event_cells: list[Cell], size: int, phases: tuple[str, ...]) -> np.ndarray:
    """Mask of the ``size`` hours that lie inside any of ``phases``."""
    mask = np.zeros(size, dtype=bool)
    for k, pos, _, _ in event_cells:
        if PHASE_ORDER[k] in phases:
            mask[pos] = True
    return mask


def without_aftersales(event_cells: list[Cell]) -> list[Cell]:
    """Phase cells minus the after-sales phase (a queue with a wave models that phase by the wave)."""
    return [c for c in event_cells if PHASE_ORDER[c[0]] != "aftersales"]


def busiest_event(events: pd.DataFrame, t: np.ndarray) -> str | None:
    """The event of the **events** frame whose ``start .. end`` covers most of the hours ``t`` (None: none)."""
    best, best_n = None, 0
    for ev in events.itertuples(index=False):
        s, e = ns([ev.start])[0], ns([ev.end])[0]
        n = int(((t >= s) & (t < e)).sum())
        if n > best_n:
            best, best_n = ev.event, n
    return best
