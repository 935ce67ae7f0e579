"""Reading a user's table file as Excel or a text editor saved it: a CSV in UTF-8 (with or
without a BOM), UTF-16 (with its BOM) or GBK/GB18030 (as Excel saves it on Chinese Windows),
or an XLSX workbook's first sheet. The kind is detected from the bytes, never guessed from
the file's extension.

A cell the tool itself wrote with a leading apostrophe to keep a spreadsheet from reading it as
a formula (``'=1+1``; see ``scheduler.export``) reads back as the text it was (``=1+1``).

Takes: a path. Returns: a frame of strings (every cell text, blanks as ``""``), columns stripped.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd

from forecasts.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


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
    """Text from bytes: a BOM's encoding, else UTF-8, else GB18030 (a superset of GBK)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding)
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: not a text file in UTF-8 or GBK/GB18030 (save it from Excel as CSV UTF-8, or as .xlsx)")


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


def _read_xlsx(path: Path) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)  # any extension
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"{path}: cannot read the workbook ({exc.__class__.__name__})") from None
    try:
        rows = [[_cell_text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    rows = [r for r in rows if any(r)]
    if not rows:
        raise InputError(f"{path}: the workbook's first sheet is empty")
    header, body = rows[0], rows[1:]
    width = max(i + 1 for i, h in enumerate(header) if h)
    return pd.DataFrame([(r + [""] * width)[:width] for r in body], columns=header[:width])


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """Every cell of a CSV or XLSX file as text; ``what`` names the file in errors ("staff", ...)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} file not found")
    if is_xlsx(path):
        frame = _read_xlsx(path)
    elif path.read_bytes()[:4] == ZIP_MAGIC:
        raise InputError(f"{path}: a zip archive but not a readable .xlsx workbook (damaged, or not saved by Excel)")
    else:
        try:
            text = decode(path.read_bytes(), path)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except OSError as exc:
            raise InputError(f"{path}: cannot read the {what} file ({exc.strerror})") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{path}: cannot read the {what} file as CSV ({str(exc).splitlines()[0]})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.map(unguard) if len(frame) else frame
