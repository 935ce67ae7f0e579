"""Charts: coverage (agents scheduled) against load (agents required) per queue and hour; the
simulated chance of meeting the target per hour; scenarios' coverage side by side.

Takes: coverage frames (``queue, ds, required, scheduled, shortfall, service_level``) and the
simulation frame. Returns: matplotlib figures (drawn off-screen with the Agg backend).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402


def _coverage_panel(ax, cov, name: str):
    part = cov[cov["queue"] == name].sort_values("ds")
    ax.step(part["ds"], part["required"], where="post", color="black", lw=1.2, label="required")
    ax.step(part["ds"], part["scheduled"], where="post", color="tab:blue", lw=1.0, label="scheduled")
    ax.fill_between(part["ds"], part["scheduled"], part["required"], where=part["shortfall"] > 0,
                    step="post", color="tab:red", alpha=0.35, label="short")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, ncols=3)


def _days_axis(fig, ax, title: str):
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    fig.suptitle(title)
    fig.autofmt_xdate()


def coverage_figure(cov, queues, title: str):
    """One panel per queue: required vs scheduled agents per hour, shortfall shaded."""
    fig, axes = plt.subplots(len(queues), 1, figsize=(14, 3.2 * len(queues)), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], queues):
        _coverage_panel(ax, cov, name)
        ax.set_ylabel(f"{name}\nagents")
    _days_axis(fig, axes[-1, 0], title)
    return fig


def simulation_figure(sim, risk_level: float, title: str):
    """One panel per queue: the simulated chance that each hour meets its target, with the risk level."""
    queues = list(dict.fromkeys(sim["queue"]))
    fig, axes = plt.subplots(len(queues), 1, figsize=(14, 2.8 * len(queues)), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], queues):
        part = sim[sim["queue"] == name].sort_values("ds")
        low = part["p_meet_target"] < risk_level
        ax.bar(part["ds"], part["p_meet_target"], width=1 / 24, color="tab:green", align="edge")
        ax.bar(part["ds"][low], part["p_meet_target"][low], width=1 / 24, color="tab:red", align="edge",
               label=f"below {risk_level:.0%}")
        ax.axhline(risk_level, color="black", lw=0.8, ls="--")
        ax.set_ylim(0, 1.02)
        ax.set_ylabel(f"{name}\nP(meet target)")
        ax.grid(alpha=0.3)
        if low.any():
            ax.legend(loc="lower left", fontsize=8)
    _days_axis(fig, axes[-1, 0], title)
    return fig


def scenarios_figure(coverages: dict, queues, title: str = "scenarios: agents scheduled vs required"):
    """Scenarios side by side (columns), one row per queue: required vs scheduled agents per hour."""
    fig, axes = plt.subplots(len(queues), len(coverages), figsize=(5.5 * len(coverages), 2.8 * len(queues)),
                             sharex=True, sharey="row", squeeze=False)
    for j, (name, cov) in enumerate(coverages.items()):
        axes[0, j].set_title(name)
        for i, queue in enumerate(queues):
            _coverage_panel(axes[i, j], cov, queue)
            if j == 0:
                axes[i, j].set_ylabel(f"{queue}\nagents")
    _days_axis(fig, axes[-1, 0], title)
    return fig
