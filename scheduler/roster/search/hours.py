"""The hours a move changes, priced (issue 19): the engine of the final local search
(``scheduler.roster.search.moves``).

With the shifts fixed, a move changes only the hours its shifts leave and enter, and each hour's
cost depends only on the agents at the desk in it (its multi-skilled agents split at the least
cost, ``greedy.split_hour``). ``HourCosts`` keeps the agents at the desk per hour and skill group
and prices an hour for any count of agents: the weighted agent-hours below target on the queues
with a ``floor_cost``, and the objective units.

Takes: the full ``RosterModel`` and shifts ``{(agent row, model day): option}``.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from scheduler.plan.money import units
from scheduler.roster.model import RosterModel, RosterResult
from scheduler.roster.search.greedy import marginal, presence, split_hour


def chosen_of(full: RosterModel, roster: pd.DataFrame) -> dict:
    """A roster frame as ``{(agent row, model day): option}`` (the option with the row's break)."""
    rows = {a: i for i, a in enumerate(full.staff["agent_id"])}
    days = {d: i for i, d in enumerate(full.days)}
    index = {(o.template.name, o.break_start): i for i, o in enumerate(full.opts)}
    hour = pd.Timedelta(hours=1)
    chosen = {}
    for r in roster.itertuples():
        brk = int((r.break_start - r.start) / hour) if pd.notna(r.break_start) else None
        chosen[rows[r.agent_id], days[r.date]] = index[r.shift, brk]
    return chosen


class HourCosts:
    """Agents at the desk per hour and skill group, and each hour's cost (floor shortfall, objective units)."""

    def __init__(self, full: RosterModel, chosen: dict):
        self.full = full
        present = presence(full, chosen)
        self.at_desk = [{g: hours.get(t, 0) for g, hours in present.items()} for t in range(full.n_hours)]
        self.queue_cost: dict[tuple[str, int, int], int] = {}
        self.priced: dict[tuple, tuple[int, int]] = {}

    def _queue_cost(self, q: str, t: int, c: int) -> int:
        """Objective units of ``c`` agents on queue ``q`` in hour ``t``, less those of none (a telescoping sum of ``marginal``)."""
        key = (q, t, c)
        if key not in self.queue_cost:
            self.queue_cost[key] = 0 if c == 0 else self._queue_cost(q, t, c - 1) - marginal(self.full, q, t, c - 1)
        return self.queue_cost[key]

    def hour_cost(self, t: int, at_desk: dict) -> tuple[int, int]:
        """(Weighted agent-hours below target on floor queues, objective units) of hour ``t`` at its
        least-cost split, for agents ``{skill group: agents}`` at the desk. Cached by the agents: an
        hour's cost is a function of them, and many moves share one."""
        key = (t, tuple(sorted(at_desk.items())))
        if key not in self.priced:
            _, cover = split_hour(self.full, t, at_desk)
            queues = self.full.plan.queues
            floor = sum(units(queues[q].floor_cost) * max(0, int(self.full.required[q][t]) - cover.get(q, 0))
                        for q in queues if queues[q].floor_cost)
            self.priced[key] = floor, sum(self._queue_cost(q, t, c) for q, c in cover.items())
        return self.priced[key]

    def now(self, t: int) -> tuple[int, int]:
        """Hour ``t``'s cost with the agents at the desk now."""
        return self.hour_cost(t, self.at_desk[t])


def below_floor(full: RosterModel, result: RosterResult) -> int:
    """Agent-hours below the requirement on the queues with a ``floor_cost``, from the result's assignments."""
    served = result.assignments[result.assignments["queue"] != "break"]
    counts = defaultdict(int)
    for q, t in zip(served["queue"], served["ds"]):
        counts[q, full.hour_index(t)] += 1
    return sum(max(0, int(full.required[q][t]) - counts[q, t]) for q, queue in full.plan.queues.items()
               if queue.floor_cost for t in range(full.n_hours))
