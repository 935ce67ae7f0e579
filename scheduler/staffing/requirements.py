"""Staffing: from forecast volume to agents needed per queue and hour.

Chat queues: bot deflection removes a share of chats; the rest meet the exact chat model of
``scheduler.staffing.chat`` (concurrency with load-dependent handle time, impatient buyers; Erlang A or
C when one chat at a time). The fewest whole agents at the desk meeting the hour's target
(the answer time may differ by promotion phase) and the occupancy cap are found by a
vectorised bisection; shrinkage (by phase too) turns them into agents scheduled.

Payment reminders are a backlog, not a queue: every unpaid order releases touches (some a
fixed time after the order, some a fixed time before its payment deadline) that must be made
within a deadline and inside contact hours or a contact phase such as the final-payment
window. Work is scheduled earliest-deadline-first at the lowest constant hourly capacity that
meets every deadline (bisection), so it may be done early, never late, and the peak is as low
as it can be.

Takes: forecast frame (``queue, ds, mean, p10, p50, p90``), the plan, per-hour phase flags.
Returns: requirements frame (``queue, ds, volume, agents, scheduled, service_level, asa_s,
abandon_rate, occupancy, open, within_s, target_sl``).
"""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from forecasts.frames import columns
from scheduler.staffing.chat import chat_metrics

REQUIREMENT_COLUMNS = columns("requirements")


# -- the calendar ------------------------------------------------------------------------------
def phase_flags(ds: pd.DatetimeIndex, phases: pd.DataFrame, event: str | None) -> pd.DataFrame:
    """One boolean column per phase of the planned event: is the hour inside it."""
    own = phases[phases["event"] == event] if event is not None else phases.iloc[:0]
    flags = pd.DataFrame(index=ds)
    for phase, rows in own.groupby("phase", sort=False):
        inside = np.zeros(len(ds), dtype=bool)
        for row in rows.itertuples():
            inside |= (ds >= row.start) & (ds < row.end)
        flags[phase] = inside
    return flags


def by_phase(default: float, overrides: dict, flags: pd.DataFrame) -> np.ndarray:
    """A value per hour: the default, replaced inside the phases listed (a later phase wins)."""
    out = np.full(len(flags), float(default))
    for phase, value in overrides.items():
        if phase in flags.columns:
            out[flags[phase].to_numpy()] = value
    return out


def in_phases(flags: pd.DataFrame, names) -> np.ndarray:
    cols = [n for n in names if n in flags.columns]
    return flags[cols].any(axis=1).to_numpy() if cols else np.zeros(len(flags), dtype=bool)


def is_open(hours: np.ndarray, start: int, until: int) -> np.ndarray:
    """Whether each hour of day lies in [start, until), wrapping past midnight; start == until is always."""
    if start == until:
        return np.ones_like(hours, dtype=bool)
    if start < until:
        return (hours >= start) & (hours < until)
    return (hours >= start) | (hours < until)


# -- shrinkage ---------------------------------------------------------------------------------
def shrinkage_by_hour(flags: pd.DataFrame, staffing) -> np.ndarray:
    return by_phase(staffing.shrinkage, staffing.shrinkage_by_phase, flags)


def scheduled_from_desk(desk, shrink) -> np.ndarray:
    """Agents to schedule so that ``desk`` remain at the desk after shrinkage."""
    return np.ceil(np.asarray(desk, dtype=float) / (1.0 - np.asarray(shrink)) - 1e-9).astype(int)


def desk_from_scheduled(scheduled, shrink) -> np.ndarray:
    """Agents (whole) at the desk out of ``scheduled`` after shrinkage."""
    return np.floor(np.asarray(scheduled, dtype=float) * (1.0 - np.asarray(shrink)) + 1e-9).astype(int)


# -- chat queues -------------------------------------------------------------------------------
def fewest_agents(evaluate, n: int, guess: np.ndarray, target_sl, max_occupancy: float) -> np.ndarray:
    """Fewest agents per element with service level >= target and occupancy <= cap.

    ``evaluate(agents, idx)`` returns the chat metrics of the elements ``idx`` with ``agents``
    agents; both metrics are monotone in agents, so a bisection per element is exact.
    ``guess`` is a starting upper bound, doubled where it is not enough.
    """
    target = np.broadcast_to(np.asarray(target_sl, dtype=float), (n,))

    def ok(agents, idx):
        m = evaluate(agents, idx)
        return (m["service_level"] >= target[idx] - 1e-12) & (m["occupancy"] <= max_occupancy + 1e-12)

    hi = np.maximum(np.asarray(guess, dtype=int), 1)
    idx = np.arange(n)
    while len(idx):
        good = ok(hi[idx], idx)
        idx = idx[~good]
        hi[idx] *= 2
        if len(idx) and hi[idx].max() > 10_000_000:
            raise ValueError("more than 10,000,000 agents needed: load too large")
    lo = np.zeros(n, dtype=int)  # lo fails (or is 0), hi meets the target
    idx = np.flatnonzero(hi - lo > 1)
    while len(idx):
        mid = (lo[idx] + hi[idx]) // 2
        good = ok(mid, idx)
        hi[idx[good]], lo[idx[~good]] = mid[good], mid[~good]
        idx = idx[hi[idx] - lo[idx] > 1]
    zero = ok(np.zeros(n, dtype=int), np.arange(n))
    return np.where(zero, 0, hi)


def size_interval(volume_per_h, aht_by_load_s, patience_s, within_s, target_sl, max_occupancy=1.0) -> np.ndarray:
    """Fewest agents for chats arriving at ``volume_per_h`` (vectorised); the calculator's core."""
    volume = np.atleast_1d(np.asarray(volume_per_h, dtype=float))
    within = np.broadcast_to(np.asarray(within_s, dtype=float), volume.shape)
    load = volume * aht_by_load_s[-1] / 3600.0
    guess = np.ceil((load / max_occupancy + 3.0 * np.sqrt(load) + 2.0) / len(aht_by_load_s)).astype(int)
    return fewest_agents(lambda c, i: chat_metrics(c, volume[i], aht_by_load_s, patience_s, within[i]),
                         len(volume), guess, target_sl, max_occupancy)


def calculate(volume_per_h: float, aht_by_load_s, patience_s, within_s: float, target_sl: float,
              shrinkage: float = 0.0, max_occupancy: float = 1.0, agents: int | None = None) -> dict:
    """One interval: the fewest agents meeting the target (or the given ``agents``), and their service."""
    if agents is None:
        agents = int(size_interval(volume_per_h, aht_by_load_s, patience_s, within_s, target_sl, max_occupancy)[0])
    m = chat_metrics(agents, volume_per_h, aht_by_load_s, patience_s, within_s)
    return {"agents": agents, "scheduled": int(scheduled_from_desk(agents, shrinkage)),
            **{k: float(m[k][0]) for k in ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy")}}


def queue_metrics(queue, volume, desk_agents, within_s) -> dict[str, np.ndarray]:
    """The chat model for this queue: deflection, concurrency, handle times, patience."""
    return chat_metrics(desk_agents, np.asarray(volume, dtype=float) * (1.0 - queue.deflection),
                        queue.aht_by_load_s, queue.patience_s, within_s)


def _chat_requirements(queue, volume: np.ndarray, ds: pd.DatetimeIndex, flags, plan) -> dict:
    within = by_phase(queue.answer_within_s, queue.answer_within_s_by_phase, flags)
    open_ = is_open(ds.hour.to_numpy(), queue.open_from, queue.open_until)
    served = np.where(open_, volume, 0.0) * (1.0 - queue.deflection)
    agents = size_interval(served, queue.aht_by_load_s, queue.patience_s, within, queue.target_sl,
                           plan.staffing.max_occupancy)
    m = queue_metrics(queue, volume, agents, within)
    blank = np.where(open_, 1.0, np.nan)
    return {"agents": agents, "service_level": m["service_level"] * blank, "asa_s": m["asa_s"] * blank,
            "abandon_rate": m["abandon_rate"] * blank, "occupancy": m["occupancy"] * blank, "open": open_,
            "within_s": within, "target_sl": queue.target_sl}


# -- the reminder backlog ----------------------------------------------------------------------
def _next_allowed(allowed: np.ndarray) -> np.ndarray:
    """For each hour, the first allowed hour at or after it (``n`` if none)."""
    n = len(allowed)
    out = np.full(n + 1, n)
    for t in range(n - 1, -1, -1):
        out[t] = t if allowed[t] else out[t + 1]
    return out[:n]


def _last_allowed(allowed: np.ndarray) -> np.ndarray:
    """For each hour, the last allowed hour at or before it (-1 if none)."""
    out = np.full(len(allowed), -1)
    last = -1
    for t, ok in enumerate(allowed):
        last = t if ok else last
        out[t] = last
    return out


def backlog_jobs(queue, orders: np.ndarray, allowed: np.ndarray) -> list[tuple[int, int, float]]:
    """Touch work as ``(release_hour, deadline_hour_exclusive, agent_minutes)`` jobs.

    A touch after the order that falls due in a closed hour is released at the next allowed
    hour; a touch before the payment deadline that falls due in a closed hour is brought
    forward to the last allowed hour before it. Each must be made within ``touch_deadline_min``
    (whole hours, at least one) of falling due.
    """
    n = len(orders)
    window = max(1, int(np.ceil(queue.touch_deadline_min / 60.0)))
    nxt, last = _next_allowed(allowed), _last_allowed(allowed)
    placed = np.flatnonzero(orders > 0)
    jobs = []
    for offset in queue.touch_offsets_min:
        for r in placed:
            due = r + int(offset // 60)
            if due < n and nxt[due] < n:
                jobs.append((int(nxt[due]), min(int(nxt[due]) + window, n), orders[r] * queue.touch_minutes))
    for before in queue.touch_before_deadline_min:
        for r in placed:
            due = r + int((queue.payment_window_h * 60 - before) // 60)  # made before this hour starts
            if due > n or due <= r:
                continue
            end = int(last[due - 1]) + 1 if last[due - 1] >= r else int(nxt[r]) + 1  # none open in between: first chance
            if end <= n:
                jobs.append((max(r, end - window), end, orders[r] * queue.touch_minutes))
    return jobs


def edf_schedule(jobs, n_hours: int, capacity, allowed: np.ndarray):
    """Earliest-deadline-first with ``capacity`` agent-minutes per allowed hour (a number, or one per hour).

    Returns (work done per hour, agent-minutes left undone per hour of their deadline).
    """
    by_release = sorted(jobs)
    cap = np.broadcast_to(np.asarray(capacity, dtype=float), (n_hours,))
    done, late, heap, i = np.zeros(n_hours), np.zeros(n_hours), [], 0
    for t in range(n_hours):
        while i < len(by_release) and by_release[i][0] <= t:
            heapq.heappush(heap, [by_release[i][1], by_release[i][2]])
            i += 1
        while heap and heap[0][0] <= t:
            end, left_over = heapq.heappop(heap)
            late[end - 1] += left_over
        left = cap[t] if allowed[t] else 0.0
        while heap and left > 1e-9:
            take = min(left, heap[0][1])
            heap[0][1] -= take
            left -= take
            done[t] += take
            if heap[0][1] <= 1e-9:
                heapq.heappop(heap)
    for end, left_over in heap:
        late[end - 1] += left_over
    return done, late


def min_peak_backlog(jobs, n_hours: int, allowed: np.ndarray) -> np.ndarray:
    """Work done per hour under the lowest constant hourly capacity that meets every deadline."""
    if not jobs:
        return np.zeros(n_hours)
    lo, hi = 0.0, sum(j[2] for j in jobs)
    while hi - lo > 1e-4 * max(1.0, hi):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if edf_schedule(jobs, n_hours, mid, allowed)[1].sum() <= 1e-6 else (mid, hi)
    return edf_schedule(jobs, n_hours, hi, allowed)[0]


def _backlog_requirements(queue, orders: np.ndarray, ds: pd.DatetimeIndex, flags, plan) -> dict:
    allowed = is_open(ds.hour.to_numpy(), queue.contact_from, queue.contact_until) | in_phases(flags, queue.contact_phases)
    work = min_peak_backlog(backlog_jobs(queue, orders, allowed), len(orders), allowed)
    agents = np.ceil(work / (60.0 * plan.staffing.max_occupancy) - 1e-9).astype(int)
    occupancy = np.divide(work, 60.0 * agents, out=np.zeros_like(work), where=agents > 0)
    return {"agents": agents, "service_level": np.where(allowed, 1.0, np.nan), "asa_s": np.nan,
            "abandon_rate": np.where(allowed, 0.0, np.nan), "occupancy": np.where(allowed, occupancy, np.nan),
            "open": allowed, "within_s": queue.touch_deadline_min * 60.0, "target_sl": 1.0}


# -- the stage ---------------------------------------------------------------------------------
def requirements(forecast: pd.DataFrame, plan, flags: pd.DataFrame) -> pd.DataFrame:
    """Agents needed per queue and hour, at the desk (``agents``) and scheduled (``scheduled``)."""
    frames = []
    for name, queue in plan.queues.items():
        part = forecast[forecast["queue"] == name].sort_values("ds")
        ds = pd.DatetimeIndex(part["ds"])
        volume = part[plan.forecast_quantile].to_numpy(dtype=float)
        qflags = flags.reindex(ds, fill_value=False)
        build = _chat_requirements if queue.kind == "chat" else _backlog_requirements
        frame = pd.DataFrame({"queue": name, "ds": ds, "volume": volume, **build(queue, volume, ds, qflags, plan)})
        frame["scheduled"] = scheduled_from_desk(frame["agents"], shrinkage_by_hour(qflags, plan.staffing))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[REQUIREMENT_COLUMNS]
