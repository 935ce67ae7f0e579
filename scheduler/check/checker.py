"""The solver-free checker: every hard rule, the hourly coverage and the objective, from frames alone.

Each rule is a short function named after the rule, registered in ``RULES``; it takes a
``Context`` and returns ``Violation`` rows. The hard labour rules' are the ``check`` faces of the
registry (``scheduler.rules.HARD_RULES``, ``OPTION_RULES``); the frame's own (known agent and
shift, inside the window, shift times) and the hourly assignments' are here. The CLI runs
``check`` after every solve and refuses to write a roster with violations; tests use it as the oracle.
The objective's terms are the ``price`` faces of the soft terms (``scheduler.rules.terms.SOFT_TERMS``).

Takes: roster frame (``agent_id, date, shift, start, end``), assignments frame
(``agent_id, ds, queue``, optional), staff frame, requirements frame, plan.
Returns: violations (list of ``Violation``), coverage frame (``queue, ds, required, scheduled,
shortfall, service_level``) and the objective's terms.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.frames import FRAMES, columns
from forecasts.errors import InputError
from forecasts.tables import parse_times, read_table
from scheduler.rules import HARD_RULES, OPTION_RULES
from scheduler.rules.helpers import Context, Violation
from scheduler.rules.options import option_check
from scheduler.rules.terms import Frames, price, wages
from scheduler.plan.money import COST_SCALE
from scheduler.plan.shifts import shift_end, shift_start
from scheduler.staffing.requirements import desk_from_scheduled, queue_metrics, shrinkage_by_hour

ROSTER_REQUIRED = FRAMES["roster"].required
COVERAGE_COLUMNS = columns("coverage")


# -- rules on shifts -------------------------------------------------------------------------
def known_agent_and_shift(ctx: Context):
    for row in ctx.roster.itertuples():
        if row.agent_id not in ctx.staff.index:
            yield Violation("known_agent_and_shift", row.agent_id, row.date, f"agent {row.agent_id} on {row.date} is not in the staff file")
        elif row.shift not in ctx.plan.shifts:
            yield Violation("known_agent_and_shift", row.agent_id, row.date, f"agent {row.agent_id} on {row.date}: unknown shift {row.shift!r}")


def inside_window(ctx: Context):
    first = pd.Timestamp(ctx.plan.start)
    for row in ctx.roster.itertuples():
        if row.date not in ctx.plan.roster_days or row.end <= first:
            yield Violation("inside_window", row.agent_id, row.date, f"agent {row.agent_id} works on {row.date}, outside the plan {ctx.plan.start}..{ctx.plan.end}")


def shift_times(ctx: Context):
    for row in ctx.shifts_known().itertuples():
        t = ctx.template(row.shift)
        if row.start != shift_start(t, row.date) or row.end != shift_end(t, row.date):
            yield Violation("shift_times", row.agent_id, row.date,
                            f"agent {row.agent_id} {row.shift} on {row.date} runs {row.start:%m-%d %H:%M}-{row.end:%m-%d %H:%M}, the template is {shift_start(t, row.date):%m-%d %H:%M}-{shift_end(t, row.date):%m-%d %H:%M}")


def _hard_rule(rule):
    """A checker rule from the ``check`` face of a ``scheduler.rules.HARD_RULES`` module, named after the rule."""
    def check(ctx: Context):
        return rule.check(ctx)
    check.__name__ = rule.NAME
    return check


# -- rules on the hourly assignments ---------------------------------------------------------
def _shift_hours(ctx: Context) -> pd.DataFrame:
    """Every in-window hour of every known shift: agent_id, ds, shift row index, hour offset."""
    t_end = pd.Timestamp(ctx.plan.end) + pd.Timedelta(days=1)
    rows = []
    for row in ctx.shifts_known().itertuples():
        for k in range(int((row.end - row.start) / pd.Timedelta(hours=1))):
            ds = row.start + pd.Timedelta(hours=k)
            if pd.Timestamp(ctx.plan.start) <= ds < t_end:
                rows.append((row.agent_id, ds, row.Index, k))
    return pd.DataFrame(rows, columns=["agent_id", "ds", "shift_row", "offset"])


def skills(ctx: Context):
    a = ctx.assignments[ctx.assignments["agent_id"].isin(ctx.staff.index)]
    for row in a[a["queue"] != "break"].itertuples():
        if row.queue not in ctx.staff.at[row.agent_id, "skills"]:
            yield Violation("skills", row.agent_id, row.ds.date(), f"agent {row.agent_id} serves {row.queue} at {row.ds:%Y-%m-%d %H:%M} without that skill")


def assignments_on_shift(ctx: Context):
    hours = _shift_hours(ctx).merge(ctx.assignments, on=["agent_id", "ds"], how="outer", indicator=True)
    for row in hours[hours["_merge"] == "right_only"].itertuples():
        yield Violation("assignments_on_shift", row.agent_id, row.ds.date(), f"agent {row.agent_id} is assigned to {row.queue} at {row.ds:%Y-%m-%d %H:%M} outside any shift")
    for row in hours[hours["_merge"] == "left_only"].itertuples():
        yield Violation("assignments_on_shift", row.agent_id, row.ds.date(), f"agent {row.agent_id} is on shift at {row.ds:%Y-%m-%d %H:%M} with no queue or break assigned")
    dup = ctx.assignments.duplicated(["agent_id", "ds"], keep="first")
    for row in ctx.assignments[dup].itertuples():
        yield Violation("assignments_on_shift", row.agent_id, row.ds.date(), f"agent {row.agent_id} has two assignments at {row.ds:%Y-%m-%d %H:%M}")


def breaks(ctx: Context):
    hours = _shift_hours(ctx).merge(ctx.assignments, on=["agent_id", "ds"], how="left")
    for shift_row, part in hours.groupby("shift_row"):
        row = ctx.roster.loc[shift_row]
        t = ctx.template(row["shift"])
        lo, hi = t.break_window
        if not set(range(lo, hi)) <= set(part["offset"]):
            continue  # the break window lies partly outside the plan's hours
        taken = sorted(part.loc[part["queue"] == "break", "offset"])
        ok = len(taken) == t.break_hours and (not taken or (lo <= taken[0] and taken[-1] < hi and taken[-1] - taken[0] == len(taken) - 1))
        if not ok:
            yield Violation("breaks", row["agent_id"], row["date"],
                            f"agent {row['agent_id']} {row['shift']} on {row['date']}: break hours at offsets {taken}, expected {t.break_hours} consecutive hour(s) within offsets [{lo}, {hi})")


HARD_CHECKS = [_hard_rule(rule) for rule in HARD_RULES]
# one_shift_per_day (the registry's first), the option rules, the other hard rules: the violations' order of old
SHIFT_RULES = [known_agent_and_shift, inside_window, shift_times, *HARD_CHECKS[:1],
               *[option_check(rule) for rule in OPTION_RULES], *HARD_CHECKS[1:]]
ASSIGNMENT_RULES = [skills, assignments_on_shift, breaks]
RULES = SHIFT_RULES + ASSIGNMENT_RULES


def check_rules(plan, staff: pd.DataFrame, roster: pd.DataFrame, assignments: pd.DataFrame | None = None) -> list[Violation]:
    """Every hard rule broken by the roster (and its hourly assignments, when given)."""
    ctx = Context(plan, staff.set_index("agent_id", drop=False), roster, assignments)
    rules = SHIFT_RULES + (ASSIGNMENT_RULES if assignments is not None else [])
    return [v for rule in rules for v in rule(ctx)]


# -- coverage and objective ------------------------------------------------------------------
def coverage(plan, req: pd.DataFrame, assignments: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Agents serving each queue each hour, against the requirement, and the service level they give."""
    counts = assignments[assignments["queue"] != "break"].groupby(["queue", "ds"]).size().rename("scheduled")
    cov = req[["queue", "ds", "scheduled", "within_s", "open"]].rename(columns={"scheduled": "required"})
    cov = cov.merge(counts.reset_index(), on=["queue", "ds"], how="left").fillna({"scheduled": 0})
    cov["scheduled"] = cov["scheduled"].astype(int)
    cov["shortfall"] = (cov["required"] - cov["scheduled"]).clip(lower=0)
    cov["service_level"] = np.nan
    vol = req.set_index(["queue", "ds"])["volume"]
    for name, queue in plan.queues.items():
        m = (cov["queue"] == name).to_numpy() & cov["open"].to_numpy()
        part = cov[m]
        if queue.kind == "chat":
            shrink = shrinkage_by_hour(flags.reindex(pd.DatetimeIndex(part["ds"]), fill_value=False), plan.staffing)
            desk = desk_from_scheduled(part["scheduled"], shrink)
            volume = vol.reindex(pd.MultiIndex.from_frame(part[["queue", "ds"]])).to_numpy()
            sl = queue_metrics(queue, volume, desk, part["within_s"].to_numpy())["service_level"]
        else:
            sl = np.where(part["required"] > 0, np.minimum(1.0, part["scheduled"] / part["required"].clip(lower=1)), 1.0)
        cov.loc[m, "service_level"] = sl
    return cov[COVERAGE_COLUMNS]


VIOLATION_COLUMNS = columns("violations")


def cost_breakdown(plan, staff: pd.DataFrame, roster: pd.DataFrame, cov: pd.DataFrame, curves: dict) -> pd.DataFrame:
    """Every term of the roster's objective, recomputed from the frames (``cost`` in yuan): the
    ``price`` faces of the registry's soft terms (``scheduler.rules.terms.SOFT_TERMS``)."""
    return _cost_frame(price(Frames(plan, staff, roster, cov, curves)))


def service_costs(plan, cov: pd.DataFrame, curves: dict) -> pd.DataFrame:
    """The objective's terms on coverage alone (service level lost, over-staffing, below target), as ``cost_breakdown``."""
    return _cost_frame(price(Frames(plan, None, None, cov, curves), scopes=("hour",)))


def _cost_frame(rows: list) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(row[:len(VIOLATION_COLUMNS)]) for row in rows], columns=VIOLATION_COLUMNS)
    frame["cost"] = frame["cost"] / COST_SCALE
    return frame


PAY_RULES = wages.RULES  # what the plan pays its agents; the other terms are planning weights


def late_totals(plan, costs: pd.DataFrame) -> dict:
    """Late chats and late touches over the plan, and what the late chats cost in lost sales (``late_cost``)."""
    service = costs[costs["rule"] == "service_level"]
    queue = service["key"].str.split(" ").str[0]
    chat = queue.map(lambda q: plan.queues[q].kind == "chat")
    return {"chats": int(round(service.loc[chat, "amount"].sum())),
            "touches": int(round(service.loc[~chat, "amount"].sum())),
            "lost_sales_yuan": round(float(service.loc[chat, "cost"].sum()), 1),
            "late_touches_yuan": round(float(service.loc[~chat, "cost"].sum()), 1)}



# -- reading a roster file -------------------------------------------------------------------
def _read_csv(path: Path, required, what: str) -> pd.DataFrame:
    """The file's cells as text (:func:`forecasts.tables.read_table`), with the required columns
    and no row repeating another cell for cell."""
    frame = read_table(path, what, required)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (expected {', '.join(required)})")
    again = frame.duplicated(keep="first").to_numpy()
    if again.any():
        i = int(again.argmax())
        first = int((frame.iloc[:i] == frame.iloc[i]).all(axis=1).to_numpy().argmax())
        raise InputError(f"{path}: row {i + 1} repeats row {first + 1} cell for cell; expected each {what} row once")
    return frame


def _timestamps(path: Path, frame: pd.DataFrame, col: str, **how) -> pd.Series:
    """Column ``col`` parsed by :func:`forecasts.tables.parse_times` (year first, never guessed)."""
    return pd.Series(parse_times(frame[col], str(path), col, **how).to_numpy(), index=frame.index)


def read_roster(path: str | Path) -> pd.DataFrame:
    """Read a roster CSV (also one edited by hand) into the roster frame.

    Takes ``agent_id, date, shift, start, end`` (+ optional ``break_start``, others kept as text);
    returns them with ``date`` as dates and the times as ``datetime64``. A blank ``break_start``
    is placed anew; an unreadable one, like any bad cell, raises :class:`InputError` naming the row.
    """
    path = Path(path)
    frame = _read_csv(path, ROSTER_REQUIRED, "roster")
    frame["date"] = _timestamps(path, frame, "date", dates=True).dt.date
    for col in ("start", "end"):
        frame[col] = _timestamps(path, frame, col)
    if "break_start" in frame.columns:  # optional: a blank break is placed anew
        frame["break_start"] = _timestamps(path, frame, "break_start", blank_ok=True)
    return frame


def read_assignments(path: str | Path) -> pd.DataFrame:
    """Read an assignments CSV: the assignments frame ``agent_id, ds, queue`` (``ds`` as ``datetime64``)."""
    path = Path(path)
    frame = _read_csv(path, ("agent_id", "ds", "queue"), "assignments")
    frame["ds"] = _timestamps(path, frame, "ds")
    return frame[["agent_id", "ds", "queue"]]
