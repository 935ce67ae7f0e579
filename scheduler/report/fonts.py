"""A CJK font for the charts, from the project's own installation: Noto Sans CJK SC (SIL Open
Font License) as the ``mplfonts`` package ships it, so Chinese names and labels never become
boxes and no "Glyph missing" warning reaches the terminal. Matplotlib falls back glyph by glyph
along ``font.family``, so Latin text keeps DejaVu Sans.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import matplotlib
from matplotlib import font_manager

CJK_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FAMILY = "Noto Sans CJK SC"


def cjk_font_path() -> Path | None:
    """The bundled CJK font file (found without importing ``mplfonts``), or None if it is missing."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / CJK_FILE
    return path if path.is_file() else None


@functools.cache
def use_cjk_font() -> bool:
    """Register the CJK font and put it after DejaVu Sans in the fallback list; True if it was found."""
    path = cjk_font_path()
    if path is None:
        return False
    font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", CJK_FAMILY]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return True


def plain(text: str) -> str:
    """User text for a chart: ``$`` would start matplotlib's mathtext, so it is escaped."""
    return str(text).replace("$", r"\$")
