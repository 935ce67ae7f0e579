"""Staffing: requirements frame, shrinkage rounding, the reminder backlog."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.plan.config import BacklogQueue
from scheduler.staffing.requirements import (REQUIREMENT_COLUMNS, backlog_jobs, desk_from_scheduled, edf_schedule,
                                is_open, min_peak_backlog, scheduled_from_desk)


def reminder(after=(10.0,), before=(), window_h=24.0, deadline_min=60.0) -> BacklogQueue:
    return BacklogQueue(name="reminder", label="reminder", touch_offsets_min=after, touch_before_deadline_min=before,
                        payment_window_h=window_h, touch_minutes=1.5, touch_deadline_min=deadline_min,
                        contact_from=8, contact_until=22, contact_phases=("final_payment",), late_cost=1.0, floor_cost=0.0)


@settings(max_examples=100, deadline=None)
@given(desk=st.integers(0, 500), shrink=st.floats(0.0, 0.6))
def test_scheduled_agents_leave_enough_at_the_desk(desk, shrink):
    sched = scheduled_from_desk(desk, shrink)
    assert desk_from_scheduled(sched, shrink) >= desk
    assert sched == 0 or desk_from_scheduled(sched - 1, shrink) < desk


def test_open_hours_wrap_past_midnight():
    hours = np.arange(24)
    assert is_open(hours, 8, 2).sum() == 18 and is_open(hours, 8, 2)[1] and not is_open(hours, 8, 2)[2]
    assert is_open(hours, 0, 0).all()


def test_backlog_meets_every_deadline_at_the_lowest_peak():
    queue = reminder(after=(10.0, 60.0), deadline_min=120.0)
    orders = np.zeros(24)
    orders[[9, 10, 20]] = [100, 20, 300]
    allowed = is_open(np.arange(24), 8, 22)
    jobs = backlog_jobs(queue, orders, allowed)
    done = min_peak_backlog(jobs, 24, allowed)
    assert np.isclose(done.sum(), sum(j[2] for j in jobs))
    assert edf_schedule(jobs, 24, done.max() * 1.001, allowed)[1].sum() < 1e-6
    assert edf_schedule(jobs, 24, done.max() * 0.95, allowed)[1].sum() > 0  # any lower peak misses a deadline
    assert done[~allowed].sum() == 0  # no proactive touches outside contact hours


def test_touch_before_deadline_moves_earlier_out_of_closed_hours():
    queue = reminder(after=(), before=(120.0,), window_h=10.0)
    orders = np.zeros(48)
    orders[[9, 14]] = [10, 10]  # due at 17:00 (open) and 22:00 (closed: brought forward to 21:00)
    jobs = backlog_jobs(queue, orders, is_open(np.arange(48) % 24, 8, 22))
    assert sorted((rel, dl) for rel, dl, _ in jobs) == [(16, 17), (21, 22)]


def test_requirements_frame(solved_small):
    plan, staff, req, flags, result = solved_small
    assert list(req.columns) == REQUIREMENT_COLUMNS
    assert len(req) == len(plan.queues) * 24 * len(plan.days)
    chat = req[(req["queue"] == "presale") & req["open"]]
    assert (chat["service_level"] >= 0.8 - 1e-9).all()
    assert (req["scheduled"] >= req["agents"]).all()
    peak = req[(req["queue"] == "presale") & (req["ds"] == pd.Timestamp("2026-11-11 00:00"))]
    assert float(peak["within_s"].iloc[0]) == 60.0


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scale=st.floats(0.2, 6.0), seed=st.integers(0, 50))
def test_loss_curves_skip_no_count_that_changes_them(solved_small, scale, seed, monkeypatch):
    """Counts past an hour's last late chat are not evaluated: the curves equal those of every count evaluated."""
    import scheduler.staffing.curves as curves
    from scheduler.staffing.requirements import requirements
    from smallplan import small_forecast

    plan, staff, _, flags, _ = solved_small
    fc = small_forecast(plan)
    noise = np.random.default_rng(seed).gamma(20, 1 / 20, len(fc))
    fc[["mean", "p10", "p50", "p90"]] = fc[["mean", "p10", "p50", "p90"]].mul(scale * noise, axis=0)
    req = requirements(fc, plan, flags)
    skills = {q: int(staff["skills"].map(lambda s, q=q: q in s).sum()) for q in plan.queues}
    index = lambda ds: int((pd.Timestamp(ds) - pd.Timestamp(plan.start)) / pd.Timedelta(hours=1))  # noqa: E731
    pruned = curves.loss_curves(req, plan, flags, skills, index)
    with monkeypatch.context() as every_count:
        every_count.setattr(curves, "NONE_LATE", -1.0)
        assert pruned == curves.loss_curves(req, plan, flags, skills, index)
