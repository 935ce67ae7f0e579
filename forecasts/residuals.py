"""Each event's hours in the history against its own baseline (MODEL_NOTES §1.2).

Takes one queue's day × hour grid of the **history** frame (``queue, ds, y``; see
:func:`forecasts.baseline.hour_grid`) and the promotions calendar (**events** ``event, kind,
start, peak, end`` and **phases** ``event, phase, start, end``); returns no frame: per event
an :class:`EventData` (hours, counts, baseline, log residuals ``r = log((y + ½) / (b + ½))``
and phase cells), split into past events (peak day in the history) and events under way when
the history ends.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasts.baseline import fit_baseline
from forecasts.phases import DAY_NS, HOUR_NS, cells, ns, phase_hours
from forecasts.promotions import Promotions


@dataclass(frozen=True)
class EventData:
    """One event's hours ``t`` in the history: log residuals ``r`` against its own baseline ``b``
    (plus its fitted after-sales ``wave``, in counts, for a queue with one), counts ``y``, phase
    ``cells`` (see :func:`forecasts.phases.cells`) and days to the peak ``kday``."""

    t: np.ndarray
    r: np.ndarray
    cells: list
    kday: np.ndarray
    y: np.ndarray
    b: np.ndarray
    wave: np.ndarray | None = None

    def hours_in(self, phases: tuple[str, ...]) -> np.ndarray:
        """Mask of the event's hours inside any of ``phases``."""
        return phase_hours(self.cells, self.r.size, phases)


def event_residuals(days: np.ndarray, grid: np.ndarray, ok: np.ndarray, slope: float, promotions: Promotions,
                    weeks: int, margin_days: int) -> tuple[dict[str, EventData], dict[str, EventData]]:
    """Per event seen in the history: hourly log residuals against its own baseline.

    Parameters
    ----------
    days, grid, ok, slope
        The queue's day numbers, day × hour counts, normal-day mask and trend (see
        :func:`forecasts.baseline.fit_baseline`).
    promotions : Promotions
        The calendar.
    weeks, margin_days : int
        Normal weeks in each event's own baseline (the weeks just before it, or just after it
        when the history starts inside the event), and the days kept clear after its end.

    Returns
    -------
    (past, partial) : tuple of dict
        ``past`` holds events whose peak day is in the history, ``partial`` events under way
        when the history ends (their hours seen so far); event name → :class:`EventData`.
    """
    past, partial = {}, {}
    day0 = days[0]
    open_h = ~np.isnan(grid).all(axis=0)
    for ev in promotions.events.itertuples(index=False):
        s, e, pk = (ns([x])[0] for x in (ev.start, ev.end, ev.peak))
        pd_idx = pk // DAY_NS - day0
        if (e - 1) // DAY_NS < day0 or s // DAY_NS > days[-1]:
            continue  # no hour of the event in the history
        in_past = 0 <= pd_idx < len(days) and np.isnan(grid[pd_idx, open_h]).sum() <= 4
        if not in_past and pd_idx < len(days) - 1:
            continue  # peak day in the history but missing: unusable (unless it is the last, a re-forecast on the sale day)
        base = fit_baseline(days, grid, ok, slope, weeks, cut=s // DAY_NS - day0,
                            after=(e - 1) // DAY_NS - day0 + margin_days + 1)
        t = np.arange(max(s, day0 * DAY_NS), min(e, (days[-1] + 1) * DAY_NS), HOUR_NS)
        y = grid[t // DAY_NS - day0, (t // HOUR_NS) % 24]
        t = t[~np.isnan(y)]
        y = y[~np.isnan(y)]
        if t.size == 0:
            continue
        b = base.at(t // DAY_NS, (t // DAY_NS + 3) % 7, (t // HOUR_NS) % 24)
        data = EventData(t=t, r=np.log((y + 0.5) / (b + 0.5)), cells=cells(t, pk, promotions.phases_of(ev.event)),
                         kday=t // DAY_NS - pk // DAY_NS, y=y, b=b)
        (past if in_past else partial)[ev.event] = data
    return past, partial
