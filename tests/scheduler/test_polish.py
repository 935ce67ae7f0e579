"""The polish's window search: it only keeps better rosters, breaks no rule, repeats itself with one worker,
and Ctrl-C ends it with its incumbent."""

import os
import signal
import threading
import time

from scheduler.check.checker import check_rules, cost_breakdown, coverage
from scheduler.roster.search.greedy import greedy_flows, hand_out
from scheduler.roster.search.polish import WindowSearch, complete_hint
from scheduler.roster.model import RosterModel
from scheduler.roster.search.first import first_roster, hint_roster


def _searched(solved_small, seconds: float):
    """The window search from ``_start`` for ``seconds`` with one worker."""
    full, start, search = _start(solved_small, workers=1)
    search.run(seconds)
    return full, start, search


def _start(solved_small, workers: int):
    """A deliberately poor start (the hand-out of no counts: only the contract minimums) and a window search from it."""
    plan, staff, req, flags, _ = solved_small
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    chosen, _ = hand_out(full, list(range(len(staff))), {}, lambda d, o: 1)
    flows = greedy_flows(full, chosen)
    start = first_roster(full, chosen, flows, None, 0.0)
    hint_roster(full, chosen, flows, 5, 0)
    return full, start, WindowSearch(full, complete_hint(full.model), start.objective, workers, 0)


def test_window_search_keeps_only_better_rosters_that_break_no_rule(solved_small):
    plan, staff, req, flags, _ = solved_small
    full, start, search = _searched(solved_small, 3.0)
    value = lambda v: search.values[v.index]  # noqa: E731
    roster, assignments = full.roster_frame(value), full.assignments_frame(value)
    assert check_rules(plan, staff, roster, assignments) == []
    priced = cost_breakdown(plan, staff, roster, coverage(plan, req, assignments, flags), full.curves)["cost"].sum()
    assert abs(priced - search.objective) < 0.05  # the checker agrees with the incumbent's objective
    assert search.objective < start.objective  # the start leaves hours short that the windows can staff


def test_window_search_with_one_worker_repeats_itself(solved_small):
    _, _, first = _searched(solved_small, 1.0)
    _, _, second = _searched(solved_small, 1.0)
    assert first.values == second.values and first.objective == second.objective


def test_ctrl_c_ends_the_search_with_its_incumbent(solved_small):
    """Ctrl-C half a second into a 60-second search: it stops after the step under way, marked interrupted,
    and the incumbent is a roster (its objective no worse than the start's). The test's own SIGINT handling is back after."""
    before = signal.getsignal(signal.SIGINT)
    _, start, search = _start(solved_small, workers=2)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    clock = time.perf_counter()
    timer.start()
    search.run(60.0)
    timer.join()
    assert search.interrupted
    assert time.perf_counter() - clock < 30
    assert search.objective <= start.objective
    assert signal.getsignal(signal.SIGINT) is before
