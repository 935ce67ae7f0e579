"""Cover what the staff can (MODEL_NOTES 3.7, step 4): on queues with a ``floor_cost``, the fewest
agent-hours below the requirement are reached first, by random crews of agents (every day of
theirs re-solved for the shortfall, then the least pay and the fewest shifts moved) and then the whole model,
stopping, proven, at the aggregate relaxation's minimum.

Takes: the full ``RosterModel`` (hinted with a roster). Returns: the shifts and flows reached."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from ortools.sat.python import cp_model

from scheduler import interrupt
from scheduler.roster.model import RosterModel, set_limits
from scheduler.roster.search.polish import WindowSearch, complete_hint, hinted, whole_fits
from scheduler.roster.search.aggregate import floor_steps
from scheduler.roster.search.clock import Clock
from scheduler.roster.search.first import shifts_and_flows
from scheduler.roster.search.tuning import TUNING
from scheduler.rules.pay import shift_pay
from scheduler.plan.money import tens


def _shortfall(full: RosterModel, values: list[int]) -> int:
    """``floor_steps`` of the roster given as a value per model variable."""
    return floor_steps(full.floor, lambda v: values[v.index])




class Covered(NamedTuple):
    """What ``cover_floor`` reached: the shifts and flows, the shifts moved, the floor reached
    (``{"agent_hours_below", "proven_fewest"}``) and the deterministic seconds it used (the rest of
    its budget goes on to the polish)."""
    chosen: dict
    flows: dict
    moved: int
    floor: dict
    used: float


def cover_floor(full: RosterModel, seconds: float, workers: int, seed: int, fewest: float) -> Covered | None:
    """Cover what the staff can: the fewest agent-hours below the requirement on the queues with a
    ``floor_cost``, lexicographically before the rest of the cost. The shortfall is lowered first by
    ``floor_crews`` (random crews of agents re-solved for it, then for the least pay and the fewest shifts moved,
    within 0.4 of ``seconds``, stopping sooner when ``TUNING.cover_patience`` rounds in a row lower
    nothing); then, if still above ``fewest`` (the aggregate relaxation's minimum, a valid bound), by
    the whole model for the shortfall alone, up to three quarters of ``seconds``, which stops, proven,
    on reaching it, and a last solve that keeps the shortfall it reached and moves the fewest shifts
    from the crews' roster. The whole model only on a roster of up to ``TUNING.whole_max_agent_days``
    (the crews get three quarters of ``seconds`` on a larger one): at 60 s it lowered nothing on the
    demo (339 in 4.6 s), S (209 in 2.1 s) or M (1 in 5.8 s), where the crews had lowered S from 222
    and M from 100 and were still going when their time ran out. That shortfall becomes a
    constraint of the full model, so the polish keeps it. Needs the complete hint of ``hint_roster``
    (None without it).

    Returns ``Covered``, or None with no floor queue or no complete hint. ``proven_fewest``: the
    shortfall reached equals ``fewest``, so no roster under the hard rules leaves less (weighted by
    each queue's floor_cost).
    """
    if not full.floor:
        return None
    clock, before = Clock(seconds), complete_hint(full.model)
    if before is None:
        return None
    values, used = before, 0.0
    lower = seconds >= TUNING.cover_min_s  # else too little time to lower it (L at a 30 s limit): the shortfall as it is
    whole = whole_fits(full)
    if lower and _shortfall(full, values) > fewest and not interrupt.requested():
        values, spent = floor_crews(full, values, fewest, clock.give((0.4 if whole else 0.75) * seconds), workers, seed)
        used += spent
    if whole and lower and _shortfall(full, values) > fewest and not interrupt.requested():
        values, spent = _fewest_whole(full, values, fewest, clock, 0.25 * seconds, seed)
        used += spent
    reached = _shortfall(full, values)
    full.model.add(floor_steps(full.floor) <= reached)
    if values != before and not interrupt.requested():  # the solves above ignored the cost of the flows: the best for these shifts
        settled = WindowSearch(full, values, np.inf, workers, seed)
        used += settled.settle(clock.give(min(TUNING.settle_s, max(0.5, clock.left()))))
        values = settled.values
    chosen, flows = shifts_and_flows(full, values)
    moved = sum(values[v.index] != before[v.index] for v in _shift_vars(full))
    floor = {"agent_hours_below": int(sum(values[v.index] for _, v in full.floor)), "proven_fewest": bool(reached <= fewest)}
    return Covered(chosen, flows, moved, floor, used)


def floor_crews(full: RosterModel, values: list[int], fewest: float, seconds: float, workers: int,
                seed: int) -> tuple[list[int], float]:
    """Crews of agents drawn at random, every day of theirs re-solved with every other agent fixed
    (``scheduler.roster.search.polish``) for the floor shortfall first and ``_second_goal`` second (pay,
    then the shifts moved from ``values``), until the shortfall reaches ``fewest``, ``seconds`` are
    spent or ``TUNING.cover_patience`` rounds in a row lower nothing. A crew's roster is taken only
    when it lowers the shortfall: one that lowered only the pay moved the demo's seed 0 from 384,158
    to 388,872 with 3 movable breaks (the pay is not the whole cost). Returns the values reached and
    the deterministic time spent.

    Lexicographic by weight (a step of the shortfall outweighs the whole second goal). Moving few
    shifts keeps the cost near the start's; the shortfall alone let a crew's other shifts go
    anywhere (L, 30 s: 4.2M against a 3.15M start), and the whole cost as the second goal made each
    step too hard to finish (demo: 1 of 5 runs proven). On the demo, from the sweeps' 49-61
    agent-hours, crews of 20 reached the proven 44 within 4 s in 5 of 5 runs; windows of 7 days
    stopped at 45 in 3 of 5."""
    xs = _shift_vars(full)
    weight, second, paid = _second_goal(full, xs, values)
    goal = weight * floor_steps(full.floor) + second
    search = WindowSearch(full, values, weight * _shortfall(full, values) + paid, workers, seed, goal=goal)
    spent = search.run(seconds, step=search.crew, presolve=True, done=lambda vals: _shortfall(full, vals) <= fewest,
                       patience=TUNING.cover_patience, accept=lambda new, old: _shortfall(full, new) < _shortfall(full, old))
    return search.values, spent


def _second_goal(full: RosterModel, xs: list, values: list[int]):
    """The cover's second goal once the shortfall is reached: the shifts' pay (tens of yuan), then
    ``TUNING.cover_change`` for each shift of ``xs`` moved from ``values``. Returns ``(weight,
    expression, its value at values)``: ``weight`` a step of the shortfall outweighs it all by.

    Moved shifts alone made an extra shift (one change) cheaper than a shift moved to another day
    (two), so the crews covered the shortfall with shifts the roster then paid for (L, 60 s: wages
    2,799k to 2,826k in the cover stage, 2,989,375 in the end; with the pay: 2,808k and 2,973,390;
    M 605.2k against 605.8k, S's three seeds 0.3 % dearer). The changes keep the crews near the
    incumbent where the pay is equal."""
    pay = _pay_tens(full)
    weight = sum(pay) + TUNING.cover_change * len(xs) + 1
    second = sum(p * v for p, v in zip(pay, xs)) + TUNING.cover_change * _moves(xs, values)
    return weight, second, sum(p * values[v.index] for p, v in zip(pay, xs))


def _moves(xs: list, values: list[int]):
    """The shifts of ``xs`` (Boolean variables) whose value differs from ``values``: an expression."""
    return sum((1 - v) if values[v.index] else v for v in xs)


def _fewest_whole(full: RosterModel, values: list[int], fewest: float, clock: Clock, spare: float,
                  seed: int) -> tuple[list[int], float]:
    """The whole model from ``values`` for the floor shortfall alone (stopping, proven, at ``fewest``),
    leaving ``spare`` seconds of ``clock``; if it lowers it, the roster that keeps the shortfall
    reached and moves the fewest shifts from ``values``, in what is left. Returns the values reached
    (``values`` if no better) and the deterministic time spent."""
    below = floor_steps(full.floor)
    model = hinted(full.model.clone(), values)
    model.add(below >= int(fewest))
    model.minimize(below)
    solver, found = _solve(model, clock.give(max(0.5, clock.left() - spare)), seed)
    if not found or solver.objective_value >= _shortfall(full, values) or interrupt.requested():
        return values, solver.deterministic_time
    fewer, xs, spent = list(solver.response_proto.solution), _shift_vars(full), solver.deterministic_time
    model = hinted(full.model.clone(), fewer)
    model.add(below <= int(round(solver.objective_value)))
    model.minimize(_second_goal(full, xs, values)[1])
    solver, found = _solve(model, clock.give(max(0.5, clock.left())), seed)
    return (list(solver.response_proto.solution) if found else fewer), spent + solver.deterministic_time


def _pay_tens(full: RosterModel) -> list[int]:
    """Each shift variable's pay (``_shift_vars``' order), in tens of yuan."""
    return [tens(shift_pay(shifts.agent, full.opts[o].template, full.days[d], full.plan))
            for shifts in full.agents for d, day_vars in enumerate(shifts.by_day) for o, _ in day_vars]


def _shift_vars(full: RosterModel) -> list:
    return [v for shifts in full.agents for day_vars in shifts.by_day for _, v in day_vars]


def _solve(model: cp_model.CpModel, seconds: float, seed: int) -> tuple[cp_model.CpSolver, bool]:
    """Solve ``model`` within ``seconds`` on one CP-SAT worker (interleaved workers found no solution
    to the demo's aggregate in 10 s, one worker did); the solver and whether it found a solution."""
    solver = cp_model.CpSolver()
    set_limits(solver, seconds, 1, seed)
    return solver, interrupt.solve(solver, model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
