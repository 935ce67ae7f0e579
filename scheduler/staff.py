"""Reading and checking the staff file.

Takes: ``staff.csv`` with at least ``agent_id, name, skills`` (skills = queue names joined by
``|``) and optional ``employment`` (full_time, part_time, temp, ...), ``night_allowed``,
``contract_week_hours`` (paid at the base rate; beyond it a rest day is paid at the rest-day
rate), ``min_week_hours`` / ``max_week_hours`` (per 7-day block, the minimum pro rata to the
days the agent is available), ``hourly_cost``, ``unavailable`` and ``prefer_off`` (dates joined
by ``|``) and ``prefer_shift`` (a template name). Returns: the staff frame, one row per agent, with ``skills`` as a
tuple of queue names and ``unavailable`` as a frozenset of dates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from forecasts.errors import InputError
from forecasts.tables import read_table

REQUIRED = ("agent_id", "name", "skills")
DEFAULTS = {"employment": "full_time", "night_allowed": "yes", "max_week_hours": 48.0, "min_week_hours": 0.0,
            "contract_week_hours": 40.0, "hourly_cost": 30.0, "unavailable": "", "prefer_off": "", "prefer_shift": ""}
BLANK_OK = ("unavailable", "prefer_off", "prefer_shift")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


def _row_error(path: Path, row: int, column: str, expected: str, got) -> InputError:
    return InputError(f"{path}: row {row}, column {column!r}: expected {expected}, got {got!r}")


def _parse_row(path: Path, row: int, rec: dict, queues: set[str], shifts) -> dict:
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
        if not numbers[col] >= 0:
            raise _row_error(path, row, col, "a number >= 0", rec[col])
    if numbers["min_week_hours"] > numbers["max_week_hours"]:
        raise _row_error(path, row, "min_week_hours", f"at most max_week_hours ({numbers['max_week_hours']:g})", rec["min_week_hours"])
    prefer_shift = str(rec["prefer_shift"]).strip()
    if prefer_shift and prefer_shift not in shifts:
        raise _row_error(path, row, "prefer_shift", f"a shift template from {sorted(shifts)} or blank", prefer_shift)
    return {"agent_id": str(rec["agent_id"]).strip(), "name": str(rec["name"]).strip(), "skills": skills,
            "employment": str(rec["employment"]).strip(), "night_allowed": night in YES, **numbers,
            "unavailable": _dates(path, row, rec, "unavailable"), "prefer_off": _dates(path, row, rec, "prefer_off"),
            "prefer_shift": prefer_shift}


def _dates(path: Path, row: int, rec: dict, col: str) -> frozenset:
    try:
        return frozenset(dt.date.fromisoformat(d.strip()) for d in str(rec[col]).split("|") if d.strip())
    except ValueError:
        raise _row_error(path, row, col, "dates YYYY-MM-DD joined by '|'", rec[col]) from None


def read_staff(path: str | Path, queues, shifts=()) -> pd.DataFrame:
    """Read the staff file and check every row against the plan's queues.

    Raises
    ------
    InputError
        A missing column, an unknown queue in ``skills``, a bad value, or a duplicate agent.
    """
    path = Path(path)
    raw = read_table(path, "staff")
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (expected at least {', '.join(REQUIRED)})")
    for col, default in DEFAULTS.items():
        if col not in raw.columns:
            raw[col] = str(default)
        raw[col] = raw[col].replace("", str(default)) if col not in BLANK_OK else raw[col]
    rows = [_parse_row(path, i + 1, rec, set(queues), shifts) for i, rec in enumerate(raw.to_dict("records"))]
    if not rows:
        raise InputError(f"{path}: no agents in the staff file")
    staff = pd.DataFrame(rows)
    dup = staff.index[staff["agent_id"].duplicated()].tolist()
    if dup:
        raise InputError(f"{path}: row {dup[0] + 1}: duplicate agent_id {staff.at[dup[0], 'agent_id']!r}")
    return staff
