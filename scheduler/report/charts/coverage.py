"""The rostered-minus-required heatmaps: ``coverage.png`` (per queue, date x hour, each short cell
annotated, the peak day's label in dark red) and ``scenarios.png`` (every queue under every
scenario on one colour scale). Shortfalls red, exactly staffed white, spare green, closed grey.

Takes: the plan, the phase flags (a boolean frame indexed by every hour of the plan, one column
per phase) and coverage frames (``queue, ds, required, scheduled, shortfall, service_level``;
``service_level`` NaN where the queue is closed), one per scenario for ``scenarios.png``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from scheduler.report.charts.common import (HEAT_MARGINS, ROW_H, annotate, as_hours, closed_patch, head, heatmap,
                                            hour_grid, panel_title, panels, peak_day)
from scheduler.report.fonts import plain
from scheduler.report.i18n import Words




# rostered - required, binned: dark red for the worst shortfalls, white for exactly staffed
GAP_EDGES = [-1e9, -9.5, -4.5, -1.5, -0.5, 0.5, 2.5, 5.5, 1e9]
GAP_COLORS = ["#8b0000", "#d7301f", "#fc8d59", "#fdd0c0", "#ffffff", "#d9f0d3", "#a6dba0", "#5aae61"]
GAP_LABELS = ["≤ −10", "−9…−5", "−4…−2", "−1", "0", "+1…+2", "+3…+5", "≥ +6"]


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


def _gap_scale():
    cmap = mcolors.ListedColormap(GAP_COLORS).with_extremes(bad=(0, 0, 0, 0))
    return cmap, mcolors.BoundaryNorm(GAP_EDGES, cmap.N)


def _gap_grid(cov: pd.DataFrame, queue: str, days) -> np.ndarray:
    """Rostered minus required per (date, hour) of one queue; NaN where it is closed."""
    closed = cov["service_level"].isna() & (cov["required"] <= 0)
    gap = (cov["scheduled"] - cov["required"]).where(~closed)
    return hour_grid(cov, queue, gap, days)


def _gap_handles(words: Words) -> list[Patch]:
    handles = [Patch(facecolor=c, edgecolor="#999999", label=l) for c, l in zip(GAP_COLORS, GAP_LABELS)]
    return handles + [closed_patch(words("chart.closed"))]


def _gap_panel(ax, cov, queue: str, plan, labels, annotate_at: float = -1, hour_step: int = 1, size: float = 7):
    """One queue's rostered-minus-required heatmap; cells ``annotate_at`` or more short carry the number."""
    grid = _gap_grid(cov, queue, plan.days)
    mesh = heatmap(ax, grid, *_gap_scale(), labels, hour_step)
    gap = np.nan_to_num(grid, nan=0)
    annotate(ax, grid, gap <= annotate_at, lambda v: f"{v:.0f}", gap <= -5, size)
    return mesh


def _short_total(cov: pd.DataFrame, queue: str) -> float:
    return float(cov.loc[cov["queue"] == queue, "shortfall"].sum())


def _bold_row(ax, plan, day) -> None:
    """Mark the label of ``day`` (the peak day) in dark red."""
    if day in plan.days:
        ax.rows[list(plan.days).index(day)].set_color("#8b0000")


# ---------------------------------------------------------------- coverage

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
    words, cov = Words(plan), as_hours(cov)
    labels, peak = _day_labels(plan, words, flags), peak_day(cov, plan, flags)
    fig, axes = panels(len(plan.queues), 1, (10.5, ROW_H * len(plan.days)), HEAT_MARGINS)
    for ax, name in zip(axes[:, 0], plan.queues):
        _gap_panel(ax, cov, name, plan, labels)
        _bold_row(ax, plan, peak)
        panel_title(ax, f"{plain(words.queue(name))}  ·  {words('chart.short_total', n=_short_total(cov, name))}")
    axes[-1, 0].set_xlabel(words("chart.hour"), labelpad=14)
    head(fig, words("chart.coverage.title", plan=plain(plan.name)), _gap_handles(words),
         words("chart.coverage.legend"))
    return fig


# ---------------------------------------------------------------- scenarios

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
    frames = {name: as_hours(cov) for name, cov in coverages.items()}
    labels = [words.day(d) for d in plan.days]
    fig, axes = panels(len(plan.queues), max(1, len(frames)), (4.6, 0.17 * len(plan.days)),
                       (1.1, 0.2, 1.6, 0.35, 0.95, 0.25))
    for j, (scenario, cov) in enumerate(frames.items()):
        for i, queue in enumerate(plan.queues):
            ax = axes[i, j]
            _gap_panel(ax, cov, queue, plan, labels, annotate_at=-5, hour_step=3, size=6)
            panel_title(ax, f"{plain(scenario)}  ·  {plain(words.queue(queue))}\n"
                            f"{words('chart.short_total', n=_short_total(cov, queue))}")
            if j:
                for text in ax.rows:
                    text.set_visible(False)
    head(fig, words("chart.scenarios.title", plan=plain(plan.name)), _gap_handles(words),
         words("chart.coverage.legend"))
    return fig
