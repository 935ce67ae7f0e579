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

Modules: ``coverage`` (coverage.png, scenarios.png), ``timelines`` (peak.png, forecast.png),
``simulation`` (simulation.png) and ``common`` (the panels, axes, glyph numbers and heatmap they
share).
"""

from __future__ import annotations

from scheduler.report.charts.coverage import coverage_figure, scenarios_figure
from scheduler.report.charts.simulation import simulation_figure
from scheduler.report.charts.timelines import forecast_figure, peak_figure

__all__ = ["coverage_figure", "forecast_figure", "peak_figure", "scenarios_figure", "simulation_figure"]
