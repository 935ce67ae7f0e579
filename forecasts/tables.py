"""Reading a user's table file as Excel or a text editor saved it: a CSV in UTF-8 (with or
without a BOM), UTF-16 (with its BOM) or GBK/GB18030 (as Excel saves it on Chinese Windows),
or an XLSX workbook's first sheet. The kind is detected from the bytes, never guessed from
the file's extension.

A cell the tool itself wrote with a leading apostrophe to keep a spreadsheet from reading it as
a formula (``'=1+1``; see ``scheduler.report.export``) reads back as the text it was (``=1+1``).

Every reader's bad input is one :class:`~forecasts.errors.InputError` line naming the file and
the 1-based data row (the header not counted; blank rows skipped): an empty file, a header
without rows, a file separated by ``;`` or tabs instead of commas (rejected, not guessed), binary
bytes, a row wider than the header, a duplicate or unnamed column.

The one timestamp parser of the readers is :func:`parse_times`: year first only
(``2026-11-10 20:00``, ``2026/11/10 20:00``, seconds and a ``T`` allowed); a day-first or
month-first value (``10-11-2026 20:00``, ``11/10/2026``) is rejected, never guessed.

Takes: a path (``read_table``), a column of cells (``parse_times``). Returns: a frame of strings
(every cell text, blanks as ``""``), columns stripped; a ``datetime64[ns]`` series.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
DELIMITERS = {";": "';'", "\t": "tabs", "|": "'|'"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
_MAX_LISTED = 5
_STAMP = re.compile(r"^(?P<year>\d{4})(?P<sep>[-/])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
                    r"(?:(?:T|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?$")
_DAY_OR_MONTH_FIRST = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?:\D|$)")
_TZ = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
YEARS = (pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01"))  # beyond: a typo, and out of datetime64[ns]
STAMP_HINT = "YYYY-MM-DD HH:MM"
DATE_HINT = "YYYY-MM-DD"


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet would read the text, past any leading apostrophes, as a formula."""
    return text.lstrip(GUARD).startswith(FORMULA_START)


def guard(text: str) -> str:
    """Text a spreadsheet would take for a formula, kept as text by a leading apostrophe
    (one more apostrophe before any it already has, so that ``unguard`` gives it back exactly)."""
    return GUARD + text if _formula_like(text) else text


def unguard(text: str) -> str:
    """The text ``guard`` kept (``'=1+1`` -> ``=1+1``); other text as it is."""
    return text[1:] if text.startswith(GUARD) and _formula_like(text) else text


def data_rows(mask) -> str:
    """``row 3`` / ``rows 2, 5, ... (+4 more)``: the 1-based data rows where ``mask`` is true."""
    idx = np.flatnonzero(np.asarray(mask)) + 1
    return row_list(idx)


def row_list(numbers) -> str:
    """``row 3`` / ``rows 2, 5, ... (+4 more)`` from row numbers (the first few only)."""
    numbers = list(numbers)
    shown = ", ".join(str(int(i)) for i in numbers[:_MAX_LISTED])
    more = f" (+{len(numbers) - _MAX_LISTED} more)" if len(numbers) > _MAX_LISTED else ""
    return f"row{'s' if len(numbers) > 1 else ''} {shown}{more}"


def is_xlsx(path: str | Path) -> bool:
    """An XLSX workbook by its content: a zip archive with an ``xl/`` part."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            if f.read(4) != ZIP_MAGIC:
                return False
        with zipfile.ZipFile(path) as z:
            return any(n.startswith("xl/") for n in z.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def decode(data: bytes, path: Path) -> str:
    """Text from bytes: a BOM's encoding, else UTF-8, else GB18030 (a superset of GBK).

    Raises
    ------
    InputError
        The bytes are none of these, or decode to text with NUL or many control characters.
    """
    text = _decode(data)
    if text is None or "\x00" in text or len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise InputError(f"{path}: not a text file in UTF-8 or GBK/GB18030 (save it from Excel as CSV UTF-8, or as .xlsx)")
    return text


def _decode(data: bytes) -> str | None:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(path: Path) -> list[list[str]]:
    """The first sheet's rows as text, cut to the header's width."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)  # any extension
        try:
            rows = [[_cell_text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"{path}: cannot read the workbook ({exc.__class__.__name__})") from None
    rows = [r for r in rows if any(r)]
    if not rows:
        raise InputError(f"{path}: the workbook's first sheet is empty")
    width = max(i + 1 for i, h in enumerate(rows[0]) if h)
    return [r[:width] for r in rows]


def _expected(columns) -> str:
    return f"columns {', '.join(columns)}" if columns else "columns"


def _csv_rows(path: Path, what: str, columns) -> list[list[str]]:
    """The rows of a CSV file as text (blank rows skipped), after checking it is comma-separated text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} file ({exc.strerror})") from None
    text = decode(data, path)
    if not text.strip():
        raise InputError(f"{path}: the {what} file is empty; expected a header row with {_expected(columns)}")
    header = text.lstrip().splitlines()[0]
    other = [d for d in DELIMITERS if d in header]
    if "," not in header and other:
        sep = max(other, key=header.count)
        raise InputError(f"{path}: expected comma-separated {_expected(columns)}; the file looks separated by "
                         f"{DELIMITERS[sep]} (save it from Excel as \"CSV UTF-8 (comma delimited)\")")
    try:
        return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise InputError(f"{path}: cannot read the {what} file as CSV ({exc})") from None


def _frame(rows: list[list[str]], path: Path, what: str, columns) -> pd.DataFrame:
    """A frame of text from a header row and data rows; checks the header and each row's width."""
    header, body = rows[0], rows[1:]
    if not body:
        raise InputError(f"{path}: the {what} file has a header but no data rows; expected one row per record "
                         f"under {_expected(columns)}")
    width = len(header)
    for i, r in enumerate(body, start=1):
        if len(r) > width and any(r[width:]):
            raise InputError(f"{path}: row {i}: {len(r)} fields, expected {width} (the header's columns); "
                             "a stray comma or an unquoted value with a comma?")
    body = [(r + [""] * width)[:width] for r in body]
    keep = [j for j, h in enumerate(header) if h or any(r[j] for r in body)]
    nameless = [j + 1 for j in keep if not header[j]]
    if nameless:
        raise InputError(f"{path}: column {nameless[0]} has values but no name in the header; expected {_expected(columns)}")
    names = [header[j] for j in keep]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"{path}: column {twice[0]!r} appears more than once in the header; expected each column once")
    return pd.DataFrame([[r[j] for j in keep] for r in body], columns=names, dtype=object)


def read_table(path: str | Path, what: str, columns=()) -> pd.DataFrame:
    """Every cell of a CSV or XLSX file as text.

    Parameters
    ----------
    path : str or Path
        The file, CSV or XLSX (told apart by content).
    what : str
        Names the file in errors ("staff", ...).
    columns : sequence of str, optional
        The columns the reader expects, named in errors about the file's shape.

    Returns
    -------
    DataFrame
        One column per header cell (stripped), every cell a string, at least one row.

    Raises
    ------
    InputError
        Not found, unreadable, empty, header only, not comma-separated, binary, a row wider than
        the header, a duplicate or unnamed column.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} file not found")
    if is_xlsx(path):
        rows = _xlsx_rows(path)
    elif path.read_bytes()[:4] == ZIP_MAGIC:
        raise InputError(f"{path}: a zip archive but not a readable .xlsx workbook (damaged, or not saved by Excel)")
    else:
        rows = _csv_rows(path, what, columns)
    frame = _frame(rows, path, what, columns)
    return frame.map(unguard)


def parse_times(cells, where: str, column: str, *, dates: bool = False, blank_ok: bool = False,
                rows=None) -> pd.Series:
    """Timestamps from text cells, year first: ``2026-11-10 20:00``, ``2026/11/10 20:00``
    (Excel), seconds (``20:00:00``) and ``2026-11-10T20:00`` allowed; a date alone is midnight.

    Parameters
    ----------
    cells : sequence or Series of str
        The cells (already typed ``datetime64`` values are returned as they are).
    where : str
        The file, named in errors.
    column : str
        The column, named in errors.
    dates : bool
        Dates only (``2026-11-10``; a midnight time allowed).
    blank_ok : bool
        Blank cells give ``NaT`` instead of an error.
    rows : sequence of int, optional
        The 1-based data row of each cell, for errors (default 1, 2, ...).

    Returns
    -------
    Series
        ``datetime64[ns]``, index 0..n-1.

    Raises
    ------
    InputError
        Naming the rows, the value found and the form expected: an unreadable value, a day- or
        month-first one (ambiguous, never guessed), a timezone suffix, a time where a date is due.
    """
    cells = pd.Series(cells).reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(cells):
        if getattr(cells.dt, "tz", None) is not None:
            raise InputError(f"{where}: {column} has timezone {cells.dt.tz}; expected local time without a timezone")
        return cells.astype("datetime64[ns]")
    text = cells.astype(str).str.strip()
    out = pd.to_datetime(text, format="%Y-%m-%d" if dates else "%Y-%m-%d %H:%M", errors="coerce")
    todo = out.isna() & (text != "")
    if todo.any():
        out = out.astype("datetime64[us]")
        out[todo] = _parse_stamps(text[todo], dates)
    out = out.where((out >= YEARS[0]) & (out < YEARS[1]))
    _check_times(text, out, where, column, dates, blank_ok, np.arange(1, len(text) + 1) if rows is None else np.asarray(rows))
    return out.astype("datetime64[ns]")


def _parse_stamps(text: pd.Series, dates: bool) -> pd.Series:
    """Year-first timestamps by the pattern; ``NaT`` where it does not match or is no real time."""
    parts = text.str.extract(_STAMP).drop(columns="sep")
    fields = ["year", "month", "day", "hour", "minute", "second"]
    ok = parts["year"].notna()
    nums = parts[fields].fillna("0").astype(int)
    if dates:
        ok &= nums[["hour", "minute", "second"]].eq(0).all(axis=1)
    ok &= nums["hour"].le(23) & nums["minute"].le(59) & nums["second"].le(59)
    nums.loc[~ok, fields] = [2000, 1, 1, 0, 0, 0]  # a valid stand-in, dropped below
    return pd.to_datetime(nums[fields], errors="coerce").where(ok)


def _check_times(text: pd.Series, out: pd.Series, where: str, column: str, dates: bool, blank_ok: bool, rows) -> None:
    """Raise for the kind of the first bad cell, naming every row of that kind."""
    blank = (text == "").to_numpy()
    bad = out.isna().to_numpy() & ~(blank & blank_ok)
    if not bad.any():
        return
    hint = DATE_HINT if dates else STAMP_HINT
    kinds = [(blank, f"is empty; expected {hint}"),
             (text.str.contains(_TZ).to_numpy(), f"has a timezone suffix; expected one consistent local time without "
                                                 f"offset, like {'2026-11-10' if dates else '2026-11-10 20:00'}"),
             (text.str.contains(_DAY_OR_MONTH_FIRST).to_numpy(),
              f"is ambiguous (day or month first?); expected the year first, {hint} or {hint.replace('-', '/')}"),
             (np.ones(len(text), bool), f"is not a {'date' if dates else 'timestamp'}; expected {hint}")]
    first = np.flatnonzero(bad)[0]
    mask, message = next((m & bad, msg) for m, msg in kinds if m[first])
    got = "" if blank[first] else f", got {text.iloc[first]!r}"
    raise InputError(f"{where}: {row_list(rows[mask])}: {column} {message}{got}")
