"""Read and check the hourly history file.

Takes a CSV file path; returns the **history** frame ``queue, ds, y`` (one row per queue ×
hour, ``ds`` the start of the hour as ``datetime64`` local time, ``y`` float), sorted by
queue then ds. Bad input raises :class:`forecasts.errors.InputError` with a one-line message
naming the file, the 1-based data row(s), the value found and what was expected (an empty
file, a header without rows, ``;``- or tab-separated columns, NaN/inf/negative counts, a
duplicate hour, a day-first or month-first timestamp). Rows in any order are sorted. Gaps
longer than a day are warned about (:class:`forecasts.errors.InputWarning`), naming the hours
around them (not filled: a missing hour is an outage, unknown, not zero); :func:`missing_hours`
lists every gap.

Two input layouts:

* hourly counts ``queue, ds, y`` (``y`` may be non-integer);
* a raw contact log ``queue, ds`` (+ optional ``id``/``chat_id``/``contact_id``/``session_id``)
  without ``y``: one row per chat, ``ds`` its timestamp (any
  minute/second); chats are counted per queue and hour. Hours without a chat between a queue's
  first and last chat count 0, except runs longer than a day, which are taken as outages and
  left missing.

Timestamps must be local times without a timezone, year first (``2026-11-10 20:00``, Excel's
``2026/11/10 20:00``, seconds or a ``T`` allowed; see :func:`forecasts.tables.parse_times`): a
``Z`` or ``+08:00`` style suffix, or an ambiguous ``10-11-2026 20:00``, is rejected.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.frames import columns
from forecasts.errors import InputError, InputWarning
from forecasts.tables import data_rows as _rows
from forecasts.tables import parse_times, read_table

HISTORY_COLUMNS = tuple(columns("history"))
_LOG_EXTRA = {"id", "chat_id", "contact_id", "session_id"}


def read_history(path: str | Path) -> pd.DataFrame:
    """Read an hourly history CSV into the history frame.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8, BOM allowed) with columns ``queue, ds, y``; ``ds`` like
        ``2025-11-11 00:00`` (start of the hour, local time), ``y`` a non-negative count.

    Returns
    -------
    DataFrame
        ``queue`` (str), ``ds`` (datetime64), ``y`` (float), sorted by queue then ds.

    Raises
    ------
    InputError
        An empty or header-only file, not comma-separated, missing columns, unparseable or
        ambiguous ``ds``, non-numeric, NaN, infinite or negative ``y``, duplicate ``(queue, ds)``.
        Row numbers are 1-based data rows (the header is not counted).

    Warns
    -----
    InputWarning
        One warning per gap of more than 24 missing hours inside a queue's series.
    """
    path = Path(path)
    return check_history(read_table(path, "history", HISTORY_COLUMNS), source=str(path))


def check_history(raw: pd.DataFrame, source: str = "history") -> pd.DataFrame:
    """Check a raw history frame (strings or typed) and return the typed history frame.

    Parameters
    ----------
    raw : DataFrame
        At least the columns ``queue, ds, y``.
    source : str
        Name used in error messages (the file path).

    Returns
    -------
    DataFrame
        As :func:`read_history`.
    """
    raw.columns = [str(c).strip() for c in raw.columns]
    if raw.empty:
        raise InputError(f"{source}: no data rows; expected one row per queue and hour with columns queue, ds, y")
    if "y" not in raw.columns and {"queue", "ds"} <= set(raw.columns) <= {"queue", "ds"} | _LOG_EXTRA:
        return _from_log(raw, source)
    missing = [c for c in HISTORY_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}; expected columns queue, ds, y")
    queue = _queues(raw["queue"], source)
    ds = _parse_ds(raw["ds"], source)
    y = _parse_y(raw["y"], source)
    out = pd.DataFrame({"queue": queue.to_numpy(), "ds": ds.to_numpy(), "y": y})
    dup = out.duplicated(["queue", "ds"], keep=False).to_numpy()
    if dup.any():
        raise InputError(f"{source}: {_rows(dup)}: duplicate (queue, ds); expected one row per queue and hour")
    out = out.sort_values(["queue", "ds"], kind="stable").reset_index(drop=True)
    _warn_gaps(out, source)
    return out


def _queues(col: pd.Series, source: str) -> pd.Series:
    """The queue names, stripped; a blank one raises, naming the rows."""
    queue = col.astype(str).str.strip()
    if (queue == "").any():
        raise InputError(f"{source}: {_rows((queue == '').to_numpy())}: empty queue name; expected the queue's name")
    return queue


def _parse_y(col: pd.Series, source: str) -> np.ndarray:
    """The counts as floats; NaN, infinite, non-numeric or negative values raise, naming the rows."""
    y = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    for bad, what in ((~np.isfinite(y), "is not a number"), (y < 0, "is negative")):
        if bad.any():
            raise InputError(f"{source}: {_rows(bad)}: y {what}; expected a non-negative count, "
                             f"got {col.iloc[np.flatnonzero(bad)[0]]!r}")
    return y


def _parse_ds(col: pd.Series, source: str) -> pd.Series:
    """Parse local timestamps (:func:`forecasts.tables.parse_times`), naming the bad rows."""
    return parse_times(col, source, "ds")


def _from_log(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """Count a raw contact log (``queue, ds``, one row per chat) per queue and hour."""
    queue = _queues(raw["queue"], source)
    hour = _parse_ds(raw["ds"], source).dt.floor("h")
    counts = pd.DataFrame({"queue": queue.to_numpy(), "ds": hour.to_numpy()}).value_counts().rename("y")
    frames = []
    for q, grp in counts.reset_index().groupby("queue", sort=True):
        s = grp.set_index("ds")["y"].sort_index().astype(float)
        full = s.reindex(pd.date_range(s.index[0], s.index[-1], freq="h"), fill_value=0.0)
        run = (full == 0).astype(int)
        run_id = (run.diff() != 0).cumsum()
        length = run.groupby(run_id).transform("sum")
        keep = ~((full == 0) & (length > 24))  # > a day without a chat: an outage, left missing
        frames.append(pd.DataFrame({"queue": q, "ds": full.index[keep.to_numpy()], "y": full[keep].to_numpy()}))
    out = pd.concat(frames, ignore_index=True).sort_values(["queue", "ds"], kind="stable").reset_index(drop=True)
    out["ds"] = out["ds"].astype("datetime64[ns]")
    _warn_gaps(out, source)
    return out


def missing_hours(history: pd.DataFrame) -> pd.DataFrame:
    """Every run of missing hours inside each queue's series: ``queue, first, last, hours``."""
    rows = []
    for q, grp in history.groupby("queue", sort=True):
        ds = grp["ds"].sort_values()
        step = ds.diff()
        for i in np.flatnonzero((step > pd.Timedelta(hours=1)).to_numpy()):
            a, b = ds.iloc[i - 1], ds.iloc[i]
            rows.append((q, a + pd.Timedelta(hours=1), b - pd.Timedelta(hours=1),
                         int((b - a) / pd.Timedelta(hours=1)) - 1))
    return pd.DataFrame(rows, columns=["queue", "first", "last", "hours"])


def _warn_gaps(hist: pd.DataFrame, source: str) -> None:
    """Warn once per gap longer than a day between consecutive hours of a queue."""
    for q, grp in hist.groupby("queue", sort=True):
        ds = grp["ds"]
        step = ds.diff()
        for i in np.flatnonzero((step > pd.Timedelta(hours=25)).to_numpy()):
            before, after = ds.iloc[i - 1], ds.iloc[i]
            missing = int((after - before) / pd.Timedelta(hours=1)) - 1
            warnings.warn(f"{source}: queue {q}: {missing} missing hours from {before + pd.Timedelta(hours=1):%Y-%m-%d %H:%M} "
                          f"to {after - pd.Timedelta(hours=1):%Y-%m-%d %H:%M} (not filled)", InputWarning, stacklevel=3)
