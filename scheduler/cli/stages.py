"""``peakplan forecast``, ``peakplan staff``, ``peakplan roster``: one stage each, reading the previous
stage's file from the folder (or the one given) and writing its own."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from scheduler import interrupt
from scheduler.cli.app import demo_config, main, user_errors
from scheduler.cli.types import FiniteFloat
from scheduler.pipeline.stages import forecast_stage, roster_stage, staff_stage
from scheduler.plan.load import load_plan

CONFIG = click.argument("config", required=False, type=click.Path(path_type=Path))
OUT = click.option("--out", type=click.Path(path_type=Path), help="Folder of the stages' files (default outputs/<plan name>-stages/).")
FORCE = click.option("--force", is_flag=True, help="Replace the stage's files if they exist.")


def stage_command(*options):
    """A stage's command: the plan file, ``--out``, the stage's own options, ``--force``, the error boundary."""
    def wrap(func):
        for decorate in reversed([main.command(), CONFIG, OUT, *options, FORCE, user_errors]):
            func = decorate(func)
        return func
    return wrap


def _plan_and_out(config, out):
    plan = load_plan(config if config is not None else demo_config())
    return plan, (out if out is not None else Path("outputs") / f"{plan.name}-stages")


def _written(paths) -> None:
    click.echo("wrote " + ", ".join(str(p.resolve()) for p in paths))


@stage_command(click.option("--seed", type=click.IntRange(min=0), help="Random seed for the forecast bands (default: the plan's)."))
def forecast(config, out, seed, force):
    """Forecast inquiries per queue and hour (forecast.csv), with P10-P90 bands.

    \b
    Example:
      peakplan forecast configs/double11.toml --out outputs/d11-stages
    """
    plan, out = _plan_and_out(config, out)
    _written(forecast_stage(plan, out, seed, force))


@stage_command(click.option("--forecast", "forecast_path", type=click.Path(path_type=Path),
                            help="forecast.csv to staff (default: the folder's)."))
def staff(config, out, forecast_path, force):
    """Agents needed per queue and hour (requirements.csv) from the forecast.

    \b
    Example:
      peakplan staff configs/double11.toml --out outputs/d11-stages
    """
    plan, out = _plan_and_out(config, out)
    _written(staff_stage(plan, out, forecast_path, force, functools.partial(click.echo, err=True)))


@stage_command(click.option("--requirements", "requirements_path", type=click.Path(path_type=Path),
                            help="requirements.csv to roster to (default: the folder's)."),
               click.option("--time-limit", type=FiniteFloat(min=0, min_open=True), help="Roster solver time limit in seconds."),
               click.option("--workers", type=click.IntRange(min=1), help="Solver workers (1 = deterministic)."),
               click.option("--seed", type=click.IntRange(min=0), help="Solver seed (default: the plan's)."))
def roster(config, out, requirements_path, time_limit, workers, seed, force):
    """Roster named agents to the requirements, checked by the solver-free checker (roster.csv, assignments.csv,
    coverage.csv, violations.csv, gaps.csv). Ctrl-C keeps the best roster so far; before one exists it writes nothing.

    \b
    Example:
      peakplan roster configs/double11.toml --out outputs/d11-stages --time-limit 30
    """
    plan, out = _plan_and_out(config, out)
    say = functools.partial(click.echo, err=True)
    limits = {"time_limit_s": time_limit, "workers": workers, "seed": seed}
    with interrupt.installed():
        try:
            interrupt.stage("reading")
            _written(roster_stage(plan, out, requirements_path, limits, force, say))
        except KeyboardInterrupt as exc:
            stage = exc.stage if isinstance(exc, interrupt.Interrupted) else interrupt.current()
            click.echo(f"Interrupted (Ctrl-C) while {interrupt.describe(stage)}: nothing written", err=True)
            sys.exit(interrupt.EXIT_CODE)
