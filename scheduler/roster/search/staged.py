"""The staged solve (MODEL_NOTES 3.7): aggregate -> disaggregate -> complete -> cover -> polish.

1. **Aggregate.** Agents that share every rule-relevant attribute form a class; the model
   decides how many agents of each class work each shift option each day (integer counts),
   under the classes' summed rules. It keeps coverage, service level lost and over-staffing
   exactly, prices wages and rest-day premiums from below (a class's paid hours and rest days
   given to its cheapest members first, each member's least payable hours at its own rate) and
   drops fairness and preferences (all >= 0), so its bound is a valid lower bound of the full
   problem. Its LP is nearly integral, so it solves fast.
2. **Disaggregate.** ``scheduler.roster.search.greedy.hand_out`` gives each class's counts to named agents
   with no solver, every hard rule tested as it goes (a first roster in seconds at 1,000 agents);
   the agents it leaves below a weekly minimum are placed by small CP-SAT parts. Then sweeps of
   CP-SAT parts (``TUNING.chunk`` agents of one class against the rest of it) re-solve the hand-out at
   the least cost: a shift missing from the counts is priced by the late chats it lets through,
   every shift by its pay and rest-day premium (a large-neighbourhood search on the disaggregation).
3. **First roster.** Flows split each hour's multi-skilled agents at the least cost
   (``greedy_flows``: marginal saving, then transfers between queues; hours are independent once
   shifts are fixed, and each queue's cost is convex); shifts and flows make a roster at once,
   priced by the checker, with no solver. It is reported after the hand-out and again if the
   sweeps improve it.
4. **Cover what the staff can.** On queues with a ``floor_cost`` (a target the CS lead wants met
   wherever the staff allows), the fewest agent-hours below the requirement are reached first
   (random crews of agents, every day of theirs re-solved for the shortfall and then the fewest
   shifts moved at the least pay; then the whole model, stopping, proven, at the aggregate relaxation's minimum);
   that shortfall then binds the polish (MODEL_NOTES 3.7's recipe, made lexicographic: on the
   demo the disaggregation left 45-77 agent-hours where 44 is the proven fewest, and the polish
   alone did not recover them).
5. **Polish** (``scheduler.roster.search.polish``): windows of days re-solved by CP-SAT on the full model, with
   fairness and preferences, every other day fixed to the incumbent, for the time left.
6. **Local search** (``scheduler.roster.search.moves``): single moves (a break, a template, a swap
   or transfer of a day's shifts) while one lowers the objective, every rule kept; no solver, so
   it runs also after a Ctrl-C, in a few seconds.

Every budget is deterministic time and every CP-SAT solve one worker; a second worker runs steps
side by side (the polish's rounds, the disaggregation's classes, the fewest-shortfall bound beside
the sweeps), so the same inputs and seed give the same roster with any number of workers. The full
model's rules are built on a thread while the aggregate solves (``RosterModel(background=True)``,
begun once the aggregate's own model is built). Up to the first roster the spare core does nothing
else: at 1,000 agents a third thread there held the first roster back.

The reported bound is the aggregate's, or CP-SAT's on the full model when that is better: its LP
search runs on one worker beside the polish on a roster of up to 1,500 agent-days
(``scheduler.roster.search.lpbound``), and a whole-model solve on a tiny one.

Takes: the plan, staff, requirements, flags. Returns: ``RosterResult``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from concurrent.futures import Future

from scheduler import interrupt
from scheduler.roster.model import RosterModel, RosterResult, on_thread
from scheduler.roster.search.greedy import greedy_flows
from scheduler.roster.search.lpbound import LpBound
from scheduler.roster.search.polish import WindowSearch, complete_hint
from scheduler.roster.search.aggregate import AggregateModel
from scheduler.roster.search.arenas import limit_arenas, trim
from scheduler.roster.search.moves import local_search
from scheduler.roster.search.clock import Clock
from scheduler.roster.search.cover import cover_floor
from scheduler.roster.search.first import _report, first_roster, hint_roster, polish_report, shifts_and_flows
from scheduler.roster.search.parts import Disaggregation
from scheduler.roster.search.tuning import TUNING




def _priced(full: RosterModel, dis: Disaggregation, agg_bound, clock: float):
    """The disaggregation's shifts, the least-cost flows for them, and the roster they make."""
    chosen = dis.chosen
    flows = greedy_flows(full, chosen)
    return chosen, flows, first_roster(full, chosen, flows, agg_bound, time.perf_counter() - clock)


def staged_solve(full: RosterModel, time_limit_s: float, workers: int, seed: int, progress=None):
    """Aggregate, disaggregate, complete, cover and polish, then the final local search
    (``scheduler.roster.search.moves``, also after a Ctrl-C); returns (RosterResult, aggregate bound)."""
    started = time.perf_counter()
    limit_arenas()  # before the solver threads: a large roster's peak memory near what it uses
    result, agg_bound = _staged(full, time_limit_s, workers, seed, progress)
    interrupt.stage("local_search")
    result = local_search(full, result)
    return dataclasses.replace(result, wall_s=time.perf_counter() - started), agg_bound


def _staged(full: RosterModel, time_limit_s: float, workers: int, seed: int, progress=None):
    """The stages up to the polish; returns (RosterResult, aggregate bound)."""
    started, clock = time.perf_counter(), Clock(time_limit_s)
    interrupt.stage("aggregate")  # until the first roster, Ctrl-C ends the run (``scheduler.interrupt``)
    agg = AggregateModel(full)
    full.start_build()  # the other core builds the full model's rules while the aggregate solves (``RosterModel(background=True)``)
    budget = clock.give(min(0.25 * time_limit_s, TUNING.aggregate_max_s))
    counts, agg_bound = agg.solve(budget, 1, seed)
    clock.give(agg.used - budget)  # what it did not use goes on to the later stages
    interrupt.check()
    if counts is None:  # no aggregate plan in time: the full model for what is left
        return full.solve(max(1.0, clock.left()), workers, seed, progress), None
    interrupt.stage("first_roster")
    dis = Disaggregation(full, agg, counts, seed)
    dis.run(dis.place, workers)
    interrupt.check()
    chosen, flows, first = _priced(full, dis, agg_bound, started)
    interrupt.roster_found()  # from here Ctrl-C stops each stage and keeps the best roster so far
    _report(progress, started, first, full, chosen, flows)
    # the fewest shortfall's bound on a third thread beside the sweeps, wanted by the cover stage after them (beside
    # the hand-out it held L's first roster back by about 1.5 s)
    fewest = on_thread(agg.fewest_below, min(5.0, 0.05 * time_limit_s), 1, seed) if workers > 1 else None
    lp = _lp_bound(full, clock.left(), workers, seed, agg_bound)
    with lp if lp is not None else contextlib.nullcontext():
        result = _improve(full, agg, dis, fewest, (chosen, flows, first), clock, workers, seed, progress, started)
    return (_with_bound(result, lp.bound) if lp is not None else result), agg_bound


def _improve(full: RosterModel, agg: AggregateModel, dis: Disaggregation, fewest, start: tuple, clock: Clock,
             workers: int, seed: int, progress, started: float) -> RosterResult:
    """Sweeps, cover and polish from the first roster ``start`` (chosen, flows, result)."""
    chosen, flows, first = start
    time_limit_s, agg_bound = clock.limit, first.bound
    interrupt.stage("sweeps")
    if fewest is None:  # one worker: the bound in turn, before the sweeps
        fewest = _done(agg.fewest_below(clock.give(min(5.0, 0.05 * time_limit_s)), 1, seed))
    sweeps_s = clock.give(min(max(TUNING.improve_share * time_limit_s, dis.parts * TUNING.sweep_part_s / max(1, workers)),
                              0.6 * clock.left()))
    dis.run(lambda k: dis.improve(k, sweeps_s), workers)
    better = _priced(full, dis, agg_bound, started)
    if better[2].objective < first.objective:
        chosen, flows, first = better
        _report(progress, started, first, full, chosen, flows)
    if clock.left() < 1.0 or interrupt.requested():
        return dataclasses.replace(first, interrupted=interrupt.requested())
    interrupt.stage("cover")
    trim()
    hint_roster(full, chosen, flows, clock.give(min(clock.left() / 4, TUNING.hint_max_s)), seed)
    fewest = fewest.result()
    budget = clock.give(min(0.35 * time_limit_s, TUNING.cover_left * clock.left()))
    covered = cover_floor(full, budget, workers, seed, fewest) if not interrupt.requested() else None
    clock.give((covered.used if covered is not None else 0.0) - budget)  # what it did not use goes on to the polish
    if covered is not None:
        chosen, flows, moved, floor, _ = covered
        if moved and not interrupt.requested():
            hint_roster(full, chosen, flows, clock.give(min(max(0.5, clock.left() / 4), TUNING.hint_max_s)), seed)
            first = first_roster(full, chosen, flows, agg_bound, time.perf_counter() - started)
            _report(progress, started, first, full, chosen, flows)
        elif moved:  # Ctrl-C: the covered roster, priced, without the polish's hint
            first = first_roster(full, chosen, flows, agg_bound, time.perf_counter() - started)
        first = dataclasses.replace(first, floor=floor)
    if interrupt.requested():
        return dataclasses.replace(first, interrupted=True, wall_s=time.perf_counter() - started)
    interrupt.stage("polish")
    trim()  # what the cover's solves freed, back before the polish's models
    result = polish(full, first, agg_bound, clock.give(clock.left()), workers, seed, polish_report(progress, started, full))
    return dataclasses.replace(result, wall_s=time.perf_counter() - started,
                               interrupted=result.interrupted or interrupt.requested())


def _done(value) -> Future:
    """A future that holds ``value`` already."""
    future = Future()
    future.set_result(value)
    return future


def _with_bound(result: RosterResult, bound: float) -> RosterResult:
    """``result`` with ``bound`` when it is the better one, and its gap against it."""
    if bound <= result.bound:
        return result
    gap = 0.0 if result.objective == 0 else max(0.0, (result.objective - bound) / abs(result.objective))
    return dataclasses.replace(result, bound=bound, gap=gap)


def polish(full: RosterModel, first: RosterResult, agg_bound, seconds: float, workers: int, seed: int, progress=None,
           days_from: int = 0, round_floor: float = 0.0):
    """``scheduler.roster.search.polish``'s search from the full model's complete hint (``first``): the whole model
    briefly, then windows of days (from model day ``days_from`` on, each round counted at least ``round_floor``); the
    roster it ends with, priced by the checker."""
    values = complete_hint(full.model)
    if values is None or seconds < 0.5:  # the hint could not be completed, or no time: keep the first roster
        return first
    clock = Clock(seconds)
    search = WindowSearch(full, values, first.objective, workers, seed, days_from=days_from, round_floor=round_floor)
    report = (lambda obj, bound: progress(obj, max(bound, agg_bound or 0.0), search.values)) if progress is not None else None
    if not search.whole(clock.give(min(TUNING.whole_max_s, TUNING.whole_share * seconds))):
        search.run(clock.left(), report)
    chosen, flows = shifts_and_flows(full, search.values)
    bound = max(search.bound, agg_bound if agg_bound is not None else 0.0)
    result = first_roster(full, chosen, flows, bound, 0.0)
    return dataclasses.replace(result, floor=first.floor, interrupted=search.interrupted)


def _lp_bound(full: RosterModel, seconds: float, workers: int, seed: int, beat) -> LpBound | None:
    """CP-SAT's LP bound on the spare core from the first roster to the end of the polish, on a roster
    small enough for it (``scheduler.roster.search.lpbound``); ``beat``: the bound it is to beat.

    Not with one worker (that run uses one core). It clones the model before the cover stage adds
    ``shortfall <= reached``, so its bound bounds every roster. On S (30 s) started at the polish it
    had 6.6 s and gave up at 137k against the aggregate's 222k (1.14 % gap)."""
    if workers < 2 or len(full.agents) * len(full.days) > TUNING.lp_max_agent_days:
        return None
    return LpBound(full.model, seconds, seed, beat=beat or 0.0)
