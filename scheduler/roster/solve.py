"""Solving the roster: the staged search (``scheduler.roster.search.staged``) or the direct CP-SAT model, with the
plan's solver settings; the bound is the better of the aggregate's and the full model's.

Takes: the plan, the staff frame, the requirements frame, phase flags. Returns: ``RosterResult``.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from scheduler import interrupt
from scheduler.roster.model import RosterModel, RosterResult
from scheduler.roster.search.replan import replan_solve
from scheduler.roster.search.staged import staged_solve


def solve_roster(plan, staff: pd.DataFrame, req: pd.DataFrame, flags: pd.DataFrame, time_limit_s=None, workers=None,
                 seed=None, progress=None, published=None) -> RosterResult:
    """Build and solve the roster model with the plan's solver settings (overridable).

    With ``[solver] staged = true`` (the default) the staged solve of ``scheduler.roster.search.staged`` runs and
    the bound is the better of the aggregate's and the full model's. A re-plan (``published``, a
    ``scheduler.check.published.Published``) starts from the published roster instead
    (``scheduler.roster.search.replan``).
    """
    s = plan.solver
    limit, workers, seed = (s.time_limit_s if time_limit_s is None else time_limit_s,
                            s.workers if workers is None else workers, s.seed if seed is None else seed)
    interrupt.stage("model")
    model = RosterModel(plan, staff, req, flags, symmetry=not s.staged and published is None, published=published,
                        background=s.staged and published is None)  # its rules built while the aggregate solves
    if published is not None:
        return replan_solve(model, published.roster, limit, workers, seed, progress)
    if not s.staged:
        return model.solve(limit, workers, seed, progress)
    result, agg_bound = staged_solve(model, limit, workers, seed, progress)
    bound = max(result.bound, agg_bound if agg_bound is not None else result.bound)
    gap = 0.0 if result.objective == 0 else max(0.0, (result.objective - bound) / abs(result.objective))
    status = "OPTIMAL" if gap < 1e-9 else result.status
    return dataclasses.replace(result, bound=bound, gap=gap, status=status)
