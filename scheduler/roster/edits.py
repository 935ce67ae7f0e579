"""A roster edited by hand: give it its hourly split when the published one no longer fits, and
say what the edit changed.

The hourly split of a written roster is ``assignments.csv``; after a hand edit it describes
shifts that no longer exist. It is kept only while it ``fits``: covers exactly the roster's hours
on duty. Otherwise ``split_after_edit`` recomputes the planner's own split: each shift keeps its
break (the roster's ``break_start``, or for a shift the published split has too, the break it had
there) or gets one where the agents of its skills are most spare; then each hour's multi-skilled
agents go over their queues at the least cost (``greedy.greedy_flows``, optimal once the shifts
are fixed), and every hour the edit did not touch keeps its published split.

Takes: the plan, the staff frame, a roster frame (``agent_id, date, shift, start, end``), the
published assignments frame (``agent_id, ds, queue``) and the requirements. Returns: an
assignments frame, and the effect of the edit (``Effect``: hours under target per queue and late
chats before and after, the hours that got worse, the shifts changed by agent name).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from scheduler.check.checker import coverage, late_totals, service_costs
from scheduler.roster.search.greedy import greedy_flows, marginal
from scheduler.roster.model import Demand, hourly_assignments
from scheduler.plan.shifts import ShiftOption


def duty_hours(roster: pd.DataFrame, plan) -> set[tuple[str, pd.Timestamp]]:
    """Every (agent, hour) a roster has on duty inside the plan's window, breaks included."""
    t0, t1 = pd.Timestamp(plan.start), pd.Timestamp(plan.end) + pd.Timedelta(days=1)
    out = set()
    for row in roster.itertuples():
        for ds in pd.date_range(max(row.start, t0), min(row.end, t1), freq="h", inclusive="left"):
            out.add((row.agent_id, ds))
    return out


def fits(roster: pd.DataFrame, assignments: pd.DataFrame | None, plan) -> bool:
    """Whether ``assignments`` covers exactly the roster's hours on duty (so it is its split, not a stale one)."""
    if assignments is None:
        return False
    return set(zip(assignments["agent_id"], assignments["ds"])) == duty_hours(roster, plan)


def _option(template, row, breaks: set) -> ShiftOption | None:
    """The shift's break: the roster row's own, else the one the published split gave the same shift,
    when the template allows it; else None (to be placed)."""
    if template.break_hours == 0:
        return ShiftOption(template, None)
    hour = pd.Timedelta(hours=1)
    brk = getattr(row, "break_start", pd.NaT)
    if pd.notna(brk) and (offset := int((pd.Timestamp(brk) - row.start) / hour)) in template.break_starts():
        return ShiftOption(template, offset)
    for b in template.break_starts():
        if all((row.agent_id, row.start + k * hour) in breaks for k in range(b, b + template.break_hours)):
            return ShiftOption(template, b)
    return None


def _placed(demand: Demand, roster: pd.DataFrame, published: pd.DataFrame | None) -> tuple[list, list]:
    """Roster rows as ``(agent row, model day, option or None)``; rows the checker rejects are left out."""
    rows_of = {a: i for i, a in enumerate(demand.staff["agent_id"])}
    day_of = {d: i for i, d in enumerate(demand.days)}
    breaks = set() if published is None else set(map(tuple, published.loc[published["queue"] == "break", ["agent_id", "ds"]].to_numpy()))
    known, open_breaks = [], []
    for row in roster.itertuples():
        template = demand.plan.shifts.get(row.shift)
        if row.agent_id not in rows_of or template is None or row.date not in day_of:
            continue
        opt = _option(template, row, breaks)
        item = [rows_of[row.agent_id], day_of[row.date], opt if opt is not None else ShiftOption(template, None)]
        (known if opt is not None else open_breaks).append(item)
    return known, open_breaks


def _desk(demand: Demand, items) -> dict:
    """Agents at the desk per (queue, hour), counting each agent once in every queue of its skills."""
    present = defaultdict(int)
    for a, d, opt in items:
        for t in opt.desk_hours(d, demand.n_hours):
            for q in demand.staff.at[a, "skills"]:
                present[q, t] += 1
    return present


def _place_breaks(demand: Demand, known: list, open_breaks: list) -> list:
    """Each open break where the agents of the shift's skills are most spare, one shift at a time."""
    present = _desk(demand, known + [[a, d, ShiftOption(o.template, None)] for a, d, o in open_breaks])
    for item in open_breaks:
        a, d, opt = item
        skills, base = demand.staff.at[a, "skills"], 24 * (d - 1) + opt.template.start_hour
        best, best_cost = None, None
        for b in opt.template.break_starts():
            hours = [base + k for k in range(b, b + opt.template.break_hours) if 0 <= base + k < demand.n_hours]
            cost = sum(min(marginal(demand, q, t, present[q, t] - 1) for q in skills) for t in hours)
            if best_cost is None or cost < best_cost:
                best, best_cost = b, cost
        item[2] = ShiftOption(opt.template, best)
        for t in (base + k for k in range(best, best + opt.template.break_hours)):
            for q in skills:
                present[q, t] -= 1
    return known + open_breaks


def recompute_split(demand: Demand, roster: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """The planner's split of a roster's hours: breaks kept (the roster's, or the published split's for
    a shift it still has) or placed, then the least-cost flows."""
    items = _place_breaks(demand, *_placed(demand, roster, published))
    chosen = {(a, d): demand.opts.index(opt) for a, d, opt in items}
    flows = greedy_flows(demand, chosen)
    agents = list(demand.staff.itertuples())
    return hourly_assignments(((agents[a], d, opt) for a, d, opt in items), lambda g, q, t: flows.get((g, q, t), 0),
                              demand.t0, demand.n_hours)


def _signature(assignments: pd.DataFrame) -> pd.Series:
    """Per hour, who is on duty and who of them on a break."""
    pairs = assignments["agent_id"] + (assignments["queue"] == "break").map({True: "/b", False: ""})
    return pairs.groupby(assignments["ds"]).agg(frozenset)


def keep_published(fresh: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """``fresh`` with the published split kept in every hour whose agents on duty and on break did not change,
    so an edit moves agents between queues only in the hours it touched."""
    old, new = _signature(published), _signature(fresh)
    same = new.index[new.eq(old.reindex(new.index))]
    keep = published["ds"].isin(same)
    return pd.concat([published[keep], fresh[~fresh["ds"].isin(same)]]).sort_values(["agent_id", "ds"], ignore_index=True)


def split_after_edit(demand: Demand, roster: pd.DataFrame, published: pd.DataFrame | None) -> pd.DataFrame:
    """An edited roster's hourly split: recomputed, the published split kept in the hours the edit did not touch."""
    fresh = recompute_split(demand, roster, published)
    return fresh if published is None else keep_published(fresh, published)


@dataclass(frozen=True)
class Effect:
    """What a hand edit changed against the published roster."""

    under_before: dict  # queue -> hours under target
    under_after: dict
    late_before: dict  # late chats and touches, lost sales (``summary.late_totals``)
    late_after: dict
    worse: pd.DataFrame  # queue, ds, required, scheduled_before, scheduled_after, service_level_before, _after
    shifts: list  # (agent_id, name, removed [(start, end, label)], added [...])


def _under(cov: pd.DataFrame, plan) -> dict:
    live = cov[cov["service_level"].notna() & (cov["shortfall"] > 0)]
    return {q: int((live["queue"] == q).sum()) for q in plan.queues}


def _blocks(assignments: pd.DataFrame) -> set[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """Each agent's runs of consecutive hours on duty as (agent, start, end): the published shifts."""
    out = set()
    hour = pd.Timedelta(hours=1)
    for agent, part in assignments.sort_values("ds").groupby("agent_id"):
        hours = list(part["ds"])
        start = prev = hours[0]
        for ds in hours[1:] + [None]:
            if ds is not None and ds - prev == hour:
                prev = ds
                continue
            out.add((agent, start, prev + hour))
            if ds is not None:
                start = prev = ds
    return out


def _label(plan, start: pd.Timestamp, end: pd.Timestamp) -> str:
    hours = (end - start) / pd.Timedelta(hours=1)
    for t in plan.shifts.values():
        if t.start_hour == start.hour and t.hours == hours:
            return t.label
    return ""


def shift_changes(plan, staff: pd.DataFrame, roster: pd.DataFrame, published: pd.DataFrame) -> list:
    """Per agent whose shifts changed: (agent_id, name, removed, added), each shift ``(start, end, label)``,
    both sides clipped to the plan's window (as the published hourly split has them)."""
    t0, t1 = pd.Timestamp(plan.start), pd.Timestamp(plan.end) + pd.Timedelta(days=1)
    now = {(r.agent_id, max(r.start, t0), min(r.end, t1)) for r in roster.itertuples() if r.end > t0 and r.start < t1}
    before = _blocks(published)
    names = dict(zip(staff["agent_id"], staff["name"]))
    changed = defaultdict(lambda: ([], []))
    for agent, start, end in sorted(before - now):
        changed[agent][0].append((start, end, _label(plan, start, end)))
    for agent, start, end in sorted(now - before):
        changed[agent][1].append((start, end, _label(plan, start, end)))
    return [(a, names.get(a, a), removed, added) for a, (removed, added) in sorted(changed.items())]


def edit_effect(demand: Demand, roster: pd.DataFrame, hourly: pd.DataFrame, published: pd.DataFrame) -> Effect:
    """Hours under target and late chats before (the published split) and after (``hourly``), what got worse."""
    plan, req, flags = demand.plan, demand.req, demand.flags
    before, after = coverage(plan, req, published, flags), coverage(plan, req, hourly, flags)
    late = [late_totals(plan, service_costs(plan, cov, demand.curves)) for cov in (before, after)]
    both = before.merge(after, on=["queue", "ds", "required"], suffixes=("_before", "_after"))
    worse = both[both["service_level_after"].notna()
                 & ((both["service_level_after"] < both["service_level_before"] - 1e-3)
                    | (both["shortfall_after"] > both["shortfall_before"]))]
    worse = worse.assign(drop=worse["service_level_before"] - worse["service_level_after"])
    worse = worse.sort_values(["drop", "ds"], ascending=[False, True])
    return Effect(_under(before, plan), _under(after, plan), *late, worse.reset_index(drop=True),
                  shift_changes(plan, demand.staff, roster, published))
