"""The simulation heatmap, ``simulation.png``: per queue, date x hour, the simulated chance that
the hour meets its service target; 0 % the darkest red, reds below the plan's risk level (each
annotated with its percentage), greens at or above it, grey hatched where not simulated.

Takes: the plan (its queues, dates, ``simulation.risk_level`` and language) and the simulation
frame (``queue, ds, ..., p_meet_target, ...``; rows only for the hours simulated).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from scheduler.report.charts.common import (HEAT_MARGINS, ROW_H, annotate, as_hours, closed_patch, head, heatmap,
                                            hour_grid, panel_title, panels)
from scheduler.report.fonts import plain
from scheduler.report.i18n import Words




# chance of meeting the target: 0 % the darkest red, at or above the risk level green
RISK_REDS = ["#3f0008", "#a50f15", "#de2d26", "#fb6a4a", "#fcbba1"]
RISK_GREENS = ["#dcefd6", "#a9d8a0"]  # at or above the risk level: calm
ZERO = 1e-9  # the 0 % bin is [0, ZERO)


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
    words, sim, risk = Words(plan), as_hours(sim), float(plan.simulation.risk_level)
    cmap, norm, edges = _risk_scale(risk)
    labels = [words.day(d) for d in plan.days]
    fig, axes = panels(len(plan.queues), 1, (10.5, ROW_H * len(plan.days)), HEAT_MARGINS)
    for ax, name in zip(axes[:, 0], plan.queues):
        grid = hour_grid(sim, name, sim["p_meet_target"], plan.days)
        heatmap(ax, grid, cmap, norm, labels)
        p = np.nan_to_num(grid, nan=1.0)
        annotate(ax, grid, p < risk, _percent, p < min(0.4, risk / 2), size=6.5)
        panel_title(ax, plain(words.queue(name)))
    axes[-1, 0].set_xlabel(words("chart.hour"), labelpad=14)
    handles = [Patch(facecolor=c, edgecolor="#999999", label=l) for c, l in zip(cmap.colors, _risk_labels(edges))]
    head(fig, words("chart.sim.title", plan=plain(plan.name), p=risk),
         handles + [closed_patch(words("chart.not_simulated"))], words("chart.sim.legend"))
    return fig
