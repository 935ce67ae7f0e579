"""The charts along a time axis, phases of the planned event shaded: ``peak.png`` (per queue, the
sale day and the day after hour by hour, agents required vs rostered, the shortfall shaded red
and numbered) and ``forecast.png`` (per queue, the forecast mean with its P10-P90 band over the
plan's window).

Takes: the plan, the phase flags (a boolean frame indexed by every hour of the plan, one column
per phase), the coverage frame (``queue, ds, required, scheduled, shortfall, service_level``) and
the forecast frame (``queue, ds, mean, p10, p50, p90``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from scheduler.report.charts.common import as_hours, head, numbers, panel_title, panels, peak_day, x_labels
from scheduler.report.fonts import plain
from scheduler.report.i18n import Words




PHASE_COLORS = {"warmup": "#f6e08b", "deposit": "#d7ccc8", "final_payment": "#7fd3a8", "peak": "#f4a261",
                "aftersales": "#c9b6e4"}  # none blue (the forecast band) nor red (shortfalls)
OTHER_PHASE_COLORS = ["#a8dadc", "#e9c46a", "#d4a5a5"]


# ---------------------------------------------------------------- phases

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


# ---------------------------------------------------------------- peak

def _window(cov, plan, flags) -> tuple[pd.Timestamp, int]:
    """The first hour and length (hours) of the peak day and the day after, inside the plan."""
    start = pd.Timestamp(peak_day(cov, plan, flags))
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
    x_labels(ax, ticks, labels, marks=range(hours + 1))
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
    numbers(ax, [(h + 0.5, req[h]) for h in hours_short], [f"{got[h] - req[h]:.0f}" for h in hours_short],
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
    words, cov = Words(plan), as_hours(cov)
    start, hours = _window(cov, plan, flags)
    index = pd.date_range(start, periods=hours, freq="h")
    runs = _phase_runs(flags, start, index[-1] + pd.Timedelta(hours=1))
    fig, axes = panels(len(plan.queues), 1, (12, 2.0), (0.75, 0.2, 1.0, 0.1, 0.95, 0))
    shaded = {}
    for ax, name in zip(axes[:, 0], plan.queues):
        part = cov[cov["queue"] == name].set_index("ds").reindex(index)
        _peak_panel(ax, part.fillna({"required": 0, "scheduled": 0}), hours, words)
        shaded = _shade_phases(ax, flags, runs, lambda t: (t - start) / pd.Timedelta(hours=1))
        _hour_axis(ax, start, hours, words)
        panel_title(ax, plain(words.queue(name)))
    handles = axes[0, 0].get_legend_handles_labels()[0] + _phase_handles(words, shaded)
    head(fig, words("chart.peak.title", plan=plain(plan.name)), handles)
    return fig


# ---------------------------------------------------------------- forecast

def _day_axis(ax, plan, words: Words) -> None:
    """Each day labelled under its noon (``11-11\\n周三``), a line at each midnight, a tick every 3 hours."""
    step = max(1, int(np.ceil(len(plan.days) / 21)))
    days = list(plan.days)[::step]
    first, end = pd.Timestamp(plan.days[0]), pd.Timestamp(plan.days[-1]) + pd.Timedelta(days=1)
    ax.set_xlim(first, end)
    noon = mdates.date2num([pd.Timestamp(d) + pd.Timedelta(hours=12) for d in days])
    x_labels(ax, noon, [words.day(d).replace(" ", "\n", 1) for d in days],
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
    words, fc = Words(plan), as_hours(fc)
    runs = _phase_runs(flags, pd.Timestamp(plan.days[0]), pd.Timestamp(plan.days[-1]) + pd.Timedelta(days=1))
    fig, axes = panels(len(plan.queues), 1, (12, 1.9), (0.85, 0.2, 1.0, 0.1, 0.85, 0))
    shaded = {}
    for ax, name in zip(axes[:, 0], plan.queues):
        part = fc[fc["queue"] == name].sort_values("ds")
        ax.fill_between(part["ds"], part["p10"], part["p90"], step="post", color="#6baed6", alpha=0.45,
                        lw=0, label=words("chart.band"))
        ax.step(part["ds"], part["mean"], where="post", color="#08519c", lw=1.0, label=words("chart.mean"))
        shaded = _shade_phases(ax, flags, runs, lambda t: t)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(words("chart.per_hour"))
        panel_title(ax, plain(words.queue(name)))
        _day_axis(ax, plan, words)
    handles = axes[0, 0].get_legend_handles_labels()[0] + _phase_handles(words, shaded)
    head(fig, words("chart.forecast.title", plan=plain(plan.name)), handles)
    return fig
