"""The staged search's time budgets: with one worker no stage reads the wall clock (the budgets
handed out are counted), so a run repeats itself exactly."""

from __future__ import annotations

import time


class Clock:
    """Time left of a limit. With more than one worker, wall time. With one, the limit less the
    budgets handed out (``give``): every solve then stops on deterministic time and no stage reads
    the wall clock, so a run repeats itself exactly (it may end past the limit by the Python work
    between solves)."""

    def __init__(self, limit: float, workers: int):
        self.limit, self.wall, self.given, self.start = limit, workers > 1, 0.0, time.perf_counter()

    def left(self) -> float:
        return self.limit - (time.perf_counter() - self.start if self.wall else self.given)

    def give(self, seconds: float) -> float:
        """``seconds`` for a stage, counted against the limit with one worker."""
        self.given += seconds
        return seconds
