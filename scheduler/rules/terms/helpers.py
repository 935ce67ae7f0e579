"""What the soft terms' faces read and yield: a queue-hour of the CP-SAT model (``Hour``), the
frames a roster is priced from (``Frames``, with its coverage rows as ``CoverHour``), and a row
of ``violations.csv`` (``Row``).

Every term module of ``scheduler.rules.terms`` takes these from here, so each is spelled once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import pandas as pd


class Row(NamedTuple):
    """One row of ``violations.csv`` (``cost`` in objective units), and its place ``at`` in the frame.

    ``at`` orders the rows of one section of ``ROW_ORDER`` (a coverage row, a comparable group);
    rows that tie keep the order they were yielded in.
    """

    rule: str
    key: str
    amount: object
    unit: str
    cost: int
    at: int = 0


@dataclass
class Hour:
    """One queue-hour of a CP-SAT model: the coverage terms ``cover`` (their sum ``have``) against
    ``need`` agents, the hour's loss curve (or None), and ``floor`` collecting ``(weight, agents
    below)`` for the cover stage when given."""

    plan: object
    queue: str
    t: int
    cover: list
    have: object
    need: int
    curve: object
    n_agents: int
    floor: list | None = None


@dataclass(frozen=True)
class CoverHour:
    """One row of the coverage frame as the hour terms price it: position ``at``, ``key`` as
    ``violations.csv`` names it, agents ``required`` and ``scheduled``, the loss curve (or None)."""

    at: int
    queue: str
    key: str
    required: int
    scheduled: int
    curve: object


@dataclass(frozen=True, eq=False)
class Frames:
    """What a roster is priced from: the plan, the staff frame, the roster frame, the coverage frame
    (``scheduler.check.checker.coverage``) and the loss curves ``{(queue, hour): LossCurve}``.
    ``staff`` and ``roster`` may be None when only the hour terms are priced."""

    plan: object
    staff: pd.DataFrame | None
    roster: pd.DataFrame | None
    cov: pd.DataFrame
    curves: dict

    @cached_property
    def agents(self) -> dict:
        """Each agent's staff row (a named tuple, its columns as attributes) by ``agent_id``, in the staff file's
        order (a Series' attribute lookup took half of pricing a roster of 1,000 agents)."""
        return {r.agent_id: r for r in self.staff.itertuples(index=False)}

    @cached_property
    def hours(self) -> list[CoverHour]:
        """The coverage frame's rows, in its order."""
        t0, out = pd.Timestamp(self.plan.start), []
        for at, r in enumerate(self.cov.itertuples()):
            t = int((r.ds - t0) / pd.Timedelta(hours=1))
            out.append(CoverHour(at, r.queue, f"{r.queue} {r.ds:%Y-%m-%d %H:%M}", r.required, r.scheduled,
                                 self.curves.get((r.queue, t))))
        return out
