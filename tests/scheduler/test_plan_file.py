"""The plan file through its schema: every bad plan is one line naming the file, table, key and
value; nothing is written and an earlier run folder stays as it was; the JSON Schema validates
the demo plan; random edits of a plan never give a traceback."""

from __future__ import annotations

import datetime as dt
import json
import tomllib

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasts.errors import InputError
from scheduler.cli import main
from scheduler.plan.load import load_plan, plan_schema
from scheduler.demo import DEMO_CONFIG
from smallplan import SMALL_TOML, STAFF, write_small_plan

# (text in SMALL_TOML, its replacement, what the one line must say)
BAD_PLANS = [
    ("[rules]", "[staffing]\nshrinkge = 0.3\n\n[rules]", "[staffing] shrinkge: unknown key; did you mean shrinkage?"),
    ("[rules]", "[simulaton]\nreplications = 3\n\n[rules]", "[simulaton]: unknown table; did you mean [simulation]?"),
    ('history = "history.csv"', 'histroy = "history.csv"', "[plan] histroy: unknown key; did you mean history?"),
    ("target_sl = 0.8\ndeflection", "target_sl = 0.8\ntarget = 1\ndeflection", "[queues.presale] target: unknown key; did you mean target_sl?"),
    ('start = "08:00"\nhours = 9\nbreak_hours', 'start = "08:00"\nhour = 9\nhours = 9\nbreak_hours', "[shifts.day] hour: unknown key; did you mean hours?"),
    ("start = 2026-11-09", 'start = "10-11-2026"', "[plan] start: expected a date YYYY-MM-DD, got '10-11-2026'"),
    ("start = 2026-11-09", "start = 20261109", "[plan] start: expected a date YYYY-MM-DD"),
    ("end = 2026-11-12", "end = 2026-11-01", "[plan] end: expected a date on or after start 2026-11-09"),
    ('name = "small"', 'name = "small"\nlanguage = "fr"', "[plan] language: expected 'zh' or 'en', got 'fr'"),
    ('name = "small"', 'name = ""', "[plan] name: expected"),
    ('forecast_quantile = "p50"', 'forecast_quantile = "p75"', "[plan] forecast_quantile: expected 'mean', 'p50' or 'p90'"),
    ('staff = "staff.csv"', 'staff = "people.csv"', "[plan] staff: expected an existing file"),
    ("target_sl = 0.8\ndeflection", "target_sl = 1.5\ndeflection", "[queues.presale] target_sl: expected less than 1, got 1.5"),
    ("target_sl = 0.8\ndeflection", "target_sl = 0\ndeflection", "[queues.presale] target_sl: expected greater than 0"),
    ("target_sl = 0.8\ndeflection", "target_sl = nan\ndeflection", "[queues.presale] target_sl: expected a finite number"),
    ("target_sl = 0.8\ndeflection", 'target_sl = "80%"\ndeflection', "[queues.presale] target_sl: expected a valid number"),
    ("deflection = 0.35", "deflection = 1.0", "[queues.presale] deflection: expected less than 1"),
    ("aht_by_load_s = [240, 300]", "aht_by_load_s = []", "[queues.presale] aht_by_load_s: expected"),
    ("aht_by_load_s = [240, 300]", "aht_by_load_s = [0, 300]", "[queues.presale] aht_by_load_s.0: expected greater than 0"),
    ("answer_within_s = 20\n", "answer_within_s = -20\n", "[queues.presale] answer_within_s: expected greater than 0"),
    ("patience_s = 180", "patience_s = inf", "[queues.presale] patience_s: expected a finite number"),
    ('open_from = "08:00"\nopen_until = "02:00"', 'open_from = "8:30"\nopen_until = "02:00"', "[queues.presale] open_from: expected a"),
    ('kind = "backlog"', 'kind = "queue"', "[queues.reminder] kind: expected one of chat, backlog, got 'queue'"),
    ('kind = "backlog"\n', '\n', "[queues.reminder] kind: expected one of chat, backlog"),
    ('kind = "backlog"', 'kind = "backlog"\nshare_of = "orders"', "[queues.reminder] share_of: expected the name of another queue"),
    ("aht_by_load_s = [420, 480]", 'aht_by_load_s = [420, 480]\nwave_of = "aftersale"', "[queues.aftersale] wave_of: expected the name of another queue"),
    ("touch_offsets_min = [10, 60]", "touch_offsets_min = []", "[queues.reminder] touch_offsets_min: expected at least one touch"),
    ("touch_minutes = 1.5", "touch_minutes = -1.5", "[queues.reminder] touch_minutes: expected greater than 0"),
    ('start = "08:00"\nhours = 9\nbreak_hours', 'start = "08:30"\nhours = 9\nbreak_hours', "[shifts.day] start: expected a whole hour 'HH:00', got '08:30'"),
    ('break_from = "11:00"', 'break_from = "16:00"', "[shifts.day] break_from: expected a break window inside the shift"),
    ('start = "18:00"\nhours = 5', 'start = "18:00"\nhours = 25', "[shifts.pt_evening] hours: expected less than or equal to 24"),
    ("night = true\nemployment", 'night = "yes"\nemployment', "[shifts.night] night: expected a valid boolean"),
    ('[shifts.night]', '[shifts.night]\nlabel = "day"', "[shifts.night] label: expected a label no other shift has (day has it)"),
    ('[shifts.night]', '[shifts.night]\ndates = [2026-12-24]', "[shifts.night] dates: expected dates inside the plan"),
    ("max_consecutive_days = 3", "max_consecutive_days = 0", "[rules] max_consecutive_days: expected greater than or equal to 1"),
    ("max_consecutive_days = 3", 'max_consecutive_days = "3"', "[rules] max_consecutive_days: expected a valid integer"),
    ("max_consecutive_days = 3", "max_consecutive_days = 3.5", "[rules] max_consecutive_days: expected a valid integer"),
    ("min_rest_h = 11", "min_rest_h = true", "[rules] min_rest_h: expected a valid number"),
    ("overstaff_per_agent_hour = 5", "overstaff_per_agent_hour = -5", "[costs] overstaff_per_agent_hour: expected greater than or equal to 0"),
    ("[costs]", "[costs]\nholidays = [\"11/11\"]", "[costs] holidays.0: expected a date YYYY-MM-DD"),
    ("workers = 1", "workers = 0", "[solver] workers: expected greater than or equal to 1"),
    ("time_limit_s = 10", "time_limit_s = -1", "[solver] time_limit_s: expected greater than 0"),
    ("[solver]", "[simulation]\nrisk_level = 80\n\n[solver]", "[simulation] risk_level: expected less than or equal to 1"),
    ("[rules]", "[rules]\n[rules.extra]\nx = 1", "[rules] extra: unknown key"),
    ("[plan]", "plan = 3\n[planx]", "[planx]: unknown table"),
    ('name = "small"', 'name = "small"\nqueues = 3', "[plan] queues: unknown key (it is a table of its own: [queues])"),
    ('[queues.presale]', '[queues.presale]\nname = "x"', "[queues.presale] name: expected no such key"),
]


def _bad(tmp_path, old: str, new: str):
    assert old in SMALL_TOML, old
    return write_small_plan(tmp_path / "p", SMALL_TOML.replace(old, new, 1))


@pytest.mark.parametrize("old, new, needle", BAD_PLANS, ids=[c[2][:48] for c in BAD_PLANS])
def test_a_bad_plan_is_one_line_naming_table_and_key(tmp_path, old, new, needle):
    path = _bad(tmp_path, old, new)
    with pytest.raises(InputError) as err:
        load_plan(path)
    text = str(err.value)
    assert "\n" not in text and text.startswith(f"{path}: ") and needle in text, text


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory):
    """A finished run folder of the small plan, to prove a failed run leaves it as it was."""
    base = tmp_path_factory.mktemp("earlier")
    config = write_small_plan(base / "plan")
    out = base / "run"
    result = CliRunner().invoke(main, ["plan", str(config), "--out", str(out), "--time-limit", "5", "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out, {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.mark.parametrize("old, new, needle", BAD_PLANS[::4], ids=[c[2][:40] for c in BAD_PLANS[::4]])
def test_plan_with_a_bad_plan_writes_nothing_and_keeps_the_earlier_run(tmp_path, earlier_run, old, new, needle):
    out, before = earlier_run
    result = CliRunner().invoke(main, ["plan", str(_bad(tmp_path, old, new)), "--out", str(out), "--force"])
    assert result.exit_code == 1 and result.exc_info[0] is SystemExit and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: ") and needle in result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]  # no temporary folder left


def _json_ready(value):
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else value


def test_the_schema_validates_the_demo_plan_and_rejects_a_typo():
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    assert schema == json.loads(json.dumps(plan_schema()))
    demo = _json_ready(tomllib.loads(DEMO_CONFIG.read_text(encoding="utf-8")))
    jsonschema.validate(demo, schema)
    bad = {**demo, "staffing": {**demo["staffing"], "shrinkge": 0.3}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_a_plan_saved_with_a_bom_loads(tmp_path):
    path = write_small_plan(tmp_path / "p")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_plan(path).name == "small"


def _run_error(tmp_path, plan_text=SMALL_TOML, staff=STAFF, extra=()) -> str:
    config = write_small_plan(tmp_path / "p", plan_text, staff)
    result = CliRunner().invoke(main, ["plan", str(config), "--out", str(tmp_path / "run"), *extra])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert not (tmp_path / "run").exists() and "rostering" not in result.output
    return result.output.strip().splitlines()[-1]


def test_a_queue_nobody_can_serve_is_named_before_any_work(tmp_path):
    staff = [(a, n, s.replace("|reminder", "").replace("reminder", "presale"), *rest) for a, n, s, *rest in STAFF]
    line = _run_error(tmp_path, staff=staff)
    assert "no agent has the skill 'reminder'" in line and "staff.csv" in line


def test_nobody_available_in_the_window_is_named(tmp_path):
    days = "|".join(f"2026-11-{d}" for d in range(9, 13))
    staff = [(*row[:7], days) for row in STAFF]
    assert "every agent is unavailable on every day of the plan" in _run_error(tmp_path, staff=staff)


def test_an_event_outside_the_window_is_named(tmp_path):
    text = SMALL_TOML.replace("start = 2026-11-09\nend = 2026-11-12", "start = 2026-12-09\nend = 2026-12-12")
    assert "[plan] event: 'd11' runs" in _run_error(tmp_path, text) and "outside the plan" in _run_error(tmp_path, text)


def test_out_under_a_file_or_read_only_fails_before_work(tmp_path, monkeypatch):
    (tmp_path / "afile").write_text("x")
    line = _run_error(tmp_path, extra=["--out", str(tmp_path / "afile" / "run")])
    assert "cannot make a folder here" in line and "is a file" in line
    monkeypatch.setattr("scheduler.report.export.writable", lambda folder: False)
    assert "is read-only" in _run_error(tmp_path, extra=["--out", str(tmp_path / "ro" / "run")])


def test_init_under_a_file_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("x")
    for target in (tmp_path / "afile", tmp_path / "afile" / "sub"):
        result = CliRunner().invoke(main, ["init", str(target)])
        assert result.exit_code == 1 and result.output.startswith("Error: ") and "Traceback" not in result.output


MUTATIONS = st.sampled_from(["delete", "duplicate", "garble_value", "garble_key", "swap", "truncate"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(MUTATIONS, st.integers(0, 10_000), st.text(min_size=1, max_size=6)), min_size=1, max_size=3))
def test_random_edits_of_a_plan_never_give_a_traceback(tmp_path_factory, edits):
    folder = tmp_path_factory.mktemp("fuzz")
    lines = SMALL_TOML.splitlines()
    for kind, at, text in edits:
        if not lines:
            break
        i = at % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "garble_value" and "=" in lines[i]:
            lines[i] = lines[i].split("=")[0] + "= " + json.dumps(text)
        elif kind == "garble_key" and "=" in lines[i]:
            lines[i] = text.replace("=", "") + lines[i][lines[i].index("="):]
        elif kind == "swap":
            j = (at // 7) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "truncate":
            lines = lines[:i]
    path = write_small_plan(folder, "\n".join(lines))
    try:
        load_plan(path)
    except InputError as exc:
        assert "\n" not in str(exc)


def test_a_phase_of_the_planned_event_outside_it_is_named(tmp_path):
    config = write_small_plan(tmp_path / "p")
    promotions = tmp_path / "p" / "promotions.csv"
    text = promotions.read_text(encoding="utf-8-sig")
    assert "d11,double11,aftersales,2026-11-12 00:00,2026-11-13 00:00" in text
    promotions.write_text(text.replace("d11,double11,aftersales,2026-11-12 00:00,2026-11-13 00:00",
                                       "d11,double11,aftersales,2026-11-12 00:00,2026-11-20 00:00"), encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", str(config), "--out", str(tmp_path / "run")])
    assert result.exit_code == 1 and not (tmp_path / "run").exists(), result.output
    line = result.output.strip().splitlines()[-1]
    assert "promotions.csv" in line and "phase 'aftersales' of 'd11'" in line and "outside the event" in line, line
