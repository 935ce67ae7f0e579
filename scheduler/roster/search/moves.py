"""The final local search (issue 19): single moves a lead could make by hand, taken while one lowers
the objective, with no solver, after the polish.

Moves, for the shifts as they stand:
- **break**: a shift's break to another start of its window;
- **template**: an agent's shift on a day to another option it may take that day (another
  template, or the same at another break), the agent still working that day;
- **swap**: two agents' shifts on a day exchanged, or one agent's shift given to another who rests
  that day (a *transfer*).
A queue-hour move (a multi-skilled agent's hour from one queue to another) needs no search: each
hour's split is the least-cost one for its agents (``greedy.split_hour``), so none improves.

Each move is priced exactly, in objective units: the hours whose agents change, at their least-cost
split (``hours.HourCosts``); each agent's pay, broken preferences and rest-day premiums
(``scheduler.rules.pay``); the fairness spreads of the comparable groups the agents are in. A move
is taken when it lowers the objective and never raises the weighted shortfall on the queues with a
``floor_cost`` (the cover stage's, which the polish kept). Every hard rule is tested on the agents
a move changes by the rules' incremental faces (``greedy.AgentPlan.fits``; the weekly minimums by
``short``); the roster at the end is checked by the checker, and priced by it, before it replaces
the polish's. Moves tried are counted (``TUNING.local_moves_max``), not timed, so runs repeat.

Takes: the full ``RosterModel`` and the staged solve's ``RosterResult``. Returns: the result with
the moves taken, or the given one if none was.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict

from scheduler.check.checker import check_rules
from scheduler.roster.model import RosterModel, RosterResult
from scheduler.roster.search.hours import HourCosts, below_floor, chosen_of
from scheduler.roster.search.first import first_roster
from scheduler.roster.search.greedy import AgentPlan, RuleTables, greedy_flows
from scheduler.rules.helpers import rest_days_worked
from scheduler.rules.pay import shift_cost
from scheduler.rules.terms.fairness import fair_sets
from scheduler.roster.search.tuning import TUNING

REST = -1  # an agent's "option" on a day it does not work


class MoveSearch(HourCosts):
    """``HourCosts``' hours, with the shifts and each agent's rules and costs: the moves of the module's docstring."""

    def __init__(self, full: RosterModel, chosen: dict, moves_max: int):
        """``moves_max``: the moves it may price (counted, so that runs repeat)."""
        super().__init__(full, chosen)
        self.chosen, self.moves_left = dict(chosen), moves_max
        self.tables, self.plans = RuleTables(full), []
        for a in range(len(full.agents)):
            p = AgentPlan(full, self.tables, a)
            for (b, d), o in sorted(chosen.items()):
                if b == a:
                    p.add(d, o)
            self.plans.append(p)
        self.groups = self._fair_groups()

    # -- prices ------------------------------------------------------------------------------
    def shift_cost(self, a: int, d: int, o: int) -> int:
        """Objective units of agent ``a`` working option ``o`` on day ``d``: pay and broken preferences."""
        if o == REST:
            return 0
        return shift_cost(self.plans[a].agent, self.full.opts[o].template, self.full.days[d], self.full.plan)

    def premium(self, a: int, shift: list[int]) -> int:
        """Rest-day premiums of agent ``a`` for the days ``shift`` has it working."""
        p = self.plans[a]
        if not p.premium:
            return 0
        return p.premium * sum(rest_days_worked(self.full.plan, p.agent, [d for d, o in enumerate(shift) if o >= 0]))

    def _fair_groups(self) -> list[tuple[int, str, list[int]]]:
        """(weight, measure, agent rows) per comparable group and fairness measure with a weight (``fair_sets``)."""
        return [(weight, col, who) for _, col, weight, who in fair_sets(self.full.staff, self.full.plan) if weight and len(who) >= 2]

    def tally(self, a: int, shift: list[int]) -> dict:
        """Agent ``a``'s nights, sale nights and paid hours for the options ``shift`` per day."""
        ts = [self.full.opts[o].template for o in shift if o >= 0]
        return {"night": sum(t.night for t in ts), "sale": sum(t.sale_night for t in ts), "paid": sum(t.paid_hours for t in ts)}

    def fairness(self, changed: dict[int, dict]) -> int:
        """Fairness units of the groups holding an agent of ``changed`` (its new tally), minus their units now.

        Each group's values are kept as counts per value (``_values``), so a move is priced in the
        number of distinct values, not the group's size (800 agents in a group of the L benchmark)."""
        delta = 0
        for g in {g for a in changed for g in self._group_of.get(a, ())}:
            weight, col, _ = self.groups[g]
            counts = self._values[g]
            before = max(counts) - min(counts)
            for a, tally in changed.items():
                if g in self._group_of.get(a, ()):
                    _move(counts, self._tally[a][col], tally[col])
            delta += weight * ((max(counts) - min(counts)) - before)
            for a, tally in changed.items():
                if g in self._group_of.get(a, ()):
                    _move(counts, tally[col], self._tally[a][col])
        return delta

    def _index_tallies(self) -> None:
        """Every agent's tally, each group's values counted, and the groups each agent is in."""
        self._tally = {a: self.tally(a, p.shift) for a, p in enumerate(self.plans)}
        self._values, self._group_of = [], defaultdict(list)
        for g, (_, col, who) in enumerate(self.groups):
            self._values.append(Counter(self._tally[a][col] for a in who))
            for a in who:
                self._group_of[a].append(g)

    # -- a move ------------------------------------------------------------------------------
    def _steps(self, d: int, old: dict[int, int], new: dict[int, int]) -> dict[int, dict]:
        """Desk changes per hour and skill group when agents ``a`` go from option ``old[a]`` to ``new[a]`` on day ``d``."""
        n, steps = self.full.n_hours, defaultdict(lambda: defaultdict(int))
        for a in old:
            group = self.full.staff.at[a, "skills"]
            for o, step in ((old[a], -1), (new[a], 1)):
                for t in (self.full.opts[o].desk_hours(d, n) if o >= 0 else ()):
                    steps[t][group] += step
        return {t: {g: s for g, s in by.items() if s} for t, by in steps.items() if any(by.values())}

    def price(self, d: int, new: dict[int, int]) -> tuple[int, int] | None:
        """(Floor change, objective change) of agents ``a`` taking ``new[a]`` on day ``d``, or None if a hard rule breaks."""
        old = {a: self.plans[a].shift[d] for a in new}
        if not all(self._fits(a, d, o) for a, o in new.items()):
            return None
        floor = cost = 0
        for t, by_group in sorted(self._steps(d, old, new).items()):
            counts = dict(self.at_desk[t])
            for g, s in by_group.items():
                counts[g] = counts.get(g, 0) + s
            (new_floor, new_cost), (now_floor, now_cost) = self.hour_cost(t, counts), self.now(t)
            floor, cost = floor + new_floor - now_floor, cost + new_cost - now_cost
        tallies = {}
        for a, o in new.items():
            shift = list(self.plans[a].shift)
            shift[d] = o
            cost += self.shift_cost(a, d, o) - self.shift_cost(a, d, old[a])
            if (o >= 0) != (old[a] >= 0):  # a day worked or rested: its block's rest-day premium may change
                cost += self.premium(a, shift) - self.premium(a, self.plans[a].shift)
            tallies[a] = self.tally(a, shift)
        return floor, cost + self.fairness(tallies)

    def _fits(self, a: int, d: int, o: int) -> bool:
        """Whether agent ``a`` may take option ``o`` (or rest) on day ``d``, its other days as they are."""
        p, old = self.plans[a], self.plans[a].shift[d]
        if o == old or (o >= 0 and o not in p.allowed[d]):
            return o == old
        short = set(p.short())
        hours = list(p.hours)
        _set(p, d, REST)
        ok = o == REST or p.fits(d, o)
        if ok:
            _set(p, d, o)
            ok = all(b in short and p.hours[b] >= hours[b] for b in p.short())
        _set(p, d, old)
        return ok

    def take(self, d: int, new: dict[int, int]) -> None:
        """Apply a move: the agents' options, the desk and the tallies."""
        old = {a: self.plans[a].shift[d] for a in new}
        for t, by_group in self._steps(d, old, new).items():
            for g, s in by_group.items():
                self.at_desk[t][g] = self.at_desk[t].get(g, 0) + s
        for a, o in new.items():
            _set(self.plans[a], d, o)
            tally = self.tally(a, self.plans[a].shift)
            for g in self._group_of.get(a, ()):
                col = self.groups[g][1]
                _move(self._values[g], self._tally[a][col], tally[col])
            self._tally[a] = tally
            if o >= 0:
                self.chosen[a, d] = o
            else:
                self.chosen.pop((a, d), None)

    # -- the search --------------------------------------------------------------------------
    def _best(self, d: int, candidates) -> bool:
        """Take the candidate move of day ``d`` (``{agent: option}``) that lowers the objective most, if any does."""
        best = None
        for new in candidates:
            if self.moves_left <= 0:
                break
            self.moves_left -= 1
            priced = self.price(d, new)
            if priced is not None and priced[0] <= 0 and priced[1] < 0 and (best is None or priced[1] < best[0][1]):
                best = (priced, new)
        if best is None:
            return False
        self.take(d, best[1])
        return True

    def template_moves(self, a: int, d: int):
        """Agent ``a``'s other options on day ``d``, working."""
        current = self.plans[a].shift[d]
        return ({a: o} for o in sorted(self.plans[a].allowed[d]) if o != current)

    def swap_moves(self, a: int, d: int):
        """Agent ``a``'s shift on day ``d`` exchanged with each other agent's (or given to one who rests)."""
        oa = self.plans[a].shift[d]
        for b in range(a + 1, len(self.plans)):
            ob = self.plans[b].shift[d]
            if oa != ob and (oa < 0 or oa in self.plans[b].allowed[d]) and (ob < 0 or ob in self.plans[a].allowed[d]):
                yield {a: ob, b: oa}

    def run(self) -> int:
        """Sweep agents and days until no single move lowers the objective, or the moves run out; returns moves taken."""
        self._index_tallies()
        taken, moved = 0, True
        while moved and self.moves_left > 0:
            moved = False
            for d in range(len(self.full.days)):
                for a in range(len(self.plans)):
                    if self.plans[a].shift[d] >= 0 and self._best(d, self.template_moves(a, d)):
                        taken, moved = taken + 1, True
                    if self._best(d, self.swap_moves(a, d)):
                        taken, moved = taken + 1, True
        return taken


def _set(p: AgentPlan, d: int, o: int) -> None:
    """Agent plan ``p`` with option ``o`` (or rest) on day ``d``."""
    p.remove(d)
    if o >= 0:
        p.add(d, o)


def _move(counts: Counter, old, new) -> None:
    """One value of a group's ``counts`` changed from ``old`` to ``new`` (values counted none are dropped)."""
    counts[old] -= 1
    if not counts[old]:
        del counts[old]
    counts[new] += 1


def local_search(full: RosterModel, result: RosterResult, moves_max: int | None = None) -> RosterResult:
    """``result`` improved by single moves (``MoveSearch``), priced and checked by the checker.

    Parameters
    ----------
    full : the full model the result is a roster of.
    result : the staged solve's roster.
    moves_max : moves tried at most (``TUNING.local_moves_max`` if None; 0 turns the search off).

    Returns
    -------
    RosterResult : priced by ``first_roster`` with ``result``'s status, bound, floor and interrupted
    flag; ``result`` itself if no move was taken, the price did not fall or the checker objected.
    """
    moves_max = TUNING.local_moves_max if moves_max is None else moves_max
    if moves_max <= 0 or result.roster.empty:
        return result
    search = MoveSearch(full, chosen_of(full, result.roster), moves_max)
    if not search.run():
        return result
    moved = first_roster(full, search.chosen, greedy_flows(full, search.chosen), result.bound, result.wall_s)
    if moved.objective >= result.objective or check_rules(full.plan, full.staff, moved.roster, moved.assignments):
        return result
    floor = result.floor if result.floor is None else {**result.floor, "agent_hours_below": below_floor(full, moved)}
    return dataclasses.replace(moved, status=result.status, floor=floor, interrupted=result.interrupted)
