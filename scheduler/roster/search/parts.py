"""Disaggregation (MODEL_NOTES 3.7, step 2): the aggregate's class counts handed to named agents by
the solver-free hand-out (``greedy.hand_out``), agents left below a weekly minimum placed by small
CP-SAT parts, then sweeps of CP-SAT parts (``TUNING.chunk`` agents of one class against the rest of it)
re-solving the hand-out at the least cost.

Takes: the full ``RosterModel``, the ``AggregateModel`` and its counts. Returns: the chosen shifts."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from ortools.sat.python import cp_model

from scheduler import interrupt
from scheduler.roster.model import RosterModel, set_limits
from scheduler.roster.search.greedy import RuleTables, hand_out
from scheduler.rules.pay import rest_day_premium, shift_pay
from scheduler.plan.money import tens
from scheduler.rules import constrain_agent
from scheduler.rules.helpers import AgentShifts, overtime_eligible
from scheduler.roster.search.aggregate import AggregateModel
from scheduler.roster.search.tuning import TUNING



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
        constrain_agent(model, shifts, plan, small=True)  # a small model, presolved
        for d, day in enumerate(full.days):  # what each agent costs, in the deviations' units (10 yuan)
            for o, v in shifts.by_day[d]:
                costs.append(tens(shift_pay(shifts.agent, opts[o].template, day, plan)) * v)
        if overtime_eligible(shifts.agent, plan):  # its rest-day counters, made by the overtime rule
            costs += [tens(rest_day_premium(shifts.agent, plan)) * r for r in shifts.rest_days(model, plan)]
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


def solve_part(full: RosterModel, part: list[int], targets: dict, worth, hint: dict, seconds: float, seed: int,
               first: bool = False):
    """One part's shifts ``{(a, d): option}`` from ``part_model`` (one CP-SAT worker, at most ``seconds``
    of deterministic time; ``first``: its first solution), or None if none was found; and the deterministic
    time spent."""
    model, x = part_model(full, part, targets, worth, hint)
    solver = cp_model.CpSolver()
    set_limits(solver, seconds, 1, seed)
    solver.parameters.relative_gap_limit = 1e-3  # near enough: the polish has the rest of the time
    solver.parameters.stop_after_first_solution = first
    if interrupt.solve(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time
    return {(a, d): o for (a, d, o), v in x.items() if solver.value(v)}, solver.deterministic_time


class Disaggregation:
    """The aggregate's counts handed to named agents: ``hand_out`` first (no solver), CP-SAT parts after.

    Per class, the greedy's agents still below a weekly minimum are placed by a CP-SAT part
    (``place_short``: with them, the class's other agents keep their shifts and the part's targets
    are the counts less what those others cover, so the parts of a class never double-count).
    ``improve`` then sweeps each class in parts of ``TUNING.chunk`` agents (a fresh partition each sweep),
    each part re-solved against the rest of its class, hinted with its current shifts so that
    CP-SAT starts from them: a large-neighbourhood search over the disaggregation. Classes are independent, so
    ``workers`` of them run at once (one CP-SAT worker each; the solver releases the GIL). With one
    worker the budget is counted in deterministic time, so a run repeats itself exactly.
    """

    def __init__(self, full: RosterModel, agg: AggregateModel, counts: dict, seed: int):
        self.full, self.agg, self.seed = full, agg, seed
        self.targets = [{(d, o): c for (kk, d, o), c in counts.items() if kk == k} for k in range(len(agg.classes))]
        # per class: {(agent row, model day): option}, each class's own (threads share none); and its agents the
        # hand-out left below a weekly minimum
        self.plans: list[dict] = [{} for _ in agg.classes]
        self.short: list[list[int]] = [[] for _ in agg.classes]
        self.tables = RuleTables(full)

    def place(self, k: int) -> None:
        """Class ``k``'s counts to its agents: ``hand_out`` (no solver), then ``place_short``. One job a class, so
        that one class's hand-out (Python) runs while another's parts solve (CP-SAT, without the GIL)."""
        self.plans[k], self.short[k] = hand_out(self.full, self.agg.classes[k], self.targets[k],
                                                lambda d, o: self.agg.shift_value(k, d, o), self.tables)
        self.place_short(k)

    @property
    def parts(self) -> int:
        """The parts of one sweep over every class (``TUNING.chunk`` agents each)."""
        return sum(-(-len(members) // TUNING.chunk) for members in self.agg.classes)

    @property
    def chosen(self) -> dict:
        return {key: o for plan in self.plans for key, o in plan.items()}

    def worth(self, k: int):
        def worth(d, o):  # in units of 10 yuan: the late chats a missing shift lets through (pay is priced apart)
            return max(1, tens(self.agg.shift_value(k, d, o))), 1
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

    def _solve(self, k: int, part: list[int], seconds: float, first: bool = False):
        inside = set(part)
        hint = {key: o for key, o in self.plans[k].items() if key[0] in inside}
        return solve_part(self.full, part, self._part_targets(k, part), self.worth(k), hint, seconds, self.seed, first)

    def place_short(self, k: int) -> None:
        """Re-solve the greedy's agents below a weekly minimum with class mates up to ``TUNING.chunk``, until placed:
        the first solution each (the sweeps improve it; L: 2.4 s against 5.3 s to the best, the roster 0.05 % dearer)."""
        members, short = self.agg.classes[k], self.short[k]
        mates = [a for a in members if a not in set(short)]
        for i in range(0, len(short), TUNING.chunk):
            part = short[i:i + TUNING.chunk]
            part += mates[:TUNING.chunk - len(part)]
            for attempt in range(6):  # a schedule exists for every agent (checked before): keep looking until found
                if interrupt.requested():  # Ctrl-C: no roster to keep yet (``staged_solve`` raises)
                    return
                plan, _ = self._solve(k, part, TUNING.min_part_s * 4 * 2 ** attempt, first=True)
                if plan is not None:
                    self._assign(k, part, plan)
                    break
            else:
                raise RuntimeError(f"no schedule found for agent class {k} ({len(members)} agents)")
        self.short[k] = []

    def improve(self, k: int, seconds: float) -> None:
        """Sweeps of CP-SAT parts over class ``k``, its share of ``seconds`` (deterministic time) by head count."""
        members, spent = self.agg.classes[k], 0.0
        budget = seconds * self.workers * len(members) / len(self.full.staff)
        per_part = max(TUNING.min_part_s, budget * min(1.0, TUNING.chunk / len(members)))
        rng = np.random.default_rng([self.seed, k])
        for sweep in range(1 if len(members) <= TUNING.chunk else 100):
            order = list(members) if sweep == 0 else [int(a) for a in rng.permutation(members)]
            for i in range(0, len(order), TUNING.chunk):
                if spent >= budget or interrupt.requested():
                    return
                plan, used = self._solve(k, order[i:i + TUNING.chunk], per_part)
                spent += max(used, TUNING.part_floor_s)  # a part that ends at once still costs its build
                if plan is not None:
                    self._assign(k, order[i:i + TUNING.chunk], plan)

    def run(self, job, workers: int) -> None:
        """Run ``job(k)`` for every class, ``workers`` classes at a time, largest first."""
        self.workers = max(1, workers)
        order = sorted(range(len(self.agg.classes)), key=lambda k: -len(self.agg.classes[k]))
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            list(pool.map(job, order))
