"""The plan's summary: who works, what it costs, where the plan is thin, and what would fix it.

Takes: the plan, the staff frame, the roster result, the coverage frame, the cost breakdown
(``violations.csv``) and the gaps frame. Returns: the ``summary.json`` document (a dict), and
the simulation's headline per queue (``scheduler.report.text`` puts them in words).
"""

from __future__ import annotations

import pandas as pd

from scheduler.check.checker import PAY_RULES, late_totals
from scheduler.check.gaps import coverable
from scheduler.plan.preflight import queues_without_skill
from scheduler.simulate.simulation import riskiest


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
    no_skill = queues_without_skill(plan, staff)  # a scenario's smaller staff may lack a skill
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
        "pay_yuan": round(float(costs.loc[costs["rule"].isin(PAY_RULES), "cost"].sum()), 1),
        "late": late_totals(plan, costs),
        "temps": temps(gap_frame),
        "solver": {"status": result.status, "interrupted": result.interrupted, "objective": round(result.objective, 1),
                   "bound": round(result.bound, 1), "gap": round(result.gap, 5), "floor": floor},
    }


def temps(gap_frame: pd.DataFrame) -> dict:
    """The extra people ``gaps.csv`` asks for, as people per day (one shift each), largest day first."""
    days = []
    for date, part in gap_frame.groupby("date", sort=True):
        shifts = [{"queue": r.queue, "shift": r.shift, "start": f"{r.start:%Y-%m-%d %H:%M}", "end": f"{r.end:%Y-%m-%d %H:%M}",
                   "people": int(r.extra_agents), "short_hours": r.short_hours}
                  for r in part.sort_values(["extra_agents", "start"], ascending=[False, True]).itertuples()]
        days.append({"date": str(date), "people": int(part["extra_agents"].sum()), "shifts": shifts})
    most = max(days, key=lambda d: d["people"]) if days else None
    return {"days": len(days), "most_in_one_day": most, "by_day": days}


def simulation_summary(plan, sim: pd.DataFrame) -> dict:
    """Per queue, the simulation's headline (as ``summary.json`` has it under each queue)."""
    return {name: _simulated(name, sim, plan.simulation.risk_level) for name in plan.queues}
