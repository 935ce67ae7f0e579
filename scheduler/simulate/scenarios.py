"""What-if scenarios: the same plan with a few things changed, compared side by side.

A scenario is a name and overrides, ``key:value`` separated by commas, on the command line
(``--scenario peak8x=peak_multiplier:8``) or in the plan's ``[scenarios]`` table
(``peak8x = "peak_multiplier:8"``). The keys:

- ``peak_multiplier:8``: the peak's volume as a multiple of a normal day's, shape kept;
- ``agents:-10%`` or ``agents:-6``: fewer agents (a seeded random draw of the staff leaves), or
  ``agents:+10%`` more (copies of randomly drawn agents, as temps with the same skills and rules);
- ``quantile:p90``: staff to another forecast quantile (``mean``, ``p50``, ``p90``);
- ``shrinkage:0.25``: another default shrinkage.

Takes: the plan, its inputs, the overrides. Returns: the changed plan and inputs; and for the
runs, the comparison frame (``scenarios.csv``) and one line per scenario on what breaks first.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from forecasts.errors import InputError
from scheduler.simulate.simulation import riskiest

KEYS = ("peak_multiplier", "agents", "quantile", "shrinkage")
NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def parse_scenario(text: str) -> tuple[str, str]:
    """``NAME=OVERRIDES`` from the command line into (name, overrides)."""
    name, sep, overrides = text.partition("=")
    if not sep or not NAME.match(name.strip()) or not overrides.strip():
        raise InputError(f"--scenario {text!r}: expected NAME=KEY:VALUE[,KEY:VALUE], e.g. peak8x=peak_multiplier:8")
    return name.strip(), overrides.strip()


def parse_overrides(text: str, where: str) -> dict:
    """``"peak_multiplier:8,agents:-10%"`` into ``{"peak_multiplier": "8", "agents": "-10%"}``."""
    out = {}
    for item in text.split(","):
        key, sep, value = (part.strip() for part in item.partition(":"))
        if not sep or key not in KEYS or not value:
            raise InputError(f"{where}: {item.strip()!r}: expected KEY:VALUE with KEY one of {', '.join(KEYS)}")
        out[key] = value
    return out


def _number(value: str, where: str, key: str, lo: float, hi: float = float("inf")) -> float:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not lo <= number <= hi:
        raise InputError(f"{where}: {key}:{value}: expected a number from {lo:g} to {hi:g}")
    return number


def _agent_change(value: str, n: int, where: str) -> int:
    match = re.fullmatch(r"([+-])(\d+(?:\.\d+)?)(%?)", value)
    if not match:
        raise InputError(f"{where}: agents:{value}: expected a signed count or share, e.g. -10% or +5")
    size = float(match[2]) * (n / 100.0 if match[3] else 1.0)
    change = int(round(size)) * (1 if match[1] == "+" else -1)
    if n + change < 1:
        raise InputError(f"{where}: agents:{value}: leaves no agents of {n}")
    return change


def resize_staff(staff: pd.DataFrame, change: int, seed: int) -> pd.DataFrame:
    """Drop ``-change`` agents drawn at random, or add ``change`` copies of drawn agents (ids ``T001``...)."""
    rng = np.random.default_rng(seed)
    if change < 0:
        keep = np.sort(rng.choice(len(staff), size=len(staff) + change, replace=False))
        return staff.iloc[keep].reset_index(drop=True)
    extra = staff.iloc[rng.choice(len(staff), size=change, replace=True)].copy()
    extra["agent_id"] = [f"T{i + 1:03d}" for i in range(change)]
    extra["name"] = [f"{name} (temp {i + 1})" for i, name in enumerate(extra["name"])]
    return pd.concat([staff, extra], ignore_index=True)


def apply_scenario(plan, inputs, text: str, name: str):
    """The plan and inputs with a scenario's overrides applied."""
    where = f"scenario {name}"
    over = parse_overrides(text, where)
    changes = {"name": f"{plan.name}-{name}", "scenarios": {}}
    if "peak_multiplier" in over:
        changes["peak_multiplier"] = _number(over["peak_multiplier"], where, "peak_multiplier", 1.0)
    if "quantile" in over:
        if over["quantile"] not in ("mean", "p50", "p90"):
            raise InputError(f"{where}: quantile:{over['quantile']}: expected one of mean, p50, p90")
        changes["forecast_quantile"] = over["quantile"]
    if "shrinkage" in over:
        shrink = _number(over["shrinkage"], where, "shrinkage", 0.0, 0.95)
        changes["staffing"] = dataclasses.replace(plan.staffing, shrinkage=shrink)
    if "agents" in over:
        change = _agent_change(over["agents"], len(inputs.staff), where)
        inputs = dataclasses.replace(inputs, staff=resize_staff(inputs.staff, change, plan.solver.seed))
    return dataclasses.replace(plan, **changes), inputs


def _peak_hour(sim: pd.DataFrame, fc: pd.DataFrame, chat: list[str]):
    """The hour of the most chats across the live queues, and its lowest chance of meeting the target."""
    volume = fc[fc["queue"].isin(chat)].groupby("ds")["p50"].sum()
    peak = volume.idxmax()
    at = sim[(sim["ds"] == peak) & sim["queue"].isin(chat)]
    return peak, (float(at["p_meet_target"].min()) if len(at) else float("nan"))


def compare(runs: dict, plan) -> pd.DataFrame:
    """One row per scenario (the base plan first): size, cost, hours under target, risk at the peak."""
    chat = [q for q, queue in plan.queues.items() if queue.kind == "chat"]
    rows = []
    for name, run in runs.items():
        s, sim, cov = run.summary, run.frames["simulation.csv"], run.frames["coverage.csv"]
        peak, p_peak = _peak_hour(sim, run.frames["forecast.csv"], chat)
        risky = riskiest(sim, plan.simulation.risk_level)
        first = risky.head(1)
        live = cov[cov["queue"].isin(chat) & cov["service_level"].notna()]
        row = {"scenario": name, "agents": s["agents_in_staff"], "agents_scheduled": s["agents_scheduled"],
               "paid_hours": s["paid_hours"], "cost_yuan": s["cost_yuan"]["total"],
               "wages_yuan": s["cost_yuan"].get("wages", 0.0)}
        row.update({f"hours_under_target_{q}": s["queues"][q]["hours_under_target"] for q in plan.queues})
        row.update({"worst_service_level": round(float(live["service_level"].min()), 4) if len(live) else np.nan,
                    "extra_agents_needed": s["extra_agents_total"], "peak_hour": peak,
                    "p_meet_target_peak": round(p_peak, 3), "hours_below_risk_level": int(len(risky)),
                    "breaks_first": "" if first.empty else f"{first['queue'].iat[0]} {first['ds'].iat[0]:%Y-%m-%d %H:%M}",
                    "breaks_first_p_meet": np.nan if first.empty else round(float(first["p_meet_target"].iat[0]), 3)})
        rows.append(row)
    return pd.DataFrame(rows)


def scenario_lines(table: pd.DataFrame) -> list[str]:
    """One line per scenario: what would break first, and how much of the plan is at risk."""
    lines = []
    for r in table.itertuples():
        if not r.breaks_first:
            lines.append(f"{r.scenario}: every hour meets its target in at least the risk level's share of trials")
            continue
        lines.append(f"{r.scenario}: breaks first at {r.breaks_first} (chance of meeting the target "
                     f"{r.breaks_first_p_meet:.0%}); {r.hours_below_risk_level} queue-hours at risk; peak hour "
                     f"{r.peak_hour:%m-%d %H:%M} meets its target in {r.p_meet_target_peak:.0%} of trials; "
                     f"{r.extra_agents_needed} extra agent-shifts would close the gaps")
    return lines
