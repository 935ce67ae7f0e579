"""What every chart of the report shares: a figure of fixed-size panels with a title and a legend
row, tick labels drawn as plain texts, short numbers drawn as glyph outlines, and the date x hour
heatmap (closed cells hatched grey) with its annotations.

Takes: frames with ``queue`` and ``ds`` (coverage, simulation, forecast), the phase flags (a
boolean frame indexed by every hour of the plan, one column per phase) and the plan. Draws
nothing on its own: the figures are in ``coverage``, ``simulation`` and ``timelines``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D, ScaledTranslation

from scheduler.report.fonts import use_cjk_font




CLOSED_COLOR = "#e4e4e4"  # closed / not simulated cells: light grey, hatched
HATCH_COLOR = "#b8b8b8"
HEAT_MARGINS = (1.75, 0.25, 1.35, 0.5, 0.75, 0.3)  # left, right, top, bottom, row gap, column gap (inches)
ROW_H = 0.24  # inches per date


# ---------------------------------------------------------------- shared pieces

def panels(rows: int, cols: int, panel: tuple[float, float], margins: tuple) -> tuple[Figure, np.ndarray]:
    """A figure (Agg canvas, CJK font registered) with a rows x cols grid of axes, sized in inches.

    Parameters
    ----------
    rows, cols : the grid.
    panel : (width, height) of one panel.
    margins : (left, right, top, bottom, row gap, column gap); the top margin holds the title and
        the legend, a row gap the next panel's title and this panel's tick labels.

    Returns
    -------
    (Figure, array of Axes) : the axes as a rows x cols array. A fixed layout: no layout engine
        to run at every draw, so saving stays fast.
    """
    use_cjk_font()
    left, right, top, bottom, hgap, wgap = margins
    width = left + right + cols * panel[0] + (cols - 1) * wgap
    height = top + bottom + rows * panel[1] + (rows - 1) * hgap
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    axes = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            x, y = left + j * (panel[0] + wgap), height - top - (i + 1) * panel[1] - i * hgap
            axes[i, j] = fig.add_axes((x / width, y / height, panel[0] / width, panel[1] / height))
    return fig, axes


def head(fig, title: str, handles, legend_title: str | None = None) -> None:
    """The figure's title and, under it, one legend row."""
    height = fig.get_size_inches()[1]
    fig.suptitle(title, y=1 - 0.12 / height, va="top", fontsize=13)
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.42 / height), ncols=len(handles),
               fontsize=9, title=legend_title, title_fontsize=9, frameon=False, handlelength=1.6,
               columnspacing=1.2)


def x_labels(ax, xs, labels, marks=(), **style) -> list:
    """Tick labels under the axes as plain texts (matplotlib's ticks cost several artists each), and
    short tick marks inside the axes at ``marks``."""
    ax.set_xticks([])
    spot = ax.get_xaxis_transform() + ScaledTranslation(0, -3 / 72, ax.get_figure().dpi_scale_trans)
    texts = [ax.text(x, 0, label, transform=spot, ha="center", va="top", fontsize=8, **style)
             for x, label in zip(xs, labels)]
    if len(marks):
        ax.add_collection(LineCollection([[(x, 0), (x, 0.035)] for x in marks], colors="0.3", linewidths=0.6,
                                         transform=ax.get_xaxis_transform()), autolim=False)
    return texts


def y_labels(ax, ys, labels, **style) -> list:
    """Row labels left of the axes as plain texts."""
    ax.set_yticks([])
    spot = ax.get_yaxis_transform() + ScaledTranslation(-3 / 72, 0, ax.get_figure().dpi_scale_trans)
    return [ax.text(0, y, label, transform=spot, ha="right", va="center", fontsize=8, **style)
            for y, label in zip(ys, labels)]


def as_hours(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with ``ds`` as datetimes."""
    out = frame.copy()
    out["ds"] = pd.to_datetime(out["ds"])
    return out


def hour_grid(frame: pd.DataFrame, queue: str, values: pd.Series, days) -> np.ndarray:
    """A (date x hour) array of ``values`` for one queue, NaN where there is no row.

    Parameters
    ----------
    frame : DataFrame with ``queue`` and ``ds`` (datetimes).
    queue : the queue's name.
    values : one value per row of ``frame``.
    days : the plan's dates (the rows).
    """
    mine = (frame["queue"] == queue).to_numpy()
    ds = frame["ds"][mine]
    table = pd.DataFrame({"date": ds.dt.date.to_numpy(), "hour": ds.dt.hour.to_numpy(),
                          "v": np.asarray(values, dtype=float)[mine]})
    grid = table.drop_duplicates(["date", "hour"]).pivot(index="date", columns="hour", values="v")
    return grid.reindex(index=list(days), columns=range(24)).to_numpy(dtype=float)


def peak_day(cov: pd.DataFrame, plan, flags):
    """The first date flagged ``peak``; without one, the date with the largest total required."""
    if flags is not None and "peak" in flags.columns and flags["peak"].any():
        return pd.DatetimeIndex(flags.index[flags["peak"].astype(bool)]).min().date()
    daily = cov.groupby(cov["ds"].dt.date)["required"].sum()
    return daily.idxmax() if len(daily) else plan.days[0]


def panel_title(ax, text: str, **kw) -> None:
    ax.set_title(text, loc="left", fontsize=11, pad=4, **kw)


# ---------------------------------------------------------------- heatmaps

def _closed_background(ax) -> None:
    """Masked cells show the axes background: light grey, hatched (closed, not "exactly staffed")."""
    ax.patch.set_facecolor(CLOSED_COLOR)
    ax.patch.set_hatch("////")
    ax.patch.set_edgecolor(HATCH_COLOR)
    ax.patch.set_linewidth(0)


def closed_patch(label: str) -> Patch:
    return Patch(facecolor=CLOSED_COLOR, edgecolor=HATCH_COLOR, hatch="////", label=label)


def heatmap(ax, grid: np.ndarray, cmap, norm, row_labels, hour_step: int = 1):
    """Draw a (date x hour) grid, NaN cells hatched grey; dates top to bottom, an hour axis below.

    Returns
    -------
    QuadMesh : the cells, row-major (date, hour). The axes keep what they show for readers of the
        figure: ``ax.rows`` (the row label texts) and ``ax.hour_labels``; ``annotate`` adds
        ``ax.cell_texts``.
    """
    _closed_background(ax)
    mesh = ax.pcolormesh(np.arange(25), np.arange(len(row_labels) + 1), np.ma.masked_invalid(grid),
                         cmap=cmap, norm=norm, edgecolors="white", linewidth=0.6, in_layout=False)
    ax.set_ylim(len(row_labels), 0)
    ax.set_xlim(0, 24)
    hours = range(0, 24, hour_step)
    ax.set_xticks([])
    ax.hour_labels = [f"{h:02d}" for h in hours]
    numbers(ax, [(h + 0.5, 0) for h in hours], ax.hour_labels, "black", 8, "below", ax.get_xaxis_transform(),
            bold=False)
    _strut(ax, 14)
    ax.rows = y_labels(ax, np.arange(len(row_labels)) + 0.5, row_labels)
    return mesh


@functools.lru_cache(maxsize=512)
def _glyphs(text: str, size: float, anchor: str, bold: bool = True) -> MplPath:
    """``text`` as an outline in points (DejaVu Sans: digits and signs), centred horizontally on
    (0, 0) and vertically too (``center``), standing 1.5 pt above it (``above``) or hanging 3 pt below
    it (``below``)."""
    font = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
    path = TextPath((0, 0), text, size=size, prop=font)
    box = path.get_extents()
    dy = {"center": -(box.y0 + box.y1) / 2, "above": 1.5 - box.y0, "below": -3 - box.y1}[anchor]
    return path.transformed(Affine2D().translate(-(box.x0 + box.x1) / 2, dy))


def numbers(ax, points, texts: list[str], colors, size: float, anchor: str = "center", where=None,
            bold: bool = True) -> None:
    """Write short numbers at ``points`` (data coordinates, or ``where``'s): one collection of glyph
    outlines, not one text artist each (hundreds of texts would take most of the time to save)."""
    if not texts:
        return
    points_to_pixels = Affine2D().scale(1 / 72) + ax.get_figure().dpi_scale_trans
    ax.add_collection(PathCollection([_glyphs(t, size, anchor, bold) for t in texts], offsets=points,
                                     offset_transform=where or ax.transData, transform=points_to_pixels,
                                     facecolors=colors, edgecolors="none", in_layout=False, zorder=3,
                                     clip_on=False), autolim=False)


def _strut(ax, below_pt: float) -> None:
    """An invisible line ``below_pt`` points under the axes, so a tight bounding box keeps the hour
    labels (glyph collections have no extent of their own)."""
    shift = ScaledTranslation(0, -below_pt / 72, ax.get_figure().dpi_scale_trans)
    ax.add_line(Line2D([0, 1], [0, 0], transform=ax.transAxes + shift, alpha=0, clip_on=False))


def annotate(ax, grid: np.ndarray, show: np.ndarray, texts, dark: np.ndarray, size: float = 7) -> None:
    """Write ``texts(value)`` in each cell where ``show``, white on dark cells; ``ax.cell_texts``
    maps (row, hour) -> the text written there."""
    cells = [(int(r), int(c)) for r, c in zip(*np.nonzero(show))]
    ax.cell_texts = {(r, c): texts(grid[r, c]) for r, c in cells}
    numbers(ax, [(c + 0.5, r + 0.5) for r, c in cells], list(ax.cell_texts.values()),
            ["white" if dark[r, c] else "black" for r, c in cells], size)
