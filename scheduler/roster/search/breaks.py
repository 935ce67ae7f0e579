"""Breaks where they serve (issue 19): a final local search over break positions, with no solver.

The staged solve places breaks with the shifts, and the polish, working on windows of days, leaves
many of them in hours that are short while another hour of the same break window is over its
requirement. With the shifts fixed, a break move changes only the hours it leaves and enters, and
each hour's cost depends only on the agents at the desk in it (its multi-skilled agents split at
the least cost, ``greedy.split_hour``). So each shift's break is tried at every other start its
window allows, the best move that lowers the objective is taken, and the shifts are swept again
until no single move lowers it (or ``TUNING.break_moves_max`` moves were tried: counted, not
timed, so a run with one worker repeats itself). A move never raises the weighted agent-hours
below target of the queues with a ``floor_cost`` (the cover stage's shortfall, which the polish
kept). Breaks touch no hard rule but their window, which the options already respect.

Takes: the full ``RosterModel`` and the staged solve's ``RosterResult``. Returns: a
``RosterResult`` with the breaks moved, priced by the checker (``first_roster``), with the
result's status, bound, floor and interrupted flag; the given result if no move was taken.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pandas as pd

from scheduler.plan.money import units
from scheduler.roster.model import RosterModel, RosterResult
from scheduler.roster.search.first import first_roster
from scheduler.roster.search.greedy import greedy_flows, marginal, presence, split_hour
from scheduler.roster.search.tuning import TUNING


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

    def improve(self, key: tuple) -> bool:
        """Move shift ``key``'s break to the start that lowers the objective most, if any does."""
        best = None
        for o in self.alternatives(key):
            if self.moves_left <= 0:
                break
            self.moves_left -= 1
            floor, cost, new = self.delta(key, o)
            if floor <= 0 and cost < 0 and (best is None or cost < best[0]):
                best = (cost, o, new)
        if best is None:
            return False
        group = self.full.staff.at[key[0], "skills"]
        for t, step in self._changes(key, best[1]).items():
            self.at_desk[t][group] = self.at_desk[t].get(group, 0) + step
        self.cost.update(best[2])
        self.chosen[key] = best[1]
        return True

    def run(self) -> int:
        """Sweep the shifts until no single break move lowers the objective, or the moves run out; returns moves taken."""
        taken, moved = 0, True
        while moved and self.moves_left > 0:
            moved = False
            for key in sorted(self.chosen):
                if self.improve(key):
                    taken, moved = taken + 1, True
        return taken


def place_breaks(full: RosterModel, result: RosterResult, moves_max: int | None = None) -> RosterResult:
    """``result`` with its breaks moved where they serve (``BreakSearch``), priced by the checker.

    Parameters
    ----------
    full : the full model the result is a roster of.
    result : the staged solve's roster.
    moves_max : break moves tried at most (``TUNING.break_moves_max`` if None; 0 turns the search off).

    Returns
    -------
    RosterResult : priced by ``first_roster`` with ``result``'s status, bound, gap basis, floor and
    interrupted flag; ``result`` itself if no move was taken or the price did not fall.
    """
    moves_max = TUNING.break_moves_max if moves_max is None else moves_max
    if moves_max <= 0 or result.roster.empty:
        return result
    search = BreakSearch(full, chosen_of(full, result.roster), moves_max)
    if not search.run():
        return result
    moved = first_roster(full, search.chosen, greedy_flows(full, search.chosen), result.bound, result.wall_s)
    if moved.objective >= result.objective:
        return result
    floor = result.floor if result.floor is None else {**result.floor, "agent_hours_below": _below(full, moved)}
    return dataclasses.replace(moved, status=result.status, floor=floor, interrupted=result.interrupted)


def _below(full: RosterModel, result: RosterResult) -> int:
    """Agent-hours below the requirement on the queues with a ``floor_cost``, from the result's assignments."""
    served = result.assignments[result.assignments["queue"] != "break"]
    counts = defaultdict(int)
    for q, t in zip(served["queue"], served["ds"]):
        counts[q, full.hour_index(t)] += 1
    return sum(max(0, int(full.required[q][t]) - counts[q, t]) for q, queue in full.plan.queues.items()
               if queue.floor_cost for t in range(full.n_hours))
