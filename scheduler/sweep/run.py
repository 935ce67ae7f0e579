"""Running a sweep on Dask distributed: every plan x scenario is one task (``scheduler.sweep.task.run_task``,
the function ``peakplan plan`` runs), on a ``LocalCluster`` sized to the cores (one process per
``cores // solver_workers``, one thread each: CP-SAT and the simulation hold the GIL) or on a running
scheduler (``tcp://HOST:8786``).

- A finished task whose key holds (``finished_row``) is skipped: a sweep resumes where it stopped.
- A failing task is a row with its one-line error; the others go on.
- A worker lost mid-task: the scheduler runs its tasks again elsewhere (Dask's ``allowed-failures``);
  one that kills every worker it lands on becomes an error row.
- Ctrl-C: the tasks not yet finished are cancelled (a local cluster's workers are stopped), the finished
  ones are kept and the comparison is written with the rest as ``cancelled``.

Takes: a ``Sweep``. Writes: ``OUT/<shop>/<scenario>/`` (each a run folder), ``sweep.csv``, ``sweep.xlsx``,
``index.html``, ``sweep.json``. Returns: a ``SweepResult``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecasts.errors import InputError
from scheduler.plan.load import load_plan
from scheduler.report.export import ensure_folder_possible
from scheduler.sweep.outputs import table, write_outputs
from scheduler.sweep.spec import BASE, Sweep
from scheduler.sweep.task import Task, finished_row, run_task


@dataclass
class SweepResult:
    """The comparison frame (``sweep.csv``), counts by status, the wall time, and whether Ctrl-C cut it short."""

    frame: pd.DataFrame
    wall_s: float
    interrupted: bool = False
    cluster: dict = field(default_factory=dict)

    def count(self, status: str) -> int:
        return int((self.frame["status"] == status).sum())


def make_tasks(sweep: Sweep, out: Path) -> list[Task]:
    """Every plan x scenario (``base`` first), each with its run folder ``out/<shop>/<scenario>``."""
    texts = {BASE: ""} if sweep.base else {}
    texts.update(sweep.scenarios)
    out = Path(out).absolute()  # a worker elsewhere reads and writes the same paths (a shared file system)
    return [Task(shop=shop, scenario=name, overrides=text, plan_path=str(Path(path).absolute()), out=str(out / shop / name),
                 time_limit_s=sweep.time_limit_s, seed=sweep.seed, solver_workers=sweep.solver_workers)
            for shop, path in sweep.shops().items() for name, text in texts.items()]


def check_out(out: Path, force: bool) -> None:
    """An existing folder is resumed only if it is a sweep's (its ``sweep.json``); ``force`` plans every task again."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "sweep.json").is_file() and not force:
        raise InputError(f"{out}: folder exists and is not a sweep's (no sweep.json; use --out to choose another, or --force)")
    ensure_folder_possible(out)


def local_workers(solver_workers: int) -> int:
    """Processes of a local cluster: the cores this process may use, divided by each task's CP-SAT workers."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // solver_workers)


@contextlib.contextmanager
def dask_client(scheduler: str | None, n_workers: int, dashboard: bool):
    """(a ``distributed.Client``, whether it has a dashboard to show): on the scheduler at ``scheduler``, or on
    a new ``LocalCluster`` of ``n_workers`` processes with one thread each (localhost only; a dashboard only
    where bokeh is installed, ``pip install 'peakplan[dashboard]'``)."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({' '.join(str(exc).split())})") from None
        with client:
            yield client, True
        return
    board = importlib.util.find_spec("bokeh") is not None and dashboard  # the pages need bokeh (peakplan[dashboard])
    saturation = {"distributed.scheduler.worker-saturation": 1.0}  # a worker holds only the task it runs: a long
    with _workers_ignore_ctrl_c(), dask.config.set(saturation):  # task never waits behind another while a worker idles
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": board},  # any free port, localhost
                               silence_logs=logging.CRITICAL)  # a worker's heartbeat failing as Ctrl-C stops the scheduler is not the lead's
    with cluster, Client(cluster) as client:
        yield client, board


@contextlib.contextmanager
def _workers_ignore_ctrl_c():
    """Worker processes started inside inherit SIGINT ignored: a terminal's Ctrl-C reaches the whole process
    group, and the sweep (not each worker) decides what stops. The client takes Ctrl-C again after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _priority(task: Task) -> int:
    """Bigger plans first (their staff file's size), so that the last task to start is a small one."""
    try:
        return int(load_plan(task.plan_path).staff.stat().st_size)
    except (InputError, OSError):
        return 0


def _lost_row(task: Task, exc: BaseException) -> dict:
    """The row of a task that never returned one: its workers died, or it was cancelled."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        error = "every worker that ran it died (out of memory or killed); Dask gave up after its allowed failures"
    else:
        error = " ".join(f"{type(exc).__name__}: {exc}".split())
    return {"shop": task.shop, "scenario": task.scenario, "overrides": task.overrides, "status": "error", "error": error}


def run_sweep(sweep: Sweep, out: Path, force: bool = False, n_workers: int | None = None, dashboard: bool = True,
              say=lambda msg: None, on_start=lambda n: None, on_row=lambda row: None) -> SweepResult:
    """Plan every task of ``sweep`` not finished before into ``out`` and write the comparison.

    ``say`` gets the lines to show (the dashboard's address); ``on_start`` the number of tasks to plan and
    ``on_row`` each one's row as it finishes (a progress bar). A Ctrl-C (``KeyboardInterrupt``) in the wait cancels the rest and still writes."""
    started = time.perf_counter()
    check_out(out, force)
    tasks = make_tasks(sweep, out)
    rows = {} if force else {t.name: row for t in tasks if (row := finished_row(t)) is not None}
    todo = [t for t in tasks if t.name not in rows]
    say(f"{len(tasks)} tasks ({len(sweep.plans)} plans x {len(tasks) // max(len(sweep.plans), 1)} scenarios): "
        f"{len(rows)} finished before and skipped, {len(todo)} to plan")
    interrupted, cluster = False, {}
    if todo:
        out.mkdir(parents=True, exist_ok=True)
        n = n_workers or local_workers(sweep.solver_workers)
        interrupted, cluster = _run_tasks(todo, rows, sweep.scheduler, n, dashboard, say, on_start, on_row)
    for task in tasks:  # cancelled by Ctrl-C: a row each, so the table is whole
        rows.setdefault(task.name, {"shop": task.shop, "scenario": task.scenario, "overrides": task.overrides,
                                    "status": "cancelled"})
    ordered = [rows[t.name] for t in tasks]
    frame = table(ordered)
    wall = round(time.perf_counter() - started, 2)
    out.mkdir(parents=True, exist_ok=True)
    write_outputs(out, frame, f"peakplan sweep: {sweep.source}")
    _write_manifest(out, sweep, frame, ordered, wall, interrupted, cluster)
    return SweepResult(frame=frame, wall_s=wall, interrupted=interrupted, cluster=cluster)


def _run_tasks(todo, rows, scheduler, n, dashboard, say, on_start, on_row) -> tuple[bool, dict]:
    """Submit ``todo`` and gather its rows into ``rows`` as they finish; returns (interrupted, cluster facts)."""
    from distributed import as_completed

    token = uuid.uuid4().hex[:8]
    with dask_client(scheduler, n, dashboard) as (client, show_dashboard):
        info = client.scheduler_info()
        cluster = {"scheduler": scheduler or "LocalCluster", "workers": len(info.get("workers", {})),
                   "threads": sum(w.get("nthreads", 0) for w in info.get("workers", {}).values())}
        if show_dashboard:
            say(f"Dask dashboard: {client.dashboard_link}")
        sizes = {t.name: _priority(t) for t in todo}
        todo = sorted(todo, key=lambda t: -sizes[t.name])  # the scheduler hands out the first ones at once
        futures = {client.submit(run_task, t, key=f"peakplan-{t.shop}-{t.scenario}-{token}", pure=False,
                                 priority=sizes[t.name]): t for t in todo}
        on_start(len(todo))
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    row = future.result()
                except Exception as exc:  # the task's own errors are rows already: this is Dask's
                    row = _lost_row(task, exc)
                rows[task.name] = row
                on_row(row)
        except KeyboardInterrupt:
            client.cancel(list(futures), force=True)
            return True, cluster
    return False, cluster


def _write_manifest(out: Path, sweep: Sweep, frame: pd.DataFrame, rows: list[dict], wall: float, interrupted: bool,
                    cluster: dict) -> None:
    """``sweep.json``: what was swept, how it went, and the traceback of any task that failed on a bug."""
    doc = {"source": str(sweep.source), "plans": [str(p) for p in sweep.plans], "scenarios": sweep.scenarios,
           "base": sweep.base, "time_limit_s": sweep.time_limit_s, "seed": sweep.seed,
           "solver_workers": sweep.solver_workers, "cluster": cluster, "wall_s": wall, "interrupted": interrupted,
           "tasks": int(len(frame)), "status": {k: int(v) for k, v in frame["status"].value_counts().items()},
           "tracebacks": {f"{r['shop']}/{r['scenario']}": r["traceback"] for r in rows if r.get("traceback")}}
    tmp = out / ".sweep.json.tmp"
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, out / "sweep.json")
