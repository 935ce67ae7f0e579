"""Staffing: from forecast volume to agents needed per queue and hour.

Chat queues: bot deflection removes a share of chats, the rest is an M/M/n queue over chat
slots (an agent with concurrency ``k`` is ``k`` slots, each chat taking the handle time of a
fully loaded agent); the fewest whole agents meeting the hour's target (peak-day target on the
peak day) and the occupancy cap are at the desk, and shrinkage turns them into agents scheduled.
Payment reminders are a backlog: every unpaid order releases touches that must be made within
a deadline inside contact hours (or a final-payment window); work is scheduled earliest-
deadline-first at the lowest constant peak that meets every deadline (found by bisection), so it
may be done early, never late.

Takes: forecast frame (``queue, ds, mean, p10, p50, p90``), the plan, per-hour flags.
Returns: requirements frame (``queue, ds, volume, agents, scheduled, service_level, asa_s,
abandon_rate, occupancy, open, within_s, target_sl``).
"""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from scheduler.erlang import erlang_c_metrics, servers_for_target

REQUIREMENT_COLUMNS = ["queue", "ds", "volume", "agents", "scheduled", "service_level", "asa_s",
                       "abandon_rate", "occupancy", "open", "within_s", "target_sl"]


def hour_flags(ds: pd.DatetimeIndex, phases: pd.DataFrame, event: str | None) -> pd.DataFrame:
    """Per hour: is it inside the planned event's ``peak`` or ``final_payment`` phase."""
    flags = pd.DataFrame({"peak": False, "final_payment": False}, index=ds)
    if event is None:
        return flags
    own = phases[phases["event"] == event]
    for phase in flags.columns:
        for row in own[own["phase"] == phase].itertuples():
            flags.loc[(ds >= row.start) & (ds < row.end), phase] = True
    return flags


def is_open(hours: np.ndarray, start: int, until: int) -> np.ndarray:
    """Whether each hour of day lies in [start, until), wrapping past midnight; start == until is always."""
    if start == until:
        return np.ones_like(hours, dtype=bool)
    if start < until:
        return (hours >= start) & (hours < until)
    return (hours >= start) | (hours < until)


def shrinkage_by_hour(flags: pd.DataFrame, staffing) -> np.ndarray:
    return np.where(flags["peak"].to_numpy(), staffing.peak_shrinkage, staffing.shrinkage)


def scheduled_from_desk(desk, shrink) -> np.ndarray:
    """Agents to schedule so that ``desk`` remain at the desk after shrinkage."""
    return np.ceil(np.asarray(desk, dtype=float) / (1.0 - np.asarray(shrink)) - 1e-9).astype(int)


def desk_from_scheduled(scheduled, shrink) -> np.ndarray:
    """Agents at the desk (whole) out of ``scheduled`` after shrinkage."""
    return np.floor(np.asarray(scheduled, dtype=float) * (1.0 - np.asarray(shrink)) + 1e-9).astype(int)


def chat_metrics(queue, volume, desk_agents, within_s) -> dict[str, np.ndarray]:
    """Erlang C over chat slots for a given number of agents at the desk."""
    lam = np.asarray(volume, dtype=float) * (1.0 - queue.deflection)
    hold = queue.aht_by_load_s[-1]
    return erlang_c_metrics(np.asarray(desk_agents) * queue.concurrency, lam * hold / 3600.0, hold, within_s)


def _chat_requirements(queue, volume: np.ndarray, ds: pd.DatetimeIndex, flags, plan) -> dict:
    peak = flags["peak"].to_numpy()
    within = np.where(peak, queue.peak_answer_within_s, queue.answer_within_s)
    open_ = is_open(ds.hour.to_numpy(), queue.open_from, queue.open_until)
    hold = queue.aht_by_load_s[-1]
    load = volume * (1.0 - queue.deflection) * hold / 3600.0
    slots = servers_for_target(np.where(open_, load, 0.0), hold, within, queue.target_sl,
                               plan.staffing.max_occupancy, step=queue.concurrency)
    agents = slots // queue.concurrency
    m = chat_metrics(queue, volume, agents, within)
    blank = np.where(open_, 1.0, np.nan)
    return {"agents": agents, "service_level": m["service_level"] * blank, "asa_s": m["asa_s"] * blank,
            "abandon_rate": 0.0 * blank, "occupancy": m["occupancy"] * blank, "open": open_,
            "within_s": within, "target_sl": queue.target_sl}


def backlog_jobs(queue, orders: np.ndarray, allowed: np.ndarray) -> list[tuple[int, int, float]]:
    """Touch work as ``(release_hour, deadline_hour_exclusive, agent_minutes)`` jobs.

    A touch due in a closed hour is released at the next allowed hour; it must be done within
    ``touch_deadline_min`` (rounded up to whole hours, at least one) of its release.
    """
    n = len(orders)
    next_allowed = np.full(n + 1, n)
    for t in range(n - 1, -1, -1):
        next_allowed[t] = t if allowed[t] else next_allowed[t + 1]
    window = max(1, int(np.ceil(queue.touch_deadline_min / 60.0)))
    jobs = []
    for offset in queue.touch_offsets_min:
        lag = int(offset // 60)
        for r in np.flatnonzero(orders > 0):
            due = r + lag
            if due < n and next_allowed[due] < n:
                rel = next_allowed[due]
                jobs.append((rel, min(rel + window, n), orders[r] * queue.touch_minutes))
    return jobs


def edf_schedule(jobs, n_hours: int, capacity: float, allowed: np.ndarray):
    """Earliest-deadline-first with ``capacity`` agent-minutes per allowed hour.

    Returns (work done per hour, agent-minutes left undone past their deadline).
    """
    by_release = sorted(jobs)
    done, late, heap, i = np.zeros(n_hours), 0.0, [], 0
    for t in range(n_hours):
        while i < len(by_release) and by_release[i][0] <= t:
            rel, dl, amount = by_release[i]
            heapq.heappush(heap, [dl, amount])
            i += 1
        while heap and heap[0][0] <= t:
            late += heapq.heappop(heap)[1]
        left = capacity if allowed[t] else 0.0
        while heap and left > 1e-9:
            take = min(left, heap[0][1])
            heap[0][1] -= take
            left -= take
            done[t] += take
            if heap[0][1] <= 1e-9:
                heapq.heappop(heap)
    late += sum(item[1] for item in heap)
    return done, late


def min_peak_backlog(jobs, n_hours: int, allowed: np.ndarray, tol: float = 0.01) -> np.ndarray:
    """Work done per hour under the lowest constant hourly capacity that meets every deadline."""
    if not jobs:
        return np.zeros(n_hours)
    lo, hi = 0.0, sum(j[2] for j in jobs)
    while hi - lo > tol * max(1.0, hi) * 1e-3:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if edf_schedule(jobs, n_hours, mid, allowed)[1] <= 1e-6 else (mid, hi)
    return edf_schedule(jobs, n_hours, hi, allowed)[0]


def _backlog_requirements(queue, orders: np.ndarray, ds: pd.DatetimeIndex, flags, plan) -> dict:
    allowed = is_open(ds.hour.to_numpy(), queue.contact_from, queue.contact_until) | flags["final_payment"].to_numpy()
    work = min_peak_backlog(backlog_jobs(queue, orders, allowed), len(orders), allowed)
    agents = np.ceil(work / (60.0 * plan.staffing.max_occupancy) - 1e-9).astype(int)
    occupancy = np.divide(work, 60.0 * agents, out=np.zeros_like(work), where=agents > 0)
    return {"agents": agents, "service_level": np.where(allowed, 1.0, np.nan), "asa_s": np.nan,
            "abandon_rate": np.where(allowed, 0.0, np.nan), "occupancy": np.where(allowed, occupancy, np.nan),
            "open": allowed, "within_s": queue.touch_deadline_min * 60.0, "target_sl": 1.0}


def requirements(forecast: pd.DataFrame, plan, flags: pd.DataFrame) -> pd.DataFrame:
    """Agents needed per queue and hour, at the desk (``agents``) and scheduled (``scheduled``)."""
    frames = []
    for name, queue in plan.queues.items():
        part = forecast[forecast["queue"] == name].sort_values("ds")
        ds = pd.DatetimeIndex(part["ds"])
        volume = part[plan.forecast_quantile].to_numpy(dtype=float)
        qflags = flags.reindex(ds)
        build = _chat_requirements if queue.kind == "chat" else _backlog_requirements
        cols = build(queue, volume, ds, qflags, plan)
        frame = pd.DataFrame({"queue": name, "ds": ds, "volume": volume, **cols})
        frame["scheduled"] = scheduled_from_desk(frame["agents"], shrinkage_by_hour(qflags, plan.staffing))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[REQUIREMENT_COLUMNS]
