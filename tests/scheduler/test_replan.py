"""``peakplan replan`` on the small plan: the lock kept, changes listed and priced, the rules held
across the lock boundary, and a lead's mistakes as one-line errors."""

import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from smallplan import small_history, write_small_plan
from forecasts.frames import read_frame
from scheduler.check.checker import check_rules
from scheduler.check.published import Published, change_counts, changes, lock_violations
from scheduler.cli import main
from scheduler.plan.load import load_plan
from scheduler.plan.staff import read_staff

AS_OF = "2026-11-10 00:00"


@pytest.fixture(scope="module")
def replanned(tmp_path_factory):
    """A plan run, then a re-plan of it as of 11-10 00:00 with two more days of history (busier ones)."""
    base = tmp_path_factory.mktemp("replan")
    config = write_small_plan(base / "plan")
    published = base / "published"
    runner = CliRunner()
    first = runner.invoke(main, ["plan", str(config), "--out", str(published), "--time-limit", "5", "--workers", "1"])
    assert first.exit_code == 0, first.output
    history = small_history(end="2026-11-09 23:00")
    recent = pd.to_datetime(history["ds"]) >= "2026-11-08"
    history.loc[recent, "y"] = history.loc[recent, "y"] * 2  # the warm-up runs twice as busy as expected
    history.to_csv(base / "new.csv", index=False, encoding="utf-8-sig")
    out = base / "re"
    result = runner.invoke(main, ["replan", str(published), "--history", str(base / "new.csv"), "--as-of", AS_OF,
                                  "--out", str(out), "--time-limit", "5", "--workers", "1"])
    return config, published, out, result, base


def test_replan_writes_a_checked_run_with_changes(replanned):
    _, published, out, result, _ = replanned
    assert result.exit_code == 0, result.output
    changes_frame = pd.read_csv(out / "changes.csv", encoding="utf-8-sig")
    assert list(changes_frame.columns) == ["agent_id", "name", "date", "old_shift", "new_shift", "why"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["replan"]["changes"] == len(changes_frame)
    assert summary["replan"]["lock_end"] == "2026-11-11 00:00"
    assert (out / "inputs" / "roster.csv").is_file() and (out / "inputs" / "new.csv").is_file()
    assert "重新排班" in result.output or "Re-plan" in result.output


def test_replan_keeps_every_shift_before_the_lock(replanned):
    _, published, out, _, _ = replanned
    old, new = read_frame(published / "roster.csv", "roster"), read_frame(out / "roster.csv", "roster")
    lock = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    key = ["agent_id", "date", "shift", "start", "break_start"]
    before = lambda f: f[f["start"] < lock][key].sort_values(key[:2]).reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(before(old), before(new))


def test_the_changes_sheet_and_section(replanned):
    _, _, out, _, _ = replanned
    book = openpyxl.load_workbook(out / "roster.xlsx", read_only=True)
    assert book.sheetnames[1] in ("变更", "Changes")
    assert 'id="changes"' in (out / "report.html").read_text(encoding="utf-8")


def _published(plan_path):
    plan = load_plan(plan_path)
    staff = read_staff(plan.staff, plan.queues, plan.shifts)
    day = lambda d: pd.Timestamp(d).date()  # noqa: E731
    rows = [("A01", "n", day("2026-11-10"), "night", pd.Timestamp("2026-11-10 17:00"), pd.Timestamp("2026-11-11 02:00"), 8,
             pd.Timestamp("2026-11-10 20:00")),
            ("A02", "n", day("2026-11-11"), "day", pd.Timestamp("2026-11-11 08:00"), pd.Timestamp("2026-11-11 17:00"), 8,
             pd.Timestamp("2026-11-11 12:00"))]
    roster = pd.DataFrame(rows, columns=["agent_id", "name", "date", "shift", "start", "end", "paid_hours", "break_start"])
    return plan, staff, roster, Published.of(roster, AS_OF, plan)


def test_a_changed_locked_shift_or_a_new_one_before_the_lock_is_named(small_plan_path):
    _, _, roster, published = _published(small_plan_path)
    moved = roster.copy()
    moved.loc[0, "break_start"] = pd.Timestamp("2026-11-10 21:00")
    assert [line.split(":")[0] for line in lock_violations(published, moved)] == ["A01 2026-11-10"]
    added = pd.concat([roster, roster.iloc[[1]].assign(agent_id="A03")], ignore_index=True)
    added.loc[2, ["date", "start", "end"]] = [pd.Timestamp("2026-11-10").date(), pd.Timestamp("2026-11-10 08:00"),
                                             pd.Timestamp("2026-11-10 17:00")]
    assert any(line.startswith("A03 2026-11-10") for line in lock_violations(published, added))
    assert lock_violations(published, roster) == []


def test_rest_after_a_locked_night_is_checked_across_the_lock(small_plan_path):
    plan, staff, roster, published = _published(small_plan_path)
    flip = pd.concat([roster, roster.iloc[[1]].assign(agent_id="A01")], ignore_index=True)  # 08:00 after a 02:00 end
    assert lock_violations(published, flip) == []  # after the lock: a change, not a lock breach
    assert any("A01" in v.line() for v in check_rules(plan, staff, flip, None))


def test_changes_list_each_agent_day_and_count_the_share(small_plan_path):
    _, staff, roster, published = _published(small_plan_path)
    new = roster.drop(index=1)
    cov = pd.DataFrame(columns=["queue", "ds", "required", "scheduled"])
    frame = changes(published, new, staff, cov)
    assert frame[["agent_id", "old_shift", "new_shift"]].values.tolist() == [["A02", "day", "rest"]]
    counts = change_counts(published, frame)
    assert (counts["agents"], counts["published_after_lock"], counts["changed_published"]) == (1, 1, 1)


@pytest.mark.parametrize("args, needle", [
    (["--as-of", "2026-12-25 00:00"], "after the plan's window"),
    (["--as-of", "2026-11-11 12:00"], "before the cut-off"),
    (["--as-of", "yesterday noon"], "expected a time like"),
])
def test_a_leads_mistakes_are_one_line_errors(replanned, args, needle):
    _, published, _, _, base = replanned
    result = CliRunner().invoke(main, ["replan", str(published), "--history", str(base / "new.csv"), *args,
                                       "--out", str(base / "bad"), "--time-limit", "1"])
    assert result.exit_code == 1 and needle in result.output and "Traceback" not in result.output
    assert not (base / "bad").exists()


def test_a_folder_that_is_not_a_run_is_a_one_line_error(replanned, tmp_path):
    _, _, _, _, base = replanned
    result = CliRunner().invoke(main, ["replan", str(tmp_path), "--history", str(base / "new.csv"), "--as-of", AS_OF])
    assert result.exit_code == 1 and "not a run folder" in result.output
