"""The staged search's time budgets, counted in deterministic time so that a run repeats itself
exactly with any number of workers, whatever the machine's load: no stage reads the wall clock but
the safety cap."""

from __future__ import annotations

import time

from scheduler.roster.search.tuning import TUNING


class Clock:
    """Time left of a limit: the limit less the budgets handed out (``give``). Every solve stops on
    deterministic time (``scheduler.roster.model.set_limits``), so the stages' budgets, and with
    them the roster, do not depend on how fast the machine is at the moment. A run ends past the
    limit by the Python work between solves. The wall clock is a safety cap only: past
    ``TUNING.wall_cap`` times the limit (a machine starved of CPU), nothing is left."""

    def __init__(self, limit: float):
        self.limit, self.given, self.start = limit, 0.0, time.perf_counter()

    def left(self) -> float:
        if time.perf_counter() - self.start > TUNING.wall_cap * self.limit:
            return 0.0
        return self.limit - self.given

    def give(self, seconds: float) -> float:
        """``seconds`` for a stage, counted against the limit."""
        self.given += seconds
        return seconds
