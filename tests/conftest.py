"""Shared fixtures: the small plan of ``smallplan`` written to a temporary folder, and solved once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from smallplan import PROMOTIONS, small_forecast, write_small_plan


@pytest.fixture
def small_plan_path(tmp_path) -> Path:
    return write_small_plan(tmp_path / "plan")


@pytest.fixture(scope="session")
def solved_small(tmp_path_factory):
    """The small plan solved once (one worker, fixed seed): (plan, staff, requirements, flags, result)."""
    from scheduler.plan.load import load_plan
    from scheduler.roster.solve import solve_roster
    from scheduler.plan.staff import read_staff
    from scheduler.staffing.requirements import phase_flags, requirements

    plan = load_plan(write_small_plan(tmp_path_factory.mktemp("solved") / "plan"))
    staff = read_staff(plan.staff, plan.queues, plan.shifts)
    phases = pd.DataFrame([p for p in PROMOTIONS if p[2]], columns=["event", "kind", "phase", "start", "end", "peak"])
    phases[["start", "end"]] = phases[["start", "end"]].apply(pd.to_datetime)
    ds = pd.date_range(pd.Timestamp(plan.start), pd.Timestamp(plan.end) + pd.Timedelta(hours=23), freq="h")
    flags = phase_flags(ds, phases, plan.event)
    req = requirements(small_forecast(plan), plan, flags)
    result = solve_roster(plan, staff, req, flags, time_limit_s=10, workers=1, seed=0)
    return plan, staff, req, flags, result
