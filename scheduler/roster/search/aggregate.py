"""The aggregate model (MODEL_NOTES 3.7, step 1): agents that share every rule-relevant attribute form
a class; the model decides how many of each class work each shift option each day, under the
classes' summed rules (each rule's ``relax`` face), coverage and service level lost exactly, wages
priced from below, fairness and preferences dropped, so that its bound is a valid lower bound of
the full problem.

Takes: the full ``RosterModel``. Returns: class counts per day and option, and the bound."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from scheduler import interrupt
from scheduler.roster.model import RosterModel, add_coverage, option_allowed, set_limits
from scheduler.roster.search.greedy import marginal
from scheduler.roster.search.tuning import TUNING
from scheduler.rules import HARD_RULES
from scheduler.rules.helpers import min_hours_due
from scheduler.rules.terms import SOFT_TERMS, hour_terms
from scheduler.plan.shifts import reaches_plan
from scheduler.plan.money import COST_SCALE, units


CLASS_KEYS = ["skills", "employment", "night_allowed", "max_week_hours", "min_week_hours", "contract_week_hours"]


def agent_classes(staff: pd.DataFrame) -> list[list[int]]:
    """Row indices of agents alike in every rule-relevant attribute (cost and leave may differ)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for a, row in enumerate(staff[CLASS_KEYS].itertuples(index=False)):
        groups[tuple(row)].append(a)
    return list(groups.values())


def floor_steps(floor: list, value=lambda v: v):
    """Agents below the requirement on the floor queues, weighted by floor_cost in steps of the weights' gcd
    (an expression of the model's variables, or a number given their ``value``)."""
    step = int(np.gcd.reduce([w for w, _ in floor]))
    return sum((w // step) * value(v) for w, v in floor)


class AggregateModel:
    """Counts per class, day and option; a relaxation of the full roster model."""

    def __init__(self, full: RosterModel):
        self.full, self.plan, self.staff = full, full.plan, full.staff
        self.model = cp_model.CpModel()
        self.classes = agent_classes(self.staff)
        self._leave = self.staff["unavailable"].tolist()  # by row: read per member and day (a frame lookup each took 4.7 of L's 7 s)
        self.y: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self._least: dict[tuple[int, int], int] = {}  # (agent, block's first day): least payable hours
        self.terms: list = []
        self._values: dict[tuple[int, int, int], int] = {}
        for k, members in enumerate(self.classes):
            self._class(k, members)
        sizes = self.staff.groupby("skills").size().to_dict()
        self.cover = add_coverage(self.model, self._presence(), sizes, {})
        self.floor: list = []
        self.terms += hour_terms(self.model, self.cover, full.required, full.curves, self.plan, len(self.staff), self.floor)
        self.model.minimize(sum(self.terms))

    def _avail(self, members, d) -> list[int]:
        day, leave = self.full.days[d], self._leave
        return [a for a in members if day not in leave[a]]

    def _class(self, k: int, members: list[int]):
        rep, opts, days = self.staff.loc[members[0]].copy(), self.full.opts, self.full.days
        rep["unavailable"] = frozenset()  # leave is counted per day below
        by_day = [[] for _ in days]
        for d, day in enumerate(days):
            n = len(self._avail(members, d))
            for o, opt in enumerate(opts):
                if n and reaches_plan(d, opt.template) and option_allowed(rep, opt.template, day, self.plan):
                    self.y[k, d, o] = self.model.new_int_var(0, n, f"y_{k}_{d}_{o}")
                    by_day[d].append((o, self.y[k, d, o]))
        self._class_rules(k, members, by_day)

    def _class_rules(self, k, members, by_day):
        """The class-level relaxation (``relax``) of every hard rule and soft term of the registries that has one."""
        opts = self.full.opts
        works = lambda d, pick=None: [v for o, v in by_day[d] if pick is None or pick(opts[o].template)] if 0 <= d < len(by_day) else []  # noqa: E731
        for rule in HARD_RULES:
            if rule.relax is not None:
                rule.relax(self, k, members, by_day, works)
        for term in SOFT_TERMS:  # the soft terms' class-level forms (wages from below), the rest dropped
            if term.relax is not None:
                self.terms += term.relax(self, k, members, by_day, works)

    def _cheapest_first(self, ranked: list[int], price: dict, room: dict, amount, tag: str, tiers: int = 12):
        """The least ``sum_a price[a] * e_a`` with ``sum e_a >= amount`` and ``0 <= e_a <= room[a]``
        (the LP fills the cheapest first). Members (ranked by price) are pooled into at most ``tiers``
        tiers priced at their cheapest member, which keeps it a lower bound."""
        cuts = sorted(set(np.linspace(0, len(ranked), min(tiers, len(ranked)) + 1).round().astype(int)))
        parts = []
        for i, (lo, hi) in enumerate(zip(cuts, cuts[1:])):
            pool = ranked[lo:hi]
            cap = sum(max(0, room[a]) for a in pool)
            if cap > 0:
                e = self.model.new_int_var(0, int(cap), f"tier_{tag}_{i}")
                parts.append((min(price[a] for a in pool), e))
        if not parts:
            return 0
        self.model.add(sum(e for _, e in parts) >= amount)
        return sum(p * e for p, e in parts)

    def _most_hours(self, a: int, block: list[int]) -> int:
        """The most paid hours agent ``a`` can work in a block: its longest allowed shift each day, within its weekly maximum."""
        longest = sum(max((self.full.opts[o].template.paid_hours for o, _ in self.full.agents[a].by_day[d]), default=0) for d in block)
        return int(min(longest, self.staff.at[a, "max_week_hours"]))

    def _dearer_tiers(self, k, d, day_vars, rates, levels: int = 8) -> list:
        """``sum_i (c[p_i+1] - c[p_i]) * max(0, W - p_i+1 + 1) * shortest`` over at most ``levels`` breakpoints
        of the sorted rates: below the exact ``sum_j (c_j+1 - c_j) max(0, W - j)``, so still a bound."""
        if not day_vars or len(rates) < 2:
            return []
        shortest = min(self.full.opts[o].template.paid_hours for o, _ in day_vars)
        cuts = sorted(set(np.linspace(0, len(rates) - 1, min(levels, len(rates) - 1) + 1).round().astype(int)))
        working, out = sum(v for _, v in day_vars), []
        for lo, hi in zip(cuts, cuts[1:]):
            w = units((rates[hi] - rates[lo]) * shortest)
            if w > 0:
                extra = self.model.new_int_var(0, len(rates), f"dear_{k}_{d}_{hi}")
                self.model.add(extra >= working - hi)
                out.append(w * extra)
        return out

    def _least_hours(self, a: int, block: list[int]) -> int:
        """The fewest paid hours agent ``a`` can work in a block and meet its contract minimum: the
        least sum of its shifts' paid hours, one a day, that reaches the minimum (4 x 8 h for 27 h due).
        Summed over a class, a cut the class-level sum of minimums misses. Computed once per agent and block."""
        if (a, block[0]) not in self._least:
            self._least[a, block[0]] = self._least_paid(a, block)
        return self._least[a, block[0]]

    def _least_paid(self, a: int, block: list[int]) -> int:
        due = min_hours_due(self.full.agents[a].agent, self.plan, block)
        if due <= 0:
            return 0
        lengths = {self.full.opts[o].template.paid_hours for d in block for o, _ in self.full.agents[a].by_day[d]}
        sums = {0}
        for _ in block:
            sums |= {h + x for h in sums for x in lengths if h < due}
        reached = [h for h in sums if h >= due]
        return min(reached) if reached else due

    def _presence(self) -> dict:
        presence: dict[tuple, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for (k, d, o), v in self.y.items():
            group = self.staff.at[self.classes[k][0], "skills"]
            for t in self.full.opts[o].desk_hours(d, self.full.n_hours):
                presence[group][t].append(v)
        return presence

    def solve(self, seconds: float, workers: int, seed: int):
        solver = _solver(seconds, workers, seed)
        solver.parameters.relative_gap_limit = TUNING.aggregate_gap
        status = interrupt.solve(solver, self.model)
        self.used = solver.deterministic_time  # it stops at the gap limit, often well within ``seconds``
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, None
        counts = {key: solver.value(v) for key, v in self.y.items()}
        self.coverage = {key: sum(solver.value(t) for t in terms) for key, terms in self.cover.items()}
        self._values = {}  # shift_value's, at this coverage
        return counts, solver.best_objective_bound / COST_SCALE

    def fewest_below(self, seconds: float, workers: int, seed: int) -> float:
        """A lower bound on every roster's shortfall on the floor queues (``floor_steps``): the relaxation's own minimum."""
        if not self.floor:
            return 0.0
        model = self.model.clone()
        model.minimize(floor_steps(self.floor))
        solver = _solver(seconds, workers, seed)
        interrupt.solve(solver, model)
        bound = solver.best_objective_bound
        return float(np.ceil(bound - 1e-6)) if np.isfinite(bound) else 0.0

    def shift_value(self, k: int, d: int, o: int) -> int:
        """Objective units lost if one agent of class ``k`` planned on option ``o`` of day ``d`` is missing:
        over its desk hours, the steepest loss-curve step below the aggregate's coverage among the class's queues
        (each computed once: the hand-out and every sweep's parts ask again)."""
        if (k, d, o) in self._values:
            return self._values[k, d, o]
        group, opt, total = self.staff.at[self.classes[k][0], "skills"], self.full.opts[o], 0
        for t in opt.desk_hours(d, self.full.n_hours):
            total += max(max(0, marginal(self.full, q, t, self.coverage.get((q, t), 0) - 1)) for q in group)
        self._values[k, d, o] = total
        return total


def _solver(seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    """A solver for the aggregate model: its LP is nearly integral, so every constraint goes into the
    LP with cuts (``linearization_level = 2``). One worker, deterministic time 10: the default level
    stopped at 30,567 with the bound at 30,346 on the demo, level 2 proved 30,455 within 0.1 % after
    3.8 (S: 3.3, where the default had not in 10)."""
    solver = cp_model.CpSolver()
    set_limits(solver, seconds, workers, seed)
    solver.parameters.linearization_level = 2
    return solver

