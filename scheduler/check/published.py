"""A re-plan against a published roster (``peakplan replan``, issue 20): what is locked, what a
change is, and the changes a new roster makes, from frames alone.

The **lock**: a published shift that starts before ``lock_end`` (the cut-off plus the plan's
``[replan] lock_days``) is kept exactly (template and break); no shift is added or moved to start
before it. Every later agent-day whose shift differs from the published one (another template,
removed, or added) is a **change**, at ``[replan] change_cost`` yuan each; a break moved within the
same shift is not (breaks are set on the day). The hard rules hold across the lock boundary because
the checker and the solver see the whole window, the locked days included.

Takes: the published roster frame (``agent_id, name, date, shift, start, break_start``), the new
one, and for the reasons the published roster's coverage on the new requirements (``queue, ds,
required, scheduled``). Returns: ``lock_violations`` (lines), ``changes`` (each changed agent-day, ``agent_id, name, date,
old_shift, new_shift`` and the reasons' fields, which ``scheduler.pipeline.changes`` puts in words as
the **changes** frame's ``why``) and ``change_counts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from scheduler.plan.money import units

HOUR = pd.Timedelta(hours=1)
REST = "rest"  # an agent-day without a shift, in the changes frame
CHANGE_COLUMNS = ["agent_id", "name", "date", "old_shift", "new_shift", "why"]
REASONS = ["short_hours", "short_queues", "short_from", "short_to", "over_hours", "balances"]


def _break_offset(row) -> int | None:
    return int((row.break_start - row.start) / HOUR) if pd.notna(row.break_start) else None


@dataclass(frozen=True, eq=False)
class Published:
    """The published roster, the re-plan's cut-off ``as_of`` and the end of its lock."""

    roster: pd.DataFrame
    as_of: pd.Timestamp
    lock_end: pd.Timestamp
    change_cost: float

    @classmethod
    def of(cls, roster: pd.DataFrame, as_of, plan) -> Published:
        as_of = pd.Timestamp(as_of)
        return cls(roster, as_of, as_of + pd.Timedelta(days=plan.replan.lock_days), plan.replan.change_cost)

    @cached_property
    def shifts(self) -> dict:
        """``{(agent_id, date): (shift, start, break offset)}`` of the published roster."""
        return {(r.agent_id, r.date): (r.shift, r.start, _break_offset(r)) for r in self.roster.itertuples()}

    @cached_property
    def ends(self) -> dict:
        """``{(agent_id, date): end}`` of the published shifts."""
        return {(r.agent_id, r.date): r.end for r in self.roster.itertuples()}

    def locked(self, agent_id, day) -> tuple | None:
        """The published shift of ``agent_id`` on ``day`` if the lock keeps it."""
        pub = self.shifts.get((agent_id, day))
        return pub if pub is not None and pub[1] < self.lock_end else None

    def allows(self, agent_id, day, template, break_start: int | None, start: pd.Timestamp) -> bool:
        """Whether the lock lets ``agent_id`` work ``template`` (break ``break_start``) starting ``start`` on ``day``."""
        pub = self.locked(agent_id, day)
        if pub is not None:
            return (template.name, break_start) == (pub[0], pub[2])
        return start >= self.lock_end

    def first_open_day(self, days: list) -> int:
        """The index of the first of ``days`` on which some shift may still change (it ends after the lock's end)."""
        return next((d for d, day in enumerate(days) if pd.Timestamp(day) + pd.Timedelta(days=1) > self.lock_end), len(days))

    def change_weight(self) -> int:
        """A change's cost in objective units."""
        return units(self.change_cost)

    def after_lock(self) -> int:
        """Published shifts starting at or after the lock's end (what a re-plan may change)."""
        return int((self.roster["start"] >= self.lock_end).sum())


def lock_violations(published: Published, roster: pd.DataFrame) -> list[str]:
    """One line per locked published shift the new roster does not keep, and per new shift before the lock."""
    new = {(r.agent_id, r.date): (r.shift, r.start, _break_offset(r)) for r in roster.itertuples()}
    lines, named = [], set()
    for (agent, day), pub in sorted(published.shifts.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if pub[1] < published.lock_end and new.get((agent, day)) != pub:
            named.add((agent, day))
            lines.append(f"{agent} {day}: the published {pub[0]} shift starting {pub[1]:%m-%d %H:%M} is locked "
                         f"(before {published.lock_end:%m-%d %H:%M}) but the roster has {_label(new.get((agent, day)))}")
    for (agent, day), shift in sorted(new.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if shift[1] < published.lock_end and published.shifts.get((agent, day)) != shift and (agent, day) not in named:
            lines.append(f"{agent} {day}: a {shift[0]} shift starting {shift[1]:%m-%d %H:%M} is inside the lock "
                         f"(before {published.lock_end:%m-%d %H:%M}) and was not published")
    return lines


def _label(shift: tuple | None) -> str:
    if shift is None:
        return "no shift"
    brk = f", break at +{shift[2]} h" if shift[2] is not None else ""
    return f"{shift[0]} starting {shift[1]:%m-%d %H:%M}{brk}"


def changes(published: Published, roster: pd.DataFrame, staff: pd.DataFrame, old_cov: pd.DataFrame) -> pd.DataFrame:
    """The **changes** frame: each agent-day whose shift the new roster changes, and its reasons.

    ``old_cov``: the published roster's coverage on the new requirements. The reasons: the short
    queue-hours of its skills the new shift covers (``short_hours``, ``short_queues``, ``short_from``,
    ``short_to``), the hours of the published shift over the new requirement (``over_hours``), and
    for a change with neither the day of the agent's other change it balances (``balances``).
    """
    old = {k: v[0] for k, v in published.shifts.items()}
    new = {(r.agent_id, r.date): (r.shift, r.start, r.end) for r in roster.itertuples()}
    names = dict(zip(staff["agent_id"], staff["name"]))
    skills = dict(zip(staff["agent_id"], staff["skills"]))
    short, over = _short_over(old_cov)
    rows = []
    for agent, day in sorted(set(old) | set(new), key=lambda k: (str(k[0]), k[1])):
        before, after = old.get((agent, day)), new.get((agent, day))
        if before == (after[0] if after else None):
            continue
        why = {**_covers(after, skills.get(agent, ()), short), "over_hours": _over(published, agent, day, skills.get(agent, ()), over)}
        why["balances"] = None if why["short_hours"] or why["over_hours"] else _balance(agent, day, old, new)
        rows.append({"agent_id": agent, "name": names.get(agent, ""), "date": day, "old_shift": before or REST,
                     "new_shift": after[0] if after else REST, **why})
    return pd.DataFrame(rows, columns=[*CHANGE_COLUMNS[:-1], *REASONS])


def _short_over(cov: pd.DataFrame) -> tuple[dict, set]:
    """``{(queue, ds): agents short}`` and the over-staffed ``(queue, ds)`` of a coverage frame."""
    gap = cov["required"] - cov["scheduled"]
    keys = list(zip(cov["queue"], cov["ds"]))
    return {k: int(g) for k, g in zip(keys, gap) if g > 0}, {k for k, g in zip(keys, gap) if g < 0}


def _covers(after, skills, short: dict) -> dict:
    """The short queue-hours (of the published roster on the new requirements) a new shift covers."""
    covered = []
    if after is not None:
        hours = pd.date_range(after[1], after[2] - HOUR, freq="h")
        covered = sorted({(q, h) for h in hours for q in skills if (q, h) in short}, key=lambda k: (k[1], k[0]))
    return {"short_hours": len(covered), "short_queues": "|".join(sorted({q for q, _ in covered})),
            "short_from": covered[0][1] if covered else pd.NaT,
            "short_to": max(h for _, h in covered) + HOUR if covered else pd.NaT}


def _over(published: Published, agent, day, skills, over: set) -> int:
    """Hours of the published shift (if any) in which a queue of the agent's is over the new requirement."""
    if (agent, day) not in published.shifts:
        return 0
    hours = pd.date_range(published.shifts[agent, day][1], published.ends[agent, day], freq="h", inclusive="left")
    return sum(1 for h in hours if any((q, h) in over for q in skills))


def _balance(agent, day, old: dict, new: dict):
    """The nearest day (within a week) of the agent's other change, which this one balances (rest, weekly hours)."""
    near = sorted((abs((d - day).days), d) for (a, d) in set(old) | set(new) if a == agent and d != day
                  and abs((d - day).days) < 7 and old.get((a, d)) != (new.get((a, d)) or (None,))[0])
    return near[0][1] if near else None


def change_counts(published: Published, frame: pd.DataFrame) -> dict:
    """Agents affected, changes, and the share of the published shifts after the lock that changed."""
    later = published.after_lock()
    changed_published = int((frame["old_shift"] != REST).sum())
    return {"agents": int(frame["agent_id"].nunique()), "changes": int(len(frame)),
            "published_after_lock": later, "changed_published": changed_published,
            "share": changed_published / later if later else 0.0}
