"""One task of a sweep: one plan under one scenario, planned the way ``peakplan plan`` plans it (the
same ``compute_plan`` with the same ``Options``), written to its own run folder ``OUT/<shop>/<scenario>/``.

The task returns one small row (plain numbers and text, never frames) for ``sweep.csv``; a failure
is a row too, with its one-line error. The run folder holds ``peakplan plan``'s files plus
``sweep.json``: the task's key (overrides, budget, seed, solver workers, SHA-256 of every input) and
its row, so that a later sweep skips a finished task whose key is unchanged (``finished_row``).

Takes: a ``Task``. Writes: the task's run folder. Returns: the row (a dict).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import resource
import socket
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numba
import pandas as pd

from forecasts.errors import InputError
from scheduler.pipeline import Options, RosterCheckError, compute_plan, read_inputs
from scheduler.plan.load import load_plan
from scheduler.report.export import write_run
from scheduler.roster.model import NoRosterError
from scheduler.simulate.scenarios import apply_scenario, compare
from scheduler.sweep.spec import BASE

MARKER = "sweep.json"  # in each task's run folder: its key and row
DIE_ENV = "PEAKPLAN_SWEEP_DIE"  # tests: "shop/scenario=always" or "shop/scenario=once:PATH": the process dies there (a lost worker)


@dataclass(frozen=True)
class Task:
    """One plan under one scenario (``base``: the plan as it is), and where its run folder goes."""

    shop: str
    scenario: str
    overrides: str  # "" for the base plan
    plan_path: str
    out: str  # the task's run folder: OUT/<shop>/<scenario>
    time_limit_s: float | None = None
    seed: int | None = None
    solver_workers: int = 1

    @property
    def name(self) -> str:
        return f"{self.shop}/{self.scenario}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def task_key(task: Task, plan) -> dict:
    """What makes a finished run reusable: the overrides, the budget, the seed, the solver workers, every input's hash."""
    return {"overrides": task.overrides, "time_limit_s": task.time_limit_s, "seed": task.seed,
            "solver_workers": task.solver_workers, "inputs": {p.name: _sha256(p) for p in [plan.path, *plan.data_files]}}


def finished_row(task: Task) -> dict | None:
    """The row of a finished, uninterrupted run of this task whose key still holds (status ``skipped``), else None."""
    folder = Path(task.out)
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        if run.get("interrupted") is not None or marker.get("key") != task_key(task, load_plan(task.plan_path)):
            return None
    except (OSError, ValueError, InputError):  # no run, a broken file, or a plan that no longer loads: plan it again
        return None
    return {**marker["row"], "status": "skipped"}


def _plain(value):
    """A row's value as plain Python (numpy numbers, timestamps and NaN made JSON-friendly)."""
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d %H:%M}"
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and value != value else value


def _figures(run, plan, scenario: str) -> dict:
    """The run's figures: ``scenarios.csv``'s columns (the same ``compare``), temps as people, the riskiest hour."""
    row = {k: _plain(v) for k, v in compare({scenario: run}, plan).iloc[0].items() if k != "scenario"}
    most = run.summary["temps"]["most_in_one_day"]
    sim = run.frames["simulation.csv"]
    worst = sim.loc[sim["p_meet_target"].idxmin()] if len(sim) else None
    solver = run.summary["solver"]
    row.update({"temps_people_max_day": most["people"] if most else 0,
                "temps_max_day": most["date"] if most else None,
                "riskiest_hour": None if worst is None else f"{worst['queue']} {worst['ds']:%Y-%m-%d %H:%M}",
                "riskiest_p_meet": None if worst is None else round(float(worst["p_meet_target"]), 3),
                "solver_status": solver["status"], "objective": solver["objective"], "gap": solver["gap"]})
    return row


def _peak_rss_mb() -> float:
    """The peak resident memory of this process so far (a worker's, over every task it ran), in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def run_task(task: Task) -> dict:
    """Plan one task into its run folder; returns its row. A user's mistake or a failed solve is a row
    with ``status = error`` and the one-line error; anything else too, its traceback under ``traceback``."""
    started, cpu = time.perf_counter(), time.process_time()
    row = {"shop": task.shop, "scenario": task.scenario, "overrides": task.overrides, "status": "error"}
    _test_die(task.name)
    numba.set_num_threads(max(1, min(task.solver_workers, numba.config.NUMBA_NUM_THREADS)))  # the simulation's threads
    try:
        plan = load_plan(task.plan_path)
        key = task_key(task, plan)
        inputs = read_inputs(plan)
        base = plan
        if task.scenario != BASE:
            plan, inputs = apply_scenario(plan, inputs, task.overrides, task.scenario)
        stamp = datetime.datetime.now(datetime.timezone.utc) if task.scenario == BASE else None  # calendars: as plan
        opts = Options(out=Path(task.out), time_limit_s=task.time_limit_s, seed=task.seed, workers=task.solver_workers,
                       force=True, stamp=stamp)
        run = compute_plan(plan, inputs, opts)
        row.update(_figures(run, base, task.scenario), status="ok", report=f"{task.shop}/{task.scenario}/report.html")
        row.update(wall_s=round(time.perf_counter() - started, 2), cpu_s=round(time.process_time() - cpu, 2),
                   peak_rss_mb=_peak_rss_mb(), worker=_worker())
        docs = {**run.docs, MARKER: {"key": key, "row": row}}
        for doc in (docs["run.json"], docs["summary.json"]):
            doc["interrupted"] = None  # as ``run_plan`` marks a run no Ctrl-C cut short
        write_run(Path(task.out), frames=run.frames, docs=docs, files=run.files,
                  inputs=[base.path, *base.data_files], force=True)
    except (InputError, NoRosterError, RosterCheckError) as exc:
        row["error"] = " ".join(str(exc).split())
    except Exception as exc:  # a bug: the row says so, the traceback goes to the sweep's sweep.json
        row["error"] = " ".join(f"{type(exc).__name__}: {exc}".split())
        row["traceback"] = traceback.format_exc()
    row.setdefault("wall_s", round(time.perf_counter() - started, 2))
    row.setdefault("cpu_s", round(time.process_time() - cpu, 2))
    row.setdefault("peak_rss_mb", _peak_rss_mb())
    row.setdefault("worker", _worker())
    return row


def _test_die(name: str) -> None:
    """A lost worker, for tests: end this process at once when ``DIE_ENV`` names the task (``once``: the first time)."""
    for item in filter(None, os.environ.get(DIE_ENV, "").split(",")):
        target, _, how = item.partition("=")
        if target.strip() != name:
            continue
        if how == "always":
            os._exit(70)
        if how.startswith("once:") and not Path(how[5:]).exists():
            Path(how[5:]).touch()
            os._exit(70)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
