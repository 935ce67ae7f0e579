"""Every bad input is one clear line: the file (or option), the row or column, what was found and
what was expected; an ``InputError`` from the readers, click's usage error (exit 2) from ``erlang``.
Never a traceback, never silence, never Python's warning text (issue 17, items 2, 3 and 6).

Readers: history, promotions, staff, roster, assignments. A hypothesis test mutates valid files
at random and asserts each reader returns a frame or raises ``InputError``, nothing else.
"""

from __future__ import annotations

import io
import re
import warnings

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasts.errors import InputError, InputWarning, show_warning
from forecasts.history import read_history
from forecasts.promotions import Promotions, read_promotions
from scheduler.check.checker import read_assignments, read_roster
from scheduler.cli import main
from scheduler.plan.load import load_plan
from scheduler.plan.staff import read_staff
from smallplan import PROMOTIONS, STAFF, STAFF_COLUMNS, small_history, write_small_plan

HISTORY = "queue,ds,y\npresale,2026-11-01 00:00,3\npresale,2026-11-01 01:00,4\naftersale,2026-11-01 00:00,1\n"
PROMO = ("event,kind,phase,start,end,peak\n"
         "d11,double11,,2026-11-08 00:00,2026-11-13 00:00,2026-11-11 00:00\n"
         "d11,double11,final_payment,2026-11-10 20:00,2026-11-11 02:00,\n"
         "d11,double11,peak,2026-11-11 00:00,2026-11-12 00:00,\n")
STAFF_CSV = ("agent_id,name,skills,employment,night_allowed,max_week_hours,hourly_cost,unavailable\n"
             "A01,王芳,presale,full_time,yes,48,30,\n"
             "A02,李娜,presale,full_time,no,48,32,2026-11-10\n"
             "A03,张伟,presale|aftersale,full_time,yes,48,35,\n")
ROSTER = ("agent_id,name,date,shift,start,end,paid_hours,break_start\n"
          "A01,王芳,2026-11-09,day,2026-11-09 08:00:00,2026-11-09 17:00:00,8,2026-11-09 12:00:00\n"
          "A02,李娜,2026-11-09,night,2026-11-09 17:00:00,2026-11-10 02:00:00,8,\n")
ASSIGNMENTS = "agent_id,ds,queue\nA01,2026-11-09 08:00,presale\nA01,2026-11-09 09:00,presale\n"
VALID = {"history": HISTORY, "promotions": PROMO, "staff": STAFF_CSV, "roster": ROSTER, "assignments": ASSIGNMENTS}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return load_plan(write_small_plan(tmp_path_factory.mktemp("plan") / "plan"))


def _reader(kind: str, plan):
    return {"history": read_history, "promotions": read_promotions,
            "staff": lambda p: read_staff(p, plan.queues, plan.shifts),
            "roster": read_roster, "assignments": read_assignments}[kind]


def _edit(kind: str, old: str, new: str) -> str:
    assert old in VALID[kind], (kind, old)
    return VALID[kind].replace(old, new, 1)


def _generic_cases() -> list:
    cases = []
    for kind, text in VALID.items():
        header = text.splitlines()[0]
        cases += [
            pytest.param(kind, b"", r"is empty; expected a header row", id=f"{kind}-empty-file"),
            pytest.param(kind, header + "\n", r"header but no data rows", id=f"{kind}-header-only"),
            pytest.param(kind, text.replace(",", ";"), r"expected comma-separated columns .*separated by ';'",
                         id=f"{kind}-semicolons"),
            pytest.param(kind, text.replace(",", "\t"), r"expected comma-separated columns .*separated by tabs",
                         id=f"{kind}-tabs"),
            pytest.param(kind, bytes(range(256)) * 3, r"not a text file", id=f"{kind}-binary"),
        ]
    return cases


SPECIFIC = [
    # history: counts, timestamps, duplicates, shape
    pytest.param("history", _edit("history", ",4\n", ",nan\n"), r"row 2: y is not a number; expected a non-negative count, got 'nan'", id="history-y-nan"),
    pytest.param("history", _edit("history", ",4\n", ",inf\n"), r"row 2: y is not a number.*got 'inf'", id="history-y-inf"),
    pytest.param("history", _edit("history", ",4\n", ",-4\n"), r"row 2: y is negative.*got '-4'", id="history-y-negative"),
    pytest.param("history", _edit("history", ",4\n", ",four\n"), r"row 2: y is not a number.*got 'four'", id="history-y-text"),
    pytest.param("history", HISTORY + "presale,2026-11-01 01:00,4\n", r"rows 2, 4: duplicate \(queue, ds\)", id="history-duplicate-row"),
    pytest.param("history", _edit("history", "2026-11-01 01:00", "01-11-2026 01:00"), r"row 2: ds is ambiguous \(day or month first\?\); expected the year first.*got '01-11-2026 01:00'", id="history-day-first"),
    pytest.param("history", _edit("history", "2026-11-01 01:00", "11/01/2026 01:00"), r"row 2: ds is ambiguous", id="history-month-first"),
    pytest.param("history", _edit("history", "2026-11-01 01:00", "2026-11-01 01:00+08:00"), r"row 2: ds has a timezone suffix", id="history-timezone"),
    pytest.param("history", _edit("history", "2026-11-01 01:00", "2026-02-30 01:00"), r"row 2: ds is not a timestamp; expected YYYY-MM-DD HH:MM, got '2026-02-30 01:00'", id="history-no-such-day"),
    pytest.param("history", _edit("history", ",4\n", ",4,9\n"), r"row 2: 4 fields, expected 3", id="history-extra-field"),
    pytest.param("history", _edit("history", "queue,ds,y", "queue,ds,ds"), r"column 'ds' appears more than once", id="history-duplicate-column"),
    # promotions: the month-first misreading, times, repeats
    pytest.param("promotions", _edit("promotions", "2026-11-10 20:00", "10-11-2026 20:00"), r"row 2: start is ambiguous.*got '10-11-2026 20:00'", id="promotions-day-first"),
    pytest.param("promotions", _edit("promotions", "2026-11-10 20:00", "11/10/2026"), r"row 2: start is ambiguous", id="promotions-month-first"),
    pytest.param("promotions", _edit("promotions", "2026-11-12 00:00,\n", "soon,\n"), r"row 3: end is not a timestamp.*got 'soon'", id="promotions-bad-end"),
    pytest.param("promotions", _edit("promotions", ",2026-11-11 00:00\n", ",\n"), r"row 1: peak is empty", id="promotions-no-peak"),
    pytest.param("promotions", PROMO + PROMO.splitlines()[2] + "\n", r"row 4 repeats row 2", id="promotions-duplicate-row"),
    pytest.param("promotions", _edit("promotions", "2026-11-11 02:00", ""), r"row 2: end is empty", id="promotions-empty-end"),
    # staff: numbers, dates, ids
    pytest.param("staff", _edit("staff", ",48,32,", ",nan,32,"), r"row 2, column 'max_week_hours': expected a finite number >= 0, got 'nan'", id="staff-hours-nan"),
    pytest.param("staff", _edit("staff", ",48,32,", ",inf,32,"), r"row 2, column 'max_week_hours'.*got 'inf'", id="staff-hours-inf"),
    pytest.param("staff", _edit("staff", ",48,32,", ",48,-32,"), r"row 2, column 'hourly_cost': expected a finite number >= 0, got '-32'", id="staff-cost-negative"),
    pytest.param("staff", _edit("staff", ",48,32,", ",lots,32,"), r"row 2, column 'max_week_hours': expected a number, got 'lots'", id="staff-hours-text"),
    pytest.param("staff", _edit("staff", "2026-11-10", "10/11/2026"), r"row 2: column 'unavailable'.* is ambiguous.*got '10/11/2026'", id="staff-date-day-first"),
    pytest.param("staff", _edit("staff", "2026-11-10", "2026-11-10|2026-13-01"), r"row 2: column 'unavailable'.* is not a date; expected YYYY-MM-DD, got '2026-13-01'", id="staff-date-invalid"),
    pytest.param("staff", STAFF_CSV + STAFF_CSV.splitlines()[1] + "\n", r"row 4: duplicate agent_id 'A01'", id="staff-duplicate-row"),
    pytest.param("staff", _edit("staff", "A03,", ","), r"row 3, column 'agent_id': expected an agent id", id="staff-blank-id"),
    # roster and assignments
    pytest.param("roster", _edit("roster", ",2026-11-09,day", ",09/11/2026,day"), r"row 1: date is ambiguous", id="roster-date-day-first"),
    pytest.param("roster", _edit("roster", "2026-11-09 17:00:00,2026-11-10", "5pm,2026-11-10"), r"row 2: start is not a timestamp.*got '5pm'", id="roster-bad-start"),
    pytest.param("roster", ROSTER + ROSTER.splitlines()[1] + "\n", r"row 3 repeats row 1", id="roster-duplicate-row"),
    pytest.param("roster", _edit("roster", ",2026-11-09 12:00:00", ",noon"), r"row 1: break_start is not a timestamp", id="roster-bad-break"),
    pytest.param("assignments", _edit("assignments", "2026-11-09 09:00", "09-11-2026 09:00"), r"row 2: ds is ambiguous", id="assignments-day-first"),
    pytest.param("assignments", ASSIGNMENTS + "A01,2026-11-09 08:00,presale\n", r"row 3 repeats row 1", id="assignments-duplicate-row"),
    pytest.param("assignments", _edit("assignments", "agent_id,ds,queue", "agent_id,hour,queue"), r"missing column\(s\) ds", id="assignments-missing-column"),
]


def _write(tmp_path, kind: str, content) -> object:
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8-sig"))
    return path


@pytest.mark.parametrize("kind, content, message", _generic_cases() + SPECIFIC)
def test_bad_file_is_one_line_naming_file_and_place(plan, tmp_path, kind, content, message):
    path = _write(tmp_path, kind, content)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Python warning text either
        with pytest.raises(InputError) as err:
            _reader(kind, plan)(path)
    text = str(err.value)
    assert "\n" not in text and text.startswith(f"{path}: ")
    assert re.search(message, text), text
    assert re.search(r"\brows? \d|\bcolumns?\b|empty|separated|not a text file", text), text


@pytest.mark.parametrize("kind", list(VALID))
def test_valid_files_read(plan, tmp_path, kind):
    assert _reader(kind, plan)(_write(tmp_path, kind, VALID[kind])) is not None


@pytest.mark.parametrize("stamp", ["2026-11-01 01:00", "2026/11/01 01:00", "2026/11/1 1:00", "2026/11/01 01:00:00",
                                   "2026-11-01T01:00", "2026-11-01 01:00:00"])
def test_year_first_timestamps_in_any_excel_form_read_alike(tmp_path, stamp):
    out = read_history(_write(tmp_path, "history", _edit("history", "2026-11-01 01:00", stamp)))
    assert pd.Timestamp("2026-11-01 01:00") in set(out["ds"])


def test_day_first_promotion_is_never_read_month_first(tmp_path):
    """The issue: pandas read 10-11-2026 20:00 as 11 October, moving the final payment by a month."""
    path = _write(tmp_path, "promotions", _edit("promotions", "2026-11-10 20:00", "10-11-2026 20:00"))
    with pytest.raises(InputError, match=r"promotions\.csv: row 2: start is ambiguous"):
        read_promotions(path)


def test_rows_in_any_order_are_sorted(tmp_path):
    lines = HISTORY.splitlines()
    out = read_history(_write(tmp_path, "history", "\n".join([lines[0], *reversed(lines[1:])]) + "\n"))
    assert out["ds"].is_monotonic_increasing and list(out["queue"]) == ["aftersale", "presale", "presale"]


def test_staff_dates_in_excel_form(plan, tmp_path):
    staff = read_staff(_write(tmp_path, "staff", _edit("staff", "2026-11-10", "2026/11/10|2026/11/11")), plan.queues, plan.shifts)
    assert staff.loc[1, "unavailable"] == frozenset({pd.Timestamp("2026-11-10").date(), pd.Timestamp("2026-11-11").date()})


# -- the erlang command's numbers ---------------------------------------------------------------
BASE = ["--volume", "100", "--aht-s", "180"]
ERLANG = [
    (["--volume", "nan", "--aht-s", "180"], "--volume"),
    (["--volume", "inf", "--aht-s", "180"], "--volume"),
    (["--volume", "-1", "--aht-s", "180"], "--volume"),
    (["--volume", "1e12", "--aht-s", "180"], "--volume"),
    (BASE + ["--interval-min", "0"], "--interval-min"),
    (BASE + ["--interval-min", "nan"], "--interval-min"),
    (BASE + ["--interval-min", "1e-300"], "--volume"),
    (["--volume", "100", "--aht-s", "0"], "--aht-s"),
    (["--volume", "100", "--aht-s", "inf"], "--aht-s"),
    (["--volume", "100", "--aht-s", "-inf"], "--aht-s"),
    (BASE + ["--answer-within-s", "nan"], "--answer-within-s"),
    (BASE + ["--answer-within-s", "-1"], "--answer-within-s"),
    (BASE + ["--target-sl", "nan"], "--target-sl"),
    (BASE + ["--target-sl", "1"], "--target-sl"),
    (BASE + ["--patience-s", "0"], "--patience-s"),
    (BASE + ["--patience-s", "NaN"], "--patience-s"),
    (BASE + ["--shrinkage", "1"], "--shrinkage"),
    (BASE + ["--shrinkage", "nan"], "--shrinkage"),
    (BASE + ["--max-occupancy", "0"], "--max-occupancy"),
    (BASE + ["--max-occupancy", "inf"], "--max-occupancy"),
    (BASE + ["--concurrency", "0"], "--concurrency"),
    (BASE + ["--agents", "-1"], "--agents"),
    (["--volume", "100", "--aht-by-load", "240,nan"], "--aht-by-load"),
    (["--volume", "100", "--aht-by-load", "240,-300"], "--aht-by-load"),
    (["--volume", "100", "--aht-by-load", "240,,300"], "--aht-by-load"),
    (["--volume", "100", "--aht-by-load", "240;300"], "--aht-by-load"),
]


def _one_error_line(output: str) -> str:
    errors = [line for line in output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "Traceback" not in output, output
    return errors[0]


@pytest.mark.parametrize("args, option", ERLANG, ids=[" ".join(a) for a, _ in ERLANG])
def test_erlang_rejects_nonsense_numbers_before_any_work(args, option):
    res = CliRunner().invoke(main, ["erlang", *args])
    assert res.exit_code == 2, res.output
    assert option in _one_error_line(res.output)


@pytest.mark.parametrize("args, option", [(["--time-limit", "nan"], "--time-limit"), (["--time-limit", "inf"], "--time-limit"),
                                          (["--peak-multiplier", "inf"], "--peak-multiplier"),
                                          (["--peak-multiplier", "nan"], "--peak-multiplier")])
def test_plan_numbers_use_the_same_type(args, option):
    res = CliRunner().invoke(main, ["plan", *args])  # rejected while parsing: the plan never starts
    assert res.exit_code == 2 and option in _one_error_line(res.output)


# -- warnings: one line each, "Warning: ..." ----------------------------------------------------
def test_warning_hook_prints_one_plain_line():
    out = io.StringIO()
    show_warning(InputWarning("history.csv: queue a: 30 missing hours\n(not filled)"), InputWarning, "/x/history.py", 9, out)
    assert out.getvalue() == "Warning: history.csv: queue a: 30 missing hours (not filled)\n"


def test_cli_prints_a_gap_in_the_history_as_one_warning_line(tmp_path):
    toml = write_small_plan(tmp_path / "plan")
    hist = small_history()
    hist = hist[~hist["ds"].between("2026-10-01 00:00", "2026-10-02 12:00")]  # 36 hours lost, every queue
    hist.to_csv(tmp_path / "plan" / "history.csv", index=False)
    res = CliRunner().invoke(main, ["check", str(toml), str(tmp_path / "no-roster.csv")])  # reads the inputs, then stops
    warned = [line for line in res.output.splitlines() if "missing hours" in line]
    assert len(warned) == 3 and all(line.startswith("Warning: ") and "history.csv: queue" in line for line in warned), res.output
    assert "UserWarning" not in res.output and "warnings.warn" not in res.output and ".py:" not in res.output
    assert "roster file not found" in _one_error_line(res.output)


# -- random damage: a frame or an InputError, nothing else ----------------------------------------
GARBAGE = ["", "nan", "inf", "-1", "1e999", "NaN", "=1+1", "'", '"', '"unclosed', "10-11-2026 20:00", "11/10/2026",
           "2026-02-30", "2026-11-10 20:00+08:00", "x,y", "\x00", "\t", "雙十一", "9999-01-01", "2026/11/10 20:00"]


def _small_texts() -> dict[str, str]:
    hist = small_history().groupby("queue").head(30)
    staff = pd.DataFrame(STAFF, columns=STAFF_COLUMNS)
    promos = pd.DataFrame(PROMOTIONS, columns=["event", "kind", "phase", "start", "end", "peak"])
    return {"history": hist.to_csv(index=False), "staff": staff.to_csv(index=False), "promotions": promos.to_csv(index=False)}


SMALL = _small_texts()


@st.composite
def damaged(draw, text: str) -> bytes:
    """The text with 1-3 random kinds of damage: bytes flipped, cells replaced, rows duplicated,
    deleted or swapped, the delimiter changed, the file truncated."""
    rows = [r.split(",") for r in text.splitlines()]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cell", "dup", "delete", "swap", "delimiter"]))
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(rows) - 1))
        if kind == "cell" and rows[i]:
            rows[i][draw(st.integers(0, len(rows[i]) - 1))] = draw(st.sampled_from(GARBAGE) | st.text(max_size=8))
        elif kind == "dup":
            rows.insert(j, list(rows[i]))
        elif kind == "delete" and len(rows) > 1:
            del rows[i]
        elif kind == "swap":
            rows[i], rows[j] = rows[j], rows[i]
        elif kind == "delimiter":  # the whole file (i == 0) or one row
            sep = draw(st.sampled_from([";", "\t", "|"]))
            rows = [[sep.join(r)] if i in (0, k) else r for k, r in enumerate(rows)]
    data = bytearray("\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass"))
    if draw(st.booleans()) and data:
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.mark.parametrize("kind", ["history", "promotions", "staff"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_files_give_a_frame_or_an_input_error(plan, tmp_path_factory, kind, data):
    path = tmp_path_factory.getbasetemp() / f"damaged-{kind}.csv"
    path.write_bytes(data.draw(damaged(SMALL[kind])))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = _reader(kind, plan)(path)
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(f"{path}: ")
        else:
            assert isinstance(out, (pd.DataFrame, Promotions))
    assert all(issubclass(w.category, InputWarning) for w in caught), [str(w.message) for w in caught]
