"""The report's charts (``scheduler.report.charts``): every figure draws in both languages with
Chinese labels and no warning, one panel per queue, the worst hours marked (short cells carry
their number, a 0 % hour gets the darkest colour, closed hours look different)."""

from __future__ import annotations

import dataclasses
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.colors import to_rgba

from scheduler.report.charts import coverage as chart_coverage
from scheduler.report.charts import simulation as chart_simulation
from smallplan import small_forecast

from scheduler.check.checker import coverage
from scheduler.report import charts
from scheduler.report.i18n import Words
from scheduler.simulate.simulation import Settings, simulate

LABELS = {"presale": "售前", "aftersale": "售后", "reminder": "催付"}


def _relabel(plan, language: str):
    queues = {name: dataclasses.replace(q, label=LABELS[name]) for name, q in plan.queues.items()}
    return dataclasses.replace(plan, language=language, queues=queues)


@pytest.fixture(scope="module")
def run(solved_small):
    """The small plan in Chinese, with its coverage, simulation, forecast and flags."""
    plan, _staff, req, flags, result = solved_small
    cov = coverage(plan, req, result.assignments, flags)
    sim = simulate(plan, small_forecast(plan), req, flags, result.assignments, Settings(replications=20))
    return _relabel(plan, "zh"), cov, sim, small_forecast(plan), flags


def _figures(plan, cov, sim, fc, flags) -> dict:
    lean = cov.assign(scheduled=(cov["scheduled"] - 1).clip(lower=0))
    lean["shortfall"] = (lean["required"] - lean["scheduled"]).clip(lower=0)
    return {"coverage": lambda: charts.coverage_figure(cov, plan, flags),
            "peak": lambda: charts.peak_figure(cov, plan, flags),
            "simulation": lambda: charts.simulation_figure(sim, plan),
            "forecast": lambda: charts.forecast_figure(fc, plan, flags),
            "scenarios": lambda: charts.scenarios_figure({"base": cov, "lean $-1": lean}, plan)}


def _texts(fig) -> str:
    """Every text the figure shows: titles, legends, labels."""
    return "\n".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_visible()))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_figure_draws_in_both_languages_with_chinese_labels_and_no_warning(run, language):
    plan, cov, sim, fc, flags = run
    plan = _relabel(plan, language)
    every = ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph, a mathtext error, a deprecation
        for name, make in _figures(plan, cov, sim, fc, flags).items():
            fig = make()
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=110, bbox_inches="tight")
            assert png.getvalue()[:4] == b"\x89PNG", name
            shown = _texts(fig)
            for label in LABELS.values():  # every queue has a panel, named by its label
                assert label in shown, (name, label)
            every += shown
    assert ("大促当天" in every) == (language == "zh") and ("sale day" in every) == (language == "en")
    assert ("周三" in every) == (language == "zh")


def test_one_panel_per_queue_and_one_column_per_scenario(run):
    plan, cov, sim, fc, flags = run
    figures = _figures(plan, cov, sim, fc, flags)
    for name in ("coverage", "peak", "simulation", "forecast"):
        assert len(figures[name]().axes) == len(plan.queues), name
    fig = charts.scenarios_figure({"base": cov, "more": cov, "lean $-1": cov}, plan)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert len(fig.axes) == 3 * len(plan.queues)
    assert sum(t.startswith(r"lean \$-1") for t in titles) == len(plan.queues)  # user text, $ escaped


def _cell_colour(fig, panel: int, row: int, hour: int):
    fig.canvas.draw()
    mesh = next(c for c in fig.axes[panel].collections if isinstance(c, QuadMesh))
    return tuple(mesh.get_facecolors()[row * 24 + hour]), mesh


def _cell(plan, frame, queue: str, when) -> tuple[int, int, int]:
    """(panel, row, hour) of a queue's hour in a heatmap."""
    when = pd.Timestamp(when)
    return list(plan.queues).index(queue), list(plan.days).index(when.date()), when.hour


def test_simulation_heatmap_zero_is_the_darkest_colour_and_closed_hours_differ(run):
    plan, _cov, sim, _fc, _flags = run
    sim = sim.copy()
    opened = sim[sim["queue"] == "presale"].sort_values("ds")
    zero, full = opened["ds"].iloc[3], opened["ds"].iloc[4]
    sim.loc[(sim["queue"] == "presale") & (sim["ds"] == zero), "p_meet_target"] = 0.0
    sim.loc[(sim["queue"] == "presale") & (sim["ds"] == full), "p_meet_target"] = 1.0
    hours = pd.date_range(pd.Timestamp(plan.start), periods=24 * len(plan.days), freq="h")
    closed = hours.difference(pd.DatetimeIndex(opened["ds"]))[0]  # presale is closed 02:00-08:00

    fig = charts.simulation_figure(sim, plan)
    colour, mesh = _cell_colour(fig, *_cell(plan, sim, "presale", zero))
    assert colour == mesh.cmap(0)  # 0 % gets the colour map's minimum ...
    luminance = [sum(mesh.cmap(i)[:3]) for i in range(mesh.cmap.N)]
    assert luminance[0] == min(luminance)  # ... which is its darkest colour
    green = _cell_colour(fig, *_cell(plan, sim, "presale", full))[0]
    assert green[1] > green[0] and green[1] > green[2]  # at or above the risk level: green
    blank = _cell_colour(fig, *_cell(plan, sim, "presale", closed))[0]
    assert blank != colour and blank[3] == 0  # not simulated: the hatched grey background shows
    assert fig.axes[0].patch.get_hatch()
    assert fig.axes[0].cell_texts[_cell(plan, sim, "presale", zero)[1:]] == "0%"
    assert "80%" in fig._suptitle.get_text()  # the title names the risk level


def test_risk_scale_keeps_zero_darkest_and_splits_at_the_risk_level():
    for risk in (0.0, 0.003, 0.5, 0.8, 1.0):
        cmap, norm, edges = chart_simulation._risk_scale(risk)
        assert len(edges) == cmap.N + 1 and list(edges) == sorted(edges)
        below = [cmap(int(norm(v))) for v in np.linspace(0, risk, 7)[:-1]] if risk > 0 else []
        above = [cmap(int(norm(v))) for v in np.linspace(risk, 1, 5)]
        assert all(c[0] > c[1] for c in below), risk  # reds under the risk level
        assert all(c[1] > c[0] for c in above), risk  # greens at and above it
    assert chart_simulation._percent(0.0) == "0%" and chart_simulation._percent(0.004) == "<1%" and chart_simulation._percent(0.799) == "79%"


def test_coverage_heatmap_short_cell_carries_its_number_and_closed_cells_are_not_white(run):
    plan, cov, _sim, _fc, flags = run
    cov = cov.copy()
    open_hours = cov[(cov["queue"] == "reminder") & cov["service_level"].notna() & (cov["required"] > 0)]
    spike = open_hours.sort_values("ds").iloc[0]
    at = cov.index == spike.name
    cov.loc[at, "required"], cov.loc[at, "scheduled"] = 21, 7
    cov.loc[at, "shortfall"] = 14
    even = cov[(cov["queue"] == "reminder") & cov["service_level"].notna() & (cov["ds"] != spike["ds"])].iloc[0]
    cov.loc[cov.index == even.name, "scheduled"] = even["required"]
    closed = cov[(cov["queue"] == "reminder") & cov["service_level"].isna() & (cov["required"] == 0)].iloc[0]

    fig = charts.coverage_figure(cov, plan, flags)
    panel, row, hour = _cell(plan, cov, "reminder", spike["ds"])
    ax = fig.axes[panel]
    assert ax.cell_texts[(row, hour)] == "-14"
    drawn = [(c, [tuple(o) for o in c.get_offsets()]) for c in ax.collections if isinstance(c, PathCollection)]
    numbers, offsets = next((c, o) for c, o in drawn if (hour + 0.5, row + 0.5) in o)  # drawn in the cell
    assert tuple(numbers.get_facecolors()[offsets.index((hour + 0.5, row + 0.5))]) == to_rgba("white")
    red, _ = _cell_colour(fig, panel, row, hour)
    assert red == to_rgba(chart_coverage.GAP_COLORS[0])  # 14 short: the darkest red
    white = _cell_colour(fig, *_cell(plan, cov, "reminder", even["ds"]))[0]
    grey = _cell_colour(fig, *_cell(plan, cov, "reminder", closed["ds"]))[0]
    assert white == to_rgba("white") and grey != white and grey[3] == 0
    assert not any(v.startswith("+") or v == "0" for v in ax.cell_texts.values())  # only short cells
    assert f"{cov.loc[cov['queue'] == 'reminder', 'shortfall'].sum():,.0f}" in ax.get_title(loc="left")


def test_peak_window_is_the_peak_day_and_the_day_after_or_the_busiest_day(run):
    plan, cov, _sim, _fc, flags = run
    words = Words(plan)

    def midnights(fig):  # the dates under the hour axis's midnights
        return [t.get_text().split("\n")[1] for t in fig.axes[0].texts if "\n" in t.get_text()]

    sale, after, last = (pd.Timestamp(d).date() for d in ("2026-11-11", "2026-11-12", "2026-11-13"))
    fig = charts.peak_figure(cov, plan, flags)
    assert midnights(fig) == [words.day(sale), words.day(after), words.day(last)]
    shown = [h.get_label() for h in fig.legends[0].legend_handles]
    assert "大促当天" in shown and "缺人" in shown

    busy = cov.copy()  # no peak flag: the day with the largest total required, here 11-10
    busy.loc[pd.to_datetime(busy["ds"]).dt.date == pd.Timestamp("2026-11-10").date(), "required"] += 100
    fig = charts.peak_figure(busy, plan, flags.drop(columns="peak"))
    assert midnights(fig)[:2] == [words.day(pd.Timestamp("2026-11-10").date()), words.day(sale)]


def test_forecast_legend_names_the_phases_in_the_plans_language(run):
    plan, _cov, _sim, fc, flags = run
    labels = [h.get_label() for h in charts.forecast_figure(fc, plan, flags).legends[0].legend_handles]
    present = [c for c in flags.columns if flags[c].any()]
    assert [Words(plan).phase(p) for p in present] == labels[2:]
    english = charts.forecast_figure(fc, _relabel(plan, "en"), flags).legends[0].legend_handles
    assert "sale day" in [h.get_label() for h in english]
