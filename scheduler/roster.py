"""The CP-SAT roster: named agents on shifts, and how many serve each queue each hour.

Decision ``x[a, d, o]``: agent ``a`` works shift option ``o`` (a template with its break hour)
starting on day ``d``. Agents with the same skill set form a group; each hour the group's
agents at the desk are split over their queues by integer flows ``f[g, q, t]`` (every agent at
the desk serves exactly one queue), so coverage ``c[q, t]`` is the sum of the flows.
Hard rules: one shift a day, availability, night permission, employment type, minimum rest
between shifts, maximum consecutive working days, weekly hours. Under-staffing is a penalised
soft term (``short[q, t] >= required - c``), never a constraint, so high demand cannot make the
model infeasible. Objective in 0.1 yuan: wages + under-staffing + over-staffing.

Takes: the plan, the staff frame, the requirements frame. Returns: ``RosterResult`` with the
roster frame (``agent_id, name, date, shift, start, end, paid_hours, break_start``), the
assignments frame (``agent_id, ds, queue``) and the solver's status, objective, bound and gap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from scheduler.shifts import options, rest_conflicts, shift_end, shift_start

COST_SCALE = 10  # objective units per yuan
ROSTER_COLUMNS = ["agent_id", "name", "date", "shift", "start", "end", "paid_hours", "break_start"]
ASSIGNMENT_COLUMNS = ["agent_id", "ds", "queue"]


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


def allowed(agent, template, date: dt.date) -> bool:
    """Whether the agent may work this template on this date (availability, nights, employment)."""
    return (date not in agent.unavailable and (agent.night_allowed or not template.night)
            and agent.employment in template.employment)


def required_matrix(req: pd.DataFrame, queues, start: dt.date, n_hours: int) -> dict[str, np.ndarray]:
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


class RosterModel:
    """Builds the CP-SAT model; ``solve`` returns a ``RosterResult``."""

    def __init__(self, plan, staff: pd.DataFrame, req: pd.DataFrame):
        self.plan, self.staff = plan, staff.reset_index(drop=True)
        self.days = plan.roster_days  # day 0 is the eve of the plan: only shifts reaching past midnight
        self.n_hours = 24 * len(plan.days)
        self.required = required_matrix(req, plan.queues, plan.start, self.n_hours)
        self.opts = [o for t in plan.shifts.values() for o in options(t)]
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.by_day: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        self.flows: dict[tuple[tuple, str, int], object] = {}
        self._build()

    # -- variables -----------------------------------------------------------------
    def _add_shift_vars(self):
        for a, agent in enumerate(self.staff.itertuples()):
            for d, day in enumerate(self.days):
                for o, opt in enumerate(self.opts):
                    if self.base_hour(d, opt) + opt.template.hours > 0 and allowed(agent, opt.template, day):
                        self.x[a, d, o] = self.model.new_bool_var(f"x_{agent.agent_id}_{day}_{o}")
                        self.by_day[a, d].append((o, self.x[a, d, o]))

    def base_hour(self, d: int, opt) -> int:
        """Plan hour (0 = the plan's first 00:00) at which an option starting on model day ``d`` begins."""
        return 24 * (d - 1) + opt.template.start_hour

    def works(self, a: int, d: int, template: str | None = None) -> list:
        """Shift variables of agent ``a`` on day ``d`` (optionally of one template)."""
        return [v for o, v in self.by_day.get((a, d), ()) if template is None or self.opts[o].template.name == template]

    # -- hard rules ----------------------------------------------------------------
    def _one_shift_per_day(self):
        for a in range(len(self.staff)):
            for d in range(len(self.days)):
                if vs := self.works(a, d):
                    self.model.add_at_most_one(vs)

    def _min_rest(self):
        conflicts = rest_conflicts(list(self.plan.shifts.values()), self.plan.rules.min_rest_h)
        for a in range(len(self.staff)):
            for first, second, gap in conflicts:
                for d in range(len(self.days) - gap):
                    vs = self.works(a, d, first) + self.works(a, d + gap, second)
                    if len(vs) > 1:
                        self.model.add(sum(vs) <= 1)

    def _max_consecutive_days(self):
        m = self.plan.rules.max_consecutive_days
        for a in range(len(self.staff)):
            for d in range(len(self.days) - m):
                vs = [v for k in range(d, d + m + 1) for v in self.works(a, k)]
                if len(vs) > m:
                    self.model.add(sum(vs) <= m)

    def _weekly_hours(self):
        for a, agent in enumerate(self.staff.itertuples()):
            for d in range(max(1, len(self.days) - 6)):
                terms = [(v, self.opts[o].template.paid_hours) for dd in range(d, d + 7)
                         for o, v in self.by_day.get((a, dd), ())]
                if sum(h for _, h in terms) > agent.max_week_hours:
                    self.model.add(sum(h * v for v, h in terms) <= int(agent.max_week_hours))

    # -- coverage ------------------------------------------------------------------
    def _presence(self) -> dict[tuple, dict[int, list]]:
        """Per skill group, per plan hour: the shift variables that put an agent of the group at the desk."""
        presence: dict[tuple, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for (a, d, o), v in self.x.items():
            group = self.staff.at[a, "skills"]
            base = self.base_hour(d, self.opts[o])
            for k in self.opts[o].desk_offsets():
                if 0 <= base + k < self.n_hours:
                    presence[group][base + k].append(v)
        return presence

    def _coverage(self):
        cover: dict[tuple[str, int], list] = defaultdict(list)
        for group, hours in self._presence().items():
            size = int((self.staff["skills"] == group).sum())
            for t, vs in hours.items():
                if len(group) == 1:
                    cover[group[0], t].append(sum(vs))
                    self.flows[group, group[0], t] = sum(vs)
                    continue
                f = {q: self.model.new_int_var(0, size, f"f_{'+'.join(group)}_{q}_{t}") for q in group}
                self.model.add(sum(f.values()) == sum(vs))
                for q, var in f.items():
                    cover[q, t].append(var)
                    self.flows[group, q, t] = var
        return cover

    def _objective(self, cover):
        terms = []
        over_cost = round(self.plan.costs.overstaff_per_agent_hour * COST_SCALE)
        for q, queue in self.plan.queues.items():
            short_cost = round(queue.short_cost * COST_SCALE)
            for t in range(self.n_hours):
                need, have = int(self.required[q][t]), sum(cover.get((q, t), []))
                if need == 0 and not cover.get((q, t)):
                    continue
                short = self.model.new_int_var(0, need, f"short_{q}_{t}")
                over = self.model.new_int_var(0, len(self.staff), f"over_{q}_{t}")
                self.model.add(have + short - over == need)
                terms += [short_cost * short, over_cost * over]
        for (a, d, o), v in self.x.items():
            wage = self.staff.at[a, "hourly_cost"] * self.opts[o].template.paid_hours
            terms.append(round(wage * COST_SCALE) * v)
        self.model.minimize(sum(terms))

    def _build(self):
        self._add_shift_vars()
        for rule in (self._one_shift_per_day, self._min_rest, self._max_consecutive_days, self._weekly_hours):
            rule()
        self._objective(self._coverage())

    # -- solve and read back -------------------------------------------------------
    def solve(self, time_limit_s: float, workers: int, seed: int, log=None) -> RosterResult:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = float(time_limit_s)
        solver.parameters.num_workers = int(workers)
        solver.parameters.random_seed = int(seed)
        if log is not None:
            solver.parameters.log_search_progress = True
            solver.log_callback = log
        status = solver.solve(self.model)
        name = solver.status_name(status)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            hint = "raise --time-limit" if name == "UNKNOWN" else "the hard rules admit no roster"
            raise NoRosterError(f"the roster solver stopped with status {name} and no roster ({hint})")
        obj, bound = solver.objective_value / COST_SCALE, solver.best_objective_bound / COST_SCALE
        gap = 0.0 if obj == 0 else max(0.0, (obj - bound) / abs(obj))
        return RosterResult(self._roster(solver), self._assignments(solver), name, obj, bound, gap, solver.wall_time)

    def _roster(self, solver) -> pd.DataFrame:
        rows = []
        for (a, d, o), v in self.x.items():
            if solver.value(v):
                opt, day = self.opts[o], self.days[d]
                start = shift_start(opt.template, day)
                brk = start + pd.Timedelta(hours=opt.break_start) if opt.break_start is not None else pd.NaT
                rows.append((self.staff.at[a, "agent_id"], self.staff.at[a, "name"], day, opt.template.name,
                             start, shift_end(opt.template, day), opt.template.paid_hours, brk))
        frame = pd.DataFrame(rows, columns=ROSTER_COLUMNS)
        return frame.sort_values(["agent_id", "date"], ignore_index=True)

    def _assignments(self, solver) -> pd.DataFrame:
        """Give each agent at the desk a queue so that per-queue counts equal the solver's flows."""
        t0 = pd.Timestamp(self.plan.start)
        at_desk: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        rows = []
        for (a, d, o), v in sorted(self.x.items()):
            if not solver.value(v):
                continue
            opt = self.opts[o]
            base = self.base_hour(d, opt)
            desk = set(opt.desk_offsets())
            for k in range(opt.template.hours):
                if not 0 <= base + k < self.n_hours:
                    continue
                if k in desk:
                    at_desk[self.staff.at[a, "skills"]][base + k].append(a)
                else:
                    rows.append((self.staff.at[a, "agent_id"], t0 + pd.Timedelta(hours=base + k), "break"))
        for group, hours in at_desk.items():
            for t, agents in hours.items():
                queue_of = [q for q in group for _ in range(int(solver.value(self.flows[group, q, t])))]
                for a, q in zip(sorted(agents), queue_of, strict=True):
                    rows.append((self.staff.at[a, "agent_id"], t0 + pd.Timedelta(hours=t), q))
        frame = pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)
        return frame.sort_values(["agent_id", "ds"], ignore_index=True)


def solve_roster(plan, staff: pd.DataFrame, req: pd.DataFrame, time_limit_s=None, workers=None, seed=None, log=None) -> RosterResult:
    """Build and solve the roster model with the plan's solver settings (overridable)."""
    s = plan.solver
    return RosterModel(plan, staff, req).solve(
        s.time_limit_s if time_limit_s is None else time_limit_s, s.workers if workers is None else workers,
        s.seed if seed is None else seed, log)
