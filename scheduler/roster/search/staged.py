"""The staged solve (MODEL_NOTES 3.7): aggregate -> disaggregate -> complete -> cover -> polish.

1. **Aggregate.** Agents that share every rule-relevant attribute form a class; the model
   decides how many agents of each class work each shift option each day (integer counts),
   under the classes' summed rules. It keeps coverage, service level lost and over-staffing
   exactly, prices wages and rest-day premiums from below (a class's paid hours and rest days
   given to its cheapest members first, each member's least payable hours at its own rate) and
   drops fairness and preferences (all >= 0), so its bound is a valid lower bound of the full
   problem. Its LP is nearly integral, so it solves fast.
2. **Disaggregate.** ``scheduler.roster.search.greedy.hand_out`` gives each class's counts to named agents
   with no solver, every hard rule tested as it goes (a first roster in seconds at 1,000 agents);
   the agents it leaves below a weekly minimum are placed by small CP-SAT parts. Then sweeps of
   CP-SAT parts (``CHUNK`` agents of one class against the rest of it) re-solve the hand-out at
   the least cost: a shift missing from the counts is priced by the late chats it lets through,
   every shift by its pay and rest-day premium (a large-neighbourhood search on the disaggregation).
3. **First roster.** Flows split each hour's multi-skilled agents at the least cost
   (``greedy_flows``: marginal saving, then transfers between queues; hours are independent once
   shifts are fixed, and each queue's cost is convex); shifts and flows make a roster at once,
   priced by the checker, with no solver. It is reported after the hand-out and again if the
   sweeps improve it.
4. **Cover what the staff can.** On queues with a ``floor_cost`` (a target the CS lead wants met
   wherever the staff allows), the fewest agent-hours below the requirement are reached first
   (random crews of agents, every day of theirs re-solved for the shortfall and then the fewest
   shifts moved; then the whole model, stopping, proven, at the aggregate relaxation's minimum);
   that shortfall then binds the polish (MODEL_NOTES 3.7's recipe, made lexicographic: on the
   demo the disaggregation left 45-77 agent-hours where 44 is the proven fewest, and the polish
   alone did not recover them).
5. **Polish** (``scheduler.roster.search.polish``): windows of days re-solved by CP-SAT on the full model, with
   fairness and preferences, every other day fixed to the incumbent, for the time left.

The reported bound is the aggregate's, or CP-SAT's on the full model when that is better: its LP
search runs on one worker beside the polish on a roster of up to 1,500 agent-days
(``scheduler.roster.search.lpbound``), and a whole-model solve on a tiny one.

Takes: the plan, staff, requirements, flags. Returns: ``RosterResult``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from scheduler import interrupt
from scheduler.check.checker import cost_breakdown, coverage
from scheduler.roster.model import (RosterModel, RosterResult, add_coverage, option_allowed, service_terms,
                              set_limits)
from scheduler.roster.search.greedy import RuleTables, greedy_flows, hand_out, marginal
from scheduler.roster.search.lpbound import MAX_AGENT_DAYS as LP_MAX_AGENT_DAYS, LpBound
from scheduler.rules.pay import rest_day_premium, shift_pay
from scheduler.roster.search.polish import WHOLE_MAX_S, WHOLE_SHARE, WindowSearch, complete_hint, hinted
from scheduler.rules import HARD_RULES, constrain_agent
from scheduler.rules.helpers import AgentShifts, contract_days, min_hours_due, overtime_eligible, week_blocks
from scheduler.plan.shifts import reaches_plan
from scheduler.plan.money import COST_SCALE, units

CLASS_KEYS = ["skills", "employment", "night_allowed", "max_week_hours", "min_week_hours", "contract_week_hours"]


def agent_classes(staff: pd.DataFrame) -> list[list[int]]:
    """Row indices of agents alike in every rule-relevant attribute (cost and leave may differ)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for a, row in enumerate(staff[CLASS_KEYS].itertuples(index=False)):
        groups[tuple(row)].append(a)
    return list(groups.values())


class AggregateModel:
    """Counts per class, day and option; a relaxation of the full roster model."""

    def __init__(self, full: RosterModel):
        self.full, self.plan, self.staff = full, full.plan, full.staff
        self.model = cp_model.CpModel()
        self.classes = agent_classes(self.staff)
        self.y: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self._least: dict[tuple[int, int], int] = {}  # (agent, block's first day): least payable hours
        self.terms: list = []
        for k, members in enumerate(self.classes):
            self._class(k, members)
        sizes = self.staff.groupby("skills").size().to_dict()
        self.cover = add_coverage(self.model, self._presence(), sizes, {})
        self.floor: list = []
        self.terms += service_terms(self.model, self.cover, full.required, full.curves, self.plan, len(self.staff), self.floor)
        self.model.minimize(sum(self.terms))

    def _avail(self, members, d) -> list[int]:
        day = self.full.days[d]
        return [a for a in members if day not in self.staff.at[a, "unavailable"]]

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
        """The class-level relaxation (``relax``) of every hard rule of the registry that has one."""
        opts = self.full.opts
        works = lambda d, pick=None: [v for o, v in by_day[d] if pick is None or pick(opts[o].template)] if 0 <= d < len(by_day) else []  # noqa: E731
        for rule in HARD_RULES:
            if rule.relax is not None:
                rule.relax(self, k, members, by_day, works)
        self._class_pay(k, members, by_day, works)

    def _class_pay(self, k, members, by_day, works):
        """Wages from below, per 7-day block: the cheapest member's pay for every shift, plus ``X``,
        a lower bound on what dearer members add. ``X`` is at least the class's paid hours spread
        cheapest member first (``_cheapest_first``: each member's least payable hours at its own
        rate, the rest up to its weekly maximum), and at least, day by day, what the ``W`` members
        working cost above the cheapest at the shortest shift (``dearer_tiers``): both bound the
        same sum, so the larger is valid. Rest-day premiums likewise: the days the class works past
        its members' contract days, given to the members with the smallest premium first."""
        plan, opts = self.plan, self.full.opts
        ranked = sorted(members, key=lambda a: self.staff.at[a, "hourly_cost"])
        cheapest, rates = self.staff.loc[ranked[0]], [self.staff.at[a, "hourly_cost"] for a in ranked]
        premium = rest_day_premium(cheapest, plan)
        for block in week_blocks(plan):
            daily = []
            for d in block:
                self.terms += [shift_pay(cheapest, opts[o].template, self.full.days[d], plan) * v for o, v in by_day[d]]
                daily += self._dearer_tiers(k, d, by_day[d], rates)
            hours = sum(opts[o].template.paid_hours * v for d in block for o, v in by_day[d])
            least = {a: self._least_hours(a, block) for a in ranked}
            above = {a: units(self.staff.at[a, "hourly_cost"] - rates[0]) for a in ranked}
            dearer = self.model.new_int_var(0, 10**12, f"dearer_{k}_{block[0]}")
            self.model.add(dearer >= sum(above[a] * least[a] for a in ranked) + self._cheapest_first(
                ranked, above, {a: self._most_hours(a, block) - least[a] for a in ranked}, hours - sum(least.values()), f"{k}_{block[0]}"))
            if daily:
                self.model.add(dearer >= sum(daily))
            self.terms.append(dearer)
            if premium:
                free = {a: contract_days(self.staff.loc[a], plan, block) for a in ranked}
                worked = sum(v for d in block for v in works(d))
                extra = self._cheapest_first(ranked, {a: rest_day_premium(self.staff.loc[a], plan) for a in ranked},
                                             {a: len(block) - free[a] for a in ranked}, worked - sum(free.values()), f"rest_{k}_{block[0]}")
                self.terms.append(extra)

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
        due = min_hours_due(self.staff.loc[a], self.plan, block)
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
        solver = cp_model.CpSolver()
        set_limits(solver, seconds, workers, seed)
        solver.parameters.relative_gap_limit = 1e-3
        status = interrupt.solve(solver, self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, None
        counts = {key: solver.value(v) for key, v in self.y.items()}
        self.coverage = {key: sum(solver.value(t) for t in terms) for key, terms in self.cover.items()}
        return counts, solver.best_objective_bound / COST_SCALE

    def fewest_below(self, seconds: float, workers: int, seed: int) -> float:
        """A lower bound on every roster's shortfall on the floor queues (``floor_steps``): the relaxation's own minimum."""
        if not self.floor:
            return 0.0
        model = self.model.clone()
        model.minimize(floor_steps(self.floor))
        solver = cp_model.CpSolver()
        set_limits(solver, seconds, workers, seed)
        interrupt.solve(solver, model)
        bound = solver.best_objective_bound
        return float(np.ceil(bound - 1e-6)) if np.isfinite(bound) else 0.0

    def shift_value(self, k: int, d: int, o: int) -> int:
        """Objective units lost if one agent of class ``k`` planned on option ``o`` of day ``d`` is missing:
        over its desk hours, the steepest loss-curve step below the aggregate's coverage among the class's queues."""
        group, opt, total = self.staff.at[self.classes[k][0], "skills"], self.full.opts[o], 0
        for t in opt.desk_hours(d, self.full.n_hours):
            total += max(max(0, marginal(self.full, q, t, self.coverage.get((q, t), 0) - 1)) for q in group)
        return total


def part_model(full: RosterModel, part: list[int], targets: dict, worth, hint: dict):
    """The model giving ``targets`` ``{(model day, option): agents}`` to the agents of ``part``, every
    individual rule kept, at the least cost: a missing or extra shift weighted by ``worth(d, o)``
    (units of 10 yuan), every shift by its pay and rest-day premium. Hinted with ``hint``
    ``{(agent row, model day): option}``. Returns the model and its shift variables ``{(a, d, o): var}``."""
    model, plan, opts = cp_model.CpModel(), full.plan, full.opts
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    deviations, costs = [], []
    for a in part:
        shifts = AgentShifts(full.staff.loc[a], full.days, opts, [[] for _ in full.days])
        for d, _ in enumerate(full.days):
            for o, _ in full.agents[a].by_day[d]:
                x[a, d, o] = model.new_bool_var(f"x_{a}_{d}_{o}")
                model.add_hint(x[a, d, o], int(hint.get((a, d)) == o))
                shifts.by_day[d].append((o, x[a, d, o]))
        constrain_agent(model, shifts, plan)
        for d, day in enumerate(full.days):  # what each agent costs, in the deviations' units (10 yuan)
            for o, v in shifts.by_day[d]:
                costs.append(round(shift_pay(shifts.agent, opts[o].template, day, plan) / 100) * v)
        if overtime_eligible(shifts.agent, plan):  # its rest-day counters, made by the overtime rule
            costs += [round(rest_day_premium(shifts.agent, plan) / 100) * r for r in shifts.rest_days(model, plan)]
    by_key = defaultdict(list)
    for (a, d, o), v in x.items():
        by_key[d, o].append(v)
    for (d, o), target in targets.items():
        under, over = model.new_int_var(0, target, f"under_{d}_{o}"), model.new_int_var(0, len(part), f"over_{d}_{o}")
        model.add(sum(by_key.get((d, o), [])) + under - over == target)
        w_under, w_over = worth(d, o)
        deviations += [w_under * under, w_over * over]
    for (d, o), vs in by_key.items():
        if (d, o) not in targets:
            deviations.append(worth(d, o)[1] * sum(vs))
    model.minimize(sum(deviations) + sum(costs))
    return model, x


def solve_part(full: RosterModel, part: list[int], targets: dict, worth, hint: dict, seconds: float, seed: int):
    """One part's shifts ``{(a, d): option}`` from ``part_model`` (one CP-SAT worker, at most ``seconds``
    of deterministic time), or None if none was found; and the deterministic time spent."""
    model, x = part_model(full, part, targets, worth, hint)
    solver = cp_model.CpSolver()
    set_limits(solver, seconds, 1, seed)
    solver.parameters.relative_gap_limit = 1e-3  # near enough: the polish has the rest of the time
    if interrupt.solve(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time
    return {(a, d): o for (a, d, o), v in x.items() if solver.value(v)}, solver.deterministic_time


AGGREGATE_MAX_S = 10.0  # the aggregate stops at a 0.1% gap, in 8-10 s at 1,000 agents: this keeps the first roster near 21 s
HINT_MAX_S = 3.0  # completing the hint fixes every shift and flow: under 2 s at 1,000 agents
CHUNK = 20  # agents per disaggregation part
MIN_PART_S = 0.25  # the least deterministic time a part gets (it stops sooner at a 0.1% gap)
IMPROVE_SHARE = 0.35  # of the time limit, for the disaggregation's sweeps (M: 1.65% at 0.2, 1.36% at 0.35, 60 s)


class Disaggregation:
    """The aggregate's counts handed to named agents: ``hand_out`` first (no solver), CP-SAT parts after.

    Per class, the greedy's agents still below a weekly minimum are placed by a CP-SAT part
    (``place_short``: with them, the class's other agents keep their shifts and the part's targets
    are the counts less what those others cover, so the parts of a class never double-count).
    ``improve`` then sweeps each class in parts of ``CHUNK`` agents (a fresh partition each sweep),
    each part re-solved against the rest of its class, hinted with its current shifts so that
    CP-SAT starts from them: a large-neighbourhood search over the disaggregation. Classes are independent, so
    ``workers`` of them run at once (one CP-SAT worker each; the solver releases the GIL). With one
    worker the budget is counted in deterministic time, so a run repeats itself exactly.
    """

    def __init__(self, full: RosterModel, agg: AggregateModel, counts: dict, seed: int):
        self.full, self.agg, self.seed = full, agg, seed
        self.targets = [{(d, o): c for (kk, d, o), c in counts.items() if kk == k} for k in range(len(agg.classes))]
        self.plans: list[dict] = []  # per class: {(agent row, model day): option}, each class's own (threads share none)
        self.short: list[list[int]] = []
        tables = RuleTables(full)
        for k, members in enumerate(agg.classes):
            chosen, short = hand_out(full, members, self.targets[k], lambda d, o, k=k: agg.shift_value(k, d, o), tables)
            self.plans.append(chosen)
            self.short.append(short)

    @property
    def chosen(self) -> dict:
        return {key: o for plan in self.plans for key, o in plan.items()}

    def worth(self, k: int):
        def worth(d, o):  # in units of 10 yuan: the late chats a missing shift lets through (pay is priced apart)
            return max(1, round(self.agg.shift_value(k, d, o) / 100)), 1
        return worth

    def _part_targets(self, k: int, part: list[int]) -> dict:
        inside, covered = set(part), defaultdict(int)
        for (a, d), o in self.plans[k].items():
            if a not in inside:
                covered[d, o] += 1
        return {key: max(0, c - covered[key]) for key, c in self.targets[k].items()}

    def _assign(self, k: int, part: list[int], plan: dict) -> None:
        inside = set(part)
        self.plans[k] = {key: o for key, o in self.plans[k].items() if key[0] not in inside} | plan

    def _solve(self, k: int, part: list[int], seconds: float):
        inside = set(part)
        hint = {key: o for key, o in self.plans[k].items() if key[0] in inside}
        return solve_part(self.full, part, self._part_targets(k, part), self.worth(k), hint, seconds, self.seed)

    def place_short(self, k: int) -> None:
        """Re-solve the greedy's agents below a weekly minimum with class mates up to ``CHUNK``, until placed."""
        members, short = self.agg.classes[k], self.short[k]
        mates = [a for a in members if a not in set(short)]
        for i in range(0, len(short), CHUNK):
            part = short[i:i + CHUNK]
            part += mates[:CHUNK - len(part)]
            for attempt in range(6):  # a schedule exists for every agent (checked before): keep looking until found
                if interrupt.requested():  # Ctrl-C: no roster to keep yet (``staged_solve`` raises)
                    return
                plan, _ = self._solve(k, part, MIN_PART_S * 4 * 2 ** attempt)
                if plan is not None:
                    self._assign(k, part, plan)
                    break
            else:
                raise RuntimeError(f"no schedule found for agent class {k} ({len(members)} agents)")
        self.short[k] = []

    def improve(self, k: int, seconds: float) -> None:
        """Sweeps of CP-SAT parts over class ``k``, its share of ``seconds`` by head count (wall time,
        or deterministic time with one worker)."""
        members, spent, clock = self.agg.classes[k], 0.0, time.perf_counter()
        budget = seconds * self.workers * len(members) / len(self.full.staff)
        per_part = max(MIN_PART_S, budget * min(1.0, CHUNK / len(members)))
        rng = np.random.default_rng([self.seed, k])
        for sweep in range(1 if len(members) <= CHUNK else 100):
            order = list(members) if sweep == 0 else [int(a) for a in rng.permutation(members)]
            for i in range(0, len(order), CHUNK):
                if (spent if self.workers == 1 else time.perf_counter() - clock) >= budget or interrupt.requested():
                    return
                plan, used = self._solve(k, order[i:i + CHUNK], per_part)
                spent += used
                if plan is not None:
                    self._assign(k, order[i:i + CHUNK], plan)

    def run(self, job, workers: int) -> None:
        """Run ``job(k)`` for every class, ``workers`` classes at a time, largest first."""
        self.workers = max(1, workers)
        order = sorted(range(len(self.agg.classes)), key=lambda k: -len(self.agg.classes[k]))
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            list(pool.map(job, order))


class Clock:
    """Time left of a limit. With more than one worker, wall time. With one, the limit less the
    budgets handed out (``give``): every solve then stops on deterministic time and no stage reads
    the wall clock, so a run repeats itself exactly (it may end past the limit by the Python work
    between solves)."""

    def __init__(self, limit: float, workers: int):
        self.limit, self.wall, self.given, self.start = limit, workers > 1, 0.0, time.perf_counter()

    def left(self) -> float:
        return self.limit - (time.perf_counter() - self.start if self.wall else self.given)

    def give(self, seconds: float) -> float:
        """``seconds`` for a stage, counted against the limit with one worker."""
        self.given += seconds
        return seconds


def staged_solve(full: RosterModel, time_limit_s: float, workers: int, seed: int, progress=None):
    """Aggregate, disaggregate, complete, cover and polish; returns (RosterResult, aggregate bound)."""
    started, clock = time.perf_counter(), Clock(time_limit_s, workers)
    interrupt.stage("aggregate")  # until the first roster, Ctrl-C ends the run (``scheduler.interrupt``)
    agg = AggregateModel(full)
    counts, agg_bound = agg.solve(clock.give(min(0.25 * time_limit_s, AGGREGATE_MAX_S)), workers, seed)
    interrupt.check()
    if counts is None:  # no aggregate plan in time: the full model for what is left
        return full.solve(max(1.0, clock.left()), workers, seed, progress), None
    interrupt.stage("first_roster")
    dis = Disaggregation(full, agg, counts, seed)
    dis.run(dis.place_short, workers)
    interrupt.check()
    chosen, flows, first = _priced(full, dis, agg_bound, started)
    interrupt.roster_found()  # from here Ctrl-C stops each stage and keeps the best roster so far
    _report(progress, started, first, full, chosen, flows)
    interrupt.stage("sweeps")
    fewest = agg.fewest_below(clock.give(min(5.0, 0.05 * time_limit_s)), workers, seed)
    sweeps_s = clock.give(min(IMPROVE_SHARE * time_limit_s, 0.6 * clock.left()) if workers > 1 else IMPROVE_SHARE * time_limit_s)
    dis.run(lambda k: dis.improve(k, sweeps_s), workers)
    better = _priced(full, dis, agg_bound, started)
    if better[2].objective < first.objective:
        chosen, flows, first = better
        _report(progress, started, first, full, chosen, flows)
    if clock.left() < 1.0 or interrupt.requested():
        return dataclasses.replace(first, interrupted=interrupt.requested()), agg_bound
    interrupt.stage("cover")
    hint_roster(full, chosen, flows, clock.give(min(clock.left() / 4, HINT_MAX_S)), seed)
    covered = cover_floor(full, clock.give(min(0.35 * time_limit_s, clock.left() / 2)), workers, seed, fewest) \
        if not interrupt.requested() else None
    if covered is not None:
        chosen, flows, moved, floor = covered
        if moved and not interrupt.requested():
            hint_roster(full, chosen, flows, clock.give(min(max(0.5, clock.left() / 4), HINT_MAX_S)), seed)
            first = first_roster(full, chosen, flows, agg_bound, time.perf_counter() - started)
            _report(progress, started, first, full, chosen, flows)
        elif moved:  # Ctrl-C: the covered roster, priced, without the polish's hint
            first = first_roster(full, chosen, flows, agg_bound, time.perf_counter() - started)
        first = dataclasses.replace(first, floor=floor)
    if interrupt.requested():
        return dataclasses.replace(first, interrupted=True, wall_s=time.perf_counter() - started), agg_bound
    interrupt.stage("polish")
    report = (lambda obj, bound, values: progress(time.perf_counter() - started, obj, bound, max(0.0, (obj - bound) / obj),
                                                  hours_under(full, *shifts_and_flows(full, values)))) \
        if progress is not None else None
    result = polish(full, first, agg_bound, clock.give(clock.left()), workers, seed, report)
    return dataclasses.replace(result, wall_s=time.perf_counter() - started,
                               interrupted=result.interrupted or interrupt.requested()), agg_bound


def polish(full: RosterModel, first: RosterResult, agg_bound, seconds: float, workers: int, seed: int, progress=None):
    """``scheduler.roster.search.polish``'s search from the full model's complete hint (``first``): the whole model
    briefly, then windows of days; the roster it ends with, priced by the checker."""
    values = complete_hint(full.model)
    if values is None or seconds < 0.5:  # the hint could not be completed, or no time: keep the first roster
        return first
    clock = Clock(seconds, workers)
    search = WindowSearch(full, values, first.objective, workers, seed)
    report = (lambda obj, bound: progress(obj, max(bound, agg_bound or 0.0), search.values)) if progress is not None else None
    lp = _lp_bound(full, first, seconds, workers, seed)
    with lp if lp is not None else contextlib.nullcontext():
        if not search.whole(clock.give(min(WHOLE_MAX_S, WHOLE_SHARE * seconds))):
            search.run(clock.left(), report)
    chosen, flows = shifts_and_flows(full, search.values)
    bound = max(search.bound, agg_bound if agg_bound is not None else 0.0, lp.bound if lp is not None else 0.0)
    result = first_roster(full, chosen, flows, bound, 0.0)
    return dataclasses.replace(result, floor=first.floor, interrupted=search.interrupted)


def _lp_bound(full: RosterModel, first: RosterResult, seconds: float, workers: int, seed: int) -> LpBound | None:
    """CP-SAT's LP bound on one of the cores, on a roster small enough for it (``scheduler.roster.search.lpbound``).

    Not with one worker (that run uses one core and repeats itself). Not when the cover stage left
    more shortfall than the fewest proven: the full model then holds ``shortfall ≤ reached``, and
    its bound would bound only the rosters that short, not every roster."""
    if workers < 2 or len(full.agents) * len(full.days) > LP_MAX_AGENT_DAYS:
        return None
    if first.floor is not None and not first.floor["proven_fewest"]:
        return None
    return LpBound(full.model, seconds, seed, beat=first.bound or 0.0)


def shifts_and_flows(full: RosterModel, values: list[int]):
    """A roster as ``{(agent row, model day): option}`` and multi-skill flows, from a value per model variable."""
    chosen = {(a, d): o for a, shifts in enumerate(full.agents) for d, day_vars in enumerate(shifts.by_day)
              for o, v in day_vars if values[v.index]}
    return chosen, {key: values[v.index] for key, v in full.flows.items() if len(key[0]) > 1}


def _priced(full: RosterModel, dis: Disaggregation, agg_bound, clock: float):
    """The disaggregation's shifts, the least-cost flows for them, and the roster they make."""
    chosen = dis.chosen
    flows = greedy_flows(full, chosen)
    return chosen, flows, first_roster(full, chosen, flows, agg_bound, time.perf_counter() - clock)


def _report(progress, clock: float, roster: RosterResult, full: RosterModel, chosen: dict, flows: dict) -> None:
    if progress is not None:
        progress(time.perf_counter() - clock, roster.objective, roster.bound, roster.gap, hours_under(full, chosen, flows))


def hours_under(full: RosterModel, chosen: dict, flows: dict) -> int:
    """Queue-hours with fewer agents than required, for a roster given as shifts and multi-skill flows."""
    have = defaultdict(int)
    for (a, d), o in chosen.items():
        group = full.staff.at[a, "skills"]
        if len(group) == 1:
            for t in full.opts[o].desk_hours(d, full.n_hours):
                have[group[0], t] += 1
    for (_, q, t), n in flows.items():
        have[q, t] += n
    return sum(int(full.required[q][t] > have[q, t]) for q in full.plan.queues for t in range(full.n_hours))


def floor_steps(floor: list, value=lambda v: v):
    """Agents below the requirement on the floor queues, weighted by floor_cost in steps of the weights' gcd
    (an expression of the model's variables, or a number given their ``value``)."""
    step = int(np.gcd.reduce([w for w, _ in floor]))
    return sum((w // step) * value(v) for w, v in floor)


def _shortfall(full: RosterModel, values: list[int]) -> int:
    """``floor_steps`` of the roster given as a value per model variable."""
    return floor_steps(full.floor, lambda v: values[v.index])


SETTLE_S = 1.0  # for the flows after the cover (the polish goes on with them; on the demo a longer solve does not end sooner)
COVER_MIN_S = 2.0  # the least time worth a try: each solve of the whole model at 1,000 agents costs about a second


def cover_floor(full: RosterModel, seconds: float, workers: int, seed: int, fewest: float):
    """Cover what the staff can: the fewest agent-hours below the requirement on the queues with a
    ``floor_cost``, lexicographically before the rest of the cost. The shortfall is lowered first by
    ``floor_crews`` (random crews of agents re-solved for it, then for the fewest shifts moved,
    within 0.4 of ``seconds``); then, if still above ``fewest`` (the aggregate relaxation's minimum,
    a valid bound), by the whole model for the shortfall alone, up to three quarters of ``seconds``,
    which stops, proven, on reaching it, and a last solve that keeps the shortfall it reached and
    moves the fewest shifts from the crews' roster. That shortfall becomes a constraint of the full
    model, so the polish keeps it. Needs the complete hint of ``hint_roster`` (None without it).

    Returns ``(chosen, flows, shifts moved, {"agent_hours_below", "proven_fewest"})``, or None
    with no floor queue or no solution in time. ``proven_fewest``: the shortfall reached equals
    ``fewest``, so no roster under the hard rules leaves less (weighted by each queue's floor_cost).
    """
    if not full.floor:
        return None
    clock, before = Clock(seconds, workers), complete_hint(full.model)
    if before is None:
        return None
    values = before
    lower = seconds >= COVER_MIN_S  # else too little time to lower it (L at a 30 s limit): the shortfall as it is
    if lower and _shortfall(full, values) > fewest and not interrupt.requested():
        values = floor_crews(full, values, fewest, clock.give(0.4 * seconds), workers, seed)
    if lower and _shortfall(full, values) > fewest and not interrupt.requested():
        values = _fewest_whole(full, values, fewest, clock, 0.25 * seconds, workers, seed)
    reached = _shortfall(full, values)
    full.model.add(floor_steps(full.floor) <= reached)
    if values is not before and not interrupt.requested():  # the solves above ignored the cost of the flows: the best for these shifts
        settled = WindowSearch(full, values, np.inf, workers, seed)
        settled.settle(clock.give(min(SETTLE_S, max(0.5, clock.left()))))
        values = settled.values
    chosen, flows = shifts_and_flows(full, values)
    moved = sum(values[v.index] != before[v.index] for v in _shift_vars(full))
    floor = {"agent_hours_below": int(sum(values[v.index] for _, v in full.floor)), "proven_fewest": bool(reached <= fewest)}
    return chosen, flows, moved, floor


def floor_crews(full: RosterModel, values: list[int], fewest: float, seconds: float, workers: int, seed: int) -> list[int]:
    """Crews of agents drawn at random, every day of theirs re-solved with every other agent fixed
    (``scheduler.roster.search.polish``) for the floor shortfall first and the shifts moved from ``values`` second,
    until the shortfall reaches ``fewest`` or ``seconds`` are spent. Returns the values reached.

    Lexicographic by weight (a step of the shortfall outweighs moving every shift). Moving the
    fewest keeps the cost near the start's; the shortfall alone let a crew's other shifts go
    anywhere (L, 30 s: 4.2M against a 3.15M start), and the whole cost as the second goal made each
    step too hard to finish (demo: 1 of 5 runs proven). On the demo, from the sweeps' 49-61
    agent-hours, crews of 20 reached the proven 44 within 4 s in 5 of 5 runs; windows of 7 days
    stopped at 45 in 3 of 5."""
    xs = _shift_vars(full)
    weight = len(xs) + 1
    goal = weight * floor_steps(full.floor) + _moves(xs, values)
    search = WindowSearch(full, values, weight * _shortfall(full, values), workers, seed, goal=goal)
    search.run(seconds, step=search.crew, presolve=True, done=lambda vals: _shortfall(full, vals) <= fewest)
    return search.values


def _moves(xs: list, values: list[int]):
    """The shifts of ``xs`` (Boolean variables) whose value differs from ``values``: an expression."""
    return sum((1 - v) if values[v.index] else v for v in xs)


def _fewest_whole(full: RosterModel, values: list[int], fewest: float, clock: Clock, spare: float, workers: int, seed: int):
    """The whole model from ``values`` for the floor shortfall alone (stopping, proven, at ``fewest``),
    leaving ``spare`` seconds of ``clock``; if it lowers it, the roster that keeps the shortfall
    reached and moves the fewest shifts from ``values``, in what is left. Returns the values reached
    (``values`` if no better)."""
    below = floor_steps(full.floor)
    model = hinted(full.model.clone(), values)
    model.add(below >= int(fewest))
    model.minimize(below)
    solver = _solve(model, clock.give(max(0.5, clock.left() - spare)), workers, seed)
    if solver is None or solver.objective_value >= _shortfall(full, values) or interrupt.requested():
        return values
    fewer, xs = list(solver.response_proto.solution), _shift_vars(full)
    model = hinted(full.model.clone(), fewer)
    model.add(below <= int(round(solver.objective_value)))
    model.minimize(_moves(xs, values))
    solver = _solve(model, clock.give(max(0.5, clock.left())), workers, seed)
    return list(solver.response_proto.solution) if solver is not None else fewer


def _shift_vars(full: RosterModel) -> list:
    return [v for shifts in full.agents for day_vars in shifts.by_day for _, v in day_vars]


def _solve(model: cp_model.CpModel, seconds: float, workers: int, seed: int) -> cp_model.CpSolver | None:
    """Solve ``model`` within ``seconds``; the solver if it found a solution, else None."""
    solver = cp_model.CpSolver()
    set_limits(solver, seconds, workers, seed)
    return solver if interrupt.solve(solver, model) in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def hint_roster(full: RosterModel, chosen: dict, flows: dict, seconds: float, seed: int) -> None:
    """Hint the full model with a roster, completed to every variable.

    CP-SAT makes far better use of a complete hint (MODEL_NOTES 3.5): one solve with the shifts
    and flows fixed to the roster computes every auxiliary variable (rest days, shortfalls,
    spreads); all of them are then hinted. If that solve finds nothing in time, the partial hint stays.
    """
    model = full.model
    model.clear_hints()
    for a, shifts in enumerate(full.agents):
        for d, day_vars in enumerate(shifts.by_day):
            for o, v in day_vars:
                model.add_hint(v, int(chosen.get((a, d)) == o))
    for key, n in flows.items():
        model.add_hint(full.flows[key], n)
    solver = cp_model.CpSolver()
    set_limits(solver, seconds, 1, seed)
    solver.parameters.fix_variables_to_their_hinted_value = True
    if interrupt.solve(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    hinted(model, list(solver.response_proto.solution))


def first_roster(full: RosterModel, chosen: dict, flows: dict, agg_bound, wall_s: float) -> RosterResult:
    """The disaggregated plan as a roster, with no solver: its objective priced by the checker."""
    known = {}
    for a, shifts in enumerate(full.agents):
        for d, day_vars in enumerate(shifts.by_day):
            for o, v in day_vars:
                known[v.index] = int(chosen.get((a, d)) == o)
    for key, n in flows.items():
        known[full.flows[key].index] = n
    value = lambda v: known[v.index]  # noqa: E731
    roster, assignments = full.roster_frame(value), full.assignments_frame(value)
    cov = coverage(full.plan, full.req, assignments, full.flags)
    objective = float(cost_breakdown(full.plan, full.staff, roster, cov, full.curves)["cost"].sum())
    bound = agg_bound if agg_bound is not None else 0.0
    gap = 0.0 if objective == 0 else max(0.0, (objective - bound) / abs(objective))
    return RosterResult(roster, assignments, "FEASIBLE", objective, bound, gap, wall_s, False, full.curves)
