"""Backtest the forecaster on real call-centre data: US bank 2003 (fpp3 ``bank_calls``).

Reads ``../shared/data/usbank2003_hourly_calls.csv`` (relative to the repo root; format in
``../shared/data/SOURCES.md``: ``date, weekday, hour, calls, n_5min_intervals``, weekdays
07:00-21:00), builds the **history** frame (one queue ``calls``) and a **promotions** calendar
in which every absent weekday (a holiday) and the first working day after it (the
post-holiday peak) form one event of kind ``holiday`` (adjacent holidays are merged; its window spans a week
before and after, so the scored hours include ordinary days around the holiday; the only phase is
``peak`` = the post-holiday day), then
prints :func:`forecasts.backtest.format_table`.

Usage: ``python benchmarks/backtest_usbank.py [--lead-days N] [--anchor peak|start]``
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasts.backtest import format_table, run_backtest  # noqa: E402
from forecasts.promotions import check_promotions  # noqa: E402

WINDOW_DAYS = 7  # an event window = the week before the holiday .. the week after the post-holiday day
DATA = ROOT.parent / "shared" / "data" / "usbank2003_hourly_calls.csv"


def load_history(path: Path = DATA) -> pd.DataFrame:
    """The history frame ``queue, ds, y`` (queue ``calls``)."""
    raw = pd.read_csv(path)
    ds = pd.to_datetime(raw["date"]) + pd.to_timedelta(raw["hour"], unit="h")
    return pd.DataFrame({"queue": "calls", "ds": ds.astype("datetime64[ns]"), "y": raw["calls"].astype(float)})


def holiday_promotions(history: pd.DataFrame):
    """One ``holiday`` event per run of absent weekdays: start = first holiday, peak = next working day."""
    present = pd.DatetimeIndex(sorted(history["ds"].dt.normalize().unique()))
    weekdays = pd.bdate_range(present.min(), present.max())
    absent = weekdays.difference(present)
    rows, i = [], 0
    while i < len(absent):
        first = absent[i]
        while i + 1 < len(absent) and (absent[i + 1] - absent[i]).days <= 3 and not \
                present[(present > absent[i]) & (present < absent[i + 1])].size:
            i += 1
        after = present[present > absent[i]]
        i += 1
        if after.empty:
            continue
        peak = after[0]
        name = f"holiday-{first:%Y-%m-%d}"
        fmt = "%Y-%m-%d %H:%M"
        start, end = first - pd.Timedelta(days=WINDOW_DAYS), peak + pd.Timedelta(days=WINDOW_DAYS + 1)
        rows.append((name, "holiday", "", start.strftime(fmt), end.strftime(fmt), peak.strftime(fmt)))
        rows.append((name, "holiday", "peak", peak.strftime(fmt), (peak + pd.Timedelta(days=1)).strftime(fmt), ""))
    raw = pd.DataFrame(rows, columns=["event", "kind", "phase", "start", "end", "peak"])
    return check_promotions(raw, source="usbank holidays")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lead-days", type=int, default=14)
    ap.add_argument("--anchor", choices=["peak", "start"], default="peak")
    args = ap.parse_args(argv)
    if not DATA.exists():
        sys.exit(f"missing {DATA} (the shared data folder next to the repo)")
    history = load_history()
    promotions = holiday_promotions(history)
    print(promotions.events.to_string(index=False))
    print()
    print(format_table(run_backtest(history, promotions, lead_days=args.lead_days, anchor=args.anchor)))


if __name__ == "__main__":
    main()
