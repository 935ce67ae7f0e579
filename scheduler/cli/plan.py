"""``peakplan plan``: the whole pipeline, with Ctrl-C at any stage."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import sys
from pathlib import Path

import click

from scheduler import interrupt
from scheduler.cli.types import FiniteFloat
from scheduler.plan.load import load_plan
from scheduler.pipeline import Options, run_plan
from scheduler.simulate.scenarios import parse_scenario
from scheduler.report.text import summary_text
from scheduler.cli.app import demo_config, main, user_errors


@main.command()
@click.argument("config", required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Run folder (default outputs/<plan name>/).")
@click.option("--time-limit", type=FiniteFloat(min=0, min_open=True), help="Roster solver time limit in seconds.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed for the forecast bands and the solver.")
@click.option("--workers", type=click.IntRange(min=1), help="Solver workers (the roster repeats itself with any number).")
@click.option("--force", is_flag=True, help="Replace an existing run folder.")
@click.option("--peak-multiplier", type=FiniteFloat(min=1), help="What-if: the peak at this multiple of a normal day, shape kept.")
@click.option("--scenario", "scenario_texts", multiple=True, metavar="NAME=OVERRIDES",
              help="What-if scenario, repeatable: peak_multiplier:X, agents:-10%, quantile:p90, shrinkage:0.25 (comma-separated).")
@user_errors
def plan(config, out, time_limit, seed, workers, force, peak_multiplier, scenario_texts):
    """Run the whole pipeline: forecast, staffing, roster, check, simulation, outputs.

    With no CONFIG, runs the bundled Double 11 demo. Each --scenario (or each entry of the
    plan's [scenarios] table) is planned too, in a sub-folder, and compared in scenarios.csv.

    \b
    Example:
      peakplan plan configs/double11.toml --out outputs/d11 --time-limit 30 --force
      peakplan plan --scenario peak8x=peak_multiplier:8 --scenario lean=agents:-10% --force
    """
    with interruptible():
        interrupt.stage("reading")
        plan_ = load_plan(config if config is not None else demo_config())
        if peak_multiplier is not None:
            plan_ = dataclasses.replace(plan_, peak_multiplier=peak_multiplier)
        scenarios = dict(parse_scenario(t) for t in scenario_texts) or None
        out = out if out is not None else Path("outputs") / plan_.name
        say = functools.partial(click.echo, err=True)
        summary = run_plan(plan_, Options(out=out, time_limit_s=time_limit, seed=seed, workers=workers, force=force,
                                          say=say), scenarios)
        report(summary, plan_, out)


@contextlib.contextmanager
def interruptible():
    """Ctrl-C at any stage of a run (``scheduler.interrupt``): when nothing is kept, one line and exit code 130."""
    with interrupt.installed():
        try:
            yield
        except KeyboardInterrupt as exc:
            stage = exc.stage if isinstance(exc, interrupt.Interrupted) else interrupt.current()
            second = "second Ctrl-C" if getattr(exc, "second", False) else "Ctrl-C"
            click.echo(f"Interrupted ({second}) while {interrupt.describe(stage)}: nothing written", err=True)
            sys.exit(interrupt.EXIT_CODE)


def report(summary: dict, plan, out: Path) -> None:
    """The run's summary on the terminal, and a line when a Ctrl-C cut it short but kept it."""
    click.echo(summary_text(summary, plan, out))
    if interrupt.requested():
        click.echo(_interrupted(summary, out), err=True)


def _interrupted(summary: dict, out: Path) -> str:
    """The line after a run that a Ctrl-C cut short but kept (exit 0: the run folder is complete and checked)."""
    stopped = summary.get("interrupted")
    if stopped is None:  # it came during the writing: nothing was cut short
        return f"Ctrl-C while writing the run folder: the run was complete and is written to {out}"
    sim = "; simulation skipped" if stopped["simulation_skipped"] else ""
    return (f"Interrupted (Ctrl-C) while {interrupt.describe(stopped['stage'])}: kept the best roster so far "
            f"(checked){sim}; run folder written to {out} (a second Ctrl-C ends at once, writing nothing)")


