"""What the CS lead publishes, end to end through the CLI: a Chinese plan with hostile staff names,
its roster.xlsx edited in the grid and checked and simulated again, report.html as a browser gets it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import warnings

import icalendar
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from scheduler.check.checker import read_roster
from scheduler.cli import main
from smallplan import SMALL_TOML, STAFF, write_small_plan

HOSTILE = {"A01": "<script>alert(1)</script>", "A03": "=1+1", "A05": "@SUM(A1)", "A07": '=HYPERLINK("http://x","a")'}
LABELS = {"presale": "售前", "aftersale": "售后", "reminder": "催付", "day": "白", "night": "晚", "pt_evening": "兼晚"}
SECTIONS = ["headline", "temps", "peak", "heatmaps", "roster", "fairness", "forecast", "solver"]


def zh_toml() -> str:
    """The small plan, named in Chinese, in Chinese, with Chinese queue and shift labels."""
    text = SMALL_TOML.replace('name = "small"', 'name = "双11小店"\nlanguage = "zh"')
    for key, label in LABELS.items():
        for table in ("queues", "shifts"):
            text = text.replace(f"[{table}.{key}]\n", f'[{table}.{key}]\nlabel = "{label}"\n')
    return text


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("deliver")
    staff = [(a, HOSTILE.get(a, name), *rest) for a, name, *rest in STAFF]
    config = write_small_plan(base / "plan", zh_toml(), staff)
    out = base / "run"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*")  # a Chinese character the charts' font lacks
        result = CliRunner().invoke(main, ["plan", str(config), "--out", str(out), "--time-limit", "10", "--workers", "1"])
    assert result.exit_code == 0, result.output
    return config, out, result


def test_the_summary_speaks_the_plans_language_with_an_absolute_path(run):
    _, out, result = run
    assert "名客服中" in result.output and "售前" in result.output and "工资" in result.output
    assert f"文件在 {out.resolve()}" in result.output
    assert "Warning" not in result.output and "Glyph" not in result.output


def test_the_run_folder_opens_for_teammates(run):
    _, out, _ = run
    mode = stat.S_IMODE(os.stat(out).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o777 & ~umask


def _grid(out):
    book = openpyxl.load_workbook(out / "roster.xlsx")
    ws = book.worksheets[0]
    head = next(r for r in range(1, 6) if "工号" in [c.value for c in ws[r]])
    cols = {c.value: c.column for c in ws[head] if c.value}
    return book, ws, head, cols


def test_the_xlsx_grid_equals_roster_csv_cell_for_cell(run):
    _, out, _ = run
    roster = read_roster(out / "roster.csv")
    book, ws, head, cols = _grid(out)
    assert ws.title == "排班表" and ws.freeze_panes is not None and ws.auto_filter.ref
    dates = {c: pd.Timestamp(f"2026-{str(t)[:5]}").date() for t, c in cols.items() if re.match(r"\d\d-\d\d", str(t))}
    shifts = {(r.agent_id, r.date): LABELS[r.shift] for r in roster.itertuples()}
    seen = set()
    for row in range(head + 1, ws.max_row + 1):
        agent = ws.cell(row, cols["工号"]).value
        if not agent:
            continue
        seen.add(agent)
        name = ws.cell(row, cols["姓名"])
        assert name.value == dict((s[0], HOSTILE.get(s[0], s[1])) for s in STAFF)[agent] and name.data_type == "s"
        for col, day in dates.items():
            want = shifts.get((agent, day), "假" if (agent, str(day)) == ("A02", "2026-11-10") else "休")
            assert ws.cell(row, col).value == want, (agent, day)
    assert seen == {s[0] for s in STAFF}
    for sheet in book.worksheets:
        assert sheet.freeze_panes is not None and sheet.auto_filter.ref, sheet.title


def test_hostile_names_stay_text_in_every_file(run):
    _, out, _ = run
    raw = list(csv.reader(io.StringIO((out / "roster.csv").read_text(encoding="utf-8-sig"))))
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in raw for cell in row)
    names = set(read_roster(out / "roster.csv")["name"])
    assert {n for n in HOSTILE.values()} & names == {n for a, n in HOSTILE.items() if a in set(read_roster(out / "roster.csv")["agent_id"])}
    book = openpyxl.load_workbook(out / "roster.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value in HOSTILE.values()]
    assert cells and all(c.data_type == "s" for c in cells)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;a&#34;)" in html


def test_the_report_has_every_section_and_fetches_nothing(run):
    _, out, _ = run
    html = (out / "report.html").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'<section id="{section}"' in html, section
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert html.count('src="data:image/png;base64,') >= 4
    assert "双11小店" in html and "售前" in html and "大促当天及次日逐小时" in html


def test_every_agent_gets_a_calendar_of_their_shifts(run):
    _, out, _ = run
    roster = read_roster(out / "roster.csv")
    for agent, part in roster.groupby("agent_id"):
        cal = icalendar.Calendar.from_ical((out / "calendars" / f"{agent}.ics").read_bytes())
        starts = sorted(pd.Timestamp(e.decoded("dtstart")) for e in cal.walk("VEVENT"))
        assert starts == sorted(part["start"])


def _edited(out, tmp_path, changes: dict):
    """A copy of the run folder's roster.xlsx with grid cells set: {(agent, "MM-DD"): text}."""
    book, ws, head, cols = _grid(out)
    rows = {ws.cell(r, cols["工号"]).value: r for r in range(head + 1, ws.max_row + 1)}
    by_md = {str(t)[:5]: c for t, c in cols.items() if re.match(r"\d\d-\d\d", str(t))}
    for (agent, md), text in changes.items():
        ws.cell(rows[agent], by_md[md]).value = text
    path = tmp_path / "roster.xlsx"
    book.save(path)
    for name in ("assignments.csv", "forecast.csv"):  # the published split and forecast beside it, as in a run folder
        (tmp_path / name).write_bytes((out / name).read_bytes())
    return path


def test_checking_an_edited_grid_names_the_change(run, tmp_path):
    """One shift removed (A05's first) and one moved to a day off (A07's first, by its label)."""
    config, out, _ = run
    roster = read_roster(out / "roster.csv")
    first = roster[roster["agent_id"] == "A05"].sort_values("date").iloc[0]
    moved = roster[roster["agent_id"] == "A07"].sort_values("date").iloc[0]
    off = next(d for d in pd.date_range("2026-11-09", "2026-11-12").date
               if d not in set(roster.loc[roster["agent_id"] == "A07", "date"]))
    path = _edited(out, tmp_path, {("A05", f"{first.date:%m-%d}"): "休", ("A07", f"{moved.date:%m-%d}"): "休",
                                   ("A07", f"{off:%m-%d}"): LABELS[moved["shift"]]})
    result = CliRunner().invoke(main, ["check", str(config), str(path)])
    assert result.exit_code in (0, 1) and result.exc_info[0] is SystemExit, result.output
    assert "重新计算" in result.output  # the stale split was recomputed, and it says so
    assert "@SUM(A1)（A05）：删除" in result.output
    line = next(line for line in result.output.splitlines() if "（A07）" in line)
    assert f"删除 {LABELS[moved['shift']]} {moved.date:%m-%d}" in line and f"新增 {LABELS[moved['shift']]} {off:%m-%d}" in line
    assert "未达标小时" in result.output


def test_check_of_the_unedited_grid_keeps_the_published_split(run):
    config, out, _ = run
    result = CliRunner().invoke(main, ["check", str(config), str(out / "roster.xlsx")])
    assert result.exit_code == 0, result.output
    assert "重新计算" not in result.output and "通过" in result.output


def test_a_bad_cell_is_one_line_naming_it(run, tmp_path):
    config, out, _ = run
    path = _edited(out, tmp_path, {("A01", "11-10"): "白2"})
    result = CliRunner().invoke(main, ["check", str(config), str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(r"roster\.xlsx: sheet '排班表', cell [A-Z]+\d+: .*'白2'", result.output)


def test_simulate_on_a_thinner_peak_day_gives_lower_service_never_the_old_numbers(run, tmp_path):
    config, out, _ = run
    roster = read_roster(out / "roster.csv")
    peak = roster[roster["date"] == pd.Timestamp("2026-11-11").date()]
    path = _edited(out, tmp_path, {(a, "11-11"): "休" for a in peak["agent_id"].unique()[:4]})
    args = ["--replications", "30", "--seed", "3", "--force"]
    before = CliRunner().invoke(main, ["simulate", str(config), str(out / "roster.xlsx"), "--out", str(tmp_path / "a"), *args])
    after = CliRunner().invoke(main, ["simulate", str(config), str(path), "--out", str(tmp_path / "b"), *args])
    assert before.exit_code == 0 and after.exit_code == 0, before.output + after.output
    assert "重新计算" in after.output
    a, b = (pd.read_csv(tmp_path / d / "simulation.csv", encoding="utf-8-sig", parse_dates=["ds"]) for d in "ab")
    on_peak = lambda f: f[f["ds"].dt.date == pd.Timestamp("2026-11-11").date()]  # noqa: E731
    assert on_peak(b)["service_level_sim"].mean() < on_peak(a)["service_level_sim"].mean()


def test_init_names_the_plan_after_its_folder(tmp_path):
    folder = tmp_path / "店铺618"
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    text = (folder / "demo.toml").read_text(encoding="utf-8")
    assert 'name = "店铺618"' in text and 'name = "double11-2026"' not in text
    assert str(folder.resolve()) in result.output


def test_summary_json_names_pay_late_chats_and_temps_per_day(run):
    _, out, _ = run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    costs = summary["cost_yuan"]
    assert summary["pay_yuan"] == pytest.approx(costs["wages"] + costs.get("rest_day_work", 0.0), abs=0.2)
    gaps = pd.read_csv(out / "gaps.csv", encoding="utf-8-sig")
    per_day = gaps.groupby("date")["extra_agents"].sum()
    assert summary["temps"]["days"] == len(per_day)
    assert summary["temps"]["most_in_one_day"]["people"] == per_day.max()
    assert summary["late"]["chats"] > 0


def test_staff_saved_as_gbk_or_xlsx_plans_exactly_like_utf8(tmp_path):
    """The same staff list as UTF-8 CSV, as GBK CSV (Excel on Chinese Windows) and as .xlsx: the same roster."""
    write_small_plan(tmp_path / "plan")
    staff = pd.read_csv(tmp_path / "plan" / "staff.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    variants = {"utf8": None, "gbk": "staff-gbk.csv", "xlsx": "staff.xlsx"}
    staff.to_csv(tmp_path / "plan" / "staff-gbk.csv", index=False, encoding="gbk")
    staff.to_excel(tmp_path / "plan" / "staff.xlsx", index=False)
    rosters = {}
    for name, file in variants.items():
        text = SMALL_TOML if file is None else SMALL_TOML.replace('staff = "staff.csv"', f'staff = "{file}"')
        assert file is None or f'staff = "{file}"' in text
        plan = tmp_path / "plan" / f"{name}.toml"
        plan.write_text(text, encoding="utf-8")
        out = tmp_path / name
        result = CliRunner().invoke(main, ["plan", str(plan), "--out", str(out), "--time-limit", "5", "--workers", "1"])
        assert result.exit_code == 0, result.output
        rosters[name] = (out / "roster.csv").read_bytes()
    assert rosters["gbk"] == rosters["utf8"] and rosters["xlsx"] == rosters["utf8"]


@pytest.mark.parametrize("damage, needle", [
    (lambda data, path: path.write_bytes(data[:3000]), "not a readable .xlsx workbook"),
    (lambda data, path: path.write_bytes(b"PK\x03\x04garbage"), "not a readable .xlsx workbook"),
    (lambda data, path: _without_id_column(data, path), "no header row with an ID / 工号 column"),
])
def test_a_damaged_workbook_is_one_clear_line(run, tmp_path, damage, needle):
    config, out, _ = run
    path = tmp_path / "roster.xlsx"
    damage((out / "roster.xlsx").read_bytes(), path)
    for command in (["check", str(config), str(path)], ["simulate", str(config), str(path), "--out", str(tmp_path / "s")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1 and result.exc_info[0] is SystemExit, result.output
        last = result.output.strip().splitlines()[-1]
        assert last.startswith("Error: ") and str(path) in last and needle in last, last
    assert not (tmp_path / "s").exists()


def _without_id_column(data: bytes, path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.worksheets[0].delete_cols(2)
    book.save(path)
