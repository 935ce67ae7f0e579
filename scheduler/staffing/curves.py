"""Service level lost, as the roster objective sees it: a convex piecewise-linear cost per queue-hour.

For a chat queue and hour, ``late(c)`` is the expected number of chats not answered within the
hour's target (abandoned chats included) when ``c`` agents are scheduled on the queue: the chat
model of ``scheduler.staffing.chat`` at the agents left at the desk after shrinkage, evaluated at every
count up to 80 and at 80 counts spread over larger ranges (1,000-agent plans). Its lower convex
envelope, priced at the queue's ``late_cost`` per chat, is written as tiers
``const + sum_k w_k * max(0, b_k - c)`` (MODEL_NOTES 3.4): every agent missing below
breakpoint ``b_k`` costs ``w_k`` more. For the reminder backlog, every scheduled agent short of
the requirement leaves a fixed number of touches late, so the curve is one tier.

Weights are integers in objective units (``COST_SCALE`` a yuan), so the solver and the checker
evaluate exactly the same function.

Takes: requirements frame, plan, phase flags, agents per queue. Returns: ``{(queue, hour): LossCurve}``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.plan.money import COST_SCALE, units
from scheduler.staffing.requirements import desk_from_scheduled, queue_metrics, shrinkage_by_hour

@dataclass(frozen=True)
class LossCurve:
    """``const + sum w * max(0, b - c)`` objective units; ``late`` the envelope's late chats per unit cost."""

    const: int
    tiers: tuple[tuple[int, int], ...]  # (breakpoint b, weight w)
    unit_cost: float  # yuan per late chat or touch

    def value(self, c: int) -> int:
        return self.const + sum(w * max(0, b - c) for b, w in self.tiers)

    def late(self, c: int) -> float:
        """Late chats (or touches) the envelope charges for ``c`` agents."""
        return self.value(c) / COST_SCALE / self.unit_cost if self.unit_cost else 0.0


def lower_hull(x: np.ndarray, y: np.ndarray) -> list[int]:
    """Indices of the lower convex hull of points ``(x[i], y[i])``, ``x`` increasing (monotone chain)."""
    hull: list[int] = []
    for i in range(len(y)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (y[b] - y[a]) * (x[i] - x[a]) >= (y[i] - y[a]) * (x[b] - x[a]):
                hull.pop()
            else:
                break
        hull.append(i)
    return hull


def thin(hull: list[int], x: np.ndarray, y: np.ndarray, tolerance: float) -> list[int]:
    """Drop hull vertices whose removal raises the envelope by less than ``tolerance`` (it stays convex)."""
    hull = list(hull)
    while len(hull) > 2:
        rise = [(y[a] + (y[c] - y[a]) * (x[b] - x[a]) / (x[c] - x[a]) - y[b], i)
                for i, (a, b, c) in enumerate(zip(hull, hull[1:], hull[2:]), 1)]
        lift, i = min(rise)
        if lift >= tolerance:
            break
        del hull[i]
    while len(hull) > 1 and y[hull[-2]] - y[hull[-1]] < tolerance:  # a flat tail adds nothing
        hull.pop()
    return hull


def tiers_from_points(y: np.ndarray, cost: float, tolerance: float = 0.5, x=None) -> tuple[int, tuple[tuple[int, int], ...]]:
    """Tier form of the convex envelope of ``cost * y`` at agents ``x`` (default 0, 1, ...), flat after its last point.

    Vertices whose removal changes the envelope by less than ``tolerance`` late chats are dropped
    (MODEL_NOTES 3.4), which keeps a handful of tiers per queue-hour.
    """
    y = np.asarray(y, dtype=float)
    x = np.arange(len(y)) if x is None else np.asarray(x)
    hull = thin(lower_hull(x, y), x, y, tolerance)
    xs = [int(x[i]) for i in hull]
    slopes = [(y[b] - y[a]) / (x[b] - x[a]) for a, b in zip(hull, hull[1:])] + [0.0]
    slopes = [min(s, 0.0) for s in slopes]
    tiers = []
    for k, b in enumerate(xs[1:]):
        w = units(cost * (slopes[k + 1] - slopes[k]))
        if w > 0:
            tiers.append((b, w))
    return units(cost * float(y[hull[-1]])), tuple(tiers)


NONE_LATE = 1e-9  # late chats an hour below which more agents are not evaluated (0 at every larger count)
SAMPLES = 80  # agent counts at which a queue-hour's curve is evaluated: every count up to 80, a grid beyond


def agent_grid(c_max: int) -> np.ndarray:
    """0..c_max, or ``SAMPLES`` counts spread over it (the envelope through them over-estimates the loss slightly)."""
    return np.unique(np.linspace(0, c_max, min(c_max + 1, SAMPLES + 1)).round().astype(int))


def _chat_late(queue, volume: np.ndarray, within: np.ndarray, shrink: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Late chats per hour (rows) at each agent count of ``grid`` (columns).

    Late chats fall as agents rise, so an hour whose late chats are below ``NONE_LATE`` at a count is
    0 at every larger count, not computed (at 1,000 agents most hours reach it far below the grid's
    top, set by the busiest hour: 4.3 s of the model's build went here)."""
    served = volume * (1.0 - queue.deflection)
    late = np.zeros((len(volume), len(grid)))
    rows = np.arange(len(volume))
    for j, c in enumerate(grid):
        desk = desk_from_scheduled(np.full(len(rows), c), shrink[rows])
        late[rows, j] = served[rows] * (1.0 - queue_metrics(queue, volume[rows], desk, within[rows])["service_level"])
        rows = rows[late[rows, j] >= NONE_LATE]
        if not len(rows):
            break
    return late


def loss_curves(req: pd.DataFrame, plan, flags: pd.DataFrame, agents_with_skill: dict[str, int],
                hour_index) -> dict[tuple[str, int], LossCurve]:
    """The loss curve of every open queue-hour, keyed by (queue, plan hour index)."""
    curves = {}
    for name, queue in plan.queues.items():
        part = req[(req["queue"] == name) & req["open"]]
        if part.empty:
            continue
        hours = [hour_index(ds) for ds in part["ds"]]
        need = part["scheduled"].to_numpy()
        shrink = shrinkage_by_hour(flags.reindex(pd.DatetimeIndex(part["ds"]), fill_value=False), plan.staffing)
        if queue.kind == "chat":
            grid = agent_grid(int(min(agents_with_skill.get(name, 0), 2 * need.max() + 5)))
            late = _chat_late(queue, part["volume"].to_numpy(dtype=float), part["within_s"].to_numpy(dtype=float), shrink, grid)
            for t, row in zip(hours, late):
                const, tiers = tiers_from_points(row, queue.late_cost, x=grid)
                curves[name, t] = LossCurve(const, tiers, queue.late_cost)
        else:
            per_agent = 60.0 * plan.staffing.max_occupancy * (1.0 - shrink) / queue.touch_minutes
            for t, n, k in zip(hours, need, per_agent):
                w = units(queue.late_cost * k)
                curves[name, t] = LossCurve(0, ((int(n), w),) if n > 0 and w > 0 else (), queue.late_cost)
    return curves
