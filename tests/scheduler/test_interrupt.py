"""Ctrl-C at any stage of ``peakplan plan`` (``scheduler.interrupt``): the process ends within 3 s of the
signal; before a roster exists it writes nothing (exit 130), after it writes the run folder marked
interrupted (exit 0); a second Ctrl-C ends it at once, writing nothing.

The small plan solves in about a second, so each test makes one stage wait (``PEAKPLAN_STAGE_DELAY``,
which prints a marker line when the wait begins) and sends SIGINT once the marker is seen; times
are measured from the signal, so the process start-up does not count."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from smallplan import write_small_plan
from scheduler import interrupt

END_WITHIN_S = 3.0
WAIT = 30  # seconds a delayed stage would wait without a signal (far past every assertion's limit)


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    return write_small_plan(tmp_path_factory.mktemp("ctrlc") / "plan")


def _old_run(folder: Path) -> dict:
    """An earlier run folder (a stand-in: a few files) and its bytes, to be replaced only with --force."""
    folder.mkdir(parents=True)
    (folder / "run.json").write_text('{"old": true}\n', encoding="utf-8")
    (folder / "roster.csv").write_bytes(b"agent_id\nA01\n")
    return _snapshot(folder)


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(config: Path, out: Path, delay: str, signals=(0.0,), force: bool = True):
    """Start ``plan`` with stage ``delay``, send SIGINT once its marker is seen (then again after each
    further offset of ``signals``); returns (exit code, seconds from the last signal to the exit, stderr)."""
    env = {**os.environ, interrupt.DELAY_ENV: f"{delay}={WAIT}", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "scheduler.cli", "plan", str(config), "--out", str(out), "--time-limit", "30",
           "--workers", "2", *(["--force"] if force else [])]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines, seen = [], threading.Event()

    def read():
        for line in proc.stderr:
            lines.append(line)
            if f"waiting at stage {delay}" in line:
                seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert seen.wait(60), "".join(lines)
        for offset in signals:
            time.sleep(offset)
            proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        proc.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(5)
    proc.stdout.close()
    return proc.returncode, took, "".join(lines)


def _leftovers(out: Path) -> list[str]:
    return [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


@pytest.mark.parametrize("stage, words", [("forecast", "forecasting"), ("aggregate", "solving the aggregate")])
def test_ctrl_c_before_a_roster_writes_nothing(config, tmp_path, stage, words):
    """Before any roster: exit 130, one line, no traceback, the earlier run folder byte-identical (--force)."""
    out = tmp_path / "run"
    before = _old_run(out)
    code, took, err = _run(config, out, stage)
    assert code == interrupt.EXIT_CODE, err
    assert took < END_WITHIN_S
    assert "Traceback" not in err
    assert f"Interrupted (Ctrl-C) while {words}: nothing written" in err
    assert _snapshot(out) == before
    assert _leftovers(out) == []


def test_ctrl_c_in_the_polish_writes_the_run_marked_interrupted(config, tmp_path):
    """With a roster: exit 0, the complete run folder written, run.json and summary.json naming the stage."""
    out = tmp_path / "run"
    code, took, err = _run(config, out, "polish", force=False)
    assert code == 0, err
    assert took < END_WITHIN_S
    assert "Traceback" not in err
    assert "Interrupted (Ctrl-C) while polishing the roster: kept the best roster so far" in err
    for name in ("roster.csv", "assignments.csv", "simulation.csv", "report.html", "roster.xlsx", "coverage.png"):
        assert (out / name).is_file(), name
    assert not (out / "simulation.png").exists() and not (out / "calendars").exists()  # nothing simulated, nothing to publish
    assert "peakplan simulate" in (out / "report.html").read_text(encoding="utf-8")
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert run["interrupted"] == summary["interrupted"] == {"stage": "polish", "simulation_skipped": True}
    assert run["solver"]["interrupted"] is True and summary["solver"]["interrupted"] is True
    assert _leftovers(out) == []


def test_a_second_ctrl_c_ends_at_once(config, tmp_path):
    """The first Ctrl-C keeps the roster; a second one right after ends the run: exit 130, nothing written."""
    out = tmp_path / "run"
    before = _old_run(out)
    code, took, err = _run(config, out, "polish", signals=(0.0, 0.1))
    assert code == interrupt.EXIT_CODE, err
    assert took < 1.5
    assert "Traceback" not in err
    assert "Interrupted (second Ctrl-C)" in err and "nothing written" in err
    assert _snapshot(out) == before
    assert _leftovers(out) == []


def _golomb(n: int = 11) -> cp_model.CpModel:
    """A model CP-SAT does not finish in seconds (a Golomb ruler of 11 marks)."""
    model = cp_model.CpModel()
    x = [model.new_int_var(0, 100, f"x{i}") for i in range(n)]
    model.add(x[0] == 0)
    for a, b in zip(x, x[1:]):
        model.add(a < b)
    model.add_all_different([x[j] - x[i] for i in range(n) for j in range(i + 1, n)])
    model.minimize(x[-1])
    return model


def test_ctrl_c_stops_a_running_solve_at_once():
    """A CP-SAT solve (main thread, inside C++) is stopped by the watcher, not after its time limit; the
    flag is set within the block, and SIGINT's handler is the test's own again after it."""
    before = signal.getsignal(signal.SIGINT)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 30.0
    solver.parameters.num_workers = 2
    solver.parameters.catch_sigint_signal = False
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    clock = time.perf_counter()
    with interrupt.keeping():
        timer.start()
        interrupt.solve(solver, _golomb())
        assert interrupt.requested()
    timer.join()
    assert time.perf_counter() - clock < 2.5
    assert not interrupt.requested()  # reset after the block
    assert signal.getsignal(signal.SIGINT) is before
