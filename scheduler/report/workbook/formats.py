"""Formats and layout helpers every sheet of ``roster.xlsx`` shares: cached cell formats, column
widths that fit Chinese text, valid unique sheet names, the title row, the header row and the
page setup (frozen header, autofilter, landscape print). Takes no frames: XlsxWriter worksheets.
"""

from __future__ import annotations

import re
import unicodedata

OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
BASE = {"font_size": 10, "valign": "vcenter"}
HEAD_FILL, QUIET = "#D6DCE4", "#A6A6A6"
SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


class Formats:
    """Workbook formats made once per set of properties."""

    def __init__(self, book):
        self.book, self.cache = book, {}

    def __call__(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format({**BASE, **props})
        return self.cache[key]


def _text_width(text) -> int:
    """Display width of a text in Excel's units: East Asian wide characters count two."""
    lines = str(text).split("\n") or [""]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


def col_width(texts, lo: int = 4, hi: int = 40) -> int:
    """Column width fitting the widest of ``texts`` (plus 2), clipped to [lo, hi]."""
    return max(lo, min(hi, max((_text_width(t) for t in texts), default=0) + 2))


def sheet_name(text: str, used: set) -> str:
    """A valid, unique sheet name (31 characters, none of ``[]:*?/\\``)."""
    base = SHEET_BAD.sub("_", str(text)).strip("'")[:31] or "Sheet"
    name, k = base, 2
    while name.casefold() in used:
        name, k = f"{base[:28]}~{k}", k + 1
    used.add(name.casefold())
    return name


def setup_sheet(ws, head_row: int, n_rows: int, n_cols: int, freeze_col: int = 0) -> None:
    """Frozen header, an autofilter over the table, landscape print fitted one page wide."""
    ws.freeze_panes(head_row + 1, freeze_col)
    ws.autofilter(head_row, 0, head_row + max(n_rows, 0), max(n_cols - 1, 0))
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, head_row)
    ws.hide_gridlines(0)


def write_header(ws, fmt, row: int, texts, height: float | None = None) -> None:
    """The header row ``row``: bold, shaded, wrapped and centred."""
    head = fmt(bold=True, bg_color=HEAD_FILL, text_wrap=True, align="center", bottom=1)
    for col, text in enumerate(texts):
        ws.write_string(row, col, str(text), head)
    if height:
        ws.set_row(row, height)


def write_title(ws, fmt, text: str) -> None:
    """The sheet's title in cell A1."""
    ws.write_string(0, 0, text, fmt(bold=True, font_size=12))
    ws.set_row(0, 20)
