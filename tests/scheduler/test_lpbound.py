"""CP-SAT's LP bound on one core beside the polish (scheduler.roster.search.lpbound) and when the staged solve runs it."""
import dataclasses

import pytest
from ortools.sat.python import cp_model

from scheduler.roster.search.lpbound import LpBound
from scheduler.roster.model import RosterModel, set_limits
from scheduler.roster.search import staged
from scheduler.roster.search.staged import _lp_bound
from scheduler.roster.search.tuning import TUNING


def _full(solved_small) -> RosterModel:
    plan, staff, req, flags, _ = solved_small
    return RosterModel(plan, staff, req, flags, symmetry=False)


def test_lp_bound_is_the_proven_optimum_on_a_small_plan(solved_small):
    full = _full(solved_small)
    with LpBound(full.model, 30, 0) as lp:
        lp.thread.join()
    solver = cp_model.CpSolver()
    set_limits(solver, 30, 1, 0)
    assert solver.solve(full.model) == cp_model.OPTIMAL
    assert lp.bound == pytest.approx(solver.objective_value / 10)
    assert len(lp.model.proto.constraints) == len(full.model.proto.constraints)  # a clone: the model is left alone


@pytest.mark.parametrize("latest,stops", [((1 - TUNING.lp_give_up) * 100 - 0.1, True), ((1 - TUNING.lp_give_up) * 100 + 0.1, False)])
def test_lp_bound_gives_the_core_back_halfway_when_far_below_the_bound_to_beat(solved_small, latest, stops):
    lp = LpBound(_full(solved_small).model, 10, 0, beat=100.0)
    stopped = []
    lp.solver.stop_search = lambda: stopped.append(True)
    lp.latest = latest
    lp._give_up()
    assert bool(stopped) == stops


def test_staged_solve_runs_it_on_two_workers_on_a_small_roster(solved_small, monkeypatch):
    full = _full(solved_small)
    assert isinstance(_lp_bound(full, 5, 2, 0, 100.0), LpBound)
    assert _lp_bound(full, 5, 1, 0, 100.0) is None  # one worker: one core
    monkeypatch.setattr(staged, "TUNING", dataclasses.replace(TUNING, lp_max_agent_days=len(full.agents) * len(full.days) - 1))
    assert _lp_bound(full, 5, 2, 0, 100.0) is None  # too large to get anywhere


def test_its_bound_bounds_every_roster_as_the_cover_constrains_the_model_after(solved_small):
    """The LP clones the model when it starts (after the first roster), so the cover stage's
    ``shortfall <= reached`` added later is not in its model."""
    full = _full(solved_small)
    lp = _lp_bound(full, 5, 2, 0, 100.0)
    n = len(full.model.proto.constraints)
    full.model.add(sum(v for _, v in full.floor) <= 0)
    assert len(lp.model.proto.constraints) == n
