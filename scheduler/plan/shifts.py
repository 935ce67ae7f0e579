"""Shift templates placed on dates: when a shift starts and ends, which hours it is at the desk.

Shared by the roster model and the checker so both read a template the same way. A shift
belongs to the date it starts on; a night shift ends on the next date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class ShiftOption:
    """A template with a chosen break start (hours after the shift start; None without a break)."""

    template: object
    break_start: int | None

    def desk_hours(self, d: int, n_hours: int):
        """Plan hours (0 = the plan's first 00:00) at the desk when started on model day ``d``, inside the plan."""
        base = plan_hour(d, self.template)
        return (base + k for k in self.desk_offsets() if 0 <= base + k < n_hours)

    def desk_offsets(self) -> tuple[int, ...]:
        """Hour offsets from the shift start at which the agent is at the desk."""
        t = self.template
        off = range(self.break_start, self.break_start + t.break_hours) if self.break_start is not None else ()
        return tuple(k for k in range(t.hours) if k not in off)


def plan_hour(d: int, template) -> int:
    """Plan hour at which a shift started on model day ``d`` begins (model day 0 is the eve of the plan)."""
    return 24 * (d - 1) + template.start_hour


def reaches_plan(d: int, template) -> bool:
    """Whether a shift started on model day ``d`` has any hour inside the plan (the eve's only if it crosses midnight)."""
    return plan_hour(d, template) + template.hours > 0


def options(template) -> list[ShiftOption]:
    """Every way to place the template's break inside its window."""
    starts = template.break_starts()
    return [ShiftOption(template, b) for b in starts] if starts else [ShiftOption(template, None)]


def shift_start(template, date: dt.date) -> pd.Timestamp:
    return pd.Timestamp(date) + pd.Timedelta(hours=template.start_hour)


def shift_end(template, date: dt.date) -> pd.Timestamp:
    return shift_start(template, date) + pd.Timedelta(hours=template.hours)


def rest_hours(first, second, day_gap: int) -> float:
    """Hours between the end of ``first`` and the start of ``second`` placed ``day_gap`` days later."""
    return 24.0 * day_gap + second.start_hour - (first.start_hour + first.hours)


def rest_conflicts(templates, min_rest_h: float) -> list[tuple[str, str, int]]:
    """Template pairs ``(first, second, day_gap)`` that leave less than the minimum rest."""
    longest = max(t.start_hour + t.hours for t in templates)
    max_gap = int((longest + min_rest_h) // 24) + 1
    return [(a.name, b.name, g) for a in templates for b in templates for g in range(1, max_gap + 1)
            if rest_hours(a, b, g) < min_rest_h]
