"""The polish (MODEL_NOTES 3.7, the staged solve's last step): a large-neighbourhood search on the full model.

Each step frees the shifts of ``WINDOW_DAYS`` consecutive days, for every agent or, on a large
roster, for a random sample of ``FREE_AGENTS`` of them; every other shift is fixed to the
incumbent roster, and CP-SAT re-solves the full model (flows, service level lost, pay, rest days,
fairness, preferences: the whole objective, every hard rule) from the incumbent as a complete
hint, for at most ``STEP_S``. A better roster becomes the incumbent. A window of days is the
neighbourhood the roster's cost lives in: the hours of a day are covered by the shifts of that
day and the night before, and rest, night and weekly rules tie a day to its neighbours, so
freeing whole days for many agents lets coverage move between agents, which the aggregate's
disaggregation (one agent class at a time) cannot. On the S benchmark it reached in 20 s what
CP-SAT's own search on the whole model had not in 480 s.

On a small roster a short solve of the whole model comes first: it often proves the optimum,
and then no window is needed; its bound is kept.

With one worker each step's budget and the search's are counted in deterministic time and the
windows come from the seed, so a run repeats itself exactly. Ctrl-C ends the search with the
incumbent.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.sat.python import cp_model

from scheduler.roster import RosterModel, set_limits
from scheduler.slcurve import COST_SCALE

WINDOW_DAYS = 3
FREE_AGENTS = 120
STEP_S = 1.0
REPORT_EVERY_S = 2.0  # the least time between progress lines
WHOLE_SHARE = 0.1  # of the polish's time, for the whole model first (at most WHOLE_MAX_S) ...
WHOLE_MAX_S = 3.0
WHOLE_MAX_AGENT_DAYS = 600  # ... on rosters this small (a larger one is not proven in seconds)


class WindowSearch:
    """The incumbent (a value per model variable) and the steps that improve it."""

    def __init__(self, full: RosterModel, values: list[int], objective: float, workers: int, seed: int, goal=None):
        """``goal``: an expression of the full model's variables to minimise instead of its objective
        (``objective`` is then the incumbent's value of it)."""
        self.full, self.values, self.objective = full, list(values), objective
        self.workers, self.seed, self.goal = workers, seed, goal
        self.scale = COST_SCALE if goal is None else 1
        self.bound = 0.0
        self.rng = np.random.default_rng([seed, 7])
        self.shift_vars = [[[v.index for _, v in day] for day in shifts.by_day] for shifts in full.agents]
        self.interrupted = False

    def whole(self, seconds: float) -> bool:
        """On a small roster, solve the whole model from the incumbent; True if that proved it optimal."""
        if len(self.shift_vars) * len(self.full.days) > WHOLE_MAX_AGENT_DAYS:
            return False
        return self._solve(self._hinted(self._clone()), seconds, whole=True)[1] == cp_model.OPTIMAL

    def run(self, seconds: float, progress=None) -> None:
        """Window steps until ``seconds`` (deterministic with one worker) are spent or Ctrl-C."""
        spent, clock, said = 0.0, time.perf_counter(), -REPORT_EVERY_S
        try:
            step_wall = 0.0  # the last step's wall time: a step that would overrun the budget is not started
            while not self.interrupted and (left := seconds - (spent if self.workers == 1 else time.perf_counter() - clock)) > \
                    (0 if self.workers == 1 else step_wall):
                before, started = self.objective, time.perf_counter()
                solver, _ = self._solve(self._random_neighbourhood(), min(STEP_S, max(0.1, left)))
                spent += solver.deterministic_time if self.workers == 1 else 0.0
                step_wall = time.perf_counter() - started
                if progress is not None and self.objective < before and time.perf_counter() - said >= REPORT_EVERY_S:
                    progress(self.objective, self.bound)
                    said = time.perf_counter()
        except KeyboardInterrupt:
            self.interrupted = True

    def window(self, days: range, seconds: float) -> None:
        """One step that frees ``days`` for every agent."""
        self._solve(self._neighbourhood(days, None), seconds)

    def _random_neighbourhood(self) -> cp_model.CpModel:
        """A random window of days, for every agent or a random sample of them."""
        n_days, n_agents = len(self.full.days), len(self.shift_vars)
        first = int(self.rng.integers(0, max(1, n_days - WINDOW_DAYS + 1)))
        free = set(self.rng.choice(n_agents, size=FREE_AGENTS, replace=False).tolist()) if n_agents > FREE_AGENTS else None
        return self._neighbourhood(range(first, first + WINDOW_DAYS), free)

    def _neighbourhood(self, days: range, free: set | None) -> cp_model.CpModel:
        """The full model with every shift outside ``days`` (or of an agent not in ``free``) fixed to the incumbent."""
        model = self._clone()
        variables = model.proto.variables
        for a, by_day in enumerate(self.shift_vars):
            for d, indices in enumerate(by_day):
                if d in days and (free is None or a in free):
                    continue
                for i in indices:
                    variables[i].domain[0] = variables[i].domain[1] = self.values[i]
        return self._hinted(model)

    def _clone(self) -> cp_model.CpModel:
        model = self.full.model.clone()
        if self.goal is not None:
            model.minimize(self.goal)
        return model

    def _hinted(self, model: cp_model.CpModel) -> cp_model.CpModel:
        return hinted(model, self.values)

    def _solve(self, model: cp_model.CpModel, seconds: float, whole: bool = False):
        """One solve, keeping a better roster (and, of the whole model, the bound); the solver and its status."""
        solver = cp_model.CpSolver()
        set_limits(solver, seconds, self.workers, self.seed)
        solver.parameters.catch_sigint_signal = True
        status = solver.solve(model)
        spent = solver.deterministic_time if self.workers == 1 else solver.wall_time
        if status == cp_model.FEASIBLE and spent < 0.95 * seconds:  # only Ctrl-C stops a step early without proof
            self.interrupted = True
        if whole:
            self.bound = max(self.bound, solver.best_objective_bound / self.scale)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value / self.scale < self.objective - 1e-9:
            self.values, self.objective = list(solver.response_proto.solution), solver.objective_value / self.scale
        return solver, status


def hinted(model: cp_model.CpModel, values: list[int]) -> cp_model.CpModel:
    """``model`` hinted with a value for every variable (CP-SAT uses a complete hint best)."""
    model.clear_hints()
    for i, value in enumerate(values):
        model.add_hint(model.get_int_var_from_proto_index(i), value)
    return model


def complete_hint(model: cp_model.CpModel) -> list[int] | None:
    """The model's hint as a value per variable, or None if it leaves a variable out."""
    hint = model.proto.solution_hint
    if len(hint.vars) < len(model.proto.variables):
        return None
    return [value for _, value in sorted(zip(hint.vars, hint.values))]
