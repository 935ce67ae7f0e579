"""What a re-plan changed, and what it buys (issue 20): the ``changes.csv`` frame and the
``replan`` entry of ``summary.json``.

The published roster is priced on the new requirements with the planner's own split
(``scheduler.roster.edits.recompute_split``, its breaks kept), so "before" and "after" are the
same forecast's hours under target.

Takes: the plan, staff, the ``Published`` roster, the new roster and coverage, requirements and flags.
Returns: (changes frame, summary dict).
"""

from __future__ import annotations

import pandas as pd

from scheduler.check.checker import coverage
from scheduler.check.published import CHANGE_COLUMNS, Published, change_counts, changes
from scheduler.report.i18n import Words
from scheduler.roster.edits import recompute_split
from scheduler.roster.model import Demand


def hours_under(cov: pd.DataFrame) -> dict:
    """Open queue-hours with fewer agents than required, per queue."""
    short = cov[(cov["scheduled"] < cov["required"]) & cov["service_level"].notna()]
    return {q: int(n) for q, n in short.groupby("queue").size().items()}


def why(words: Words, r) -> str:
    """One change's reasons in the plan's language."""
    parts = []
    if r.short_hours:
        queues = words("sep").join(words.queue(q) for q in r.short_queues.split("|"))
        parts.append(words("why.covers", n=r.short_hours, queues=queues, start=f"{r.short_from:%m-%d %H:%M}",
                           end=f"{r.short_to:%H:%M}"))
    if r.over_hours:
        parts.append(words("why.over", n=r.over_hours))
    if not parts:
        parts.append(words("why.balances", day=words.day(r.balances)) if r.balances is not None else words("why.cost"))
    return words("sep").join(parts)


def replan_outputs(plan, staff: pd.DataFrame, published: Published, roster: pd.DataFrame, cov: pd.DataFrame,
                   req: pd.DataFrame, flags: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The changes frame and the summary's ``replan`` entry (the lock, the changes, hours under target before and after)."""
    old_asg = recompute_split(Demand(plan, staff, req, flags), published.roster)
    old_cov = coverage(plan, req, old_asg, flags)
    frame = changes(published, roster, staff, old_cov)
    words = Words(plan)
    frame["why"] = [why(words, r) for r in frame.itertuples()]
    frame = frame[CHANGE_COLUMNS]
    before, after = hours_under(old_cov), hours_under(cov)
    doc = {"as_of": f"{published.as_of:%Y-%m-%d %H:%M}", "lock_end": f"{published.lock_end:%Y-%m-%d %H:%M}",
           **change_counts(published, frame), "change_cost_yuan": round(published.change_cost * len(frame), 1),
           "hours_under_target": {"published": {q: before.get(q, 0) for q in plan.queues},
                                  "replan": {q: after.get(q, 0) for q in plan.queues}}}
    return frame, doc

