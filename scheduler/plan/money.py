"""Money in the roster's objective: integer units, ``COST_SCALE`` a yuan, so that the solver and the
checker evaluate exactly the same sums."""

COST_SCALE = 10  # objective units per yuan


def units(yuan: float) -> int:
    """Yuan to integer objective units."""
    return int(round(yuan * COST_SCALE))


def tens(amount: int) -> int:
    """Objective units to whole tens of yuan: the coarser money of the search's small models (a part's deviations,
    the cover's pay), where ten yuan is precise enough and small coefficients keep CP-SAT's LP well scaled."""
    return round(amount / (10 * COST_SCALE))
