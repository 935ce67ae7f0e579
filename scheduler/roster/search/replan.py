"""The re-plan's search (issue 20; MODEL_NOTES 3.7, "re-planning during the event"): from the
published roster, not from scratch.

The full model carries the lock and the change cost (``RosterModel(published=...)``), so the
published roster is a feasible start whose change cost is nil. It is priced on the new
requirements (least-cost flows, the checker), completed into a hint for every variable, and
polished (``staged.polish``: the whole model from it on a small roster, then windows of days) for
the time left. The hand-out is skipped: it would start from scratch and pay a change for every
shift it moves. The final local search is skipped too: its moves are priced without the change
cost. The aggregate runs for its bound only: the lock only restricts and the change cost is not
in the checker's price, so a bound on any roster from scratch bounds the re-plan's too, and the
gap says how far stability and the search leave it from the best roster on the new forecast.

Takes: the full ``RosterModel`` (with ``published``), the published roster frame. Returns: ``RosterResult``.
"""

from __future__ import annotations

import dataclasses
import time

from scheduler import interrupt
from scheduler.roster.model import RosterModel, RosterResult
from scheduler.roster.search.aggregate import AggregateModel
from scheduler.roster.search.clock import Clock
from scheduler.roster.search.first import _report, first_roster, hint_roster, polish_report
from scheduler.roster.search.greedy import greedy_flows
from scheduler.roster.search.hours import chosen_of
from scheduler.roster.search.staged import polish
from scheduler.roster.search.tuning import TUNING


def replan_solve(full: RosterModel, roster, time_limit_s: float, workers: int, seed: int, progress=None) -> RosterResult:
    """The published ``roster`` on the new requirements, then polished under the lock and the change cost."""
    started, clock = time.perf_counter(), Clock(time_limit_s)
    interrupt.stage("first_roster")
    chosen = chosen_of(full, roster)
    flows = greedy_flows(full, chosen)
    first = first_roster(full, chosen, flows, None, time.perf_counter() - started)
    interrupt.roster_found()  # the published roster is a roster: from here Ctrl-C keeps the best so far
    _report(progress, started, first, full, chosen, flows)
    bound = _bound(full, clock, seed)
    if interrupt.requested():  # Ctrl-C: the published roster on the new requirements, checked and written
        return dataclasses.replace(first, interrupted=True, wall_s=time.perf_counter() - started)
    interrupt.stage("polish")
    hint_roster(full, chosen, flows, clock.give(min(clock.left() / 4, TUNING.hint_max_s)), seed)
    result = polish(full, first, bound, clock.give(clock.left()), workers, seed, polish_report(progress, started, full),
                    days_from=full.published.first_open_day(full.days), round_floor=TUNING.replan_round_s)
    return dataclasses.replace(result, wall_s=time.perf_counter() - started,
                               interrupted=result.interrupted or interrupt.requested())


def _bound(full: RosterModel, clock: Clock, seed: int) -> float | None:
    """The aggregate relaxation's bound on every roster of the plan (from scratch), on a share of the budget."""
    interrupt.stage("aggregate")
    agg = AggregateModel(full)
    budget = clock.give(min(0.1 * clock.limit, TUNING.aggregate_max_s))  # proven within 0.1 % in ~4 s on the demo
    _, bound = agg.solve(budget, 1, seed)
    clock.give(agg.used - budget)
    return bound
