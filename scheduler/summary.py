"""The plan's summary: who works, what it costs, where the plan is thin, and what would fix it.

Takes: the plan, the staff frame, the roster result, the coverage frame, the cost breakdown
(``violations.csv``) and the gaps frame. Returns: the ``summary.json`` document (a dict), and
its short text for the terminal.
"""

from __future__ import annotations

import pandas as pd

from scheduler.gaps import coverable
from scheduler.simulate import riskiest


def _simulated(name: str, sim: pd.DataFrame, risk_level: float) -> dict:
    """The simulation's headline for a queue: hours whose chance of meeting the target is below the risk level."""
    part = sim[sim["queue"] == name]
    low = riskiest(part, risk_level)
    return {"risk_level": risk_level, "hours": int(len(part)), "hours_below_risk_level": int(len(low)),
            "riskiest_hours": [{"ds": f"{r.ds:%Y-%m-%d %H:%M}", "p_meet_target": round(float(r.p_meet_target), 3),
                                "service_level_sim": round(float(r.service_level_sim), 3)} for r in low.head(5).itertuples()]}


def _queue_summary(name: str, cov: pd.DataFrame, gap_frame: pd.DataFrame, limits: pd.DataFrame) -> dict:
    part = cov[(cov["queue"] == name) & cov["service_level"].notna()]
    short = part[part["shortfall"] > 0].merge(limits, on=["queue", "ds"], how="left").fillna({"max_agents": 0})
    beyond = short[short["required"] > short["max_agents"]]
    worst = part.loc[part["service_level"].idxmin()] if len(part) else None
    extra = gap_frame[gap_frame["queue"] == name]
    return {
        "open_hours": int(len(part)), "hours_under_target": int(len(short)),
        "agent_hours_short": int(short["shortfall"].sum()),
        "hours_staff_cannot_cover": [f"{ds:%Y-%m-%d %H:%M}" for ds in beyond["ds"]],
        "worst_hour": None if worst is None else {"ds": f"{worst['ds']:%Y-%m-%d %H:%M}", "service_level": round(float(worst["service_level"]), 3)},
        "extra_agents_to_close_gaps": [
            {"date": str(r.date), "shift": r.shift, "extra_agents": int(r.extra_agents), "short_hours": r.short_hours}
            for r in extra.sort_values("extra_agents", ascending=False).head(10).itertuples()],
    }


def build_summary(plan, staff: pd.DataFrame, result, cov: pd.DataFrame, costs: pd.DataFrame, gap_frame: pd.DataFrame,
                  sim: pd.DataFrame | None = None) -> dict:
    roster, limits = result.roster, coverable(plan, staff)
    queues = {name: _queue_summary(name, cov, gap_frame, limits) for name in plan.queues}
    floor = result.floor
    for name, queue in plan.queues.items():
        if queue.floor_cost and floor is not None:
            queues[name]["shortfall_is_fewest_possible"] = floor["proven_fewest"]
    if sim is not None:
        for name in plan.queues:
            queues[name]["simulation"] = _simulated(name, sim, plan.simulation.risk_level)
    no_skill = [q for q in plan.queues if not staff["skills"].map(lambda s, q=q: q in s).any()]
    return {
        "plan": plan.name, "window": [str(plan.start), str(plan.end)],
        "agents_in_staff": int(len(staff)), "agents_scheduled": int(roster["agent_id"].nunique()),
        "shifts": int(len(roster)), "paid_hours": int(roster["paid_hours"].sum()),
        "shifts_by_template": {k: int(v) for k, v in roster["shift"].value_counts().sort_index().items()},
        "cost_yuan": {**{k: round(float(v), 1) for k, v in costs.groupby("rule")["cost"].sum().items()},
                      "total": round(float(costs["cost"].sum()), 1)},
        "queues_nobody_can_serve": no_skill,
        "queues": queues,
        "extra_agents_total": int(gap_frame["extra_agents"].sum()),
        "solver": {"status": result.status, "interrupted": result.interrupted, "objective": round(result.objective, 1),
                   "bound": round(result.bound, 1), "gap": round(result.gap, 5), "floor": floor},
    }


def summary_text(summary: dict, out) -> str:
    """A few lines for the terminal."""
    s = summary["solver"]
    status = s["status"] + (" (interrupted)" if s["interrupted"] else "")
    lines = [f"plan {summary['plan']} {summary['window'][0]}..{summary['window'][1]}: "
             f"{summary['agents_scheduled']} of {summary['agents_in_staff']} agents scheduled, "
             f"{summary['shifts']} shifts, {summary['paid_hours']} paid hours",
             f"solver {status}: objective {s['objective']:,.1f} yuan, bound {s['bound']:,.1f}, gap {100 * s['gap']:.2f}%"]
    for q in summary["queues_nobody_can_serve"]:
        lines.append(f"  {q}: no agent has this skill")
    for name, q in summary["queues"].items():
        line = f"  {name}: {q['hours_under_target']} of {q['open_hours']} open hours under target"
        if q["hours_staff_cannot_cover"]:
            line += f" ({len(q['hours_staff_cannot_cover'])} beyond what the staff can cover)"
        if q.get("shortfall_is_fewest_possible") and q["agent_hours_short"]:
            line += f"; its {q['agent_hours_short']} agent-hours short are the fewest any roster reaches (proven)"
        if q["extra_agents_to_close_gaps"]:
            g = q["extra_agents_to_close_gaps"][0]
            line += f"; biggest fix: +{g['extra_agents']} on {g['shift']} {g['date']} for {g['short_hours']}"
        lines.append(line)
        if "simulation" in q:
            lines.append("    " + _simulation_line(q["simulation"]))
    for line in summary.get("scenarios", []):
        lines.append(f"  scenario {line}")
    lines.append(f"extra agents that would close every gap: {summary['extra_agents_total']} (gaps.csv)")
    lines.append(f"files in {out}")
    return "\n".join(lines)


def _simulation_line(sim: dict) -> str:
    head = (f"simulated: {sim['hours_below_risk_level']} of {sim['hours']} hours meet the target in fewer than "
            f"{sim['risk_level']:.0%} of trials")
    if sim["riskiest_hours"]:
        worst = sim["riskiest_hours"][0]
        head += f"; riskiest {worst['ds']} ({worst['p_meet_target']:.0%})"
    return head


def build_summary_simulation(plan, sim: pd.DataFrame) -> dict[str, str]:
    """Per queue, the simulation's headline line."""
    return {name: _simulation_line(_simulated(name, sim, plan.simulation.risk_level)) for name in plan.queues}
