"""The hours a move changes, priced (issue 19): the engine of the final local search
(``scheduler.roster.search.moves``), and its break moves.

The staged solve places breaks with the shifts, and the polish, working on windows of days, leaves
many of them in hours that are short while another hour of the same break window is over its
requirement. With the shifts fixed, a break move changes only the hours it leaves and enters, and
each hour's cost depends only on the agents at the desk in it (its multi-skilled agents split at
the least cost, ``greedy.split_hour``). ``BreakSearch`` keeps the agents at the desk per hour and
skill group and each hour's cost (the weighted agent-hours below target on the queues with a
``floor_cost``, and the objective units), and prices a break move by the hours it changes.

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


class BreakSearch:
    """Shifts, agents at the desk per hour and skill group, and each hour's cost (floor shortfall, objective units)."""

    def __init__(self, full: RosterModel, chosen: dict, moves_max: int):
        """``moves_max``: the moves a search on it may price (counted, so that runs repeat)."""
        self.full, self.chosen, self.moves_left = full, dict(chosen), moves_max
        present = presence(full, chosen)
        self.at_desk = [{g: hours.get(t, 0) for g, hours in present.items()} for t in range(full.n_hours)]
        self.cost: dict[int, tuple[int, int]] = {}
        self.queue_cost: dict[tuple[str, int, int], int] = {}
        self.allowed = {key: {o for o, _ in full.agents[key[0]].by_day[key[1]]} for key in chosen}

    def _queue_cost(self, q: str, t: int, c: int) -> int:
        """Objective units of ``c`` agents on queue ``q`` in hour ``t``, less those of none (a telescoping sum of ``marginal``)."""
        key = (q, t, c)
        if key not in self.queue_cost:
            self.queue_cost[key] = 0 if c == 0 else self._queue_cost(q, t, c - 1) - marginal(self.full, q, t, c - 1)
        return self.queue_cost[key]

    def hour_cost(self, t: int, at_desk: dict) -> tuple[int, int]:
        """(Weighted agent-hours below target on floor queues, objective units) of hour ``t`` at its least-cost split."""
        _, cover = split_hour(self.full, t, at_desk)
        queues = self.full.plan.queues
        floor = sum(units(queues[q].floor_cost) * max(0, int(self.full.required[q][t]) - cover.get(q, 0))
                    for q in queues if queues[q].floor_cost)
        return floor, sum(self._queue_cost(q, t, c) for q, c in cover.items())

    def _now(self, t: int) -> tuple[int, int]:
        if t not in self.cost:
            self.cost[t] = self.hour_cost(t, self.at_desk[t])
        return self.cost[t]

    def _changes(self, key: tuple, o: int) -> dict[int, int]:
        """Hours whose desk count changes if shift ``key`` takes option ``o``: +1 leaving the break, -1 entering it."""
        (_, d), old = key, self.full.opts[self.chosen[key]]
        n = self.full.n_hours
        before, after = set(old.desk_hours(d, n)), set(self.full.opts[o].desk_hours(d, n))
        return {**{t: 1 for t in after - before}, **{t: -1 for t in before - after}}

    def delta(self, key: tuple, o: int) -> tuple[int, int, dict]:
        """(Floor change, objective change, new hour costs) if shift ``key`` takes option ``o``."""
        group = self.full.staff.at[key[0], "skills"]
        floor = cost = 0
        new = {}
        for t, step in sorted(self._changes(key, o).items()):
            counts = dict(self.at_desk[t])
            counts[group] = counts.get(group, 0) + step
            new[t] = self.hour_cost(t, counts)
            floor += new[t][0] - self._now(t)[0]
            cost += new[t][1] - self._now(t)[1]
        return floor, cost, new

    def alternatives(self, key: tuple) -> list[int]:
        """Every other option of the same template, with another break start, that the agent may take that day."""
        opt = self.full.opts[self.chosen[key]]
        if len(opt.template.break_starts()) < 2:
            return []
        return [o for o, other in enumerate(self.full.opts)
                if other.template is opt.template and o != self.chosen[key] and o in self.allowed[key]]


def below_floor(full: RosterModel, result: RosterResult) -> int:
    """Agent-hours below the requirement on the queues with a ``floor_cost``, from the result's assignments."""
    served = result.assignments[result.assignments["queue"] != "break"]
    counts = defaultdict(int)
    for q, t in zip(served["queue"], served["ds"]):
        counts[q, full.hour_index(t)] += 1
    return sum(max(0, int(full.required[q][t]) - counts[q, t]) for q, queue in full.plan.queues.items()
               if queue.floor_cost for t in range(full.n_hours))
