"""The charts a CS lead reads, in the plan's language, drawn so the worst hours show at a glance:
a date x hour heatmap of agents rostered minus required per queue (shortfalls in red, annotated);
the sale day and the day after hour by hour; a heatmap of the simulated chance that each hour
meets its target (0 % darkest); the forecast with its band; the scenarios side by side.

Takes: the plan, the phase flags (a boolean frame indexed by every hour of the plan, one column
per phase of the planned event), coverage frames (``queue, ds, required, scheduled, shortfall,
service_level``; ``service_level`` NaN where the queue is closed), the simulation frame
(``queue, ds, ..., p_meet_target, ...``; rows only for the hours simulated) and the forecast
frame (``queue, ds, mean, p10, p50, p90``). Returns: matplotlib figures (Agg canvas), one per
file: ``coverage.png``, ``peak.png``, ``simulation.png``, ``forecast.png``, ``scenarios.png``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.textpath import TextPath
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Affine2D, ScaledTranslation

from scheduler.report.fonts import plain, use_cjk_font
from scheduler.report.i18n import Words, phrases

phrases({
    "chart.coverage.title": ("{plan}: agents rostered minus required, per hour (red: short)",
                             "{plan}：每小时在岗人数减需求人数（红色为缺人）"),
    "chart.coverage.legend": ("rostered − required (agents)", "在岗 − 需求（人）"),
    "chart.closed": ("closed", "未开放"),
    "chart.hour": ("hour of day", "时段"),
    "chart.short_total": ("{n:,.0f} agent-hours short", "共缺 {n:,.0f} 人时"),
    "chart.peak.title": ("{plan}: sale day and the day after, agents required vs rostered",
                         "{plan}：大促当天及次日，需求人数与在岗人数"),
    "chart.required": ("required", "需求"),
    "chart.rostered": ("rostered", "在岗"),
    "chart.short": ("short", "缺人"),
    "chart.agents": ("agents", "人数"),
    "chart.sim.title": ("{plan}: chance each hour meets its service target (risk level {p:.0%})",
                        "{plan}：每小时达成服务目标的概率（风险线 {p:.0%}）"),
    "chart.sim.legend": ("chance of meeting the target", "达标概率"),
    "chart.not_simulated": ("closed / not simulated", "未开放 / 未模拟"),
    "chart.forecast.title": ("{plan}: forecast per hour, mean and P10–P90 band",
                             "{plan}：每小时预测量，均值与 P10–P90 区间"),
    "chart.mean": ("mean", "均值"),
    "chart.band": ("P10–P90", "P10–P90 区间"),
    "chart.per_hour": ("per hour", "每小时"),
    "chart.scenarios.title": ("{plan}: scenarios, agents rostered minus required per hour",
                              "{plan}：各情景每小时在岗人数减需求人数"),
})

CLOSED_COLOR = "#e4e4e4"  # closed / not simulated cells: light grey, hatched
HATCH_COLOR = "#b8b8b8"
# rostered - required, binned: dark red for the worst shortfalls, white for exactly staffed
GAP_EDGES = [-1e9, -9.5, -4.5, -1.5, -0.5, 0.5, 2.5, 5.5, 1e9]
GAP_COLORS = ["#8b0000", "#d7301f", "#fc8d59", "#fdd0c0", "#ffffff", "#d9f0d3", "#a6dba0", "#5aae61"]
GAP_LABELS = ["≤ −10", "−9…−5", "−4…−2", "−1", "0", "+1…+2", "+3…+5", "≥ +6"]
# chance of meeting the target: 0 % the darkest red, at or above the risk level green
RISK_REDS = ["#3f0008", "#a50f15", "#de2d26", "#fb6a4a", "#fcbba1"]
RISK_GREENS = ["#dcefd6", "#a9d8a0"]  # at or above the risk level: calm
ZERO = 1e-9  # the 0 % bin is [0, ZERO)
PHASE_COLORS = {"warmup": "#f6e08b", "deposit": "#d7ccc8", "final_payment": "#7fd3a8", "peak": "#f4a261",
                "aftersales": "#c9b6e4"}  # none blue (the forecast band) nor red (shortfalls)
OTHER_PHASE_COLORS = ["#a8dadc", "#e9c46a", "#d4a5a5"]


# ---------------------------------------------------------------- shared pieces

def _panels(rows: int, cols: int, panel: tuple[float, float], margins: tuple) -> tuple[Figure, np.ndarray]:
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


def _head(fig, title: str, handles, legend_title: str | None = None) -> None:
    """The figure's title and, under it, one legend row."""
    height = fig.get_size_inches()[1]
    fig.suptitle(title, y=1 - 0.12 / height, va="top", fontsize=13)
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.42 / height), ncols=len(handles),
               fontsize=9, title=legend_title, title_fontsize=9, frameon=False, handlelength=1.6,
               columnspacing=1.2)


def _x_labels(ax, xs, labels, marks=(), **style) -> list:
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


def _y_labels(ax, ys, labels, **style) -> list:
    """Row labels left of the axes as plain texts."""
    ax.set_yticks([])
    spot = ax.get_yaxis_transform() + ScaledTranslation(-3 / 72, 0, ax.get_figure().dpi_scale_trans)
    return [ax.text(0, y, label, transform=spot, ha="right", va="center", fontsize=8, **style)
            for y, label in zip(ys, labels)]


def _hours(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with ``ds`` as datetimes."""
    out = frame.copy()
    out["ds"] = pd.to_datetime(out["ds"])
    return out


def _grid(frame: pd.DataFrame, queue: str, values: pd.Series, days) -> np.ndarray:
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


def _day_phases(flags: pd.DataFrame | None) -> dict:
    """date -> the phases flagged on any hour of that date, in the flags' column order."""
    if flags is None or flags.empty:
        return {}
    by_day = flags.astype(bool).groupby(pd.DatetimeIndex(flags.index).date).any()
    return {day: [p for p in by_day.columns if row[p]] for day, row in by_day.iterrows()}


def _day_labels(plan, words: Words, flags) -> list[str]:
    """Row labels: ``11-11 周三 大促当天`` (the day, then its phases)."""
    phases = _day_phases(flags)
    return [" ".join([words.day(d)] + [words.phase(p) for p in phases.get(d, [])]) for d in plan.days]


def _peak_day(cov: pd.DataFrame, plan, flags):
    """The first date flagged ``peak``; without one, the date with the largest total required."""
    if flags is not None and "peak" in flags.columns and flags["peak"].any():
        return pd.DatetimeIndex(flags.index[flags["peak"].astype(bool)]).min().date()
    daily = cov.groupby(cov["ds"].dt.date)["required"].sum()
    return daily.idxmax() if len(daily) else plan.days[0]


def _phase_runs(flags, start, end) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """(phase, first hour, hour after the last) of each run of flagged hours in [start, end)."""
    if flags is None or flags.empty:
        return []
    part = flags[(flags.index >= start) & (flags.index < end)].astype(bool)
    runs = []
    for phase in part.columns:
        on = part[phase].to_numpy()
        edges = np.flatnonzero(np.diff(np.r_[False, on, False].astype(int)))
        for a, b in zip(edges[::2], edges[1::2]):
            runs.append((phase, part.index[a], part.index[b - 1] + pd.Timedelta(hours=1)))
    return runs


def _phase_color(flags, phase: str) -> str:
    if phase in PHASE_COLORS:
        return PHASE_COLORS[phase]
    return OTHER_PHASE_COLORS[list(flags.columns).index(phase) % len(OTHER_PHASE_COLORS)]


def _shade_phases(ax, flags, runs, to_x) -> dict:
    """Shade each phase run (``to_x`` maps an hour to the x axis); phase -> its colour."""
    shaded = {}
    for phase, a, b in runs:
        shaded[phase] = _phase_color(flags, phase)
        ax.axvspan(to_x(a), to_x(b), color=shaded[phase], alpha=0.18, lw=0, zorder=0)
    return shaded


def _phase_handles(words: Words, shaded: dict) -> list[Patch]:
    """Legend patches for the shaded phases, named in the plan's language."""
    return [Patch(facecolor=c, alpha=0.45, label=plain(words.phase(p))) for p, c in shaded.items()]


# ---------------------------------------------------------------- heatmaps

HEAT_MARGINS = (1.75, 0.25, 1.35, 0.5, 0.75, 0.3)  # left, right, top, bottom, row gap, column gap (inches)
ROW_H = 0.24  # inches per date


def _closed_background(ax) -> None:
    """Masked cells show the axes background: light grey, hatched (closed, not "exactly staffed")."""
    ax.patch.set_facecolor(CLOSED_COLOR)
    ax.patch.set_hatch("////")
    ax.patch.set_edgecolor(HATCH_COLOR)
    ax.patch.set_linewidth(0)


def _closed_patch(label: str) -> Patch:
    return Patch(facecolor=CLOSED_COLOR, edgecolor=HATCH_COLOR, hatch="////", label=label)


def _heatmap(ax, grid: np.ndarray, cmap, norm, row_labels, hour_step: int = 1):
    """Draw a (date x hour) grid, NaN cells hatched grey; dates top to bottom, an hour axis below.

    Returns
    -------
    QuadMesh : the cells, row-major (date, hour). The axes keep what they show for readers of the
        figure: ``ax.rows`` (the row label texts) and ``ax.hour_labels``; ``_annotate`` adds
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
    _numbers(ax, [(h + 0.5, 0) for h in hours], ax.hour_labels, "black", 8, "below", ax.get_xaxis_transform(),
             bold=False)
    _strut(ax, 14)
    ax.rows = _y_labels(ax, np.arange(len(row_labels)) + 0.5, row_labels)
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


def _numbers(ax, points, texts: list[str], colors, size: float, anchor: str = "center", where=None,
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


def _annotate(ax, grid: np.ndarray, show: np.ndarray, texts, dark: np.ndarray, size: float = 7) -> None:
    """Write ``texts(value)`` in each cell where ``show``, white on dark cells; ``ax.cell_texts``
    maps (row, hour) -> the text written there."""
    cells = [(int(r), int(c)) for r, c in zip(*np.nonzero(show))]
    ax.cell_texts = {(r, c): texts(grid[r, c]) for r, c in cells}
    _numbers(ax, [(c + 0.5, r + 0.5) for r, c in cells], list(ax.cell_texts.values()),
             ["white" if dark[r, c] else "black" for r, c in cells], size)


def _gap_scale():
    cmap = mcolors.ListedColormap(GAP_COLORS).with_extremes(bad=(0, 0, 0, 0))
    return cmap, mcolors.BoundaryNorm(GAP_EDGES, cmap.N)


def _gap_grid(cov: pd.DataFrame, queue: str, days) -> np.ndarray:
    """Rostered minus required per (date, hour) of one queue; NaN where it is closed."""
    closed = cov["service_level"].isna() & (cov["required"] <= 0)
    gap = (cov["scheduled"] - cov["required"]).where(~closed)
    return _grid(cov, queue, gap, days)


def _gap_handles(words: Words) -> list[Patch]:
    handles = [Patch(facecolor=c, edgecolor="#999999", label=l) for c, l in zip(GAP_COLORS, GAP_LABELS)]
    return handles + [_closed_patch(words("chart.closed"))]


def _gap_panel(ax, cov, queue: str, plan, labels, annotate_at: float = -1, hour_step: int = 1, size: float = 7):
    """One queue's rostered-minus-required heatmap; cells ``annotate_at`` or more short carry the number."""
    grid = _gap_grid(cov, queue, plan.days)
    mesh = _heatmap(ax, grid, *_gap_scale(), labels, hour_step)
    gap = np.nan_to_num(grid, nan=0)
    _annotate(ax, grid, gap <= annotate_at, lambda v: f"{v:.0f}", gap <= -5, size)
    return mesh


def _short_total(cov: pd.DataFrame, queue: str) -> float:
    return float(cov.loc[cov["queue"] == queue, "shortfall"].sum())


def _panel_title(ax, text: str, **kw) -> None:
    ax.set_title(text, loc="left", fontsize=11, pad=4, **kw)


def _bold_row(ax, plan, day) -> None:
    """Mark the label of ``day`` (the peak day) in dark red."""
    if day in plan.days:
        ax.rows[list(plan.days).index(day)].set_color("#8b0000")


# ---------------------------------------------------------------- 1. coverage

def coverage_figure(cov: pd.DataFrame, plan, flags: pd.DataFrame) -> Figure:
    """Per queue a date x hour heatmap of agents rostered minus required (coverage.png).

    Parameters
    ----------
    cov : the coverage frame.
    plan : the plan (its queues, dates and language).
    flags : the phase flags, to name each day's phase.

    Returns
    -------
    Figure : one panel per queue of the plan; red short (each short cell annotated with the
        number short), white exactly staffed, green over, grey hatched closed.
    """
    words, cov = Words(plan), _hours(cov)
    labels, peak = _day_labels(plan, words, flags), _peak_day(cov, plan, flags)
    fig, axes = _panels(len(plan.queues), 1, (10.5, ROW_H * len(plan.days)), HEAT_MARGINS)
    for ax, name in zip(axes[:, 0], plan.queues):
        _gap_panel(ax, cov, name, plan, labels)
        _bold_row(ax, plan, peak)
        _panel_title(ax, f"{plain(words.queue(name))}  ·  {words('chart.short_total', n=_short_total(cov, name))}")
    axes[-1, 0].set_xlabel(words("chart.hour"), labelpad=14)
    _head(fig, words("chart.coverage.title", plan=plain(plan.name)), _gap_handles(words),
          words("chart.coverage.legend"))
    return fig


# ---------------------------------------------------------------- 2. peak

def _window(cov, plan, flags) -> tuple[pd.Timestamp, int]:
    """The first hour and length (hours) of the peak day and the day after, inside the plan."""
    start = pd.Timestamp(_peak_day(cov, plan, flags))
    last = pd.Timestamp(plan.days[-1])
    if start >= last and len(plan.days) > 1:
        start = last - pd.Timedelta(days=1)
    return start, 48 if len(plan.days) > 1 else 24


def _hour_axis(ax, start: pd.Timestamp, hours: int, words: Words) -> None:
    """Ticks every 2 h (``00``, ``02``, ...), the date under each midnight; a minor tick each hour."""
    ticks = list(range(0, hours + 1, 2))
    stamps = [start + pd.Timedelta(hours=h) for h in ticks]
    labels = [f"{t.hour:02d}" + (f"\n{words.day(t.date())}" if t.hour == 0 else "") for t in stamps]
    ax.set_xlim(0, hours)
    _x_labels(ax, ticks, labels, marks=range(hours + 1))
    ax.vlines(ticks, 0, 1, transform=ax.get_xaxis_transform(), colors="0.5", lw=0.5, alpha=0.35)


def _peak_panel(ax, part: pd.DataFrame, hours: int, words: Words) -> None:
    """Required vs rostered as steps over the window, the shortfall shaded and labelled."""
    edges = np.arange(hours + 1)
    req, got = part["required"].to_numpy(float), part["scheduled"].to_numpy(float)
    short = req > got
    ax.stairs(np.where(short, req, got), edges, baseline=got, fill=True, color="#e31a1c", alpha=0.5,
              label=words("chart.short"))
    ax.stairs(req, edges, color="black", lw=1.4, label=words("chart.required"))
    ax.stairs(got, edges, color="#1f78b4", lw=1.4, label=words("chart.rostered"))
    hours_short = np.flatnonzero(short)
    _numbers(ax, [(h + 0.5, req[h]) for h in hours_short], [f"{got[h] - req[h]:.0f}" for h in hours_short],
             "#b10026", 7.5, "above")
    ax.set_ylim(0, max(req.max(initial=0), got.max(initial=0)) * 1.15 + 1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylabel(words("chart.agents"))


def peak_figure(cov: pd.DataFrame, plan, flags: pd.DataFrame) -> Figure:
    """Per queue the peak day and the day after, hour by hour (peak.png).

    Parameters
    ----------
    cov : the coverage frame.
    plan : the plan.
    flags : the phase flags; the peak day is the first day flagged ``peak`` (without one, the
        day with the largest total required).

    Returns
    -------
    Figure : one panel per queue: required and rostered agents as steps, the shortfall shaded
        red with the number short, the phases shaded, an hour axis.
    """
    words, cov = Words(plan), _hours(cov)
    start, hours = _window(cov, plan, flags)
    index = pd.date_range(start, periods=hours, freq="h")
    runs = _phase_runs(flags, start, index[-1] + pd.Timedelta(hours=1))
    fig, axes = _panels(len(plan.queues), 1, (12, 2.0), (0.75, 0.2, 1.0, 0.1, 0.95, 0))
    shaded = {}
    for ax, name in zip(axes[:, 0], plan.queues):
        part = cov[cov["queue"] == name].set_index("ds").reindex(index)
        _peak_panel(ax, part.fillna({"required": 0, "scheduled": 0}), hours, words)
        shaded = _shade_phases(ax, flags, runs, lambda t: (t - start) / pd.Timedelta(hours=1))
        _hour_axis(ax, start, hours, words)
        _panel_title(ax, plain(words.queue(name)))
    handles = axes[0, 0].get_legend_handles_labels()[0] + _phase_handles(words, shaded)
    _head(fig, words("chart.peak.title", plan=plain(plan.name)), handles)
    return fig


# ---------------------------------------------------------------- 3. simulation

def _risk_edges(risk: float) -> list[float]:
    """Bin edges of the chance of meeting the target: 0 % alone, reds up to ``risk``, two greens above."""
    reds = sorted({0.0, risk} | {e for e in (ZERO, risk / 4, risk / 2, 3 * risk / 4) if ZERO <= e < risk})
    greens = [risk + (1 - risk) / 2, 1 + 1e-9] if risk < 1 else [1 + 1e-9]
    return reds + greens


def _risk_scale(risk: float):
    """The colour map (darkest red first), its norm and its edges; below ``risk`` red, else green."""
    edges = _risk_edges(risk)
    n_red = sum(e < risk for e in edges[:-1])
    n_green = len(edges) - 1 - n_red
    colors = RISK_REDS[:n_red] + RISK_GREENS[len(RISK_GREENS) - n_green:]
    cmap = mcolors.ListedColormap(colors).with_extremes(bad=(0, 0, 0, 0))
    return cmap, mcolors.BoundaryNorm(edges, cmap.N), edges


def _risk_labels(edges) -> list[str]:
    """``0%``, ``<20%``, ``20–39%``, ..., ``≥90%``."""
    pct = lambda v: round(v * 100)  # noqa: E731
    out = []
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        if a == 0 and b <= ZERO:
            out.append("0%")
        elif i == len(edges) - 2:
            out.append(f"≥{pct(a)}%")
        elif a <= ZERO:
            out.append(f"<{pct(b)}%")
        else:
            out.append(f"{pct(a)}–{pct(b) - 1}%")
    return out


def _percent(v: float) -> str:
    """A chance as a cell shows it: ``0%`` only when it is 0, ``<1%``, else whole percent, rounded down."""
    return "0%" if v <= 0 else ("<1%" if v < 0.01 else f"{int(np.floor(v * 100 + 1e-9))}%")


def simulation_figure(sim: pd.DataFrame, plan) -> Figure:
    """Per queue a date x hour heatmap of the chance of meeting the target (simulation.png).

    Parameters
    ----------
    sim : the simulation frame.
    plan : the plan (its queues, dates, ``simulation.risk_level`` and language).

    Returns
    -------
    Figure : one panel per queue of the plan; 0 % the darkest red, reds below the risk level
        (each annotated with its percentage), greens at or above it, grey hatched not simulated.
    """
    words, sim, risk = Words(plan), _hours(sim), float(plan.simulation.risk_level)
    cmap, norm, edges = _risk_scale(risk)
    labels = [words.day(d) for d in plan.days]
    fig, axes = _panels(len(plan.queues), 1, (10.5, ROW_H * len(plan.days)), HEAT_MARGINS)
    for ax, name in zip(axes[:, 0], plan.queues):
        grid = _grid(sim, name, sim["p_meet_target"], plan.days)
        _heatmap(ax, grid, cmap, norm, labels)
        p = np.nan_to_num(grid, nan=1.0)
        _annotate(ax, grid, p < risk, _percent, p < min(0.4, risk / 2), size=6.5)
        _panel_title(ax, plain(words.queue(name)))
    axes[-1, 0].set_xlabel(words("chart.hour"), labelpad=14)
    handles = [Patch(facecolor=c, edgecolor="#999999", label=l) for c, l in zip(cmap.colors, _risk_labels(edges))]
    _head(fig, words("chart.sim.title", plan=plain(plan.name), p=risk),
          handles + [_closed_patch(words("chart.not_simulated"))], words("chart.sim.legend"))
    return fig


# ---------------------------------------------------------------- 4. forecast

def _day_axis(ax, plan, words: Words) -> None:
    """Each day labelled under its noon (``11-11\\n周三``), a line at each midnight, a tick every 3 hours."""
    step = max(1, int(np.ceil(len(plan.days) / 21)))
    days = list(plan.days)[::step]
    first, end = pd.Timestamp(plan.days[0]), pd.Timestamp(plan.days[-1]) + pd.Timedelta(days=1)
    ax.set_xlim(first, end)
    noon = mdates.date2num([pd.Timestamp(d) + pd.Timedelta(hours=12) for d in days])
    _x_labels(ax, noon, [words.day(d).replace(" ", "\n", 1) for d in days],
              marks=mdates.date2num(pd.date_range(first, end, freq="3h")))
    midnights = mdates.date2num([pd.Timestamp(d) for d in days])
    ax.vlines(midnights, 0, 1, transform=ax.get_xaxis_transform(), colors="0.5", lw=0.5, alpha=0.35)


def forecast_figure(fc: pd.DataFrame, plan, flags: pd.DataFrame) -> Figure:
    """Per queue the forecast mean with its P10–P90 band over the plan window (forecast.png).

    Parameters
    ----------
    fc : the forecast frame.
    plan : the plan.
    flags : the phase flags of the planned event, shaded.

    Returns
    -------
    Figure : one panel per queue of the plan, a day axis with hour minor ticks.
    """
    words, fc = Words(plan), _hours(fc)
    runs = _phase_runs(flags, pd.Timestamp(plan.days[0]), pd.Timestamp(plan.days[-1]) + pd.Timedelta(days=1))
    fig, axes = _panels(len(plan.queues), 1, (12, 1.9), (0.85, 0.2, 1.0, 0.1, 0.85, 0))
    shaded = {}
    for ax, name in zip(axes[:, 0], plan.queues):
        part = fc[fc["queue"] == name].sort_values("ds")
        ax.fill_between(part["ds"], part["p10"], part["p90"], step="post", color="#6baed6", alpha=0.45,
                        lw=0, label=words("chart.band"))
        ax.step(part["ds"], part["mean"], where="post", color="#08519c", lw=1.0, label=words("chart.mean"))
        shaded = _shade_phases(ax, flags, runs, lambda t: t)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(words("chart.per_hour"))
        _panel_title(ax, plain(words.queue(name)))
        _day_axis(ax, plan, words)
    handles = axes[0, 0].get_legend_handles_labels()[0] + _phase_handles(words, shaded)
    _head(fig, words("chart.forecast.title", plan=plain(plan.name)), handles)
    return fig


# ---------------------------------------------------------------- 5. scenarios

def scenarios_figure(coverages: dict, plan) -> Figure:
    """Every queue (row) under every scenario (column), the coverage heatmap on one scale (scenarios.png).

    Parameters
    ----------
    coverages : scenario name ("base" first) -> its coverage frame.
    plan : the plan.

    Returns
    -------
    Figure : a grid of rostered-minus-required heatmaps sharing one colour scale, each titled
        with the scenario, the queue and its agent-hours short; cells 5 or more short annotated.
    """
    words = Words(plan)
    frames = {name: _hours(cov) for name, cov in coverages.items()}
    labels = [words.day(d) for d in plan.days]
    fig, axes = _panels(len(plan.queues), max(1, len(frames)), (4.6, 0.17 * len(plan.days)),
                        (1.1, 0.2, 1.6, 0.35, 0.95, 0.25))
    for j, (scenario, cov) in enumerate(frames.items()):
        for i, queue in enumerate(plan.queues):
            ax = axes[i, j]
            _gap_panel(ax, cov, queue, plan, labels, annotate_at=-5, hour_step=3, size=6)
            _panel_title(ax, f"{plain(scenario)}  ·  {plain(words.queue(queue))}\n"
                             f"{words('chart.short_total', n=_short_total(cov, queue))}")
            if j:
                for text in ax.rows:
                    text.set_visible(False)
    _head(fig, words("chart.scenarios.title", plan=plain(plan.name)), _gap_handles(words),
          words("chart.coverage.legend"))
    return fig
