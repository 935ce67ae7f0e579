"""The CP-SAT roster: named agents on shifts, and how many serve each queue each hour.

Decision ``x[a, d, o]``: agent ``a`` works shift option ``o`` (a template with its break hour)
starting on day ``d`` (day 0 is the eve of the plan, for a night shift reaching into it).
Agents with the same skill set form a group; each hour the group's agents at the desk are split
over their queues by integer flows (every agent at the desk serves exactly one queue), so the
coverage ``c[q, t]`` is a sum of flows. The hard rules are the registry's, ``scheduler.rules.HARD_RULES``;
the objective's terms are the soft terms', ``scheduler.rules.terms.SOFT_TERMS`` (per agent, per
queue-hour, then over all agents).

The objective, in objective units (``COST_SCALE`` a yuan), is the sum of
- service level lost: the convex loss curve of ``scheduler.staffing.curves`` per queue-hour (tiers),
- over-staffing: agents above the requirement, per agent-hour,
- below target: agents under the requirement, per agent-hour, for queues with a ``floor_cost``
  (the CS lead's way to make a target binding wherever the staff can meet it),
- wages: paid hours at the hourly cost, plus premiums for work on rest days (days past the
  contract's in a 7-day block), hours past the standard day, and statutory holidays,
- fairness: the spread (max - min) of nights, sale-night shifts and paid hours among
  comparable agents (same employment type and the same number of available days),
- preferences not honoured: a shift on a preferred day off, or not of the preferred template.
Under-staffing is never a constraint, so high demand cannot make the model infeasible.

Takes: the plan, the staff frame, the requirements frame, phase flags. Returns:
``RosterResult`` with the roster frame (``agent_id, name, date, shift, start, end, paid_hours,
break_start``), the assignments frame (``agent_id, ds, queue``) and the solver's status,
objective, bound and gap.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from forecasts.errors import InputError
from forecasts.frames import columns
from scheduler import interrupt
from scheduler.rules import constrain_agent, option_allowed
from scheduler.rules.helpers import AgentShifts
from scheduler.rules.terms import agent_terms, hour_terms, plan_terms
from scheduler.plan.shifts import options, plan_hour, reaches_plan, shift_end, shift_start
from scheduler.plan.money import COST_SCALE
from scheduler.staffing.curves import loss_curves

ROSTER_COLUMNS = columns("roster")
ASSIGNMENT_COLUMNS = columns("assignments")
SAFETY_CAP = 10.0  # a solve's wall-clock cap, in multiples of its deterministic limit (reached only on a starved machine) ...
SAFETY_MIN_S = 60.0  # ... and never below this: loading a large model is wall time that deterministic time does not count. M (200 agents) at a 20 s budget with another solve on the 2 cores ran 9x its budget on the clock; a polish step given 0.1 s was cut at 1 s while loading, and three runs gave three rosters (624,264 / 624,375 / 624,395); with this floor (and ``TUNING.wall_cap`` 30) two such runs gave the same roster


class LockedShiftError(InputError):
    """A re-plan's locked published shift that the plan's rules no longer allow."""


class NoRosterError(RuntimeError):
    """The solver stopped without any roster (time limit too short, or the rules admit none)."""


@dataclass(frozen=True)
class RosterResult:
    roster: pd.DataFrame
    assignments: pd.DataFrame
    status: str
    objective: float
    bound: float
    gap: float
    wall_s: float
    interrupted: bool = False
    curves: dict | None = None  # the service-level loss curves the objective used
    floor: dict | None = None  # the staged solve's cover stage: agent-hours below target it reached, and if proven fewest


def required_matrix(req: pd.DataFrame, queues, start, n_hours: int) -> dict[str, np.ndarray]:
    """Scheduled agents required per queue as arrays over the plan's hours."""
    t0 = pd.Timestamp(start)
    out = {}
    for q in queues:
        part = req[req["queue"] == q]
        idx = ((part["ds"] - t0) / pd.Timedelta(hours=1)).astype(int).to_numpy()
        arr = np.zeros(n_hours, dtype=int)
        keep = (idx >= 0) & (idx < n_hours)
        arr[idx[keep]] = part["scheduled"].to_numpy()[keep]
        out[q] = arr
    return out


def add_coverage(model, presence: dict, sizes: dict, flows: dict) -> dict[tuple[str, int], list]:
    """Split each skill group's agents at the desk over its queues by integer flows; coverage per (queue, hour)."""
    cover: dict[tuple[str, int], list] = defaultdict(list)
    for group, hours in presence.items():
        for t, terms in hours.items():
            if len(group) == 1:
                flows[group, group[0], t] = sum(terms)
                cover[group[0], t].append(sum(terms))
                continue
            f = {q: model.new_int_var(0, int(sizes[group]), f"f_{'+'.join(group)}_{q}_{t}") for q in group}
            model.add(sum(f.values()) == sum(terms))
            for q, var in f.items():
                flows[group, q, t] = var
                cover[q, t].append(var)
    return cover


class Demand:
    """What a roster is priced against: the plan's shift options, the agents required per queue and
    hour, and each open queue-hour's loss curve (what ``greedy.greedy_flows`` reads; no solver model)."""

    def __init__(self, plan, staff: pd.DataFrame, req: pd.DataFrame, flags: pd.DataFrame):
        self.plan, self.staff = plan, staff.reset_index(drop=True)
        self.days = plan.roster_days
        self.n_hours = 24 * len(plan.days)
        self.t0 = pd.Timestamp(plan.start)
        self.req, self.flags = req, flags
        self.required = required_matrix(req, plan.queues, plan.start, self.n_hours)
        skill_counts = {q: int(self.staff["skills"].map(lambda s, q=q: q in s).sum()) for q in plan.queues}
        self.curves = loss_curves(req, plan, flags, skill_counts, self.hour_index)
        self.opts = [o for t in plan.shifts.values() for o in options(t)]

    def hour_index(self, ds) -> int:
        return int((pd.Timestamp(ds) - self.t0) / pd.Timedelta(hours=1))


class RosterModel(Demand):
    """Builds the CP-SAT model; ``solve`` returns a ``RosterResult``.

    ``published`` (a re-plan, ``scheduler.check.published.Published``): the locked shifts are the only
    options on their days and must be worked, no other shift starts before the lock, and each later
    agent-day whose template differs from the published one costs ``change_cost``.

    The build has two parts: the shift variables (``agents``: what the staged solve's aggregate and
    hand-out read) and then the rules, coverage and objective. ``background=True`` builds the second
    part on a thread from ``start_build()`` on (the staged solve's aggregate solves meanwhile: CP-SAT
    releases the GIL; started after the aggregate's own Python build, which would otherwise share the
    GIL with it); ``model``, ``flows`` and ``floor`` start it if need be and wait for it. The model is
    the same either way, variable for variable."""

    def __init__(self, plan, staff: pd.DataFrame, req: pd.DataFrame, flags: pd.DataFrame, symmetry: bool = True,
                 published=None, background: bool = False):
        super().__init__(plan, staff, req, flags)
        self.published = published
        self._model = cp_model.CpModel()
        self.agents: list[AgentShifts] = [self._agent_vars(a, agent) for a, agent in enumerate(self.staff.itertuples())]
        self._flows: dict[tuple[tuple, str, int], object] = {}
        self._floor: list = []  # (weight, agents below the requirement) per hour of the queues with a floor_cost
        self._use_symmetry, self._building, self._pending, self._lock = symmetry, None, background, threading.Lock()
        if not background:
            self._build(symmetry)

    def start_build(self) -> None:
        """Begin the background build on a thread (``background=True``; nothing if it has begun or there is none)."""
        with self._lock:
            if self._pending:
                self._pending, self._building = False, on_thread(self._build, self._use_symmetry)

    @property
    def model(self) -> cp_model.CpModel:
        self._built()
        return self._model

    @property
    def flows(self) -> dict:
        self._built()
        return self._flows

    @property
    def floor(self) -> list:
        self._built()
        return self._floor

    def _built(self) -> None:
        """Wait for a build on a thread (``background``; begun here if it has not been), raising what it raised."""
        if self._pending:
            self.start_build()
        building = self._building
        if building is not None:
            building.result()
            self._building = None  # built: later reads skip the future's lock

    # -- variables and rules ------------------------------------------------------------------
    def _agent_vars(self, a: int, agent) -> AgentShifts:
        shifts = AgentShifts(agent, self.days, self.opts, [[] for _ in self.days])
        templates = {opt.template.name: opt.template for opt in self.opts}.values()
        for d, day in enumerate(self.days):
            allowed = {t.name: reaches_plan(d, t) and option_allowed(agent, t, day, self.plan) for t in templates}  # once a template
            for o, opt in enumerate(self.opts):
                if allowed[opt.template.name] and self._unlocked(agent.agent_id, day, opt):
                    shifts.by_day[d].append((o, self._model.new_bool_var(f"x_{agent.agent_id}_{day}_{o}")))
        return shifts

    def _unlocked(self, agent_id, day, opt) -> bool:
        """Whether a re-plan's lock lets the agent work ``opt`` on ``day`` (always, in a plan)."""
        return self.published is None or self.published.allows(agent_id, day, opt.template, opt.break_start,
                                                               shift_start(opt.template, day))

    def _keep_published(self, shifts: AgentShifts) -> list:
        """A re-plan's locked shifts worked, and a change cost per later agent-day off its published template."""
        terms, w, agent_id = [], self.published.change_weight(), shifts.agent.agent_id
        for d, day in enumerate(self.days):
            day_vars, pub = shifts.by_day[d], self.published.shifts.get((agent_id, day))
            if self.published.locked(agent_id, day) is not None:
                if not day_vars:
                    raise LockedShiftError(f"{agent_id} {day}: the published {pub[0]} shift is locked but the plan's "
                                           f"rules no longer allow it (availability, skills or shift times changed)")
                self._model.add(sum(v for _, v in day_vars) == 1)
            elif pub is None and w:
                terms += [w * v for _, v in day_vars]
            elif w:
                terms.append(w - w * sum(v for o, v in day_vars if self.opts[o].template.name == pub[0]))
        return terms

    def _symmetry(self):
        """Identical agents (same every attribute but id and name) are ordered by paid hours."""
        key = lambda r: tuple(v for k, v in r.items() if k not in ("agent_id", "name"))  # noqa: E731
        groups = defaultdict(list)
        for a, row in enumerate(self.staff.to_dict("records")):
            groups[key(row)].append(a)
        for members in groups.values():
            for a, b in zip(members, members[1:]):
                ha = [h * v for d in range(len(self.days)) for v, h in self.agents[a].hours(d)]
                hb = [h * v for d in range(len(self.days)) for v, h in self.agents[b].hours(d)]
                self._model.add(sum(ha) >= sum(hb))

    # -- coverage and objective ---------------------------------------------------------------
    def _presence(self) -> dict[tuple, dict[int, list]]:
        """Per skill group, per plan hour: the shift variables that put an agent of the group at the desk."""
        presence: dict[tuple, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for shifts in self.agents:
            for d, day_vars in enumerate(shifts.by_day):
                for o, v in day_vars:
                    for t in self.opts[o].desk_hours(d, self.n_hours):
                        presence[shifts.agent.skills][t].append(v)
        return presence

    def _coverage(self) -> dict[tuple[str, int], list]:
        sizes = self.staff.groupby("skills").size().to_dict()
        return add_coverage(self._model, self._presence(), sizes, self._flows)

    def _build(self, symmetry: bool):
        """The rules, coverage and objective on the shift variables (``agents``)."""
        model, terms = self._model, []
        for shifts in self.agents:
            constrain_agent(model, shifts, self.plan)
            terms += agent_terms(model, shifts, self.plan)
            if self.published is not None:
                terms += self._keep_published(shifts)
        if symmetry:
            self._symmetry()
        terms += hour_terms(model, self._coverage(), self.required, self.curves, self.plan, len(self.staff), self._floor)
        terms += plan_terms(model, self.agents, self.staff, self.plan)
        model.minimize(sum(terms))

    # -- solve and read back ------------------------------------------------------------------
    def solve(self, time_limit_s: float, workers: int, seed: int, progress=None) -> RosterResult:
        solver = cp_model.CpSolver()
        set_limits(solver, time_limit_s, workers, seed)
        interrupt.stage("solve")
        with interrupt.keeping():  # Ctrl-C ends the search; the best roster so far is kept
            status = interrupt.solve(solver, self.model, _Progress(progress))
        name = solver.status_name(status)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            interrupt.check()  # stopped by Ctrl-C before any roster: nothing to keep
            hint = "raise --time-limit" if name == "UNKNOWN" else "the hard rules admit no roster"
            raise NoRosterError(f"the roster solver stopped with status {name} and no roster ({hint})")
        obj, bound = solver.objective_value / COST_SCALE, solver.best_objective_bound / COST_SCALE
        gap = 0.0 if obj == 0 else max(0.0, (obj - bound) / abs(obj))
        spent = solver.deterministic_time
        interrupted = interrupt.requested() or (status == cp_model.FEASIBLE and spent < 0.95 * time_limit_s)
        interrupt.roster_found()
        return RosterResult(self.roster_frame(solver.value), self.assignments_frame(solver.value), name, obj, bound,
                            gap, solver.wall_time, interrupted, self.curves)

    def _chosen(self, value):
        for shifts in self.agents:
            for d, day_vars in enumerate(shifts.by_day):
                for o, v in day_vars:
                    if value(v):
                        yield shifts.agent, d, self.opts[o]

    def roster_frame(self, value) -> pd.DataFrame:
        """The roster frame from a value lookup on the shift variables (a solver's, or a chosen plan's)."""
        rows = []
        for agent, d, opt in self._chosen(value):
            day, start = self.days[d], shift_start(opt.template, self.days[d])
            brk = start + pd.Timedelta(hours=opt.break_start) if opt.break_start is not None else pd.NaT
            rows.append((agent.agent_id, agent.name, day, opt.template.name, start, shift_end(opt.template, day),
                         opt.template.paid_hours, brk))
        return pd.DataFrame(rows, columns=ROSTER_COLUMNS).sort_values(["agent_id", "date"], ignore_index=True)

    def assignments_frame(self, value) -> pd.DataFrame:
        """Give each agent at the desk a queue so that per-queue counts equal the flows' values."""
        return hourly_assignments(self._chosen(value), lambda g, q, t: int(value(self.flows[g, q, t])), self.t0,
                                  self.n_hours)


def on_thread(fn, *args) -> Future:
    """``fn(*args)`` on a thread of its own from now; the future's ``result()`` waits and raises what it raised."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(fn, *args)
    pool.shutdown(wait=False)  # the thread ends with its call
    return future


def hourly_assignments(chosen, flow_of, t0: pd.Timestamp, n_hours: int) -> pd.DataFrame:
    """The assignments frame of shifts ``chosen`` (``(agent, model day, option)``, agent with ``agent_id``
    and ``skills``): each multi-skilled group's agents at the desk split as ``flow_of(group, queue, hour)`` says."""
    at_desk: dict[tuple, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = []
    for agent, d, opt in chosen:
        base, desk = plan_hour(d, opt.template), set(opt.desk_offsets())
        for k in range(opt.template.hours):
            if not 0 <= base + k < n_hours:
                continue
            if k in desk:
                at_desk[agent.skills][base + k].append(agent.agent_id)
            else:
                rows.append((agent.agent_id, t0 + pd.Timedelta(hours=base + k), "break"))
    for group, hours in at_desk.items():
        for t, ids in hours.items():
            queue_of = [group[0]] * len(ids) if len(group) == 1 else \
                [q for q in group for _ in range(flow_of(group, q, t))]
            at = t0 + pd.Timedelta(hours=t)
            rows += [(i, at, q) for i, q in zip(sorted(ids), queue_of, strict=True)]
    return pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS).sort_values(["agent_id", "ds"], ignore_index=True)


def set_limits(solver, seconds: float, workers: int, seed: int) -> None:
    """Workers, seed and time limit, so that a solve repeats itself exactly with any number of workers.

    The limit is deterministic time (``max_deterministic_time``, CP-SAT's count of work done,
    about a second each on an idle machine); with more than one worker the search is interleaved
    (``interleave_search``: the workers' tasks run in batches and synchronise in a fixed order), so
    the same model, seed and limit give the same solution whatever the machine's load. The wall
    clock is only a safety cap (``SAFETY_CAP`` times the limit, at least ``SAFETY_MIN_S``)."""
    params = solver.parameters
    params.num_workers = int(workers)
    params.catch_sigint_signal = False  # Ctrl-C is ``scheduler.interrupt``'s (it stops the solve)
    params.random_seed = int(seed)
    params.max_deterministic_time = float(seconds)
    params.max_time_in_seconds = max(SAFETY_CAP * float(seconds), SAFETY_MIN_S)
    params.interleave_search = workers > 1


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports time, objective, bound and gap at each improving roster."""

    def __init__(self, report, every_s: float = 2.0):
        super().__init__()
        self.report, self.every_s, self.last = report, every_s, -every_s

    def on_solution_callback(self):
        if self.report is None or self.wall_time - self.last < self.every_s:
            return
        self.last = self.wall_time
        obj, bound = self.objective_value / COST_SCALE, self.best_objective_bound / COST_SCALE
        gap = 0.0 if obj == 0 else max(0.0, (obj - bound) / abs(obj))
        self.report(self.wall_time, obj, bound, gap)
