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

from scheduler.report.i18n import Words, phrases

phrases({
    "text.plan": ("Plan {name}, {start} to {end}: {scheduled} of {staff} agents rostered, {shifts} shifts, {hours:,} paid hours",
                  "计划 {name}（{start} 至 {end}）：{staff} 名客服中 {scheduled} 名排班，{shifts} 个班次，带薪 {hours:,} 小时"),
    "text.meets": ("The roster meets the target in every open hour of every queue.", "每个队列的每个在线小时都达到服务目标。"),
    "text.misses": ("The roster misses the target in {hours} queue-hours:", "有 {hours} 个队列小时未达到服务目标："),
    "text.pay": ("Pay: {pay} (wages with rest-day premiums).", "工资：{pay}（含休息日加班费）。"),
    "text.late": ("Late first replies: {chats:,} chats (estimated lost sales {lost}); reminders touched late: {touches:,}.",
                  "首次回复超时：{chats:,} 个会话（估计损失销售额 {lost}）；催付超时触达：{touches:,} 次。"),
    "text.queue": ("{label}: {under} of {open} open hours under target", "{label}：{open} 个在线小时中 {under} 小时未达标"),
    "text.beyond": (" ({n} beyond what the staff can cover)", "（其中 {n} 小时现有人员无法覆盖）"),
    "text.fewest": ("; {n} agent-hours short, the fewest any roster reaches (proven)", "；缺 {n} 人时，已证明为任何排班的最少值"),
    "text.worst": ("; worst {ds} ({sl:.0%} answered in time)", "；最差 {ds}（及时回复 {sl:.0%}）"),
    "text.sim": ("simulated: {low} of {hours} hours meet the target in fewer than {risk:.0%} of trials",
                 "模拟：{hours} 小时中 {low} 小时达标概率低于 {risk:.0%}"),
    "text.sim_worst": ("; riskiest {ds} ({p:.0%})", "；风险最高 {ds}（{p:.0%}）"),
    "text.no_skill": ("{label}: no agent has this skill", "{label}：没有客服具备该技能"),
    "text.temps_none": ("Temps: none needed.", "临时工：不需要。"),
    "text.temps": ("Temps to close every gap: on {days} days, at most {most} people on {date} ({detail}).",
                   "补齐所有缺口需临时工：{days} 天需要，最多一天 {most} 人（{date}：{detail}）。"),
    "text.temp_shift": ("{people} {label} on {shift} {start}-{end}", "{label} {people} 人 {shift} {start}-{end}"),
    "text.solver": ("Solver {status}{stopped}: objective {objective:,.1f}, bound {bound:,.1f}, gap {gap:.2%}.",
                    "求解器 {status}{stopped}：目标值 {objective:,.1f}，下界 {bound:,.1f}，差距 {gap:.2%}。"),
    "text.stopped": (" (stopped by Ctrl-C)", "（被 Ctrl-C 中止）"),
    "text.files": ("Files in {path}", "文件在 {path}"),
    "text.scenario": ("scenario {line}", "情景 {line}"),
    "edit.no_split": ("No assignments.csv beside the roster: the hourly split was computed by the planner's own least-cost split.",
                      "名单旁没有 assignments.csv：按计划器的最低成本分配重新计算了每小时的队列分配。"),
    "edit.stale_split": ("assignments.csv no longer matches the roster (it was edited): the hourly split was recomputed by the planner's own least-cost split.",
                         "assignments.csv 与排班表不再一致（排班已修改）：按计划器的最低成本分配重新计算了每小时的队列分配。"),
    "edit.title": ("What the edit changed, against the published roster:", "与已发布排班相比，此次修改的影响："),
    "edit.agent": ("  {name} ({id}): {changes}", "  {name}（{id}）：{changes}"),
    "edit.removed": ("removed {shift}", "删除 {shift}"),
    "edit.added": ("added {shift}", "新增 {shift}"),
    "edit.under": ("  {label}: {before} -> {after} hours under target", "  {label}：未达标小时 {before} -> {after}"),
    "edit.late": ("  late chats {chats_before:,} -> {chats_after:,} (estimated lost sales {lost_before} -> {lost_after}); "
                  "reminders touched late {touches_before:,} -> {touches_after:,}",
                  "  超时会话 {chats_before:,} -> {chats_after:,}（估计损失销售额 {lost_before} -> {lost_after}）；"
                  "催付超时触达 {touches_before:,} -> {touches_after:,}"),
    "edit.worse": ("  worse: {label} {ds}: {sched_before} -> {sched_after} agents for {required} required, "
                   "service {sl_before:.0%} -> {sl_after:.0%}",
                   "  变差：{label} {ds}：在岗 {sched_before} -> {sched_after} 人（需要 {required} 人），"
                   "服务水平 {sl_before:.0%} -> {sl_after:.0%}"),
    "edit.more_worse": ("  and {n} more hours worse", "  另有 {n} 小时变差"),
    "edit.none_worse": ("  no hour got worse", "  没有小时变差"),
    "progress.forecast": ("forecasting {n} queues, {start}..{end}", "预测 {n} 个队列，{start} 至 {end}"),
    "progress.simulate": ("simulating the roster against random arrivals ({n} replications)",
                          "用随机到达模拟排班（{n} 次重复）"),
    "sim.done": ("simulated {n} replications of {hours} queue-hours in {s:.1f} s", "模拟 {n} 次重复、{hours} 个队列小时，用时 {s:.1f} 秒"),
    "sim.mean": (" (mean forecast)", "（按预测均值）"),
    "sim.files": ("files in {path}: simulation.csv, simulation.png", "文件在 {path}：simulation.csv、simulation.png"),
    "progress.start": ("rostering {agents} agents over {days} days (time limit {limit:g} s; Ctrl-C keeps the best roster so far)",
                       "为 {agents} 名客服排 {days} 天的班（时限 {limit:g} 秒；按 Ctrl-C 保留目前最佳排班）"),
    "progress.under": ("  {t:6.1f} s  best roster so far: {n} queue-hours under target", "  {t:6.1f} 秒  目前最佳排班：{n} 个队列小时未达标"),
    "progress.better": ("  {t:6.1f} s  a better roster", "  {t:6.1f} 秒  找到更好的排班"),
    "progress.solver": ("   (objective {obj:,.0f}, bound {bound:,.0f}, gap {gap:.2%})", "  （目标值 {obj:,.0f}，下界 {bound:,.0f}，差距 {gap:.2%}）"),
    "check.cost": ("Cost: pay {pay}; late first replies {chats:,} chats (estimated lost sales {lost}); "
                   "objective {total:,.1f} (every term in violations.csv's units, as run.json prices a roster)",
                   "成本：工资 {pay}；首次回复超时 {chats:,} 个会话（估计损失销售额 {lost}）；"
                   "目标值 {total:,.1f}（与 run.json 对排班的计价相同）"),
    "check.no_price": ("Cost: not priced (the roster names agents or shifts the plan does not know)",
                       "成本：无法计价（排班中有计划不认识的客服或班次）"),
    "check.ok": ("OK: {shifts} shifts of {agents} agents keep every hard rule", "通过：{agents} 名客服的 {shifts} 个班次符合所有硬性规则"),
    "check.broken": ("{n} hard rule violation(s) in {path}", "{path} 中有 {n} 处违反硬性规则"),
})


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
    return lines


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
