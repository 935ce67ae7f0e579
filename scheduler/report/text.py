"""The plan in plain words, in the plan's language: the headline (the report's and the workbook's
first lines), the terminal summary, and what a hand edit changed.

The plan's cost is what it pays (wages and rest-day premiums, in yuan); late chats are named as
what they are, with the sales they are estimated to lose; temps are people per day and shift.
The solver's objective, bound and gap come last, for the analyst.

Takes: the ``summary.json`` document (``scheduler.report.summary``), the plan, and ``edits.Effect``.
Returns: lines of text.
"""

from __future__ import annotations

import pandas as pd

from scheduler.report.i18n import Words



def _hm(ts: str) -> str:
    return ts[-5:]


def _ds(words: Words, ds: str) -> str:
    return f"{words.day(pd.Timestamp(ds))} {_hm(ds)}"


def _temps_line(summary: dict, words: Words) -> str:
    t = summary.get("temps") or {}
    most = t.get("most_in_one_day")
    if not most:
        return words("text.temps_none")
    detail = words("sep").join(words("text.temp_shift", people=s["people"], label=words.queue(s["queue"]), shift=words.shift(s["shift"]),
                             start=_hm(s["start"]), end=_hm(s["end"])) for s in most["shifts"][:3])
    return words("text.temps", days=t["days"], most=most["people"], date=words.day(pd.Timestamp(most["date"])), detail=detail)


def simulation_line(sim: dict, words: Words) -> str:
    """A queue's simulated risk: hours below the risk level, and the riskiest."""
    text = words("text.sim", low=sim["hours_below_risk_level"], hours=sim["hours"], risk=sim["risk_level"])
    if sim["riskiest_hours"]:
        worst = sim["riskiest_hours"][0]
        text += words("text.sim_worst", ds=_ds(words, worst["ds"]), p=worst["p_meet_target"])
    return text


def queue_lines(summary: dict, plan, words: Words) -> list[str]:
    """Per queue: hours under target, the worst hour, and the simulation's risk."""
    lines = []
    for name, q in summary["queues"].items():
        line = words("text.queue", label=words.queue(name), under=q["hours_under_target"], open=q["open_hours"])
        if q["hours_staff_cannot_cover"]:
            line += words("text.beyond", n=len(q["hours_staff_cannot_cover"]))
        if q.get("shortfall_is_fewest_possible") and q["agent_hours_short"]:
            line += words("text.fewest", n=q["agent_hours_short"])
        if q["worst_hour"] and q["hours_under_target"]:
            line += words("text.worst", ds=_ds(words, q["worst_hour"]["ds"]), sl=q["worst_hour"]["service_level"])
        lines.append(line)
        if q.get("simulation"):
            lines.append("  " + simulation_line(q["simulation"], words))
    return lines


def headline(summary: dict, plan) -> list[str]:
    """The plan in a few sentences: does it meet the target, where not, what it pays, the temps."""
    words = Words(plan)
    under = sum(q["hours_under_target"] for q in summary["queues"].values())
    lines = [words("text.plan", name=summary["plan"], start=summary["window"][0], end=summary["window"][1],
                   scheduled=summary["agents_scheduled"], staff=summary["agents_in_staff"], shifts=summary["shifts"],
                   hours=summary["paid_hours"]),
             words("text.meets") if not under else words("text.misses", hours=under)]
    lines += ["  " + line for line in queue_lines(summary, plan, words)]
    lines += [words("text.no_skill", label=words.queue(q)) for q in summary["queues_nobody_can_serve"]]
    late = summary["late"]
    lines += [words("text.pay", pay=words.yuan(summary["pay_yuan"])),
              words("text.late", chats=late["chats"], lost=words.yuan(late["lost_sales_yuan"]), touches=late["touches"]),
              _temps_line(summary, words)]
    if summary.get("replan"):
        lines += replan_lines(summary, plan)
    return lines


def change_rows(words: Words, changes: pd.DataFrame) -> list[tuple]:
    """The changes frame in the plan's words: ID, name, day, published shift, new shift, why."""
    label = lambda s: words("rest") if s == "rest" else words.shift(s)  # noqa: E731
    return [(r.agent_id, r.name, words.day(pd.Timestamp(r.date)), label(r.old_shift), label(r.new_shift), r.why)
            for r in changes.itertuples()]


def solver_line(summary: dict, plan) -> str:
    words, s = Words(plan), summary["solver"]
    return words("text.solver", status=s["status"], stopped=words("text.stopped") if s["interrupted"] else "",
                 objective=s["objective"], bound=s["bound"], gap=s["gap"])


def summary_text(summary: dict, plan, out) -> str:
    """The terminal's summary: the headline, the scenarios, the solver, the run folder (absolute)."""
    words = Words(plan)
    lines = headline(summary, plan)
    lines += ["  " + words("text.scenario", line=line) for line in summary.get("scenarios", [])]
    lines += [solver_line(summary, plan), words("text.files", path=out.resolve())]
    return "\n".join(lines)


def _shift_text(words: Words, start, end, label) -> str:
    return f"{label or '?'} {words.day(start)} {start:%H:%M}-{end:%H:%M}"


def effect_lines(effect, plan, words: Words, most: int = 8) -> list[str]:
    """What a hand edit changed: shifts by agent name, hours under target per queue, the hours that got worse."""
    lines = [words("edit.title")]
    for agent_id, name, removed, added in effect.shifts:
        changes = [words("edit.removed", shift=_shift_text(words, *s)) for s in removed]
        changes += [words("edit.added", shift=_shift_text(words, *s)) for s in added]
        lines.append(words("edit.agent", name=name, id=agent_id, changes="; ".join(changes)))
    for q in plan.queues:
        lines.append(words("edit.under", label=words.queue(q), before=effect.under_before[q], after=effect.under_after[q]))
    b, a = effect.late_before, effect.late_after
    lines.append(words("edit.late", chats_before=b["chats"], chats_after=a["chats"], lost_before=words.yuan(b["lost_sales_yuan"]),
                       lost_after=words.yuan(a["lost_sales_yuan"]), touches_before=b["touches"], touches_after=a["touches"]))
    for r in effect.worse.head(most).itertuples():
        lines.append(words("edit.worse", label=words.queue(r.queue), ds=f"{words.day(r.ds)} {r.ds:%H:%M}",
                           sched_before=r.scheduled_before, sched_after=r.scheduled_after, required=r.required,
                           sl_before=r.service_level_before, sl_after=r.service_level_after))
    if len(effect.worse) > most:
        lines.append(words("edit.more_worse", n=len(effect.worse) - most))
    if effect.worse.empty:
        lines.append(words("edit.none_worse"))
    return lines


def replan_lines(summary: dict, plan) -> list[str]:
    """A re-plan's lines: the lock, how many agents and shifts it changes, and hours under target before and after."""
    words, r = Words(plan), summary["replan"]
    lines = [words("replan.head", as_of=r["as_of"], lock_end=r["lock_end"], agents=r["agents"], changes=r["changes"],
                   changed=r["changed_published"], later=r["published_after_lock"], share=r["share"])]
    for q in plan.queues:
        lines.append(words("replan.under", label=words.queue(q), before=r["hours_under_target"]["published"][q],
                           after=r["hours_under_target"]["replan"][q]))
    lines.append(words("replan.file"))
    return lines
