"""The solver-free checker: every hard rule, the hourly coverage and the objective, from frames alone.

Each rule is a short function named after the rule, registered in ``RULES``; it takes a
``Context`` and returns ``Violation`` rows. The CLI runs ``check`` after every solve and
refuses to write a roster with violations; tests use it as the oracle.

Takes: roster frame (``agent_id, date, shift, start, end``), assignments frame
(``agent_id, ds, queue``, optional), staff frame, requirements frame, plan.
Returns: violations (list of ``Violation``), coverage frame (``queue, ds, required, scheduled,
shortfall, service_level``) and the objective's terms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.errors import InputError
from scheduler.shifts import shift_end, shift_start
from scheduler.staffing import desk_from_scheduled, queue_metrics, shrinkage_by_hour

ROSTER_REQUIRED = ("agent_id", "date", "shift", "start", "end")
COVERAGE_COLUMNS = ["queue", "ds", "required", "scheduled", "shortfall", "service_level"]


@dataclass(frozen=True)
class Violation:
    rule: str
    agent_id: str
    date: object
    message: str

    def line(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class Context:
    plan: object
    staff: pd.DataFrame  # indexed by agent_id
    roster: pd.DataFrame
    assignments: pd.DataFrame | None

    def shifts_known(self) -> pd.DataFrame:
        """Roster rows whose agent and template exist (the other rows are reported once by their own rule)."""
        r = self.roster
        return r[r["agent_id"].isin(self.staff.index) & r["shift"].isin(self.plan.shifts)]

    def template(self, name: str):
        return self.plan.shifts[name]


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


def one_shift_per_day(ctx: Context):
    counts = ctx.roster.groupby(["agent_id", "date"]).size()
    for (agent, date), n in counts[counts > 1].items():
        yield Violation("one_shift_per_day", agent, date, f"agent {agent} has {n} shifts on {date}")


def availability(ctx: Context):
    for row in ctx.shifts_known().itertuples():
        if row.date in ctx.staff.at[row.agent_id, "unavailable"]:
            yield Violation("availability", row.agent_id, row.date, f"agent {row.agent_id} is unavailable on {row.date}")


def night_allowed(ctx: Context):
    for row in ctx.shifts_known().itertuples():
        if ctx.template(row.shift).night and not ctx.staff.at[row.agent_id, "night_allowed"]:
            yield Violation("night_allowed", row.agent_id, row.date, f"agent {row.agent_id} may not work nights but has {row.shift} on {row.date}")


def employment(ctx: Context):
    for row in ctx.shifts_known().itertuples():
        kind = ctx.staff.at[row.agent_id, "employment"]
        if kind not in ctx.template(row.shift).employment:
            yield Violation("employment", row.agent_id, row.date, f"agent {row.agent_id} ({kind}) may not work {row.shift} on {row.date}")


def min_rest(ctx: Context):
    need = ctx.plan.rules.min_rest_h
    for agent, rows in ctx.roster.sort_values("start").groupby("agent_id"):
        for prev, nxt in zip(rows.itertuples(), rows.iloc[1:].itertuples()):
            rest = (nxt.start - prev.end) / pd.Timedelta(hours=1)
            if rest < need:
                yield Violation("min_rest", agent, nxt.date,
                                f"agent {agent} rests {rest:g} h between the shift ending {prev.end:%Y-%m-%d %H:%M} and the one starting {nxt.start:%Y-%m-%d %H:%M} (minimum {need:g} h)")


def max_consecutive_days(ctx: Context):
    limit = ctx.plan.rules.max_consecutive_days
    for agent, rows in ctx.roster.groupby("agent_id"):
        days = sorted(set(rows["date"]))
        run_start, run = days[0], 1
        for prev, day in zip(days, days[1:] + [None]):
            if day is not None and (day - prev).days == 1:
                run += 1
                continue
            if run > limit:
                yield Violation("max_consecutive_days", agent, run_start, f"agent {agent} works {run} days in a row from {run_start} (maximum {limit})")
            run_start, run = day, 1


def weekly_hours(ctx: Context):
    days = ctx.plan.roster_days
    known = ctx.shifts_known()
    paid = known["shift"].map(lambda s: ctx.template(s).paid_hours)
    for start in days[: max(1, len(days) - 6)]:
        inside = (known["date"] >= start) & (known["date"] < start + dt.timedelta(days=7))
        for agent, hours in paid[inside].groupby(known.loc[inside, "agent_id"]).sum().items():
            cap = ctx.staff.at[agent, "max_week_hours"]
            if hours > cap:
                yield Violation("weekly_hours", agent, start, f"agent {agent} is paid {hours:g} h in the 7 days from {start} (maximum {cap:g})")


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


SHIFT_RULES = [known_agent_and_shift, inside_window, shift_times, one_shift_per_day, availability,
               night_allowed, employment, min_rest, max_consecutive_days, weekly_hours]
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


def objective_terms(plan, staff: pd.DataFrame, roster: pd.DataFrame, cov: pd.DataFrame, scale: int) -> dict[str, float]:
    """The roster objective in yuan, by term, rounded per term exactly as the solver does (``scale`` units a yuan)."""
    cost = staff.set_index("agent_id")["hourly_cost"]
    wages = sum(round(cost[r.agent_id] * plan.shifts[r.shift].paid_hours * scale) for r in roster.itertuples())
    short = sum(round(q.short_cost * scale) * int(cov.loc[cov["queue"] == n, "shortfall"].sum()) for n, q in plan.queues.items())
    over = round(plan.costs.overstaff_per_agent_hour * scale) * int((cov["scheduled"] - cov["required"]).clip(lower=0).sum())
    terms = {"wages": wages / scale, "understaffing": short / scale, "overstaffing": over / scale}
    terms["total"] = sum(terms.values())
    return terms


# -- reading a roster file -------------------------------------------------------------------
def _read_csv(path: Path, required, what: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the {what} file ({exc})") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (expected {', '.join(required)})")
    return frame


def _timestamps(path: Path, frame: pd.DataFrame, col: str) -> pd.Series:
    parsed = pd.to_datetime(frame[col], errors="coerce", format="mixed")
    bad = parsed.isna()
    if bad.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad)[:5])
        raise InputError(f"{path}: column {col!r}, row(s) {rows}: expected a timestamp YYYY-MM-DD HH:MM")
    return parsed


def read_roster(path: str | Path) -> pd.DataFrame:
    """Read a roster CSV (also one edited by hand) into the roster frame."""
    path = Path(path)
    frame = _read_csv(path, ROSTER_REQUIRED, "roster")
    frame["date"] = _timestamps(path, frame, "date").dt.date
    for col in ("start", "end"):
        frame[col] = _timestamps(path, frame, col)
    return frame


def read_assignments(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    frame = _read_csv(path, ("agent_id", "ds", "queue"), "assignments")
    frame["ds"] = _timestamps(path, frame, "ds")
    return frame[["agent_id", "ds", "queue"]]
