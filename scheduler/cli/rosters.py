"""``peakplan simulate`` and ``peakplan check``: a written roster (CSV or the roster.xlsx grid), edited or not."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from scheduler.plan.load import load_plan
from scheduler.pipeline import check_roster, simulate_roster
from scheduler.cli.app import main, user_errors


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.argument("roster", type=click.Path(path_type=Path))
@click.option("--replications", type=click.IntRange(min=1), help="Replications (default: the plan's [simulation] replications).")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (default: the plan's solver seed).")
@click.option("--assignments", type=click.Path(path_type=Path),
              help="Hourly assignments (default: assignments.csv beside the roster; recomputed when absent or stale).")
@click.option("--mean-forecast", is_flag=True, help="No forecast error: every replication at the volume the plan was staffed to.")
@click.option("--out", type=click.Path(path_type=Path), help="Folder for simulation.csv and simulation.png (default: the roster's).")
@click.option("--force", is_flag=True, help="Replace simulation.csv and simulation.png if they exist.")
@user_errors
def simulate(config, roster, replications, seed, assignments, mean_forecast, out, force):
    """Simulate a roster (CSV or roster.xlsx) against random arrivals: each hour's chance of meeting its target.

    \b
    Example:
      peakplan simulate configs/double11.toml outputs/double11-2026/roster.xlsx --replications 1000 --force
    """
    plan_ = load_plan(config)
    doc = simulate_roster(plan_, roster, assignments, replications, seed, mean_forecast, out, force,
                          functools.partial(click.echo, err=True))
    click.echo(doc)


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.argument("roster", type=click.Path(path_type=Path))
@click.option("--assignments", type=click.Path(path_type=Path),
              help="The published hourly assignments (default: assignments.csv beside the roster, if present).")
@user_errors
def check(config, roster, assignments):
    """Check a roster (also one edited by hand, as CSV or in roster.xlsx) against every hard rule.

    Exit 0 when every rule holds, 1 with one line per broken rule otherwise. When the roster no
    longer matches the published assignments.csv, its hourly split is recomputed and the effect
    of the edit is shown: hours under target per queue before and after, the hours that got
    worse, the shifts changed by agent name.

    \b
    Example:
      peakplan check configs/double11.toml outputs/double11-2026/roster.xlsx
    """
    plan_ = load_plan(config)
    lines, ok = check_roster(plan_, roster, assignments, functools.partial(click.echo, err=True))
    click.echo("\n".join(lines))
    if not ok:
        sys.exit(1)


