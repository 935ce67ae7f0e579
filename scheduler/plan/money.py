"""Money in the roster's objective: integer units, ``COST_SCALE`` a yuan, so that the solver and the
checker evaluate exactly the same sums."""

COST_SCALE = 10  # objective units per yuan


def units(yuan: float) -> int:
    """Yuan to integer objective units."""
    return int(round(yuan * COST_SCALE))
