"""The small plan loaded once for the soft-term tests (no solve): ``(plan, staff)``."""

from __future__ import annotations

import pytest

from smallplan import write_small_plan


@pytest.fixture(scope="session")
def small(tmp_path_factory):
    from scheduler.plan.load import load_plan
    from scheduler.plan.staff import read_staff

    plan = load_plan(write_small_plan(tmp_path_factory.mktemp("terms") / "plan"))
    return plan, read_staff(plan.staff, plan.queues, plan.shifts)
