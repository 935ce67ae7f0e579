"""Read and check the promotions calendar.

Takes a CSV file path (or a raw frame) with columns ``event, kind, phase, start, end, peak``:
per event one whole-event row with an empty ``phase`` (``start`` = first warm-up hour,
``end`` = end of the after-sales wave, exclusive, ``peak`` = the peak hour start) and one row
per phase (``phase`` in ``warmup, deposit, final_payment, peak, aftersales``; ``end``
exclusive; ``peak`` empty). Only ``event, start, peak, end`` are required (the design's minimal
file, one row per event):

* ``kind`` (``double11``, ``618``, ``double12``, ``holiday``, ...) defaults to the event's name
  without a trailing year or date (``double11-2025`` → ``double11``, ``holiday-2003-07-04`` →
  ``holiday``; a name that is all digits is its own kind); events of a kind share a profile;
* an event without phase rows gets the default phases (:func:`default_phases`): ``warmup`` from
  its start to its peak day, ``peak`` the peak's calendar day, ``aftersales`` from the next day
  to its end (each where it has an hour). An event that lowers volume (a public holiday, a
  closure) is written the same way, its ``peak`` the day it bottoms out.

Returns a :class:`Promotions` holding two frames:

* ``events``: ``event, kind, start, peak, end`` (one row per event, sorted by start);
* ``phases``: ``event, phase, start, end`` (sorted by event then start).

Bad input raises :class:`forecasts.errors.InputError` naming the file and 1-based data row:
also an empty or header-only file, ``;``- or tab-separated columns, a row repeating another,
and a day-first or month-first time (``10-11-2026 20:00`` is ambiguous, never read month-first;
times are year first, see :func:`forecasts.tables.parse_times`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecasts.errors import InputError
from forecasts.tables import parse_times, read_table

PHASES = ("warmup", "deposit", "final_payment", "peak", "aftersales")
REQUIRED = ("event", "start", "end", "peak")
COLUMNS = ("event", "kind", "phase", "start", "end", "peak")


@dataclass(frozen=True)
class Promotions:
    """A checked promotions calendar.

    Attributes
    ----------
    events : DataFrame
        ``event, kind, start, peak, end`` (datetime64 for the times).
    phases : DataFrame
        ``event, phase, start, end`` (``end`` exclusive).
    """

    events: pd.DataFrame
    phases: pd.DataFrame

    def event_row(self, name: str) -> pd.Series:
        """The ``events`` row of event ``name`` (KeyError if unknown)."""
        hit = self.events[self.events["event"] == name]
        if hit.empty:
            raise KeyError(f"unknown event {name!r}; known: {', '.join(self.events['event'])}")
        return hit.iloc[0]

    def kinds(self) -> dict[str, str]:
        """Each event's kind, by event name."""
        return dict(zip(self.events["event"], self.events["kind"]))

    def phases_of(self, name: str) -> pd.DataFrame:
        """The ``phases`` rows of event ``name``."""
        return self.phases[self.phases["event"] == name].reset_index(drop=True)


def read_promotions(path: str | Path) -> Promotions:
    """Read a promotions CSV.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8, BOM allowed) as described in the module docstring.

    Returns
    -------
    Promotions

    Raises
    ------
    InputError
        Missing columns, unparseable or ambiguous times, ``end`` ≤ ``start``, peak outside its
        event, a phase of an unknown event, an unknown phase name, a duplicate event row, a
        row repeating another.
    """
    path = Path(path)
    return check_promotions(read_table(path, "promotions", COLUMNS), source=str(path))


def _times(raw: pd.DataFrame, source: str) -> dict[str, list]:
    """Each row's ``start``, ``end``, ``peak`` parsed (``None`` where blank; ``start``/``end`` required)."""
    out = {}
    for col in ("start", "end", "peak"):
        stamps = parse_times(raw[col], source, col, blank_ok=col == "peak")
        out[col] = [None if pd.isna(t) else pd.Timestamp(t) for t in stamps]
    return out


def check_promotions(raw: pd.DataFrame, source: str = "promotions") -> Promotions:
    """Check a raw promotions frame (strings) and return :class:`Promotions`.

    Parameters
    ----------
    raw : DataFrame
        Columns ``event, start, end, peak`` (+ optional ``kind``, ``phase``).
    source : str
        Name used in error messages (the file path).
    """
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}; "
                         "expected columns event, start, peak, end (optional: kind, phase)")
    if raw.empty:
        raise InputError(f"{source}: no data rows; expected a whole-event row (empty phase) per event "
                         f"and one row per phase, with columns {', '.join(COLUMNS)}")
    for col in ("kind", "phase"):
        if col not in raw.columns:
            raw[col] = ""
    _check_repeats(raw, source)
    times = _times(raw, source)
    events, phases = [], []
    for i, rec in enumerate(raw.to_dict("records"), start=1):
        name = str(rec["event"]).strip()
        if not name:
            raise InputError(f"{source}: row {i}: event is empty; expected an event name")
        phase = str(rec["phase"]).strip()
        phase = "" if phase.lower() == "nan" else phase
        start, end = times["start"][i - 1], times["end"][i - 1]
        if end <= start:
            raise InputError(f"{source}: row {i}: end {end:%Y-%m-%d %H:%M} is not after start "
                             f"{start:%Y-%m-%d %H:%M}; expected end > start")
        if phase == "":
            peak = times["peak"][i - 1]
            if peak is None:
                raise InputError(f"{source}: row {i}: peak is empty; expected the peak hour of event {name}, YYYY-MM-DD HH:MM")
            if not start <= peak < end:
                raise InputError(f"{source}: row {i}: peak {peak:%Y-%m-%d %H:%M} is outside event {name} "
                                 f"[{start:%Y-%m-%d %H:%M}, {end:%Y-%m-%d %H:%M})")
            events.append((i, name, _kind(rec["kind"], name), start, peak, end))
        elif phase not in PHASES:
            raise InputError(f"{source}: row {i}: unknown phase {phase!r}; expected one of {', '.join(PHASES)}")
        else:
            phases.append((i, name, phase, start, end))
    ev = pd.DataFrame(events, columns=["row", "event", "kind", "start", "peak", "end"])
    dup = ev[ev["event"].duplicated()]
    if not dup.empty:
        raise InputError(f"{source}: row {int(dup['row'].iloc[0])}: event {dup['event'].iloc[0]} has a second "
                         "whole-event row; expected one row with empty phase per event")
    known = set(ev["event"])
    for i, name, *_ in phases:
        if name not in known:
            raise InputError(f"{source}: row {i}: phase of unknown event {name!r}; "
                             "expected a whole-event row (empty phase) for it")
    phases += default_phases([e[1:] for e in events], {p[1] for p in phases})
    ph = pd.DataFrame(phases, columns=["row", "event", "phase", "start", "end"])
    ev = ev.drop(columns="row").sort_values("start", kind="stable").reset_index(drop=True)
    ph = ph.drop(columns="row").sort_values(["event", "start"], kind="stable").reset_index(drop=True)
    for col in ("start", "peak", "end"):
        ev[col] = pd.to_datetime(ev[col]).astype("datetime64[ns]")
    for col in ("start", "end"):
        ph[col] = pd.to_datetime(ph[col]).astype("datetime64[ns]")
    return Promotions(events=ev, phases=ph)


def _kind(cell, name: str) -> str:
    """An event's kind: the cell, else its name without a trailing year or date (``double11-2025`` → ``double11``)."""
    kind = "" if pd.isna(cell) else str(cell).strip()
    if kind and kind.lower() != "nan":
        return kind
    stem = re.sub(r"[-_ ]*(19|20)\d{2}([-_]?\d{2}([-_]?\d{2})?)?$", "", name).strip()
    return stem or name


def default_phases(events: list[tuple], with_phases: set) -> list[tuple]:
    """Phase rows ``(row, event, phase, start, end)`` (row 0) for the events without any.

    ``events`` are ``(event, kind, start, peak, end)``; each event not in ``with_phases`` gets
    ``warmup`` = start .. its peak day 00:00, ``peak`` = the peak day, ``aftersales`` = the next
    day .. end, each clipped to the event and left out where empty.
    """
    out = []
    day = pd.Timedelta(days=1)
    for name, _, start, peak, end in events:
        if name in with_phases:
            continue
        top = peak.normalize()
        for phase, lo, hi in (("warmup", start, top), ("peak", top, top + day), ("aftersales", top + day, end)):
            lo, hi = max(lo, start), min(hi, end)
            if lo < hi:
                out.append((0, name, phase, lo, hi))
    return out


def _check_repeats(raw: pd.DataFrame, source: str) -> None:
    """A row that repeats an earlier one, cell for cell, is an error naming both rows."""
    cells = raw[list(COLUMNS)].astype(str).apply(lambda c: c.str.strip())
    again = cells.duplicated(keep="first").to_numpy()
    if again.any():
        i = int(again.argmax())
        first = int((cells.iloc[:i] == cells.iloc[i]).all(axis=1).to_numpy().argmax())
        raise InputError(f"{source}: row {i + 1} repeats row {first + 1} ({cells.iloc[i]['event']} "
                         f"{cells.iloc[i]['phase'] or 'whole event'}); expected each row once")
