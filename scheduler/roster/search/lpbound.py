"""A lower bound from CP-SAT's LP-based search on the full model, on one core beside the polish.

The aggregate's bound (``scheduler.roster.search.staged.AggregateModel``) pools the agents of a class, so it
prices coverage that the class counts reach and no set of individual shift sequences does. One
CP-SAT worker with ``linearization_level = 2`` (every constraint in the LP relaxation, with cuts)
proves much more on a small roster. On the S benchmark (60 agents × 18 days): 222.6k after 10 s
and 223.8k after 20 s, against the aggregate's 222.0k; CP-SAT's default two-worker portfolio, at
either level, stayed at 220.7k after 30 s and reached 222.9k after 480 s. It finds no roster
itself: it is a bound only, run in a thread while the polish's workers go on finding rosters
(three threads on the two cores: the S polish still ends at 224.4k).

Where the LP is too big to get anywhere in the time (the demo: 275k after 20 s and 288k after 45 s,
against the aggregate's 303k), it gives the core back: at half its time, a bound still more than
``TUNING.lp_give_up`` below the one it is to beat stops it. Halfway through the S benchmark's polish (sharing
the cores with it) the bound was 1.6% below the aggregate's and ended 0.8% above; on the demo it
was 14% below.
"""
from __future__ import annotations

import threading

from ortools.sat.python import cp_model

from scheduler import interrupt
from scheduler.plan.money import COST_SCALE
from scheduler.roster.search.tuning import TUNING



class LpBound:
    """``with LpBound(model, seconds, seed, beat) as lp:`` solves ``model`` (a clone: the caller's is
    left alone) in a thread until ``seconds``, the block's end, or half of ``seconds`` with its
    bound still more than ``TUNING.lp_give_up`` below ``beat``; ``lp.bound`` is then its proven bound in
    yuan (0 when it proved nothing)."""

    def __init__(self, model: cp_model.CpModel, seconds: float, seed: int, beat: float = 0.0):
        self.model, self.bound, self.latest, self.beat = model.clone(), 0.0, 0.0, beat
        self.solver = cp_model.CpSolver()
        params = self.solver.parameters
        params.num_workers = 1
        params.linearization_level = 2
        params.max_time_in_seconds = float(seconds)
        params.random_seed = int(seed)
        params.catch_sigint_signal = False  # Ctrl-C is ``scheduler.interrupt``'s: it stops this solve too
        self.solver.best_bound_callback = self._on_bound
        self.thread = threading.Thread(target=self._solve, daemon=True)
        self.halfway = threading.Timer(seconds / 2, self._give_up)

    def _on_bound(self, bound: float) -> None:
        self.latest = bound / COST_SCALE

    def _give_up(self) -> None:
        if self.latest < (1.0 - TUNING.lp_give_up) * self.beat:
            self.solver.stop_search()

    def _solve(self) -> None:
        status = interrupt.solve(self.solver, self.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
            self.bound = max(0.0, self.solver.best_objective_bound / COST_SCALE)

    def __enter__(self) -> "LpBound":
        self.thread.start()
        self.halfway.start()
        return self

    def __exit__(self, *exc) -> None:
        self.halfway.cancel()
        self.solver.stop_search()
        self.thread.join()
