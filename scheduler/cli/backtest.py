"""The ``backtest`` click command: the forecaster against baselines on past events.

Takes a plan file (its ``history`` and ``promotions``), or ``--history``/``--promotions``
files, or nothing (the bundled demo); scores at one lead (``--lead-days``) or several on the same
events (``--leads 14,7,1``); prints :func:`forecasts.backtest.format_leads` or, with ``--json``,
:func:`forecasts.backtest.report_dict` (the events scored at each lead, the events left out and
why, each lead's pooled and per-event scores). Each event left out is one ``warning:`` line.
A user's mistake becomes one line ``Error: ...`` (``click.ClickException``), no traceback.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import click

from forecasts.backtest import format_leads, report_dict, run_leads
from forecasts.errors import InputError
from forecasts.history import read_history
from forecasts.promotions import read_promotions
from scheduler.demo import DEMO_DIR


def _pairs(option: str, pairs: tuple[str, ...], example: str) -> dict:
    """``--wave aftersale=presale`` (or ``--share``) options as queue → orders queue."""
    out = {}
    for pair in pairs:
        queue, sep, orders = pair.partition("=")
        if not sep or not queue.strip() or not orders.strip():
            raise InputError(f"{option} {pair!r}: expected QUEUE=ORDERS, e.g. {example}")
        out[queue.strip()] = orders.strip()
    return out


def _inputs(config: str | None, history: str | None, promotions: str | None, waves: tuple[str, ...],
            shares: tuple[str, ...]) -> tuple[Path, Path, dict]:
    """History and promotions paths and the forecaster's queue links (``waves``, ``shares``): from
    CONFIG, the files and --wave/--share, or the demo plan."""
    if config is not None and (history or promotions or waves or shares):
        raise InputError("give either CONFIG or --history/--promotions/--wave/--share, not both")
    if bool(history) != bool(promotions):
        raise InputError("--history and --promotions go together; give both (or neither for the demo)")
    if history:
        return Path(history), Path(promotions), {"waves": _pairs("--wave", waves, "aftersale=presale"),
                                                 "shares": _pairs("--share", shares, "reminder=presale")}
    if waves or shares:
        raise InputError("--wave and --share go with --history/--promotions (CONFIG and the demo set them in their queues)")
    from scheduler.plan.load import load_plan
    plan = load_plan(config if config is not None else DEMO_DIR / "demo.toml")
    return Path(plan.history), Path(plan.promotions), {"waves": plan.waves, "shares": plan.shares}


@click.command("backtest")
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--history", type=click.Path(dir_okay=False), help="Hourly history CSV (queue, ds, y).")
@click.option("--promotions", type=click.Path(dir_okay=False), help="Promotions calendar CSV.")
@click.option("--lead-days", default=None, type=int,
              help="Days between the cut-off and the event's anchor day; negative = a re-forecast after it.  [default: 14]")
@click.option("--leads", default=None, metavar="N,N,...",
              help="Several leads compared on the same events, e.g. 14,7,1 (instead of --lead-days).")
@click.option("--anchor", type=click.Choice(["peak", "start"]), default="peak", show_default=True,
              help="Count --lead-days back from the peak day or from the event's first hour.")
@click.option("--wave", "waves", multiple=True, metavar="RESPONDING=ORDERS",
              help="With --history: model RESPONDING's after-sales wave as a lagged response to ORDERS' sale-day volume.")
@click.option("--share", "shares", multiple=True, metavar="DRIVEN=ORDERS",
              help="With --history: forecast DRIVEN (unpaid orders) as a per-phase share of ORDERS' uplift.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: the events scored at each lead, those left out and why, pooled and per-event scores.")
def backtest(config, history, promotions, lead_days, leads, anchor, waves, shares, as_json):
    """Backtest the forecaster against two baselines on every past event.

    For each past event, fit on the history before a cut-off LEAD-DAYS before the event's
    peak day (or start), forecast the rest of the event and score it: WAPE over the window,
    WAPE on the peak day, relative error at the busiest hour, share of hours inside the
    P10-P90 band. Baselines: seasonal naive (last week repeated) and the previous event of
    the same kind scaled by the change in level. With no CONFIG and no files: the demo.
    A negative LEAD-DAYS re-forecasts after the anchor (-3: three days into the after-sales
    wave, the re-plan of the returns week). An event with under 8 weeks of history before its
    cut-off, or no earlier event of its kind or with its phases, is left out (one warning line);
    with --leads, every lead scores the same events.

    \b
    Example:
      peakplan backtest                       # the bundled demo
      peakplan backtest configs/shop.toml --lead-days 21
      peakplan backtest --lead-days -3        # re-forecast three days after the peak
      peakplan backtest --leads 14,7,1        # two weeks out, a week out, on the eve
      peakplan backtest --history h.csv --promotions p.csv --json
    """
    try:
        hist_path, promo_path, links = _inputs(config, history, promotions, waves, shares)
        lead_list = _leads(lead_days, leads)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            hist = read_history(hist_path)
        for w in caught[:5]:
            click.echo(f"warning: {w.message}", err=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            scores, left_out = run_leads(hist, read_promotions(promo_path), lead_list, anchor=anchor, **links)
        for w in caught:
            click.echo(f"warning: {w.message}", err=True)
    except InputError as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from None
    if as_json:
        click.echo(json.dumps(report_dict(scores, left_out), indent=2))
    else:
        click.echo(format_leads(scores))


def _leads(lead_days: int | None, leads: str | None) -> tuple[int, ...]:
    """The leads to score: ``--leads 14,7,1``, else ``--lead-days`` (default 14)."""
    if leads is None:
        return (14 if lead_days is None else lead_days,)
    if lead_days is not None:
        raise InputError("give either --lead-days or --leads, not both")
    try:
        out = tuple(int(x) for x in leads.split(","))
    except ValueError:
        raise InputError(f"--leads {leads!r}: expected whole days separated by commas, e.g. 14,7,1") from None
    if len(set(out)) != len(out):
        raise InputError(f"--leads {leads!r}: a lead given twice; expected each lead once, e.g. 14,7,1")
    return out
