"""The ``peakplan`` command line: thin click commands over the library.

A user's mistake (missing file, bad column, unknown queue, bad config key) becomes one line
``Error: ...`` with a non-zero exit and no traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import sys
from pathlib import Path

import click

from forecasts.errors import InputError, print_warnings_plainly
from scheduler import interrupt
from scheduler.backtest_cmd import backtest
from scheduler.cli_types import FiniteFloat, FloatList
from scheduler.config import load_plan, plan_schema
from scheduler.demo import DEMO_CONFIG
from scheduler.export import write_run
from scheduler.pipeline import Options, RosterCheckError, check_roster, run_plan, simulate_roster
from scheduler.roster import NoRosterError
from scheduler.scenarios import parse_scenario
from scheduler.staffing import calculate
from scheduler.report.text import summary_text


def demo_config() -> Path:
    """The bundled demo plan, shipped inside the package."""
    return DEMO_CONFIG


def user_errors(func):
    """Turn a user's input error into ``Error: ...`` and exit code 1, with no traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (InputError, NoRosterError, RosterCheckError) as exc:
            raise click.ClickException(str(exc)) from None
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="peakplan")
def main():
    """peakplan: staff and roster customer service for a big online sale.

    \b
    Example:
      peakplan plan                      # the bundled Double 11 demo
      peakplan check configs/double11.toml outputs/double11-2026/roster.csv
    """
    print_warnings_plainly()


@main.command()
@click.argument("config", required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Run folder (default outputs/<plan name>/).")
@click.option("--time-limit", type=FiniteFloat(min=0, min_open=True), help="Roster solver time limit in seconds.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed for the forecast bands and the solver.")
@click.option("--workers", type=click.IntRange(min=1), help="Solver workers (1 = deterministic).")
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
    with interrupt.installed():  # Ctrl-C at any stage (``scheduler.interrupt``, ``_interrupted``)
        try:
            interrupt.stage("reading")
            plan_ = load_plan(config if config is not None else demo_config())
            if peak_multiplier is not None:
                plan_ = dataclasses.replace(plan_, peak_multiplier=peak_multiplier)
            scenarios = dict(parse_scenario(t) for t in scenario_texts) or None
            out = out if out is not None else Path("outputs") / plan_.name
            say = functools.partial(click.echo, err=True)
            summary = run_plan(plan_, Options(out=out, time_limit_s=time_limit, seed=seed, workers=workers, force=force,
                                              say=say), scenarios)
            click.echo(summary_text(summary, plan_, out))
            if interrupt.requested():
                click.echo(_interrupted(summary, out), err=True)
        except KeyboardInterrupt as exc:
            stage = exc.stage if isinstance(exc, interrupt.Interrupted) else interrupt.current()
            second = "second Ctrl-C" if getattr(exc, "second", False) else "Ctrl-C"
            click.echo(f"Interrupted ({second}) while {interrupt.describe(stage)}: nothing written", err=True)
            sys.exit(interrupt.EXIT_CODE)


def _interrupted(summary: dict, out: Path) -> str:
    """The line after a run that a Ctrl-C cut short but kept (exit 0: the run folder is complete and checked)."""
    stopped = summary.get("interrupted")
    if stopped is None:  # it came during the writing: nothing was cut short
        return f"Ctrl-C while writing the run folder: the run was complete and is written to {out}"
    sim = "; simulation skipped" if stopped["simulation_skipped"] else ""
    return (f"Interrupted (Ctrl-C) while {interrupt.describe(stopped['stage'])}: kept the best roster so far "
            f"(checked){sim}; run folder written to {out} (a second Ctrl-C ends at once, writing nothing)")


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


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@user_errors
def init(folder):
    """Write an editable copy of the demo plan and its data files into FOLDER, the plan named after FOLDER.

    \b
    Example:
      peakplan init my-plan && peakplan plan my-plan/demo.toml
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder}: exists and is not an empty folder")
    name = folder.resolve().name
    text = demo_config().read_text(encoding="utf-8")
    files = {src.name: src.read_bytes() for src in demo_config().parent.iterdir() if src.suffix == ".csv"}
    files["demo.toml"] = text.replace('name = "double11-2026"', f"name = {json.dumps(name, ensure_ascii=False)}", 1).encode("utf-8")
    write_run(folder, frames={}, docs={}, files=files, inputs=None, force=folder.exists())
    click.echo(f"wrote the demo plan (named {name!r}) to {folder.resolve()}; edit {folder / 'demo.toml'} and run: "
               f"peakplan plan {folder / 'demo.toml'}")


def _aht_table(aht_s, aht_by_load, concurrency) -> tuple[float, ...]:
    """The per-load handle-time table from the calculator's flags (each number already checked by its type)."""
    if aht_by_load:
        if concurrency not in (None, len(aht_by_load)):
            raise click.BadParameter(f"gives {len(aht_by_load)} load levels but --concurrency is {concurrency}",
                                     param_hint="--aht-by-load")
        return aht_by_load
    if aht_s is None:
        raise click.UsageError("give --aht-s (handle time) or --aht-by-load (handle time per concurrent chat)")
    return (aht_s,) * (concurrency or 1)


MAX_AGENTS = 1_000_000  # the calculator's search stops at 10 million; a load beyond this is a typo


def _check_load(volume_per_h: float, table: tuple[float, ...]) -> None:
    """Reject a load no shop has (a typo in --volume, --interval-min or the handle time) before any work."""
    load = volume_per_h * max(table) / 3600.0 / len(table)
    if load > MAX_AGENTS:
        raise click.BadParameter(f"with --interval-min and the handle time this is a load of {load:.3g} busy agents; "
                                 f"expected at most {MAX_AGENTS:,}", param_hint="--volume")


def _report_lines(r: dict, within: float, target: float, shrinkage: float) -> list[str]:
    asa = "unbounded (the queue is overloaded)" if math.isinf(r["asa_s"]) else f"{r['asa_s']:.1f} s"
    return [f"agents at the desk  {r['agents']}",
            f"agents scheduled    {r['scheduled']}  ({shrinkage:.0%} shrinkage)",
            f"service level       {r['service_level']:.1%} answered within {within:g} s (target {target:.0%})",
            f"ASA                 {asa}", f"P(wait)             {r['p_wait']:.1%}",
            f"abandonment         {r['abandon_rate']:.1%}", f"occupancy           {r['occupancy']:.1%}"]


@main.command()
@click.option("--volume", type=FiniteFloat(min=0), required=True, help="Contacts per interval.")
@click.option("--interval-min", type=FiniteFloat(min=0, min_open=True), default=60.0, show_default=True, help="Interval length in minutes.")
@click.option("--aht-s", type=FiniteFloat(min=0, min_open=True), help="Handle time per contact in seconds.")
@click.option("--answer-within-s", type=FiniteFloat(min=0), default=20.0, show_default=True, help="Answer-time target in seconds.")
@click.option("--target-sl", type=FiniteFloat(0, 1, min_open=True, max_open=True), default=0.8, show_default=True, help="Share answered within the target time.")
@click.option("--patience-s", type=FiniteFloat(min=0, min_open=True), help="Mean patience in seconds (Erlang A); none = nobody leaves (Erlang C).")
@click.option("--concurrency", type=click.IntRange(min=1), help="Chats an agent holds at once (default 1).")
@click.option("--aht-by-load", type=FloatList(FiniteFloat(min=0, min_open=True), "240,300,390"), help="Handle time per chat while the agent holds 1, 2, ... chats, e.g. 240,300,390.")
@click.option("--shrinkage", type=FiniteFloat(0, 1, max_open=True), default=0.0, show_default=True, help="Share of scheduled time away from the desk.")
@click.option("--max-occupancy", type=FiniteFloat(0, 1, min_open=True), default=1.0, show_default=True, help="Occupancy cap.")
@click.option("--agents", type=click.IntRange(min=0, max=MAX_AGENTS), help="Evaluate this many agents at the desk instead of solving.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: agents, scheduled, service_level, asa_s, p_wait, abandon_rate, occupancy.")
def erlang(volume, interval_min, aht_s, answer_within_s, target_sl, patience_s, concurrency, aht_by_load,
           shrinkage, max_occupancy, agents, as_json):
    """Agents needed for a volume, handle time and target (Erlang C/A, chat concurrency).

    \b
    Example:
      peakplan erlang --volume 100 --interval-min 30 --aht-s 180 --answer-within-s 20 --shrinkage 0.3
      peakplan erlang --volume 1200 --aht-by-load 240,270,300,330 --patience-s 180 --json
    """
    table = _aht_table(aht_s, aht_by_load, concurrency)
    _check_load(volume * 60.0 / interval_min, table)
    r = calculate(volume * 60.0 / interval_min, table, patience_s, answer_within_s, target_sl, shrinkage, max_occupancy, agents)
    if as_json:
        click.echo(json.dumps({k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in r.items()}))
    else:
        click.echo("\n".join(_report_lines(r, answer_within_s, target_sl, shrinkage)))


@main.command()
def schema():
    """Print the JSON Schema of the plan file, for an editor to complete and check a plan.

    \b
    Example:
      peakplan schema > plan.schema.json
    """
    click.echo(json.dumps(plan_schema(), ensure_ascii=False, indent=2))


main.add_command(backtest)


if __name__ == "__main__":
    main()
