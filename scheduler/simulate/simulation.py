"""Try the roster against random arrivals: each hour's chance of meeting its target.

Per live queue (chat), the agents at the desk each hour are those ``assignments.csv`` puts on the
queue (breaks are off the desk), less shrinkage as the staffing model has it; the hours are then
simulated by ``scheduler.simulate.des`` with the queue's concurrency, handle times, patience and bot
deflection. Per replication each day's volume is drawn from the forecast's band: one normal
score ``z`` per queue and day (a busy day is busy all day), mapped through the hour's
P10/P50/P90 as a two-piece log-normal, so every hour keeps its band and the draws cover both
forecast error and Poisson arrivals. With ``forecast_error=False`` every replication uses the
volume the plan was staffed to, which is the truth check against the analytic model.

Reminders are replayed, not simulated: the drawn unpaid orders make touches (``backlog_jobs``)
worked earliest-deadline-first by the reminder agents at the desk; a touch not made by its
deadline is late.

Takes: the plan, forecast, requirements, flags, assignments. Returns the simulation frame
(``queue, ds, service_level_plan, service_level_sim, p_meet_target, asa_s, abandon_rate,
late_touches``) with means over replications: service level, abandonment and ASA pooled over
every simulated chat of the hour, ``p_meet_target`` the share of replications whose own service
level for the hour met the target (a touch queue's target: every touch on time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasts.frames import columns
from forecasts.errors import InputError
from scheduler.check.checker import coverage
from scheduler.simulate.des import load_rates, simulate_hours
from scheduler.staffing.requirements import backlog_jobs, desk_from_scheduled, edf_schedule, shrinkage_by_hour

SIMULATION_COLUMNS = columns("simulation")
Z90 = 1.2815515655446004  # the standard normal's 90th percentile


@dataclass(frozen=True)
class Settings:
    replications: int = 200
    seed: int = 0
    warmup_min: float = 120.0
    forecast_error: bool = True
    chunk: int = 50  # replications per progress report
    queues: tuple | None = None  # the plan's queues to simulate (default: all)


def riskiest(sim: pd.DataFrame, risk_level: float) -> pd.DataFrame:
    """Hours whose chance of meeting the target is below ``risk_level``, weakest first
    (lowest chance, then lowest simulated service level, then earliest)."""
    low = sim[sim["p_meet_target"] < risk_level]
    return low.sort_values(["p_meet_target", "service_level_sim", "ds"])


def draw_volumes(fc: pd.DataFrame, planned: np.ndarray, ds: pd.DatetimeIndex, reps: int, rng,
                 forecast_error: bool) -> np.ndarray:
    """Volumes per replication and hour (``reps x hours``): the band's quantiles at one score per day."""
    if not forecast_error:
        return np.broadcast_to(planned, (reps, len(planned))).copy()
    p10, p50, p90 = (fc[c].to_numpy(dtype=float) for c in ("p10", "p50", "p90"))
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where((p50 > 0) & (p90 > p50), np.log(p90 / p50) / Z90, 0.0)
        down = np.where((p10 > 0) & (p50 > p10), np.log(p50 / p10) / Z90, 0.0)
    day = ((ds - ds[0].normalize()).days).to_numpy()
    z = rng.standard_normal((reps, day.max() + 1))[:, day]
    return p50 * np.exp(np.where(z > 0, z * up, z * down))


def _forecast_rows(fc: pd.DataFrame, name: str, ds: pd.DatetimeIndex) -> pd.DataFrame:
    part = fc[fc["queue"] == name].set_index("ds").reindex(ds)
    if part[["p10", "p50", "p90"]].isna().any().any():
        raise InputError(f"forecast: queue {name!r} has no forecast for some hours of the roster's window")
    return part


@dataclass
class _Hours:
    """One queue's hours as the roster staffs them, with volumes drawn per replication."""

    cov: pd.DataFrame
    ds: pd.DatetimeIndex
    desk: np.ndarray  # whole agents at the desk (a chat needs a person)
    desk_time: np.ndarray  # agent-hours at the desk (backlog work adds up)
    volumes: np.ndarray


def _hours(name, plan, cov, fc, flags, s: Settings, rng) -> _Hours:
    cov = cov[cov["queue"] == name].sort_values("ds").reset_index(drop=True)
    ds = pd.DatetimeIndex(cov["ds"])
    shrink = shrinkage_by_hour(flags.reindex(ds, fill_value=False), plan.staffing)
    desk = desk_from_scheduled(cov["scheduled"], shrink).astype(np.int64)
    volumes = draw_volumes(_forecast_rows(fc, name, ds), cov["volume"].to_numpy(dtype=float), ds, s.replications, rng,
                           s.forecast_error)
    return _Hours(cov, ds, desk, cov["scheduled"].to_numpy(dtype=float) * (1.0 - shrink), volumes)


def _chat_queue(name, queue, h: _Hours, s: Settings, rng, progress) -> pd.DataFrame:
    keep = h.cov["open"].to_numpy()
    lam = h.volumes[:, keep] * (1.0 - queue.deflection) / 3600.0
    within, rates = h.cov["within_s"].to_numpy(dtype=float)[keep], load_rates(queue.aht_by_load_s)
    patience = float(queue.patience_s) if queue.patience_s is not None and np.isfinite(queue.patience_s) else 0.0
    parts = []
    for lo in range(0, s.replications, s.chunk):
        hi = min(lo + s.chunk, s.replications)
        parts.append(simulate_hours(np.ascontiguousarray(lam[lo:hi]), h.desk[keep], within, rates, patience,
                                    60.0 * s.warmup_min, int(rng.integers(2**31))))
        progress(name, hi, s.replications)
    n, good, gone, waited = (np.concatenate([p[k] for p in parts]) for k in range(4))  # (queued, busy unused)
    chats = n.sum(axis=0)
    total = np.maximum(chats, 1)
    own = np.divide(good, n, out=np.ones(n.shape), where=n > 0)
    return pd.DataFrame({"queue": name, "ds": h.ds[keep], "service_level_plan": h.cov["service_level"].to_numpy()[keep],
                         "service_level_sim": np.where(chats > 0, good.sum(axis=0) / total, 1.0),
                         "p_meet_target": (own >= queue.target_sl - 1e-12).mean(axis=0),
                         "asa_s": waited.sum(axis=0) / total, "abandon_rate": gone.sum(axis=0) / total,
                         "late_touches": np.nan})


def _backlog_queue(name, queue, h: _Hours, plan, s: Settings, progress) -> pd.DataFrame:
    hours, allowed = len(h.ds), h.cov["open"].to_numpy()  # a backlog is "open" where touches are allowed
    capacity = h.desk_time * 60.0 * plan.staffing.max_occupancy
    late, due = np.zeros((s.replications, hours)), np.zeros((s.replications, hours))
    for r in range(s.replications):
        jobs = backlog_jobs(queue, h.volumes[r], allowed)
        late[r] = edf_schedule(jobs, hours, capacity, allowed)[1] / queue.touch_minutes
        for _, end, minutes in jobs:
            due[r, end - 1] += minutes / queue.touch_minutes
        if (r + 1) % s.chunk == 0 or r + 1 == s.replications:
            progress(name, r + 1, s.replications)
    touches = due.sum(axis=0)
    on_time = np.clip(np.where(touches > 0, 1.0 - late.sum(axis=0) / np.maximum(touches, 1e-9), 1.0), 0.0, 1.0)
    frame = pd.DataFrame({"queue": name, "ds": h.ds, "service_level_plan": h.cov["service_level"].to_numpy(),
                          "service_level_sim": on_time, "p_meet_target": (late <= 1e-6).mean(axis=0),
                          "asa_s": np.nan, "abandon_rate": np.nan, "late_touches": late.mean(axis=0)})
    return frame[allowed]


def simulate(plan, fc: pd.DataFrame, req: pd.DataFrame, flags: pd.DataFrame, assignments: pd.DataFrame,
             settings: Settings = Settings(), progress=None) -> pd.DataFrame:
    """The simulation frame for a roster's hourly assignments (see the module docstring)."""
    progress = progress or (lambda *a: None)
    cov = coverage(plan, req, assignments, flags).merge(req[["queue", "ds", "volume", "within_s", "open"]],
                                                        on=["queue", "ds"], how="left")
    rng = np.random.default_rng(settings.seed)
    frames = []
    for name, queue in plan.queues.items():
        if settings.queues is not None and name not in settings.queues:
            continue
        hours = _hours(name, plan, cov, fc, flags, settings, rng)
        if queue.kind == "chat":
            frames.append(_chat_queue(name, queue, hours, settings, rng, progress))
        else:
            frames.append(_backlog_queue(name, queue, hours, plan, settings, progress))
    return pd.concat(frames, ignore_index=True)[SIMULATION_COLUMNS]


def _rows(mask) -> str:
    rows = np.flatnonzero(np.asarray(mask)) + 2  # file rows: the header is row 1
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return ", ".join(str(r) for r in rows[:5]) + more


def _known_agents(plan, staff: pd.DataFrame, frame: pd.DataFrame, path) -> None:
    unknown = ~frame["agent_id"].isin(set(staff["agent_id"]))
    if unknown.any():
        names = ", ".join(sorted(set(frame.loc[unknown, "agent_id"]))[:5])
        raise InputError(f"{path}: row(s) {_rows(unknown)}: agent(s) {names} not in the staff file {plan.staff}")


def validate_roster(plan, staff: pd.DataFrame, roster: pd.DataFrame, roster_path) -> None:
    """A roster to simulate must name known agents, inside the plan's window."""
    _known_agents(plan, staff, roster, roster_path)
    days = pd.to_datetime(pd.Series(roster["date"]))
    outside = (days < pd.Timestamp(plan.roster_days[0])) | (days > pd.Timestamp(plan.end))
    if outside.any():
        raise InputError(f"{roster_path}: row(s) {_rows(outside)}: dates outside the plan window {plan.start}..{plan.end}")


def validate_assignments(plan, staff: pd.DataFrame, assignments: pd.DataFrame, assignments_path) -> None:
    """Hourly assignments must name known agents and queues, inside the plan's window."""
    _known_agents(plan, staff, assignments, assignments_path)
    first, last = pd.Timestamp(plan.start), pd.Timestamp(plan.end) + pd.Timedelta(hours=23)
    outside = (assignments["ds"] < first) | (assignments["ds"] > last)
    if outside.any():
        raise InputError(f"{assignments_path}: row(s) {_rows(outside)}: hours outside the plan window "
                         f"{plan.start} 00:00..{plan.end} 23:00")
    queues = ~assignments["queue"].isin([*plan.queues, "break"])
    if queues.any():
        raise InputError(f"{assignments_path}: row(s) {_rows(queues)}: queue not in the plan "
                         f"(expected one of {', '.join(plan.queues)} or break)")
