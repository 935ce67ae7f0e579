"""Reading and checking the staff file.

Takes: ``staff.csv`` with at least ``agent_id, name, skills`` (skills = queue names joined by
``|``) and optional ``employment`` (full_time, part_time, temp, ...), ``night_allowed``,
``contract_week_hours`` (paid at the base rate; beyond it a rest day is paid at the rest-day
rate), ``min_week_hours`` / ``max_week_hours`` (per 7-day block, the minimum pro rata to the
days the agent is available), ``hourly_cost``, ``unavailable`` and ``prefer_off`` (dates joined
by ``|``, year first: ``2026-11-10`` or ``2026/11/10``; a day-first ``10/11/2026`` is rejected)
and ``prefer_shift`` (a template name). Returns: the staff frame, one row per agent, with ``skills``
as a tuple of queue names and ``unavailable`` / ``prefer_off`` as frozensets of dates.

Bad input raises :class:`forecasts.errors.InputError` naming the file, the 1-based data row, the
column, what was expected and what was found: also an empty or header-only file, ``;``- or
tab-separated columns, a NaN, infinite or negative number, a blank or duplicate ``agent_id``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from forecasts.errors import InputError
from forecasts.tables import parse_times, read_table

REQUIRED = ("agent_id", "name", "skills")
DEFAULTS = {"employment": "full_time", "night_allowed": "yes", "max_week_hours": 48.0, "min_week_hours": 0.0,
            "contract_week_hours": 40.0, "hourly_cost": 30.0, "unavailable": "", "prefer_off": "", "prefer_shift": ""}
BLANK_OK = ("unavailable", "prefer_off", "prefer_shift")
DATE_COLUMNS = ("unavailable", "prefer_off")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


def _row_error(path: Path, row: int, column: str, expected: str, got) -> InputError:
    return InputError(f"{path}: row {row}, column {column!r}: expected {expected}, got {got!r}")


def _parse_row(path: Path, row: int, rec: dict, queues: set[str], shifts) -> dict:
    agent_id = str(rec["agent_id"]).strip()
    if not agent_id:
        raise _row_error(path, row, "agent_id", "an agent id", rec["agent_id"])
    skills = tuple(s.strip() for s in str(rec["skills"]).split("|") if s.strip())
    unknown = [s for s in skills if s not in queues]
    if not skills or unknown:
        raise _row_error(path, row, "skills", f"queue names from {sorted(queues)} joined by '|'", rec["skills"])
    night = str(rec["night_allowed"]).strip().lower()
    if night not in YES | NO:
        raise _row_error(path, row, "night_allowed", "yes or no", rec["night_allowed"])
    numbers = {}
    for col in ("max_week_hours", "min_week_hours", "contract_week_hours", "hourly_cost"):
        try:
            numbers[col] = float(rec[col])
        except (TypeError, ValueError):
            raise _row_error(path, row, col, "a number", rec[col]) from None
        if not (math.isfinite(numbers[col]) and numbers[col] >= 0):
            raise _row_error(path, row, col, "a finite number >= 0", rec[col])
    if numbers["min_week_hours"] > numbers["max_week_hours"]:
        raise _row_error(path, row, "min_week_hours", f"at most max_week_hours ({numbers['max_week_hours']:g})", rec["min_week_hours"])
    prefer_shift = str(rec["prefer_shift"]).strip()
    if prefer_shift and prefer_shift not in shifts:
        raise _row_error(path, row, "prefer_shift", f"a shift template from {sorted(shifts)} or blank", prefer_shift)
    return {"agent_id": agent_id, "name": str(rec["name"]).strip(), "skills": skills,
            "employment": str(rec["employment"]).strip(), "night_allowed": night in YES, **numbers,
            "unavailable": rec["unavailable"], "prefer_off": rec["prefer_off"], "prefer_shift": prefer_shift}


def _date_sets(path: Path, cells: pd.Series, col: str) -> list[frozenset]:
    """Each cell's dates (joined by ``|``) as a frozenset, parsed by :func:`forecasts.tables.parse_times`."""
    parts = cells.astype(str).str.split("|").explode().str.strip()
    parts = parts[parts != ""]
    days = parse_times(parts, str(path), f"column {col!r} (dates joined by '|')", dates=True,
                       rows=parts.index.to_numpy() + 1).dt.date.to_numpy()
    by_row = pd.Series(days, index=parts.index).groupby(level=0).agg(frozenset)
    return [by_row.get(i, frozenset()) for i in range(len(cells))]


def read_staff(path: str | Path, queues, shifts=()) -> pd.DataFrame:
    """Read the staff file and check every row against the plan's queues.

    Raises
    ------
    InputError
        A missing column, an unknown queue in ``skills``, a bad value, or a duplicate agent.
    """
    path = Path(path)
    raw = read_table(path, "staff", REQUIRED)
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (expected at least {', '.join(REQUIRED)})")
    for col, default in DEFAULTS.items():
        if col not in raw.columns:
            raw[col] = str(default)
        raw[col] = raw[col].replace("", str(default)) if col not in BLANK_OK else raw[col]
    raw = raw.reset_index(drop=True)
    for col in DATE_COLUMNS:
        raw[col] = _date_sets(path, raw[col], col)
    rows = [_parse_row(path, i + 1, rec, set(queues), shifts) for i, rec in enumerate(raw.to_dict("records"))]
    if not rows:
        raise InputError(f"{path}: no agents in the staff file")
    staff = pd.DataFrame(rows)
    dup = staff.index[staff["agent_id"].duplicated()].tolist()
    if dup:
        raise InputError(f"{path}: row {dup[0] + 1}: duplicate agent_id {staff.at[dup[0], 'agent_id']!r}; expected each agent once")
    return staff
