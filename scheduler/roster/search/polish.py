"""The polish (MODEL_NOTES 3.7, the staged solve's last step): a large-neighbourhood search on the full model.

Each step frees the shifts of ``TUNING.window_days`` consecutive days for a random sample of
``TUNING.free_agents`` agents (every agent on a roster that small); every other shift is fixed to the
incumbent roster, and CP-SAT re-solves the full model (flows, service level lost, pay, rest days,
fairness, preferences: the whole objective, every hard rule) from the incumbent as a complete hint,
with no presolve (see ``run``), for at most ``TUNING.step_s``. A better roster becomes the incumbent. A
window of days is the neighbourhood the roster's cost lives in: the hours of a day are covered by
the shifts of that day and the night before, and rest, night and weekly rules tie a day to its
neighbours, so freeing whole days for many agents lets coverage move between agents, which the
aggregate's disaggregation (one agent class at a time) cannot. On the S benchmark it reached in
20 s what CP-SAT's own search on the whole model had not in 480 s.

On a small roster a short solve of the whole model comes first: it often proves the optimum,
and then no window is needed; its bound is kept.

The cover stage (``scheduler.roster.search.staged.cover_floor``) uses the other neighbourhood, ``crew``: every
day of a few random agents, for the floor shortfall (then the least pay and the fewest shifts moved). A shortfall
often needs a few agents' whole sequences changed (nights, rest days), which no window of days
reaches: on the demo, windows of 7 days stopped one agent-hour above the proven fewest in 3 of 5
runs, crews of 20 reached it in 5 of 5. For the cost, windows of days do better (S: 224.7k against
225.4k with crews alone).

Each step is a one-worker solve stopped on deterministic time; with several workers a round runs
one step per worker at once from the same incumbent and keeps the best (the first of equals); the
windows come from the seed. So a run repeats itself exactly with any number of workers, whatever
the machine's load. Ctrl-C ends the search with the
incumbent at once: the step under way is stopped (``ctrl_c``, ``scheduler.interrupt``).
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from ortools.sat.python import cp_model

from scheduler import interrupt
from scheduler.roster.model import RosterModel, set_limits
from scheduler.plan.money import COST_SCALE
from scheduler.roster.search.tuning import TUNING



class WindowSearch:
    """The incumbent (a value per model variable) and the steps that improve it."""

    def __init__(self, full: RosterModel, values: list[int], objective: float, workers: int, seed: int, goal=None,
                 days_from: int = 0, round_floor: float = 0.0):
        """``goal``: an expression of the full model's variables to minimise instead of its objective
        (``objective`` is then the incumbent's value of it); ``days_from``: the first model day a window
        may free (a re-plan's days before its lock are fixed: a window there would do nothing); ``round_floor``:
        the least deterministic time a round is counted (a step that ends at once still costs the wall time of
        loading the model: a re-plan's steps took 0.08 deterministic seconds and 0.48 s on the clock)."""
        self.full, self.values, self.objective = full, list(values), objective
        self.workers, self.seed, self.goal, self.days_from, self.round_floor = workers, seed, goal, days_from, round_floor
        self.scale = COST_SCALE if goal is None else 1
        self.bound = 0.0
        self.rng = np.random.default_rng([seed, 7])
        self.shift_vars = [[[v.index for _, v in day] for day in shifts.by_day] for shifts in full.agents]
        self.interrupted = False
        self._models: list[cp_model.CpModel | None] = [None] * max(1, workers)

    def whole(self, seconds: float) -> bool:
        """On a small roster, solve the whole model from the incumbent; True if that proved it optimal."""
        if not whole_fits(self.full):
            return False
        self._models = [None] * len(self._models)  # a roster it finds may differ anywhere
        with ctrl_c(self):
            solver, status = self._solve(self._hinted(self._clone()), seconds, whole=True)
        if (better := self._better(solver, status)) is not None:
            self.objective, self.values = better
        return status == cp_model.OPTIMAL

    def run(self, seconds: float, progress=None, step=None, presolve=False, done=lambda values: False,
            patience: int | None = None, accept=None) -> float:
        """Rounds of steps until ``seconds`` of deterministic time are spent, ``done(incumbent values)``,
        ``patience`` rounds in a row improve nothing, or Ctrl-C (or, on a machine starved of CPU,
        ``TUNING.wall_cap`` times ``seconds`` of wall time). Returns the deterministic time spent.
        ``step`` gives each step's shifts to free: a random window of days unless given. ``accept(new, old)``
        (values): whether a better roster found is taken (every one unless given).

        A round runs one step per worker at once, each a one-worker solve from the same incumbent;
        the best that improves becomes the incumbent (``_round``). The round counts the longest of
        its steps' deterministic times, so the budget is about the wall time on an idle machine.

        ``presolve``: CP-SAT's presolve in each step. Off for the windows of days: with every other
        shift fixed it took 0.4 s of each 1 s step on M, and without it the steps search from the
        hint at once (M, from one start, 30 s: 610.2-610.3k with it, 606.7-607.3k without; S 224.6k
        against 224.3k; L, 60 s, 3-day windows: 0.57% against 0.92%, 2-day windows 0.66% against 0.60%).
        On for the crews: without it the demo's cover took 6-13 s instead of 2-6 s."""
        step = step or self._random_window
        spent, said, cap = 0.0, -TUNING.report_every_s, time.perf_counter() + TUNING.wall_cap * seconds
        idle = 0  # rounds in a row that improved nothing
        with ctrl_c(self), ThreadPoolExecutor(max_workers=self.workers) as pool:
            while not self._stopped() and not done(self.values) and (left := seconds - spent) > 0 \
                    and time.perf_counter() < cap and (patience is None or idle < patience):
                before = self.objective
                freed = [step() for _ in range(self.workers)]  # drawn in order from the seed: the same windows every run
                spent += self._round(pool, freed, min(TUNING.step_s, max(0.1, left)), presolve, accept)
                idle = 0 if self.objective < before else idle + 1
                if progress is not None and self.objective < before and time.perf_counter() - said >= TUNING.report_every_s:
                    progress(self.objective, self.bound)
                    said = time.perf_counter()
        return spent

    def _round(self, pool, freed: list[list[int]], seconds: float, presolve: bool, accept=None) -> float:
        """One step per list of ``freed`` at once, from the incumbent; the best better roster (the
        first of equals) becomes the incumbent if ``accept(its values, the incumbent's)`` (when given).
        Returns the round's deterministic time (its longest step)."""
        steps = list(pool.map(lambda i: self._step(i, freed[i], seconds, presolve), range(len(freed))))
        best = min(range(len(steps)), key=lambda i: (steps[i][1], i))
        if steps[best][1] < self.objective - 1e-9 and (accept is None or accept(steps[best][2], self.values)):
            self.values, self.objective = steps[best][2], steps[best][1]
            changed = sorted({i for indices in freed for i in indices})
            for model in self._models:  # every step's shifts back to the new incumbent, in every worker's model
                if model is not None:
                    self._pin(model.proto.variables, changed)
        return max(self.round_floor, *(time for time, _, _ in steps))

    def settle(self, seconds: float) -> float:
        """One step with every shift fixed: the best flows and the rest for the incumbent's shifts.
        Returns its deterministic time."""
        with ctrl_c(self), ThreadPoolExecutor(max_workers=1) as pool:
            return self._round(pool, [[]], seconds, presolve=True)

    def _stopped(self) -> bool:
        self.interrupted = self.interrupted or interrupt.requested()
        return self.interrupted

    def crew(self) -> list[int]:
        """The shifts of every day of ``TUNING.crew`` agents drawn at random."""
        n_agents = len(self.shift_vars)
        free = self.rng.choice(n_agents, size=min(TUNING.crew, n_agents), replace=False).tolist()
        return [i for a in free for indices in self.shift_vars[a] for i in indices]

    def _random_window(self) -> list[int]:
        """The shifts of a random window of days, of every agent or a random sample of them."""
        n_days, n_agents = len(self.full.days), len(self.shift_vars)
        lo = min(self.days_from, max(0, n_days - TUNING.window_days))
        first = int(self.rng.integers(lo, max(lo + 1, n_days - TUNING.window_days + 1)))
        free = self.rng.choice(n_agents, size=TUNING.free_agents, replace=False).tolist() if n_agents > TUNING.free_agents else range(n_agents)
        return [i for a in free for indices in self.shift_vars[a][first:first + TUNING.window_days] for i in indices]

    def _step(self, worker: int, freed: list[int], seconds: float, presolve: bool = True):
        """Re-solve the shifts ``freed`` (variable indices), every other shift fixed to the incumbent,
        on worker ``worker``'s model. Returns (deterministic time, objective, values): the incumbent's
        own when the step found nothing better.

        Each worker has one model for all its steps (``_fixed``: a clone with all shifts fixed): the
        step frees its own shifts and fixes them back after. Cloning and fixing afresh each step
        took 0.4 s at 1,000 agents."""
        model = self._fixed(worker)
        variables, domains = model.proto.variables, self.full.model.proto.variables
        for i in freed:  # a shift is a Boolean: its domain is one interval, [lo, hi]
            variables[i].domain[0], variables[i].domain[1] = domains[i].domain[0], domains[i].domain[1]
        try:
            solver, status = self._solve(self._hinted(model), seconds, presolve=presolve)
        finally:
            self._pin(variables, freed)
        better = self._better(solver, status)
        return (solver.deterministic_time, *(better if better is not None else (self.objective, self.values)))

    def _better(self, solver: cp_model.CpSolver, status) -> tuple[float, list[int]] | None:
        """(Objective, values) of the solve's roster if it beats the incumbent, else None."""
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value / self.scale < self.objective - 1e-9:
            return solver.objective_value / self.scale, list(solver.response_proto.solution)
        return None

    def _fixed(self, worker: int) -> cp_model.CpModel:
        """Worker ``worker``'s model, built on its first step: the full model with every shift fixed to the incumbent."""
        if self._models[worker] is None:
            model = self._clone()
            self._pin(model.proto.variables, [i for by_day in self.shift_vars for indices in by_day for i in indices])
            self._models[worker] = model
        return self._models[worker]

    def _pin(self, variables, indices) -> None:
        """Fix the variables ``indices`` of a model's proto to the incumbent's values."""
        for i in indices:
            variables[i].domain[0] = variables[i].domain[1] = self.values[i]

    def _clone(self) -> cp_model.CpModel:
        model = self.full.model.clone()
        if self.goal is not None:
            model.minimize(self.goal)
        return model

    def _hinted(self, model: cp_model.CpModel) -> cp_model.CpModel:
        return hinted(model, self.values)

    def _solve(self, model: cp_model.CpModel, seconds: float, whole: bool = False, presolve: bool = True):
        """One solve on one CP-SAT worker (it repeats itself; the workers are the rounds' steps),
        keeping the bound of the whole model; the solver and its status."""
        solver = cp_model.CpSolver()
        set_limits(solver, seconds, 1, self.seed)
        solver.parameters.cp_model_presolve = presolve
        status = interrupt.solve(solver, model)  # Ctrl-C stops it (``ctrl_c``); a better roster found is still kept
        if whole:
            self.bound = max(self.bound, solver.best_objective_bound / self.scale)
        return solver, status


def whole_fits(full: RosterModel) -> bool:
    """A roster small enough for a solve of the whole model to be worth seconds (``TUNING.whole_max_agent_days``)."""
    return len(full.agents) * len(full.days) <= TUNING.whole_max_agent_days


@contextlib.contextmanager
def ctrl_c(search: WindowSearch):
    """Within the block, Ctrl-C (``scheduler.interrupt``) stops the solve under way and sets
    ``search.interrupted`` instead of raising: the search stops with its incumbent."""
    with interrupt.keeping():
        try:
            yield
        finally:
            search.interrupted = search.interrupted or interrupt.requested()


def hinted(model: cp_model.CpModel, values: list[int]) -> cp_model.CpModel:
    """``model`` hinted with a value for every variable (CP-SAT uses a complete hint best)."""
    model.clear_hints()
    hint = model.proto.solution_hint  # written in bulk: a call per variable took 0.4 s a step at 1,000 agents
    hint.vars.extend(range(len(values)))
    hint.values.extend(int(v) for v in values)
    return model


def complete_hint(model: cp_model.CpModel) -> list[int] | None:
    """The model's hint as a value per variable, or None if it leaves a variable out."""
    hint = model.proto.solution_hint
    if len(hint.vars) < len(model.proto.variables):
        return None
    return [value for _, value in sorted(zip(hint.vars, hint.values))]
