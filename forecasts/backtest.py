"""Hold-out accuracy of the forecaster on one past event.

Takes the **history** frame (``queue, ds, y``) and a :class:`~forecasts.promotions.Promotions`
calendar; fits on the history before a cutoff, forecasts a window and returns an
**accuracy** frame ``queue, wape, peak_wape, coverage`` (one row per queue plus ``all``):

* ``wape`` = Σ|y − mean| / Σy over the window's hours;
* ``peak_wape`` the same over the event's peak day;
* ``coverage`` the share of actual hours inside [p10, p90].

Run ``python -m forecasts.backtest`` for the demo's Double 11 2025 hold-out (fit on the
history before 2025-10-15, forecast 2025-11-01..2025-11-18) and the fit + predict time.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.history import read_history
from forecasts.model import PromoForecaster
from forecasts.promotions import Promotions, read_promotions

DEMO = Path(__file__).resolve().parents[1] / "scheduler" / "demo"


def _scores(frame: pd.DataFrame, peak_day: pd.Timestamp) -> dict:
    err = (frame["y"] - frame["mean"]).abs()
    on_peak = frame["ds"].dt.normalize() == peak_day
    inside = (frame["y"] >= frame["p10"]) & (frame["y"] <= frame["p90"])
    return {
        "wape": float(err.sum() / frame["y"].sum()),
        "peak_wape": float(err[on_peak].sum() / frame.loc[on_peak, "y"].sum()),
        "coverage": float(inside.mean()),
    }


def holdout_accuracy(history: pd.DataFrame, promotions: Promotions, cutoff, start, end,
                     event: str, **params) -> pd.DataFrame:
    """Fit before ``cutoff``, forecast ``start`` 00:00 .. ``end`` 23:00 for ``event``, score it.

    Parameters
    ----------
    history : DataFrame
        ``queue, ds, y``; must hold the actual hours of the window.
    promotions : Promotions
        Calendar holding ``event``.
    cutoff : date-like
        Only history strictly before it is used for fitting.
    start, end : date-like
        Forecast window (days, inclusive).
    event : str
        The held-out event (its peak day is scored separately).
    **params
        Passed to :class:`PromoForecaster`.

    Returns
    -------
    DataFrame
        ``queue, wape, peak_wape, coverage``; the last row ``all`` pools every queue.
    """
    train = history[history["ds"] < pd.Timestamp(cutoff)]
    fc = PromoForecaster(**params).fit(train, promotions).predict(start, end, event)
    actual = history.assign(ds=history["ds"].astype("datetime64[ns]"))
    both = fc.merge(actual, on=["queue", "ds"], how="inner")
    peak_day = pd.Timestamp(promotions.event_row(event)["peak"]).normalize()
    rows = [{"queue": q, **_scores(g, peak_day)} for q, g in both.groupby("queue", sort=True)]
    rows.append({"queue": "all", **_scores(both, peak_day)})
    return pd.DataFrame(rows)


def time_fit_predict(history: pd.DataFrame, promotions: Promotions, start, end, repeats: int = 3) -> float:
    """Best wall-clock seconds of ``fit`` + ``predict`` over ``repeats`` runs."""
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        PromoForecaster().fit(history, promotions).predict(start, end)
        best = min(best, time.perf_counter() - t0)
    return float(best)


def main() -> None:
    """Print the demo's Double 11 2025 hold-out accuracy and the fit + predict time."""
    history = read_history(DEMO / "history.csv")
    promotions = read_promotions(DEMO / "promotions.csv")
    acc = holdout_accuracy(history, promotions, "2025-10-15", "2025-11-01", "2025-11-18", "double11-2025")
    print("Double 11 2025 hold-out (fit on history before 2025-10-15, forecast 2025-11-01..2025-11-18)")
    print(acc.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    secs = time_fit_predict(history, promotions, "2026-11-01", "2026-11-18")
    print(f"fit + predict, full demo history, 2026-11-01..2026-11-18: {secs:.2f} s (best of 3)")


if __name__ == "__main__":
    main()
