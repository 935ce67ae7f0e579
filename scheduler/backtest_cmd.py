"""The ``backtest`` click command: the forecaster against baselines on past events.

Takes a plan file (its ``history`` and ``promotions``), or ``--history``/``--promotions``
files, or nothing (the bundled demo); prints :func:`forecasts.backtest.format_table` or,
with ``--json``, ``{model: {wape, wape_peak_day, peak_hour_error, band_coverage}}``.
A user's mistake becomes one line ``Error: ...`` (``click.ClickException``), no traceback.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import click

from forecasts.backtest import format_table, run_backtest, summary_dict
from forecasts.errors import InputError
from forecasts.history import read_history
from forecasts.promotions import read_promotions
from scheduler.demo import DEMO_DIR


def demo_files() -> tuple[Path, Path]:
    """The bundled demo's ``history.csv`` and ``promotions.csv``."""
    return DEMO_DIR / "history.csv", DEMO_DIR / "promotions.csv"


def _inputs(config: str | None, history: str | None, promotions: str | None) -> tuple[Path, Path]:
    if config is not None:
        if history or promotions:
            raise InputError("give either CONFIG or --history/--promotions, not both")
        from scheduler.config import load_plan
        plan = load_plan(config)
        return Path(plan.history), Path(plan.promotions)
    if bool(history) != bool(promotions):
        raise InputError("--history and --promotions go together; give both (or neither for the demo)")
    if history:
        return Path(history), Path(promotions)
    return demo_files()


@click.command("backtest")
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--history", type=click.Path(dir_okay=False), help="Hourly history CSV (queue, ds, y).")
@click.option("--promotions", type=click.Path(dir_okay=False), help="Promotions calendar CSV.")
@click.option("--lead-days", default=14, show_default=True, type=click.IntRange(min=0),
              help="Days between the cut-off and the event's anchor day.")
@click.option("--anchor", type=click.Choice(["peak", "start"]), default="peak", show_default=True,
              help="Count --lead-days back from the peak day or from the event's first hour.")
@click.option("--json", "as_json", is_flag=True, help="Print {model: {wape, wape_peak_day, peak_hour_error, band_coverage}}.")
def backtest(config, history, promotions, lead_days, anchor, as_json):
    """Backtest the forecaster against two baselines on every past event.

    For each past event, fit on the history before a cut-off LEAD-DAYS before the event's
    peak day (or start), forecast the rest of the event and score it: WAPE over the window,
    WAPE on the peak day, relative error at the busiest hour, share of hours inside the
    P10-P90 band. Baselines: seasonal naive (last week repeated) and the previous event of
    the same kind scaled by the change in level. With no CONFIG and no files: the demo.

    \b
    Example:
      peakplan backtest                       # the bundled demo
      peakplan backtest configs/shop.toml --lead-days 21
      peakplan backtest --history h.csv --promotions p.csv --json
    """
    try:
        hist_path, promo_path = _inputs(config, history, promotions)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            hist = read_history(hist_path)
        for w in caught[:5]:
            click.echo(f"warning: {w.message}", err=True)
        scores = run_backtest(hist, read_promotions(promo_path), lead_days=lead_days, anchor=anchor)
    except InputError as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from None
    if as_json:
        click.echo(json.dumps(summary_dict(scores), indent=2))
    else:
        click.echo(format_table(scores))
