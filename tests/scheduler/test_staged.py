"""The staged solve's cover stage: the fewest agent-hours below target on floor queues, and its proof."""

import dataclasses
import time

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model, cp_model_helper

from scheduler.check.checker import check_rules, coverage
from scheduler.roster.model import SAFETY_CAP, SAFETY_MIN_S, RosterModel, set_limits
from scheduler.staffing.requirements import requirements
from scheduler.roster.search.aggregate import AggregateModel, floor_steps
from scheduler.roster.search.clock import Clock
from scheduler.roster.search.tuning import TUNING
from scheduler.roster.search.cover import Covered, cover_floor
from scheduler.roster.search.polish import WindowSearch, complete_hint
from scheduler.roster.search.first import hint_roster
from smallplan import small_forecast


def _short_plan(solved_small, scale=3.0):
    """The small plan with three times its volume: pre-sale (the floor queue) cannot be fully covered."""
    plan, staff, _, flags, _ = solved_small
    fc = small_forecast(plan)
    fc[["mean", "p10", "p50", "p90"]] *= scale
    return plan, staff, requirements(fc, plan, flags), flags


def _fewest_direct(plan, staff, req, flags) -> int:
    """The full model's own proven minimum of the floor shortfall (small enough to prove)."""
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    full.model.minimize(floor_steps(full.floor))
    solver = cp_model.CpSolver()
    set_limits(solver, 20, 1, 0)
    assert solver.solve(full.model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def test_aggregate_bound_on_the_shortfall_is_valid(solved_small):
    plan, staff, req, flags = _short_plan(solved_small)
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    lower = AggregateModel(full).fewest_below(5, 1, 0)
    assert 0 < lower <= _fewest_direct(plan, staff, req, flags)


def test_cover_stage_moves_an_empty_roster_to_the_fewest_shortfall(solved_small):
    plan, staff, req, flags = _short_plan(solved_small)
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    fewest = AggregateModel(full).fewest_below(5, 1, 0)
    hint_roster(full, {}, {}, 5, 0)  # nobody works: every pre-sale hour is short
    chosen, flows, moved, floor, _ = cover_floor(full, 10, 1, 0, fewest)
    assert moved > 0 and chosen
    direct = _fewest_direct(plan, staff, req, flags)
    assert floor["agent_hours_below"] == direct  # one floor queue: steps are agent-hours
    assert floor["proven_fewest"] == (direct <= fewest)
    # the shortfall reached now binds the full model: its roster keeps it, and breaks no rule
    result = full.solve(5, 1, 0)
    assert check_rules(plan, staff, result.roster, result.assignments) == []
    cov = coverage(plan, req, result.assignments, flags)
    assert cov.loc[cov["queue"] == "presale", "shortfall"].sum() <= floor["agent_hours_below"]


def test_the_cover_stage_solves_the_whole_model_only_on_a_small_roster(solved_small, monkeypatch):
    """Above ``whole_max_agent_days`` the crews have the cover's time: the whole model is never solved for the shortfall."""
    import scheduler.roster.search.cover as cover
    import scheduler.roster.search.polish as polish
    plan, staff, req, flags = _short_plan(solved_small)
    calls = []
    monkeypatch.setattr(cover, "_fewest_whole", lambda full, values, *a: calls.append(1) or (values, 0.0))
    for most, expected in ((10 ** 6, 1), (0, 0)):
        tuning = dataclasses.replace(TUNING, whole_max_agent_days=most, cover_patience=1, crew=1)
        monkeypatch.setattr(cover, "TUNING", tuning)
        monkeypatch.setattr(polish, "TUNING", tuning)
        full = RosterModel(plan, staff, req, flags, symmetry=False)
        hint_roster(full, {}, {}, 5, 0)  # nobody works: one agent's crew cannot reach the fewest in one round
        calls.clear()
        cover.cover_floor(full, 4, 1, 0, 0.0)
        assert len(calls) == expected, most


def test_plan_without_a_floor_queue_skips_the_cover_stage(solved_small):
    plan, staff, req, flags = _short_plan(solved_small)
    queues = {q: dataclasses.replace(queue, floor_cost=0.0) for q, queue in plan.queues.items()}
    bare = dataclasses.replace(plan, queues=queues)
    full = RosterModel(bare, staff, req, flags, symmetry=False)
    assert full.floor == [] and cover_floor(full, 1, 1, 0, 0.0) is None


def _proven_optimum(full: RosterModel) -> float:
    """The full model's optimum in yuan, proven by CP-SAT."""
    solver = cp_model.CpSolver()
    set_limits(solver, 30, 1, 0)
    assert solver.solve(full.model) == cp_model.OPTIMAL
    return solver.objective_value / 10


def test_aggregate_bound_is_below_the_full_models_optimum(solved_small):
    plan, staff, req, flags, _ = solved_small
    strict = staff.copy()
    strict["min_week_hours"] = [30.0, 27.0, 20.0, 0.0, 35.0, 14.0, 30.0, 0.0, 10.0, 12.0]  # minimums that whole shifts overshoot
    full = RosterModel(plan, strict, req, flags, symmetry=False)
    _, bound = AggregateModel(full).solve(5, 1, 0)
    assert bound <= _proven_optimum(full) + 1e-6


def test_least_hours_rounds_a_minimum_up_to_whole_shifts(solved_small):
    plan, staff, req, flags, _ = solved_small
    strict = staff.copy()
    strict.loc[0, "min_week_hours"] = 30.0  # 30 h a week pro rata over the plan's 4 days: 17 h due
    full = RosterModel(plan, strict, req, flags, symmetry=False)
    agg = AggregateModel(full)
    block = [d for d in range(len(full.days))]
    assert agg._least_hours(0, block) == 24  # three 8-hour shifts; two would pay 16
    assert agg._least_hours(3, block) == 0  # no minimum


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(costs=st.lists(st.integers(20, 60), min_size=10, max_size=10), minimums=st.lists(st.sampled_from([0, 16, 24, 32]), min_size=10, max_size=10))
def test_aggregate_bound_prices_hours_cheapest_first_and_stays_valid(solved_small, costs, minimums):
    """Members' rates and minimums vary within classes: the aggregate's wage and rest-day bounds (each
    class's hours and rest days given to its cheapest members first) stay below the proven optimum."""
    plan, staff, req, flags, _ = solved_small
    varied = staff.copy()
    varied["hourly_cost"] = [float(c) for c in costs]
    varied["min_week_hours"] = [float(min(m, h)) for m, h in zip(minimums, varied["max_week_hours"])]
    full = RosterModel(plan, varied, req, flags, symmetry=False)
    _, bound = AggregateModel(full).solve(5, 1, 0)
    assert bound <= _proven_optimum(full) + 1e-6


def test_cover_stage_keeps_a_roster_already_at_the_fewest_shortfall(solved_small):
    plan, staff, req, flags = _short_plan(solved_small)
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    fewest = AggregateModel(full).fewest_below(5, 1, 0)
    hint_roster(full, {}, {}, 5, 0)
    chosen, flows, _, floor, _ = cover_floor(full, 10, 1, 0, fewest)
    assert floor["proven_fewest"]
    hint_roster(full, chosen, flows, 5, 0)
    again = cover_floor(full, 10, 1, 0, fewest)
    assert again.chosen == chosen and again.moved == 0 and again.floor == floor
    assert again.used == 0.0  # nothing to lower, no solve: its whole budget goes on to the polish


def _polish_seconds(solved_small, monkeypatch, cover) -> float:
    """The polish's budget in a staged solve of the small plan (20 s) whose cover stage is ``cover``."""
    import scheduler.roster.search.staged as staged
    plan, staff, req, flags = _short_plan(solved_small)
    given = []
    monkeypatch.setattr(staged, "cover_floor", cover)
    monkeypatch.setattr(staged, "polish", lambda full, first, bound, seconds, *a, **k: given.append(seconds) or first)
    staged.staged_solve(RosterModel(plan, staff, req, flags, symmetry=False), 20.0, 1, 0)
    return given[0]


def test_the_cover_stage_hands_what_it_did_not_use_on_to_the_polish(solved_small, monkeypatch):
    """A cover stage that used nothing of its budget (no floor queue) leaves the polish that much more than one that used it all."""
    budgets = []
    none = _polish_seconds(solved_small, monkeypatch, lambda full, seconds, *a: budgets.append(seconds))
    spent = _polish_seconds(solved_small, monkeypatch, lambda full, seconds, *a: Covered({}, {}, 0, {}, seconds))
    assert budgets[0] > 1.0 and none - spent == pytest.approx(budgets[0])


def test_a_search_stops_after_rounds_that_improve_nothing(solved_small):
    """With patience, a search from the proven optimum stops after that many rounds, not at its budget."""
    plan, staff, req, flags, _ = solved_small
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    solver = cp_model.CpSolver()
    set_limits(solver, 30, 1, 0)
    assert solver.solve(full.model) == cp_model.OPTIMAL
    search = WindowSearch(full, list(solver.response_proto.solution), solver.objective_value / 10, 1, 0)
    spent = search.run(100.0, step=search.crew, patience=2)
    assert 0.0 < spent <= 2 * TUNING.step_s and search.objective == solver.objective_value / 10


def test_clock_counts_budgets_not_wall_time(monkeypatch):
    """The time left is the limit less the budgets handed out, whatever the wall clock says, until the safety cap."""
    clock = Clock(10.0)
    assert clock.give(3.0) == 3.0
    time.sleep(0.05)
    assert clock.left() == 7.0
    now = time.perf_counter()
    monkeypatch.setattr(time, "perf_counter", lambda: now + 10.0 * TUNING.wall_cap)  # a machine starved of CPU
    assert clock.left() == 0.0


def test_a_short_solve_is_not_cut_by_the_wall_clock_while_its_model_loads():
    """The wall cap of a solve given little deterministic time still covers loading a large model on a busy machine."""
    solver = cp_model.CpSolver()
    set_limits(solver, 0.1, 1, 0)
    assert solver.parameters.max_deterministic_time == pytest.approx(0.1)
    assert solver.parameters.max_time_in_seconds >= SAFETY_MIN_S >= 30.0
    set_limits(solver, 100.0, 1, 0)
    assert solver.parameters.max_time_in_seconds == pytest.approx(100.0 * SAFETY_CAP)


def test_a_model_built_on_a_thread_is_the_one_built_at_once(solved_small):
    plan, staff, req, flags, _ = solved_small
    at_once = RosterModel(plan, staff, req, flags, symmetry=False)
    threaded = RosterModel(plan, staff, req, flags, symmetry=False, background=True)
    assert str(threaded.model.proto) == str(at_once.model.proto)
    assert threaded.flows.keys() == at_once.flows.keys() and len(threaded.floor) == len(at_once.floor)


def test_a_background_build_begins_at_start_build_not_before(solved_small, monkeypatch):
    """The staged solve builds its aggregate first, alone with the GIL, then lets the full model's rules build."""
    import scheduler.roster.model as model_module

    built, constrain = [], model_module.constrain_agent
    monkeypatch.setattr(model_module, "constrain_agent", lambda *args, **kwargs: built.append(1) or constrain(*args, **kwargs))
    plan, staff, req, flags, _ = solved_small
    threaded = RosterModel(plan, staff, req, flags, symmetry=False, background=True)
    time.sleep(0.3)
    assert threaded.agents and not built
    threaded.start_build()
    assert threaded.model is not None and len(built) == len(staff)


def test_an_error_building_on_a_thread_reaches_the_caller(solved_small, monkeypatch):
    import scheduler.roster.model as model_module

    def broken(*args, **kwargs):
        raise ValueError("a rule could not be built")

    monkeypatch.setattr(model_module, "constrain_agent", broken)
    plan, staff, req, flags, _ = solved_small
    threaded = RosterModel(plan, staff, req, flags, symmetry=False, background=True)
    assert threaded.agents  # the shift variables are there at once
    with pytest.raises(ValueError, match="could not be built"):
        threaded.model


def _value(expr, values: list[int]) -> int:
    """A linear expression of the model's variables at ``values`` (a value per variable)."""
    flat = cp_model_helper.FlatIntExpr(expr)
    return flat.offset + sum(c * values[v.index] for c, v in zip(flat.coeffs, flat.vars))


def test_the_crews_weigh_an_added_shift_above_a_shift_moved(solved_small):
    """The cover's second goal: pay, then shifts moved. Covering an hour by a shift the roster pays for
    more costs the crews more than moving a shift it already pays for; a step of the shortfall outweighs it all."""
    from scheduler.roster.search.cover import _second_goal, _shift_vars
    plan, staff, req, flags = _short_plan(solved_small)
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    xs = _shift_vars(full)
    (_, first), (_, later) = full.agents[0].by_day[1][0], full.agents[0].by_day[2][0]
    _, other = next(shifts.by_day[2][0] for shifts in full.agents[1:] if shifts.by_day[2])
    start = [0] * len(full.model.proto.variables)
    start[first.index] = 1
    weight, second, paid = _second_goal(full, xs, start)
    added, moved = list(start), list(start)
    added[other.index] = 1
    moved[first.index], moved[later.index] = 0, 1
    assert paid == _value(second, start) > 0
    assert _value(second, added) - paid > _value(second, moved) - paid > 0
    assert weight > _value(second, [1 - v for v in start])  # every shift changed and paid


def test_a_search_takes_a_better_roster_only_when_accept_says_so(solved_small):
    """``accept`` decides which better roster the search takes (the crews: only one with a lower shortfall)."""
    plan, staff, req, flags, _ = solved_small
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    hint_roster(full, {}, {}, 5, 0)  # nobody works: any step finds a better roster
    start = list(complete_hint(full.model))
    kept = WindowSearch(full, start, float("inf"), 1, 0)
    kept.run(3.0, step=kept.crew, presolve=True, patience=1, accept=lambda new, old: False)
    taken = WindowSearch(full, start, float("inf"), 1, 0)
    taken.run(3.0, step=taken.crew, presolve=True, patience=1)
    assert kept.values == start and taken.values != start


def _stage_budgets(solved_small, monkeypatch, stage: str, knob: str, settings) -> dict:
    """The budget the staged solve (20 s, one worker) gives ``stage`` ("sweeps" or "cover") at each of
    ``settings`` of ``TUNING.<knob>``; the sweeps, cover and polish themselves do nothing."""
    import scheduler.roster.search.staged as staged
    from scheduler.roster.search.parts import Disaggregation
    plan, staff, req, flags = _short_plan(solved_small)
    given, out = {"sweeps": [], "cover": []}, {}
    monkeypatch.setattr(Disaggregation, "improve", lambda self, k, seconds: given["sweeps"].append(seconds))
    monkeypatch.setattr(staged, "cover_floor", lambda full, budget, *a: given["cover"].append(budget))
    monkeypatch.setattr(staged, "polish", lambda full, first, *a, **k: first)
    for value in settings:
        monkeypatch.setattr(staged, "TUNING", dataclasses.replace(TUNING, **{knob: value}))
        given[stage].clear()
        staged.staged_solve(RosterModel(plan, staff, req, flags, symmetry=False), 20.0, 1, 0)
        out[value] = given[stage][0]
    return out


def test_the_cover_gets_the_time_left_up_to_its_share_of_the_limit(solved_small, monkeypatch):
    """The cover stage gets up to ``cover_left`` of the time left after the sweeps, at most 0.35 of the limit:
    at 1,000 agents half the time left cut its crews off while each round still lowered the shortfall."""
    seconds = _stage_budgets(solved_small, monkeypatch, "cover", "cover_left", (0.5, 1.0))
    assert seconds[1.0] == pytest.approx(0.35 * 20.0)
    assert seconds[0.5] < seconds[1.0]


def test_the_sweeps_get_their_least_time_per_part(solved_small, monkeypatch):
    """Each part of one sweep gets at least ``sweep_part_s`` (per worker), up to 0.6 of the time left:
    on a large roster a share of the limit left each part too little."""
    seconds = _stage_budgets(solved_small, monkeypatch, "sweeps", "sweep_part_s", (0.0, 100.0))
    assert seconds[0.0] == pytest.approx(TUNING.improve_share * 20.0)
    assert seconds[100.0] > seconds[0.0]
