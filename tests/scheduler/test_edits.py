"""A roster edited by hand: a stale hourly split is recomputed, and the edit's effect is named."""

import pandas as pd
import pytest

from scheduler.check.checker import check_rules, cost_breakdown, coverage
from scheduler.roster.edits import edit_effect, fits, recompute_split, split_after_edit
from scheduler.roster.model import Demand
from scheduler.report.i18n import Words
from scheduler.report.text import effect_lines


def _service_cost(plan, staff, roster, hourly, req, flags, curves) -> float:
    costs = cost_breakdown(plan, staff, roster, coverage(plan, req, hourly, flags), curves)
    return float(costs.loc[costs["rule"].isin(["service_level", "overstaffing", "below_target"]), "cost"].sum())


def test_the_published_split_fits_its_roster_and_not_an_edited_one(solved_small):
    plan, staff, req, flags, result = solved_small
    assert fits(result.roster, result.assignments, plan)
    assert not fits(result.roster.iloc[1:], result.assignments, plan)
    assert not fits(result.roster, None, plan)


@pytest.mark.parametrize("keep_breaks", [True, False])
def test_recomputed_split_keeps_every_rule_and_costs_no_more_than_the_solvers(solved_small, keep_breaks):
    """With the solver's breaks the least-cost split can only match or beat the solver's flows; with
    breaks placed anew every break is inside its window and every hour on duty has a queue."""
    plan, staff, req, flags, result = solved_small
    roster = result.roster if keep_breaks else result.roster.assign(break_start=pd.NaT)
    hourly = recompute_split(Demand(plan, staff, req, flags), roster)
    assert check_rules(plan, staff, roster, hourly) == []
    assert fits(roster, hourly, plan)
    ours = _service_cost(plan, staff, roster, hourly, req, flags, result.curves)
    solvers = _service_cost(plan, staff, result.roster, result.assignments, req, flags, result.curves)
    if keep_breaks:
        assert ours <= solvers + 1e-6


def test_the_effect_of_removing_a_shift_names_the_agent_and_the_hours(solved_small):
    plan, staff, req, flags, result = solved_small
    removed = result.roster[result.roster["date"] == pd.Timestamp("2026-11-11").date()].iloc[0]
    edited = result.roster.drop(index=removed.name)
    demand = Demand(plan, staff, req, flags)
    hourly = split_after_edit(demand, edited, result.assignments)
    effect = edit_effect(demand, edited, hourly, result.assignments)
    assert [(a, len(r), len(ad)) for a, _, r, ad in effect.shifts] == [(removed.agent_id, 1, 0)]
    (_, name, [(start, end, label)], _), = effect.shifts
    assert name == removed["name"] and label == plan.shifts[removed["shift"]].label
    assert start == max(removed.start, pd.Timestamp(plan.start)) and end == min(removed.end, pd.Timestamp(plan.end) + pd.Timedelta(days=1))
    assert not effect.worse.empty
    assert (effect.worse["scheduled_after"] < effect.worse["scheduled_before"]).all()
    assert effect.worse["ds"].between(removed.start, removed.end).all()
    for q in plan.queues:
        assert effect.under_after[q] >= effect.under_before[q]
    assert effect.late_after["chats"] + effect.late_after["touches"] > effect.late_before["chats"] + effect.late_before["touches"]
    lines = effect_lines(effect, plan, Words(plan))
    assert any(removed["name"] in line and "removed" in line for line in lines)
    assert any(line.strip().startswith("worse:") for line in lines)


def test_moving_a_shift_lists_it_removed_and_added(solved_small):
    plan, staff, req, flags, result = solved_small
    roster = result.roster.copy()
    row = roster.index[roster["shift"] == "day"][0]
    days = set(roster.loc[roster["agent_id"] == roster.at[row, "agent_id"], "date"])
    free = next(d for d in plan.days if d not in days)
    shift = pd.Timedelta(days=(free - roster.at[row, "date"]).days)
    roster.loc[row, ["start", "end"]] = [roster.at[row, "start"] + shift, roster.at[row, "end"] + shift]
    roster.at[row, "date"] = free
    demand = Demand(plan, staff, req, flags)
    effect = edit_effect(demand, roster, split_after_edit(demand, roster, result.assignments), result.assignments)
    (agent, _, removed, added), = effect.shifts
    assert agent == roster.at[row, "agent_id"] and len(removed) == len(added) == 1
    assert added[0][0] == roster.at[row, "start"]


def test_a_grid_without_breaks_keeps_the_published_breaks_of_unchanged_shifts(solved_small):
    plan, staff, req, flags, result = solved_small
    grid = result.roster.assign(break_start=pd.NaT)  # as read from roster.xlsx
    hourly = recompute_split(Demand(plan, staff, req, flags), grid, published=result.assignments)
    breaks = lambda f: set(map(tuple, f.loc[f["queue"] == "break", ["agent_id", "ds"]].to_numpy()))  # noqa: E731
    assert breaks(hourly) == breaks(result.assignments)


def test_an_edit_moves_agents_between_queues_only_in_the_hours_it_touched(solved_small):
    plan, staff, req, flags, result = solved_small
    removed = result.roster.iloc[3]
    edited = result.roster.drop(index=removed.name)
    hourly = split_after_edit(Demand(plan, staff, req, flags), edited, result.assignments)
    outside = lambda f: f[(f["ds"] < removed.start) | (f["ds"] >= removed.end)].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(outside(hourly), outside(result.assignments))
    assert check_rules(plan, staff, edited, hourly) == check_rules(plan, staff, edited)
