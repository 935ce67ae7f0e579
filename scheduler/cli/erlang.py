"""``peakplan erlang``: agents needed for a volume, handle time, concurrency and target."""

from __future__ import annotations

import json
import math

import click

from scheduler.cli.types import FiniteFloat, FloatList
from scheduler.staffing.requirements import calculate
from scheduler.cli.app import main


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


