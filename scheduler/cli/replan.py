"""``peakplan replan``: re-forecast during the sale and re-roster from the published roster."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from scheduler.cli.app import main, user_errors
from scheduler.cli.plan import interruptible, report
from scheduler.cli.types import FiniteFloat
from scheduler.pipeline import Options
from scheduler.pipeline.replan import run_replan


@main.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--history", required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The hourly history up to the cut-off (queue, ds, y), the sale's first days included.")
@click.option("--as-of", "as_of", required=True, metavar="TIME", help="The cut-off, e.g. '2026-11-10 12:00'.")
@click.option("--roster", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The published roster (CSV or the XLSX grid; default RUN_DIR/roster.csv).")
@click.option("--out", type=click.Path(path_type=Path), help="Run folder (default RUN_DIR-replan-<as-of>).")
@click.option("--time-limit", type=FiniteFloat(min=0, min_open=True), help="Roster solver time limit in seconds.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed for the forecast bands and the solver.")
@click.option("--workers", type=click.IntRange(min=1), help="Solver workers.")
@click.option("--force", is_flag=True, help="Replace an existing run folder.")
@user_errors
def replan(run_dir, history, as_of, roster, out, time_limit, seed, workers, force):
    """Re-plan during the sale from a published run folder.

    Re-forecasts from the history up to --as-of (the sale's own first days re-estimate its size),
    re-staffs, and re-rosters from the published roster: shifts starting before the lock
    ([replan] lock_days after the cut-off) are kept exactly, each later change costs
    [replan] change_cost. Writes a new run folder with changes.csv.

    \b
    Example:
      peakplan replan outputs/double11-2026 --history history_in_progress.csv --as-of "2026-11-10 12:00"
    """
    with interruptible():
        stamp = "".join(ch for ch in as_of if ch.isdigit())[:12]
        out = out if out is not None else run_dir.parent / f"{run_dir.name}-replan-{stamp}"
        say = functools.partial(click.echo, err=True)
        summary, plan = run_replan(run_dir, history, as_of, Options(out=out, time_limit_s=time_limit, seed=seed,
                                                                    workers=workers, force=force, say=say), roster)
        report(summary, plan, out)
