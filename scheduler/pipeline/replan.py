"""``peakplan replan``: re-plan during the sale from a published run folder (issue 20).

The plan is the run's own (``inputs/``), with the new history; the forecast is fitted as of the
cut-off, staffing follows it, and the roster is re-solved from the published one
(``compute_plan(published=...)``): shifts before the lock kept exactly, each later change at the
plan's ``[replan] change_cost``. The new run folder has every file of a plan run, ``changes.csv``,
and in ``inputs/`` the published roster it started from.

Takes: a run folder, a history CSV, a cut-off time. Returns: the summary (``summary.json``).
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pandas as pd

from forecasts.errors import InputError
from scheduler import interrupt
from scheduler.check.published import Published
from scheduler.pipeline.inputs import read_inputs, read_roster_file
from scheduler.pipeline.plan import Options, compute_plan, interrupted_doc
from scheduler.plan.load import load_run_plan
from scheduler.report.export import ensure_writable, write_run


def cut_off(text: str, plan, history: pd.DataFrame, path) -> pd.Timestamp:
    """The cut-off as a time inside the plan's reach, with the history running up to it."""
    try:
        as_of = pd.Timestamp(str(text))
    except (ValueError, TypeError):
        raise InputError(f"--as-of {text!r}: expected a time like '2026-11-10 12:00'") from None
    if pd.isna(as_of) or as_of.tzinfo is not None:
        raise InputError(f"--as-of {text!r}: expected a local time like '2026-11-10 12:00' (no time zone)")
    if as_of > pd.Timestamp(plan.end) + pd.Timedelta(days=1):
        raise InputError(f"--as-of {as_of:%Y-%m-%d %H:%M}: after the plan's window ({plan.start} to {plan.end}); nothing left to re-plan")
    last = history["ds"].max()
    if last < as_of - pd.Timedelta(hours=1):
        raise InputError(f"{path}: the history ends at {last:%Y-%m-%d %H:%M}, before the cut-off "
                         f"{as_of:%Y-%m-%d %H:%M}; give the history up to the cut-off, or an earlier --as-of")
    return as_of


def run_replan(run_dir: Path, history: Path, as_of: str, opts: Options, roster: Path | None = None) -> tuple[dict, object]:
    """Re-plan from ``run_dir``'s published roster (or ``roster``) with ``history`` as of ``as_of``; write
    ``opts.out``. Returns (summary, plan)."""
    run_dir = Path(run_dir)
    ensure_writable(opts.out, opts.force)
    interrupt.stage("reading", nothing_kept=True)
    plan = load_run_plan(run_dir, history)
    inputs = read_inputs(plan)
    published_path = Path(roster) if roster is not None else run_dir / "roster.csv"
    if not published_path.is_file():
        raise InputError(f"{published_path}: the published roster is missing (give --roster FILE)")
    published = Published.of(read_roster_file(published_path, plan, inputs.staff),
                              cut_off(as_of, plan, inputs.history, plan.history), plan)
    run = compute_plan(plan, inputs, dataclasses.replace(opts, stamp=datetime.datetime.now(datetime.timezone.utc)),
                       published)
    run.docs["run.json"]["replan"] = {"from": str(run_dir), "published_roster": published_path.name,
                                      **{k: run.summary["replan"][k] for k in ("as_of", "lock_end")}}
    for doc in (run.docs["run.json"], run.docs["summary.json"]):  # a Ctrl-C before the writing: the run says so
        doc["interrupted"] = interrupted_doc(run.frames["simulation.csv"]) if interrupt.requested() else None
    interrupt.stage("write")
    write_run(opts.out, frames=run.frames, docs=run.docs, files=run.files,
              inputs=[plan.path, *plan.data_files, published_path], force=opts.force)
    return run.summary, plan
