"""Charts: coverage (agents scheduled) against load (agents required) per queue and hour.

Takes: the coverage frame (``queue, ds, required, scheduled, shortfall, service_level``).
Returns: matplotlib figures (drawn off-screen with the Agg backend).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402


def coverage_figure(cov, queues, title: str):
    """One panel per queue: required vs scheduled agents per hour, shortfall shaded."""
    fig, axes = plt.subplots(len(queues), 1, figsize=(14, 3.2 * len(queues)), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], queues):
        part = cov[cov["queue"] == name].sort_values("ds")
        ax.step(part["ds"], part["required"], where="post", color="black", lw=1.2, label="required")
        ax.step(part["ds"], part["scheduled"], where="post", color="tab:blue", lw=1.0, label="scheduled")
        ax.fill_between(part["ds"], part["scheduled"], part["required"], where=part["shortfall"] > 0,
                        step="post", color="tab:red", alpha=0.35, label="short")
        ax.set_ylabel(f"{name}\nagents")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8, ncols=3)
    axes[-1, 0].xaxis.set_major_locator(mdates.DayLocator())
    axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    fig.suptitle(title)
    fig.autofmt_xdate()
    return fig
