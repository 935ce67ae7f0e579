"""``peakplan sweep``: many plans x what-if scenarios as tasks on Dask distributed, with a progress bar;
resumable, Ctrl-C keeps what finished."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from scheduler import interrupt
from scheduler.cli.app import main, user_errors
from scheduler.cli.types import FiniteFloat
from scheduler.simulate.scenarios import parse_scenario
from scheduler.sweep import read_sweep, run_sweep, with_options


@main.command()
@click.argument("sweep_file", metavar="SWEEP", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Sweep folder (default the file's [sweep] out, or outputs/<name>/).")
@click.option("--scenario", "scenario_texts", multiple=True, metavar="NAME=OVERRIDES",
              help="What-if scenario for every plan, repeatable (added to the file's [scenarios]): peak_multiplier:X, agents:-10%, quantile:p90, shrinkage:0.25.")
@click.option("--time-limit", type=FiniteFloat(min=0, min_open=True), help="Each task's roster time limit in seconds (default each plan's own).")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed for every task (default each plan's own).")
@click.option("--solver-workers", type=click.IntRange(min=1), help="CP-SAT workers in each task (default 1).")
@click.option("--scheduler", "scheduler_address", metavar="tcp://HOST:8786", help="A running Dask scheduler (default: a local cluster).")
@click.option("--local-workers", type=click.IntRange(min=1), help="Processes of the local cluster (default cores // solver workers).")
@click.option("--no-base", is_flag=True, help="Plan only the scenarios, not each plan as it is.")
@click.option("--no-dashboard", is_flag=True, help="No Dask dashboard for the local cluster.")
@click.option("--force", is_flag=True, help="Plan every task again, even those finished before with the same inputs.")
@user_errors
def sweep(sweep_file, out, scenario_texts, time_limit, seed, solver_workers, scheduler_address, local_workers, no_base,
          no_dashboard, force):
    """Plan many shops at once: every plan x scenario is a task on Dask distributed.

    SWEEP is a sweep file (TOML: [sweep] plans = [...] and a [scenarios] table) or a folder of plan
    files. Each task writes a run folder OUT/<shop>/<scenario>/ (the plan as it is: "base"); OUT gets
    sweep.csv, sweep.xlsx and index.html comparing them. Run again, it skips every task finished
    with the same inputs; a failing plan is a row with its error; Ctrl-C keeps what finished.

    \b
    Example:
      peakplan sweep shops/sweep.toml --out outputs/shops --time-limit 60
      peakplan sweep shops/ --scenario peak8x=peak_multiplier:8 --scenario lean=agents:-10%
      peakplan sweep shops/sweep.toml --scheduler tcp://10.0.0.5:8786
    """
    spec = read_sweep(sweep_file)
    spec = with_options(spec, scenarios=dict(parse_scenario(t) for t in scenario_texts) or None, time_limit_s=time_limit,
                        seed=seed, solver_workers=solver_workers, scheduler=scheduler_address,
                        base=False if no_base else None)
    out = out if out is not None else spec.out
    say = functools.partial(click.echo, err=True)
    bar = _Bar()
    try:
        result = run_sweep(spec, out, force=force, n_workers=local_workers, dashboard=not no_dashboard, say=say,
                           on_start=bar.start, on_row=bar.update)
    except KeyboardInterrupt:  # outside the wait for tasks (starting the cluster, writing the table), or a second one
        bar.close()
        say("Interrupted (Ctrl-C): the sweep's table was not written; every finished run folder is kept")
        sys.exit(interrupt.EXIT_CODE)
    bar.close()
    click.echo(_lines(result, out))
    if result.interrupted:
        say(f"Interrupted (Ctrl-C): {result.count('cancelled')} task(s) cancelled; the finished ones are kept; "
            f"run the same command again to plan the rest")
        sys.exit(interrupt.EXIT_CODE)
    if result.count("error"):
        sys.exit(1)


class _Bar:
    """A progress bar over the tasks to plan (on stderr), shown from the first task on."""

    def __init__(self):
        self.bar = None

    def start(self, n: int) -> None:
        if n:
            self.bar = click.progressbar(length=n, label="planning", file=sys.stderr, show_pos=True, show_eta=True,
                                         item_show_func=lambda row: row and f"{row['shop']}/{row['scenario']} {row['status']}")
            self.bar.__enter__()

    def update(self, row: dict) -> None:
        if self.bar is not None:
            self.bar.update(1, row)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _lines(result, out: Path) -> str:
    """What the sweep did, and where the comparison is."""
    f = result.frame
    counts = ", ".join(f"{n} {s}" for s, n in f["status"].value_counts().items())
    lines = [f"{len(f)} tasks: {counts}; wall {result.wall_s:.1f} s; comparison in {out / 'sweep.csv'} and {out / 'index.html'}"]
    for r in f[f["status"] == "error"].itertuples():
        lines.append(f"  {r.shop}/{r.scenario}: {r.error}")
    return "\n".join(lines)
