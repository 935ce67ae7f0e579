"""The frames that pass between the stages (DESIGN's contract table), named once: each frame's
columns and their kinds. Stages check what they hand on (``FrameSpec.check``: a wrong frame is a
bug, ``FrameError``); ``read_frame`` reads a frame a stage wrote (or a person edited) back from
its CSV with the kinds restored, a bad cell one ``InputError`` line naming the file, row and column.

Kinds: ``str``, ``date`` (a ``datetime.date``; ``YYYY-MM-DD`` in a file), ``datetime`` (a
timestamp, year first), ``float``, ``int``, ``bool``
(``True``/``False``), a ``?`` suffix allowing blanks (NaN / NaT).

Takes and returns: long-format pandas frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.errors import InputError
from forecasts.tables import data_rows, parse_times, read_table


class FrameError(RuntimeError):
    """A stage handed on a frame without its contract's columns or kinds: a bug, never the user's."""


@dataclass(frozen=True)
class FrameSpec:
    """A frame's name and its columns' kinds (required ones first; ``optional`` may be absent)."""

    name: str
    columns: dict
    optional: tuple = ()

    @property
    def required(self) -> list[str]:
        return [c for c in self.columns if c not in self.optional]

    def check(self, frame: pd.DataFrame, where: str) -> pd.DataFrame:
        """The frame itself, after checking its columns and kinds; ``FrameError`` naming ``where`` otherwise."""
        missing = [c for c in self.required if c not in frame.columns]
        if missing:
            raise FrameError(f"{where}: the {self.name} frame lacks column(s) {', '.join(missing)}")
        for col, kind in self.columns.items():
            if col in frame.columns and not _is_kind(frame[col], kind):
                raise FrameError(f"{where}: the {self.name} frame's column {col!r} is {frame[col].dtype}, expected {kind}")
        return frame


def _is_kind(col: pd.Series, kind: str) -> bool:
    base, blanks = kind.rstrip("?"), kind.endswith("?")
    if len(col) == 0:
        return True
    if base == "datetime":
        return pd.api.types.is_datetime64_any_dtype(col)
    if base == "date":
        first = col.dropna()
        return first.empty or (isinstance(first.iloc[0], dt.date) and not isinstance(first.iloc[0], dt.datetime))
    if base == "bool":
        return pd.api.types.is_bool_dtype(col)
    if base in ("float", "int"):
        return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col) and (blanks or not col.isna().any())
    return not pd.api.types.is_numeric_dtype(col)


FRAMES = {spec.name: spec for spec in (
    FrameSpec("history", {"queue": "str", "ds": "datetime", "y": "float"}),
    FrameSpec("forecast", {"queue": "str", "ds": "datetime", "mean": "float", "p10": "float", "p50": "float", "p90": "float"}),
    FrameSpec("requirements", {"queue": "str", "ds": "datetime", "volume": "float", "agents": "int", "scheduled": "int",
                               "service_level": "float?", "asa_s": "float?", "abandon_rate": "float?", "occupancy": "float?",
                               "open": "bool", "within_s": "float", "target_sl": "float"}),
    FrameSpec("roster", {"agent_id": "str", "name": "str", "date": "date", "shift": "str", "start": "datetime", "end": "datetime",
                         "paid_hours": "int", "break_start": "datetime?"}, optional=("name", "paid_hours", "break_start")),
    FrameSpec("assignments", {"agent_id": "str", "ds": "datetime", "queue": "str"}),
    FrameSpec("coverage", {"queue": "str", "ds": "datetime", "required": "int", "scheduled": "int", "shortfall": "int",
                           "service_level": "float?"}),
    FrameSpec("violations", {"rule": "str", "key": "str", "amount": "float", "unit": "str", "cost": "float"}),
    FrameSpec("gaps", {"queue": "str", "date": "date", "shift": "str", "start": "datetime", "end": "datetime",
                       "extra_agents": "int", "short_hours": "str", "agent_hours_short": "int"}),
    FrameSpec("simulation", {"queue": "str", "ds": "datetime", "service_level_plan": "float?", "service_level_sim": "float",
                             "p_meet_target": "float", "asa_s": "float?", "abandon_rate": "float?", "late_touches": "float?"}),
)}


def columns(name: str) -> list[str]:
    """A frame's columns in their order, as the stages write them."""
    return list(FRAMES[name].columns)


def _convert(raw: pd.Series, kind: str, path: Path, col: str) -> pd.Series:
    """A column of text as its kind; the first bad cell is one line naming the file, row and column."""
    base, blanks = kind.rstrip("?"), kind.endswith("?")
    text = raw.astype(str).str.strip()
    empty = text.eq("") | text.str.lower().isin(["nan", "nat"])
    if empty.any() and not blanks:
        raise InputError(f"{path}: {data_rows(empty.to_numpy())}, column {col!r}: empty; expected {base}")
    if base == "str":
        return raw
    if base in ("datetime", "date"):
        times = parse_times(raw.where(~empty, ""), str(path), col, dates=base == "date", blank_ok=blanks)
        return times.dt.date if base == "date" else times
    if base == "bool":
        bad = ~empty & ~text.isin(["True", "False", "true", "false"])
        if bad.any():
            raise InputError(f"{path}: {data_rows(bad.to_numpy())}, column {col!r}: expected True or False")
        return text.str.lower().eq("true")
    values = pd.to_numeric(text.where(~empty, None), errors="coerce")
    bad = (values.isna() & ~empty) | ~np.isfinite(values.fillna(0.0))
    if base == "int":
        bad |= ~empty & (values.fillna(0) % 1 != 0)
    if bad.any():
        raise InputError(f"{path}: {data_rows(bad.to_numpy())}, column {col!r}: expected a {'whole ' if base == 'int' else ''}number")
    return values.astype(int) if base == "int" and not blanks else values


def read_frame(path: str | Path, name: str) -> pd.DataFrame:
    """A stage's frame read back from its CSV (or XLSX), its columns converted to their kinds."""
    spec, path = FRAMES[name], Path(path)
    raw = read_table(path, name, spec.required)
    missing = [c for c in spec.required if c not in raw.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(spec.columns)}")
    out = raw.copy()
    for col, kind in spec.columns.items():
        if col in raw.columns:
            out[col] = _convert(raw[col], kind, path, col)
    return out
