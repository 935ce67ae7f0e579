"""Reading a table as Excel saved it: UTF-8 with or without BOM, GBK, UTF-16, XLSX; formula guards."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecasts.errors import InputError
from forecasts.tables import guard, is_xlsx, read_table, unguard
from scheduler.plan.load import load_plan
from scheduler.plan.staff import read_staff
from smallplan import STAFF, STAFF_COLUMNS, write_small_plan

HOSTILE = ["<script>alert(1)</script>", "=1+1", "@SUM(A1)", '=HYPERLINK("http://x","a")', "+86 138", "-x", "'=quoted"]


@given(st.text())
def test_guard_round_trips_any_text(text):
    assert unguard(guard(text)) == text
    assert not guard(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def _staff_frame() -> pd.DataFrame:
    return pd.DataFrame(STAFF, columns=STAFF_COLUMNS)


@pytest.fixture
def plan(tmp_path):
    return load_plan(write_small_plan(tmp_path / "plan"))


def test_gbk_utf16_and_xlsx_staff_read_like_utf8(plan, tmp_path):
    frame = _staff_frame()
    text = frame.to_csv(index=False)
    files = {"utf8.csv": text.encode("utf-8"), "bom.csv": text.encode("utf-8-sig"), "gbk.csv": text.encode("gbk"),
             "utf16.csv": text.encode("utf-16")}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    frame.to_excel(tmp_path / "staff.xlsx", index=False)
    (tmp_path / "staff-xlsx.csv").write_bytes((tmp_path / "staff.xlsx").read_bytes())  # an XLSX named .csv
    expected = read_staff(tmp_path / "utf8.csv", plan.queues, plan.shifts)
    assert list(expected["name"]) == [s[1] for s in STAFF]
    for name in ["bom.csv", "gbk.csv", "utf16.csv", "staff.xlsx", "staff-xlsx.csv"]:
        got = read_staff(tmp_path / name, plan.queues, plan.shifts)
        pd.testing.assert_frame_equal(got, expected, obj=name)
    assert is_xlsx(tmp_path / "staff-xlsx.csv") and not is_xlsx(tmp_path / "gbk.csv")


def test_xlsx_cells_typed_by_excel_read_as_text(tmp_path):
    pd.DataFrame({"a": [48, 30.5], "b": [pd.Timestamp("2026-11-10"), pd.Timestamp("2026-11-10 20:00")],
                  "c": [True, None]}).to_excel(tmp_path / "t.xlsx", index=False)
    got = read_table(tmp_path / "t.xlsx", "test")
    assert got.to_dict("list") == {"a": ["48", "30.5"], "b": ["2026-11-10", "2026-11-10 20:00"], "c": ["yes", ""]}


def test_binary_garbage_is_one_clear_error(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(InputError, match="not a text file in UTF-8 or GBK"):
        read_table(path, "staff")


def test_what_the_tool_writes_reads_back_as_the_same_text(tmp_path):
    """CSV cells a spreadsheet would take for formulas are written behind an apostrophe and read back exactly."""
    from scheduler.report.export import write_csv

    path = tmp_path / "names.csv"
    write_csv(pd.DataFrame({"name": HOSTILE, "n": range(len(HOSTILE))}), path)
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert not raw["name"].str.startswith(("=", "+", "-", "@")).any()
    assert list(read_table(path, "test")["name"]) == HOSTILE
