"""roster.xlsx and the calendars: what a person sees, read back with openpyxl and icalendar."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import replace

import icalendar
import openpyxl
import pandas as pd
import pytest

from forecasts.errors import InputError
from scheduler.check.checker import coverage
from scheduler.check.gaps import gaps
from scheduler.report.calendars import calendar_files
from scheduler.report.i18n import Words
from forecasts.tables import is_xlsx
from scheduler.report.workbook import read_grid, workbook_bytes

ZH_LABELS = {"day": "白", "night": "晚", "pt_evening": "兼晚"}
HOSTILE = {"A01": "<script>alert(1)</script>", "A03": "=1+1", "A05": "@SUM(A1)", "A07": '=HYPERLINK("http://x","a")'}
HEADLINE = ["Line one: 10 agents.", "=2+2 is not a formula"]
STAMP = dt.datetime(2026, 10, 20, 9, 30, tzinfo=dt.timezone.utc)


def _zh(plan):
    shifts = {n: replace(t, label=ZH_LABELS[n]) for n, t in plan.shifts.items()}
    return replace(plan, language="zh", shifts=shifts)


@pytest.fixture(scope="module")
def frames(solved_small):
    plan, staff, req, flags, result = solved_small
    cov = coverage(plan, req, result.assignments, flags)
    return plan, staff, result.roster, result.assignments, cov, gaps(cov, plan)


@pytest.fixture(params=["en", "zh"])
def lang_plan(request, frames):
    plan = frames[0]
    return plan if request.param == "en" else _zh(plan)


def _book(plan, frames, staff=None, roster=None, data_only=False):
    _, staff0, roster0, asg, cov, gap_frame = frames
    data = workbook_bytes(plan, staff0 if staff is None else staff, roster0 if roster is None else roster, asg, cov,
                          gap_frame, HEADLINE)
    return data, openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


def _header(ws):
    """(header row number, {column: header text}) of the grid: the row holding the id column."""
    for row in ws.iter_rows(min_row=1, max_row=5):
        texts = {c.column: c.value for c in row if c.value is not None}
        if "ID" in texts.values() or "工号" in texts.values():
            return row[0].row, texts
    raise AssertionError("no grid header")


def _grid(ws, plan):
    """{agent_id: (row, {date: cell text})} and the id / name columns, read from the grid sheet."""
    head, texts = _header(ws)
    by_md = {f"{d:%m-%d}": d for d in plan.roster_days}
    date_cols = {c: by_md[t[:5]] for c, t in texts.items() if t[:5] in by_md}
    id_col = next(c for c, t in texts.items() if t in ("ID", "工号"))
    name_col = next(c for c, t in texts.items() if t in ("Name", "姓名"))
    agents = {}
    for r in range(head + 1, ws.max_row + 1):
        agent = ws.cell(r, id_col).value
        if agent:
            agents[agent] = (r, {d: ws.cell(r, c).value for c, d in date_cols.items()})
    return agents, id_col, name_col, date_cols


def _expected(plan, staff, roster, agent, day):
    words = Words(plan)
    hit = roster[(roster["agent_id"] == agent) & (roster["date"] == day)]
    if len(hit):
        return plan.shifts[hit["shift"].iat[0]].label
    unavailable = staff.set_index("agent_id").at[agent, "unavailable"]
    return words("leave") if day in unavailable else words("rest")


def test_grid_equals_the_roster_cell_for_cell(frames, lang_plan):
    _, staff, roster, *_ = frames
    _, book = _book(lang_plan, frames)
    ws = book.worksheets[0]
    assert ws.title == ("排班表" if lang_plan.language == "zh" else "Roster")
    agents, id_col, name_col, date_cols = _grid(ws, lang_plan)
    assert sorted(agents) == sorted(staff["agent_id"])
    assert len(date_cols) == len(lang_plan.roster_days)
    for agent, (row, cells) in agents.items():
        assert ws.cell(row, name_col).value == staff.set_index("agent_id").at[agent, "name"]
        for day, value in cells.items():
            assert value == _expected(lang_plan, staff, roster, agent, day), (agent, day)
    leave = "假" if lang_plan.language == "zh" else "leave"
    assert agents["A02"][1][dt.date(2026, 11, 10)] == leave
    assert sum(v == leave for _, cells in agents.values() for v in cells.values()) == 1


def test_grid_groups_agents_by_skill_set(frames):
    plan, staff, *_ = frames
    _, book = _book(plan, frames)
    agents, *_ = _grid(book.worksheets[0], plan)
    order = sorted(agents, key=lambda a: agents[a][0])
    skills = staff.set_index("agent_id")["skills"]
    rank = {q: i for i, q in enumerate(plan.queues)}
    keys = [(tuple(sorted(rank[q] for q in skills[a])), a) for a in order]
    assert keys == sorted(keys)


def _evaluate(ws, formula: str) -> int:
    """Evaluate ``=COUNTIF(range,"label")*n+...`` on the sheet as it now stands (what Excel would show)."""
    total = 0
    for term in formula.lstrip("=").split("+"):
        m = re.fullmatch(r'COUNTIF\(([A-Z]+\d+):([A-Z]+\d+),"([^"]*)"\)(?:\*(\d+))?', term)
        assert m, term
        cells = [c.value for row in ws[f"{m[1]}:{m[2]}"] for c in row]
        total += cells.count(m[3]) * int(m[4] or 1)
    return total


def test_totals_are_formulas_with_the_right_cached_values(frames, lang_plan):
    _, staff, roster, *_ = frames
    data, formulas = _book(lang_plan, frames)
    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    ws = formulas.worksheets[0]
    agents, id_col, _, date_cols = _grid(ws, lang_plan)
    totals = max(date_cols) + 1
    for agent, (row, _) in agents.items():
        mine = roster[roster["agent_id"] == agent]
        nights = sum(lang_plan.shifts[s].night for s in mine["shift"])
        want = [len(mine), nights, mine["paid_hours"].sum()]
        assert [cached.cell(row, totals + k).value for k in range(3)] == want
        assert [_evaluate(ws, ws.cell(row, totals + k).value) for k in range(3)] == want
    last = max(r for r, _ in agents.values())
    assert all(ws.cell(last + 1, c).value is None for c in range(1, totals + 3))
    for i, (name, t) in enumerate(lang_plan.shifts.items()):
        row = last + 2 + i
        assert ws.cell(row, id_col).value is None
        for col, day in date_cols.items():
            want = int(((roster["shift"] == name) & (roster["date"] == day)).sum())
            assert cached.cell(row, col).value == want == _evaluate(ws, ws.cell(row, col).value), (name, day)


def test_every_sheet_has_frozen_panes_a_filter_and_print_setup(frames, lang_plan):
    _, book = _book(lang_plan, frames)
    assert len(book.worksheets) == 4 + len(lang_plan.queues)
    for ws in book.worksheets:
        assert ws.freeze_panes, ws.title
        assert ws.auto_filter.ref, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.print_title_rows, ws.title  # 1 is the default, left out
    words, cov_name = Words(lang_plan), "覆盖-{}" if lang_plan.language == "zh" else "Coverage {}"
    assert [ws.title for ws in book.worksheets][2:-2] == [cov_name.format(words.queue(q)) for q in lang_plan.queues]
    assert [c.value for c in book.worksheets[-1]["A"]][1:] == HEADLINE


def test_hostile_names_stay_text(frames):
    plan, staff, roster, *_ = frames
    staff = staff.assign(name=[HOSTILE.get(a, n) for a, n in zip(staff["agent_id"], staff["name"])])
    roster = roster.assign(name=[HOSTILE.get(a, n) for a, n in zip(roster["agent_id"], roster["name"])])
    _, book = _book(plan, frames, staff=staff, roster=roster)
    agents, _, name_col, _ = _grid(book.worksheets[0], plan)
    for agent, text in HOSTILE.items():
        cell = book.worksheets[0].cell(agents[agent][0], name_col)
        assert (cell.value, cell.data_type) == (text, "s")
    hourly = [c for row in book.worksheets[1].iter_rows(min_row=3) for c in row[1:2]]
    rostered = {n for a, n in zip(roster["agent_id"], roster["name"]) if a in HOSTILE}
    assert rostered and rostered <= {c.value for c in hourly}
    assert all(c.data_type == "s" for c in hourly if c.value in rostered)
    summary = book.worksheets[-1]["A3"]
    assert (summary.value, summary.data_type) == (HEADLINE[1], "s")


def test_hourly_sheet_shows_the_assignments(frames):
    plan, _, roster, asg, *_ = frames
    _, book = _book(plan, frames)
    ws = book.worksheets[1]
    heads = [c.value for c in ws[2]]
    assert heads[4:] == ["08", "09", *(f"{h:02d}" for h in range(10, 24)), "00", "01"]
    served = {(a, ds): q for a, ds, q in asg[["agent_id", "ds", "queue"]].itertuples(index=False)}
    words, checked = Words(plan), 0
    assert ws.max_row == 2 + len(roster)
    for row in ws.iter_rows(min_row=3, values_only=True):
        rec = roster[(roster["agent_id"] == row[2]) & (roster["date"].map(words.day) == row[0])].iloc[0]
        for k, value in enumerate(row[4:]):
            ts = pd.Timestamp(rec["date"]) + pd.Timedelta(hours=8 + k)
            if not rec["start"] <= ts < rec["end"]:
                assert value is None
            elif (rec["agent_id"], ts) in served:
                assert value == words.queue(served[(rec["agent_id"], ts)])
                checked += 1
    assert checked == len(asg)


def test_coverage_sheet_holds_required_rostered_and_the_difference(frames):
    plan, *_, cov, _ = frames
    _, book = _book(plan, frames)
    ws = book.worksheets[2]
    part = cov[cov["queue"] == next(iter(plan.queues))].set_index("ds")
    for i, day in enumerate(plan.days):
        rows = [[c for c in ws.iter_rows(min_row=3 + 3 * i + m, max_row=3 + 3 * i + m, values_only=True)][0] for m in range(3)]
        assert [r[1] for r in rows] == ["Required", "Rostered", "Rostered - required"]
        for h in range(24):
            rec = part.loc[pd.Timestamp(day) + pd.Timedelta(hours=h)]
            want = [None] * 3 if pd.isna(rec["service_level"]) else \
                [rec["required"], rec["scheduled"], rec["scheduled"] - rec["required"]]
            assert [r[2 + h] for r in rows] == want, (day, h)
    assert ws.conditional_formatting


def test_temps_per_day_counts_people_not_shifts(frames):
    plan, *_ = frames
    gap_frame = pd.DataFrame([
        ("presale", dt.date(2026, 11, 10), "night", pd.Timestamp("2026-11-10 17:00"), pd.Timestamp("2026-11-11 02:00"), 4, "00:00-02:00", 8),
        ("aftersale", dt.date(2026, 11, 10), "day", pd.Timestamp("2026-11-10 08:00"), pd.Timestamp("2026-11-10 17:00"), 1, "12:00-13:00", 1),
        ("presale", dt.date(2026, 11, 11), "(no shift covers it)", pd.Timestamp("2026-11-11 03:00"), pd.Timestamp("2026-11-11 04:00"), 2, "03:00-04:00", 2),
    ], columns=["queue", "date", "shift", "start", "end", "extra_agents", "short_hours", "agent_hours_short"])
    data = workbook_bytes(plan, frames[1], frames[2], frames[3], frames[4], gap_frame, HEADLINE)
    ws = openpyxl.load_workbook(io.BytesIO(data))["Temps"]
    rows = list(ws.iter_rows(min_row=3, max_row=5, max_col=8, values_only=True))
    assert rows[0][:6] == ("11-10 Tue", "aftersale", "day", "08:00", "17:00", 1)
    assert rows[1][2:6] == ("night", "17:00", "02:00 next day", 4)
    assert rows[2][2] == "(no shift covers it)"
    per_day = list(ws.iter_rows(min_row=3, max_row=4, min_col=10, max_col=12, values_only=True))
    assert per_day == [("11-10 Tue", 5, 9), ("11-11 Wed", 2, 2)]
    assert ws.cell(6, 10).value == "Largest day: 11-10 Tue, 5 people"


def test_read_grid_gives_back_the_roster(frames, lang_plan, tmp_path):
    _, staff, roster, *_ = frames
    data, _ = _book(lang_plan, frames)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(data)
    back = read_grid(path, lang_plan, staff)
    assert list(back.columns) == ["agent_id", "name", "date", "shift", "start", "end", "paid_hours", "break_start"]
    cols = ["agent_id", "name", "date", "shift", "start", "end", "paid_hours"]
    pd.testing.assert_frame_equal(back[cols], roster[cols].sort_values(["agent_id", "date"], ignore_index=True),
                                  check_dtype=False)
    assert back["break_start"].isna().all()


def _edit(data, tmp_path, plan, change):
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    agents, id_col, _, date_cols = _grid(ws, plan)
    col_of = {d: c for c, d in date_cols.items()}
    change(ws, agents, col_of, id_col)
    path = tmp_path / "edited.xlsx"
    book.save(path)
    return path


def test_an_edit_in_excel_is_read_back_exactly(frames, lang_plan, tmp_path):
    _, staff, roster, *_ = frames
    words = Words(lang_plan)
    data, _ = _book(lang_plan, frames)
    off = staff.set_index("agent_id")["unavailable"]
    mover, free = next((a, d) for a, mine in roster.groupby("agent_id") for d in lang_plan.days
                       if d not in set(mine["date"]) and d not in off[a])
    away = roster[roster["agent_id"] == mover].iloc[0]
    gone = roster[roster["agent_id"] != mover].iloc[0]

    def change(ws, agents, col_of, _):
        ws.cell(agents[mover][0], col_of[free]).value = words.shift(away["shift"])
        ws.cell(agents[mover][0], col_of[away["date"]]).value = words("rest")
        ws.cell(agents[gone["agent_id"]][0], col_of[gone["date"]]).value = None

    back = read_grid(_edit(data, tmp_path, lang_plan, change), lang_plan, staff)
    want = {(r.agent_id, r.date, r.shift) for r in roster.itertuples()}
    want -= {(mover, away["date"], away["shift"]), (gone["agent_id"], gone["date"], gone["shift"])}
    want.add((mover, free, away["shift"]))
    assert {(r.agent_id, r.date, r.shift) for r in back.itertuples()} == want
    moved = back[(back["agent_id"] == mover) & (back["date"] == free)].iloc[0]
    assert moved["start"] == pd.Timestamp(free) + pd.Timedelta(hours=lang_plan.shifts[away["shift"]].start_hour)


def test_template_names_and_both_languages_marks_are_accepted(frames, tmp_path):
    plan, staff, roster, *_ = frames
    zh = _zh(plan)
    data, _ = _book(zh, frames)
    agent = roster["agent_id"].iat[0]
    days = sorted(set(zh.days) - set(roster.loc[roster["agent_id"] == agent, "date"]))

    def change(ws, agents, col_of, _):
        ws.cell(agents[agent][0], col_of[days[0]]).value = "day"
        ws.cell(agents[agent][0], col_of[roster["date"].iat[0]]).value = " off "

    back = read_grid(_edit(data, tmp_path, zh, change), zh, staff)
    mine = back[back["agent_id"] == agent]
    assert days[0] in set(mine["date"]) and roster["date"].iat[0] not in set(mine["date"])


def test_a_bad_cell_or_unknown_agent_names_the_cell(frames, tmp_path):
    plan, staff, *_ = frames
    data, _ = _book(plan, frames)
    from openpyxl.utils import get_column_letter
    where = {}

    def bad_label(ws, agents, col_of, _):
        row, col = agents["A04"][0], col_of[dt.date(2026, 11, 11)]
        ws.cell(row, col).value = "nightt"
        where["cell"] = f"{get_column_letter(col)}{row}"

    path = _edit(data, tmp_path, plan, bad_label)
    with pytest.raises(InputError) as err:
        read_grid(path, plan, staff)
    message = str(err.value)
    assert f"sheet 'Roster', cell {where['cell']}:" in message and "'nightt'" in message and "\n" not in message
    assert str(path) in message and all(t.label in message for t in plan.shifts.values())

    def unknown(ws, agents, col_of, id_col):
        ws.cell(agents["A09"][0], id_col).value = "Z99"
        where["cell"] = f"{get_column_letter(id_col)}{agents['A09'][0]}"

    with pytest.raises(InputError) as err:
        read_grid(_edit(data, tmp_path, plan, unknown), plan, staff)
    assert f"cell {where['cell']}:" in str(err.value) and "Z99" in str(err.value)


def test_is_xlsx_looks_at_the_content(frames, tmp_path):
    plan, *_ = frames
    data, _ = _book(plan, frames)
    (tmp_path / "roster.csv").write_bytes(data)
    (tmp_path / "fake.xlsx").write_text("agent_id,name\nA01,x\n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "other.xlsx", "w") as zf:
        zf.writestr("word/document.xml", "<x/>")
    assert is_xlsx(tmp_path / "roster.csv")
    assert not is_xlsx(tmp_path / "fake.xlsx")
    assert not is_xlsx(tmp_path / "other.xlsx")
    assert not is_xlsx(tmp_path / "missing.xlsx")


def _events(blob):
    return [c for c in icalendar.Calendar.from_ical(blob).walk("VEVENT")]


def test_calendars_have_one_event_per_shift_at_the_right_times(frames, lang_plan):
    _, _, roster, *_ = frames
    roster = roster.assign(name=[HOSTILE.get(a, n) for a, n in zip(roster["agent_id"], roster["name"])])
    files = calendar_files(lang_plan, roster, STAMP)
    assert sorted(files) == sorted(f"calendars/{a}.ics" for a in roster["agent_id"].unique())
    uids = set()
    for agent, mine in roster.groupby("agent_id"):
        cal = icalendar.Calendar.from_ical(files[f"calendars/{agent}.ics"])
        assert str(cal["version"]) == "2.0" and cal["prodid"]
        events = sorted(_events(files[f"calendars/{agent}.ics"]), key=lambda e: e["dtstart"].dt)
        mine = mine.sort_values("start")
        assert len(events) == len(mine)
        for ev, rec in zip(events, mine.itertuples()):
            assert ev["dtstart"].dt == rec.start.to_pydatetime() and ev["dtstart"].dt.tzinfo is None
            assert ev["dtend"].dt == rec.end.to_pydatetime()
            assert ev["dtstamp"].dt == STAMP
            assert lang_plan.shifts[rec.shift].label in str(ev["summary"]) and rec.name in str(ev["summary"])
            assert lang_plan.name in str(ev["summary"])
            if pd.notna(rec.break_start):
                assert f"{rec.break_start:%H:%M}-" in str(ev["description"])
            uids.add(str(ev["uid"]))
    assert len(uids) == len(roster)
    again = calendar_files(lang_plan, roster, STAMP)
    assert again == files


def test_calendar_file_names_are_safe(frames):
    plan, _, roster, *_ = frames
    one = roster[roster["agent_id"] == roster["agent_id"].iat[0]]
    odd = pd.concat([one.assign(agent_id="../etc/passwd"), one.assign(agent_id="王 1"), one.assign(agent_id="A_1"),
                     one.assign(agent_id="A/1")])
    files = calendar_files(plan, odd, STAMP)
    assert len(files) == 4
    for key in files:
        folder, name = key.split("/")
        assert folder == "calendars" and name.endswith(".ics") and not name.startswith(".")
        assert all(ch.isascii() and (ch.isalnum() or ch in "_-.") for ch in name)
