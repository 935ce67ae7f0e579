"""Plan files: a bad key gets one line naming the file and the key."""

import pytest

from smallplan import SMALL_TOML, write_small_plan
from forecasts.errors import InputError
from scheduler.plan.load import load_plan


def test_small_plan_loads(small_plan_path):
    plan = load_plan(small_plan_path)
    assert plan.queues["presale"].concurrency == 2
    assert plan.shifts["night"].break_starts() == (2, 3, 4, 5)
    assert len(plan.days) == 4 and len(plan.roster_days) == 5


@pytest.mark.parametrize("old,new,key", [
    ("target_sl = 0.8\ndeflection = 0.35", "target_sl = 1.5\ndeflection = 0.35", "target_sl"),
    ("aht_by_load_s = [240, 300]", "aht_by_load_s = []", "aht_by_load_s"),
    ("aht_by_load_s = [240, 300]", "aht_by_load_s = [0, 300]", "aht_by_load_s"),
    ('start = "08:00"\nhours = 9', 'start = "08:30"\nhours = 9', "start"),
    ('kind = "backlog"', 'kind = "queue"', "kind"),
    ("max_consecutive_days = 3", "max_consecutive_days = 0", "max_consecutive_days"),
    ("aht_by_load_s = [240, 300]", 'aht_by_load_s = [240, 300]\nwave_of = "returns"', "wave_of"),
    ("aht_by_load_s = [240, 300]", 'aht_by_load_s = [240, 300]\nwave_of = "presale"', "wave_of"),
    ('kind = "backlog"', 'kind = "backlog"\nshare_of = "orders"', "share_of"),
    ('kind = "backlog"', 'kind = "backlog"\nshare_of = "reminder"', "share_of"),
])
def test_bad_key_is_named(tmp_path, old, new, key):
    assert old in SMALL_TOML
    path = write_small_plan(tmp_path / "p", SMALL_TOML.replace(old, new, 1))
    with pytest.raises(InputError, match=key) as err:
        load_plan(path)
    assert "\n" not in str(err.value) and "plan.toml" in str(err.value)


def test_missing_file_and_missing_data_file(tmp_path):
    with pytest.raises(InputError, match="plan file not found"):
        load_plan(tmp_path / "nope.toml")
    path = write_small_plan(tmp_path / "p", SMALL_TOML.replace('staff = "staff.csv"', 'staff = "people.csv"'))
    with pytest.raises(InputError, match="people.csv"):
        load_plan(path)
