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

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.errors import InputError
from forecasts.tables import parse_times, read_table
from scheduler.rules.pay import preference_broken, rest_day_premium, shift_pay
from scheduler.rules.labour import OPTION_RULES, comparable_groups, contract_days, min_hours_due, overtime_eligible, week_blocks
from scheduler.plan.money import COST_SCALE, units
from scheduler.plan.shifts import shift_end, shift_start
from scheduler.staffing.requirements import desk_from_scheduled, queue_metrics, shrinkage_by_hour

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


def _option_rule(rule):
    """A checker rule from a predicate of ``scheduler.rules.labour.OPTION_RULES`` (same name, same test)."""
    def check(ctx: Context):
        for row in ctx.shifts_known().itertuples():
            agent, template = ctx.staff.loc[row.agent_id], ctx.template(row.shift)
            if not rule(agent, template, row.date, ctx.plan):
                yield Violation(rule.__name__, row.agent_id, row.date, f"agent {row.agent_id} may not work {row.shift} on {row.date} ({OPTION_TEXT[rule.__name__]})")
    check.__name__ = rule.__name__
    return check


OPTION_TEXT = {"availability": "unavailable that day", "night_allowed": "no night shifts",
               "employment": "not for this employment type", "template_dates": "template not used that day",
               "daily_overtime": "more overtime in one day than allowed"}


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


def _per_agent_days(ctx: Context):
    """Per known agent (every agent in the staff file): its shifts as (model day, template)."""
    known = ctx.shifts_known()
    by_agent = {a: [] for a in ctx.staff.index}
    for row in known.itertuples():
        by_agent[row.agent_id].append(((row.date - ctx.plan.start).days + 1, ctx.template(row.shift)))
    return by_agent


def max_week_hours(ctx: Context):
    for agent_id, shifts in _per_agent_days(ctx).items():
        cap = ctx.staff.at[agent_id, "max_week_hours"]
        for block in week_blocks(ctx.plan):
            paid = sum(t.paid_hours for d, t in shifts if d in block)
            if paid > cap:
                yield Violation("max_week_hours", agent_id, ctx.plan.roster_days[block[1] if len(block) > 1 else 0],
                                f"agent {agent_id} is paid {paid:g} h in the week from {ctx.plan.roster_days[max(block[0], 1)]} (maximum {cap:g})")


def min_week_hours(ctx: Context):
    for agent_id, shifts in _per_agent_days(ctx).items():
        agent = ctx.staff.loc[agent_id]
        for block in week_blocks(ctx.plan):
            due, paid = min_hours_due(agent, ctx.plan, block), sum(t.paid_hours for d, t in shifts if d in block)
            if paid < due:
                yield Violation("min_week_hours", agent_id, ctx.plan.roster_days[max(block[0], 1)],
                                f"agent {agent_id} is paid {paid:g} h in the week from {ctx.plan.roster_days[max(block[0], 1)]}, the contract asks at least {due:g}")


def max_nights(ctx: Context):
    rules = ctx.plan.rules
    for agent_id, shifts in _per_agent_days(ctx).items():
        nights = sorted(d for d, t in shifts if t.night)
        if len(nights) > rules.max_nights:
            yield Violation("max_nights", agent_id, None, f"agent {agent_id} works {len(nights)} nights (maximum {rules.max_nights})")
        for d in nights:
            in_week = sum(d <= e < d + 7 for e in nights)
            if in_week > rules.max_nights_per_7_days:
                yield Violation("max_nights", agent_id, ctx.plan.roster_days[d], f"agent {agent_id} works {in_week} nights in the 7 days from {ctx.plan.roster_days[d]} (maximum {rules.max_nights_per_7_days})")
                break


def night_to_day_rest(ctx: Context):
    off = ctx.plan.rules.night_to_day_days_off
    for agent_id, shifts in _per_agent_days(ctx).items():
        for d, t in shifts:
            for e, u in shifts:
                if t.night and not u.night and 0 < e - d <= off:
                    yield Violation("night_to_day_rest", agent_id, ctx.plan.roster_days[e],
                                    f"agent {agent_id} switches from nights ({ctx.plan.roster_days[d]}) to days ({ctx.plan.roster_days[e]}) with {e - d - 1} day(s) off (minimum {off})")


def _rest_days_worked(plan, agent, days: list[int]) -> list[int]:
    """Per 7-day block: days worked (model days ``days``) past the contract's, paid at the rest-day rate."""
    return [max(0, sum(d in block for d in days) - contract_days(agent, plan, block)) for block in week_blocks(plan)]


def overtime_month(ctx: Context):
    plan = ctx.plan
    std = plan.rules.daily_standard_h
    for agent_id, shifts in _per_agent_days(ctx).items():
        agent = ctx.staff.loc[agent_id]
        if not overtime_eligible(agent, plan):
            continue
        months: dict[tuple[int, int], float] = defaultdict(float)
        for block, extra in zip(week_blocks(plan), _rest_days_worked(plan, agent, [d for d, _ in shifts])):
            month = plan.roster_days[max(block[0], 1)].timetuple()[:2]
            months[month] += extra * int(std) + sum(max(0, round(t.paid_hours - std)) for d, t in shifts if d in block)
        for (year, month), hours in months.items():
            if hours > plan.rules.max_overtime_h_month:
                yield Violation("overtime_month", agent_id, None, f"agent {agent_id} works {hours:g} h of overtime in {year}-{month:02d} (maximum {plan.rules.max_overtime_h_month:g})")


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


SHIFT_RULES = [known_agent_and_shift, inside_window, shift_times, one_shift_per_day,
               *[_option_rule(rule) for rule in OPTION_RULES], min_rest, max_consecutive_days, max_week_hours,
               min_week_hours, max_nights, night_to_day_rest, overtime_month]
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


VIOLATION_COLUMNS = ["rule", "key", "amount", "unit", "cost"]


def _service_rows(plan, cov: pd.DataFrame, curves: dict) -> list[tuple]:
    t0, over_cost, rows = pd.Timestamp(plan.start), units(plan.costs.overstaff_per_agent_hour), []
    for r in cov.itertuples():
        t = int((r.ds - t0) / pd.Timedelta(hours=1))
        key = f"{r.queue} {r.ds:%Y-%m-%d %H:%M}"
        curve = curves.get((r.queue, t))
        if curve is not None and curve.value(r.scheduled):
            unit = "late chats" if plan.queues[r.queue].kind == "chat" else "late touches"
            rows.append(("service_level", key, round(curve.late(r.scheduled), 3), unit, curve.value(r.scheduled)))
        if r.scheduled > r.required and over_cost:
            rows.append(("overstaffing", key, r.scheduled - r.required, "agent-hours", over_cost * (r.scheduled - r.required)))
        floor_cost = units(plan.queues[r.queue].floor_cost)
        if r.scheduled < r.required and floor_cost:
            rows.append(("below_target", key, r.required - r.scheduled, "agent-hours", floor_cost * (r.required - r.scheduled)))
    return rows


def _pay_rows(plan, staff: pd.DataFrame, roster: pd.DataFrame) -> list[tuple]:
    agents = staff.set_index("agent_id", drop=False)
    by_id = {a: agents.loc[a] for a in agents.index}
    days = {a: [] for a in agents.index}
    pay, rows, w = 0, [], units(plan.costs.preference)
    for r in roster.itertuples():
        agent, template = by_id[r.agent_id], plan.shifts[r.shift]
        pay += shift_pay(agent, template, r.date, plan)
        days[r.agent_id].append((r.date - plan.start).days + 1)
        if w and (broken := preference_broken(agent, template, r.date)):
            rows.append(("preferences", f"{r.agent_id} {r.date}", broken, "preferences", w * broken))
    rows.insert(0, ("wages", "all shifts", int(sum(plan.shifts[s].paid_hours for s in roster["shift"])), "paid hours", pay))
    for agent_id, worked in days.items():
        agent = by_id[agent_id]
        premium = rest_day_premium(agent, plan)
        for block, extra in zip(week_blocks(plan), _rest_days_worked(plan, agent, worked) if premium else ()):
            if extra:
                rows.append(("rest_day_work", f"{agent_id} week of {plan.roster_days[max(block[0], 1)]}", extra, "days", premium * extra))
    return rows


FAIRNESS = (("night", "fairness_nights", "nights", "fair_nights", True),  # column, rule, unit, weight, night agents only
            ("sale", "fairness_sale_nights", "sale nights", "fair_sale_nights", True),
            ("paid", "fairness_hours", "hours", "fair_hours", False))


def fairness_tally(plan, staff: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Per agent of the staff file (index ``agent_id``): nights, sale-night shifts and paid hours worked."""
    counts = roster.assign(night=roster["shift"].map(lambda s: plan.shifts[s].night),
                           sale=roster["shift"].map(lambda s: plan.shifts[s].sale_night),
                           paid=roster["shift"].map(lambda s: plan.shifts[s].paid_hours))
    per_agent = counts.groupby("agent_id")[["night", "sale", "paid"]].sum()
    return per_agent.reindex(staff["agent_id"]).fillna(0).astype(int)


def fairness_spreads(plan, staff: pd.DataFrame, roster: pd.DataFrame) -> list[tuple]:
    """``(rule, unit, weight key, (employment, days available), spread)`` per comparable group and
    measure: the most minus the fewest among the group's agents (nights among those allowed nights)."""
    staff = staff.reset_index(drop=True)
    tally, out = fairness_tally(plan, staff, roster), []
    for group, members in comparable_groups(staff, plan).items():
        ids = staff.loc[members]
        night_ok = ids["night_allowed"].to_numpy()
        for col, rule, unit, weight, nights_only in FAIRNESS:
            values = tally.loc[ids["agent_id"], col].to_numpy()
            values = values[night_ok] if nights_only else values
            if len(values) >= 2:
                out.append((rule, unit, weight, group, int(values.max() - values.min())))
    return out


def _fairness_rows(plan, staff: pd.DataFrame, roster: pd.DataFrame) -> list[tuple]:
    rows = []
    for rule, unit, weight, (kind, available), spread in fairness_spreads(plan, staff, roster):
        w = units(getattr(plan.costs, weight))
        if w > 0 and spread > 0:
            rows.append((rule, f"{kind}, {available} days available", spread, unit, w * spread))
    return rows


def cost_breakdown(plan, staff: pd.DataFrame, roster: pd.DataFrame, cov: pd.DataFrame, curves: dict) -> pd.DataFrame:
    """Every term of the roster's objective, recomputed from the frames (``cost`` in yuan)."""
    return _cost_frame(_pay_rows(plan, staff, roster) + _service_rows(plan, cov, curves) + _fairness_rows(plan, staff, roster))


def service_costs(plan, cov: pd.DataFrame, curves: dict) -> pd.DataFrame:
    """The objective's terms on coverage alone (service level lost, over-staffing, below target), as ``cost_breakdown``."""
    return _cost_frame(_service_rows(plan, cov, curves))


def _cost_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=VIOLATION_COLUMNS)
    frame["cost"] = frame["cost"] / COST_SCALE
    return frame


PAY_RULES = ("wages", "rest_day_work")  # what the plan pays its agents; the other terms are planning weights


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
