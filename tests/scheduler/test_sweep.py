"""``peakplan sweep``: 3 small plans x 2 scenarios on a 2-worker LocalCluster (one plan broken on purpose),
a second run that skips what finished, a sweep of one plan equal to ``peakplan plan``, and bad input."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.sweep import read_sweep
from smallplan import SMALL_TOML, write_small_plan

FAST = SMALL_TOML.replace("time_limit_s = 10", "time_limit_s = 2") + "\n[simulation]\nreplications = 20\n"
SWEEP = """
[sweep]
plans = ["shops/*/plan.toml"]
out = "out"
time_limit_s = 2
seed = 0
solver_workers = 1

[scenarios]
p90 = "quantile:p90"
"""


def write_shops(folder: Path, broken: str | None = "c") -> Path:
    for shop in ("a", "b", "c"):
        toml = FAST.replace("min_rest_h = 11", "min_rset_h = 11") if shop == broken else FAST
        write_small_plan(folder / "shops" / shop, toml)
    (folder / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    return folder / "sweep.toml"


def sweep(*args) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["sweep", *map(str, args), "--local-workers", "2", "--no-dashboard"])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """The sweep run twice: (folder, first run's (code, output, table), second run's)."""
    folder = tmp_path_factory.mktemp("sweep")
    path = write_shops(folder)
    first = sweep(path)
    table1 = pd.read_csv(folder / "out" / "sweep.csv", encoding="utf-8-sig")
    second = sweep(path)
    table2 = pd.read_csv(folder / "out" / "sweep.csv", encoding="utf-8-sig")
    return folder, (*first, table1), (*second, table2)


def test_every_row_is_there_and_the_broken_plan_is_an_error_row(swept):
    folder, (code, output, table), _ = swept
    assert code == 1, output  # a task failed: non-zero, the others finished
    assert list(zip(table["shop"], table["scenario"])) == [(s, n) for s in "abc" for n in ("base", "p90")]
    ok = table[table["shop"] != "c"]
    assert (ok["status"] == "ok").all() and ok["error"].isna().all()
    assert (ok["agents"] == 10).all() and (ok["paid_hours"] > 0).all() and (ok["wages_yuan"] > 0).all()
    for col in ("hours_under_target_presale", "hours_under_target_aftersale", "hours_under_target_reminder",
                "temps_people_max_day", "riskiest_p_meet", "wall_s"):
        assert ok[col].notna().all(), col
    bad = table[table["shop"] == "c"]
    assert (bad["status"] == "error").all()
    assert bad["error"].str.contains("min_rset_h: unknown key; did you mean min_rest_h?").all()
    assert "Traceback" not in output and "c/base:" in output
    for shop in "ab":
        for scenario in ("base", "p90"):
            run = folder / "out" / shop / scenario
            assert (run / "roster.csv").is_file() and (run / "report.html").is_file() and (run / "inputs" / "plan.toml").is_file()
    assert not (folder / "out" / "c").exists()


def test_the_comparison_is_also_a_sheet_and_an_index_page(swept):
    folder, _, (_, _, table) = swept  # the files of the second run
    sheet = pd.read_excel(folder / "out" / "sweep.xlsx", sheet_name="sweep")
    assert list(sheet["shop"]) == list(table["shop"]) and list(sheet["status"]) == list(table["status"])
    page = (folder / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count('href="a/base/report.html"') == 1 and 'href="b/p90/report.html"' in page
    assert 'href="c/' not in page  # no report, no link


def test_a_second_run_skips_every_finished_task(swept):
    folder, (_, _, first), (code, output, table) = swept
    assert code == 1, output
    assert list(table["status"]) == ["skipped"] * 4 + ["error"] * 2
    same = ["shop", "scenario", "agents", "paid_hours", "wages_yuan", "cost_yuan", "hours_under_target_presale"]
    pd.testing.assert_frame_equal(table[same].head(4), first[same].head(4))
    assert "4 finished before and skipped, 2 to plan" in output


def test_a_sweep_of_one_plan_equals_peakplan_plan(swept, tmp_path):
    folder, (_, _, table), _ = swept
    out = tmp_path / "plan"
    result = CliRunner().invoke(main, ["plan", str(folder / "shops" / "a" / "plan.toml"), "--out", str(out),
                                       "--time-limit", "2", "--seed", "0", "--workers", "1",
                                       "--scenario", "p90=quantile:p90"])
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out / "scenarios.csv", encoding="utf-8-sig")
    rows = table[table["shop"] == "a"].reset_index(drop=True)
    assert list(rows["scenario"]) == list(plan["scenario"])
    columns = [c for c in plan.columns if c != "scenario"]
    pd.testing.assert_frame_equal(rows[columns], plan[columns], check_dtype=False)
    swept_dir = folder / "out" / "a"
    for ours, theirs in (("base", out), ("p90", out / "p90")):
        for name in ("roster.csv", "assignments.csv", "coverage.csv", "simulation.csv"):
            assert (swept_dir / ours / name).read_bytes() == (theirs / name).read_bytes(), (ours, name)


def test_only_tasks_whose_inputs_changed_are_planned_again(swept, tmp_path):
    """A finished task is reusable while its key holds: every input's SHA-256, the overrides, budget, seed, workers."""
    import shutil

    from scheduler.sweep import finished_row, make_tasks

    folder, _, _ = swept
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    history = copy / "shops" / "b" / "history.csv"
    history.write_bytes(history.read_bytes() + b"\n")  # one byte more: another hash
    spec = read_sweep(copy / "sweep.toml")
    reusable = {t.name: finished_row(t) is not None for t in make_tasks(spec, spec.out)}
    assert reusable == {"a/base": True, "a/p90": True, "b/base": False, "b/p90": False, "c/base": False, "c/p90": False}
    longer = dataclasses.replace(spec, time_limit_s=3)
    assert not any(finished_row(t) for t in make_tasks(longer, longer.out))


@pytest.mark.parametrize("text, message", [
    ('[sweep]\nplans = ["shops/*/plan.toml"]\nslover_workers = 1\n', "[sweep] slover_workers: unknown key; did you mean solver_workers?"),
    ('[sweeps]\nplans = ["x.toml"]\n', "[sweeps]: unknown table; did you mean sweep?"),
    ('[sweep]\nplans = ["shops/zz/plan.toml"]\n', "[sweep] plans: 'shops/zz/plan.toml': plan file not found"),
    ('[sweep]\nplans = ["nothing/*.toml"]\n', "[sweep] plans: 'nothing/*.toml': no plan file matches"),
    ('[sweep]\nout = "x"\n', "[sweep] missing key 'plans'"),
    ('[sweep]\nplans = ["shops/*/plan.toml"]\ntime_limit_s = "60"\n', "[sweep] time_limit_s: expected a number, got '60'"),
    ('[sweep]\nplans = ["shops/*/plan.toml"]\n[scenarios]\nbig = "peak_multiplier:eight"\n', "[scenarios] big: peak_multiplier:eight: expected a number from 1"),
    ('[sweep]\nplans = ["shops/*/plan.toml"]\n[scenarios]\nbig = "peak:8"\n', "[scenarios] big: 'peak:8': expected KEY:VALUE"),
    ('[sweep]\nplans = ["shops/*/plan.toml"]\n[scenarios]\nbase = "agents:-10%"\n', "the name 'base' is the plan as it is"),
    ('[sweep]\nplans = ["shops/*/plan.toml"]\nscheduler = "10.0.0.5"\n', "[sweep] scheduler: expected an address such as tcp://host:8786"),
    ('[sweep\n', "not a valid TOML file"),
])
def test_bad_sweep_files_are_one_line_errors(tmp_path, text, message):
    write_shops(tmp_path, broken=None)
    path = tmp_path / "sweep.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    code, output = sweep(path)
    assert code == 1 and output.startswith("Error: ") and message in output, output
    assert "Traceback" not in output and output.count("\n") == 1 and not (tmp_path / "out").exists()


def test_bad_command_line_input_is_one_line(tmp_path):
    path = write_shops(tmp_path, broken=None)
    for args, message in (([tmp_path / "missing.toml"], "sweep file not found"),
                          ([path, "--scenario", "lean=agents:ten"], "agents:ten: expected a signed count or share"),
                          ([path, "--scenario", "nonsense"], "expected NAME=KEY:VALUE"),
                          ([tmp_path / "shops"], "no plan files")):
        if message == "no plan files":
            (tmp_path / "empty").mkdir()
            args = [tmp_path / "empty"]
        code, output = sweep(*args)
        assert code == 1 and output.startswith("Error: ") and message in output and "Traceback" not in output, output


def test_an_existing_folder_that_is_not_a_sweep_is_never_overwritten(tmp_path):
    path = write_shops(tmp_path, broken=None)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    code, output = sweep(path)
    assert code == 1 and "is not a sweep's (no sweep.json" in output
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_a_folder_of_plans_is_a_sweep(tmp_path):
    write_shops(tmp_path, broken=None)
    spec = read_sweep(tmp_path / "shops")
    assert list(spec.shops()) == ["a", "b", "c"] and spec.scenarios == {} and spec.base


def test_sweep_has_help():
    result = CliRunner().invoke(main, ["sweep", "--help"])
    assert result.exit_code == 0 and "peakplan sweep shops/sweep.toml" in result.output


def _default_ctrl_c() -> None:
    """In the child before it runs: SIGINT's default (a process started with SIGINT ignored keeps it ignored)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupted_sweep(path: Path, delay: int):
    """The sweep in its own process group with each task ``delay`` s longer, Ctrl-C to the group once a task
    has finished; (process, stderr)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "PEAKPLAN_STAGE_DELAY": f"simulation={delay}"}  # each task longer: some are still running
    cmd = [sys.executable, "-m", "scheduler.main", "sweep", str(path), "--local-workers", "2", "--no-dashboard"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_default_ctrl_c)  # as from a terminal, whatever an earlier test left in this process
    out, deadline = path.parent / "out", time.monotonic() + 120
    while not list(out.glob("*/*/sweep.json")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    time.sleep(1.5)  # a task's files are written before its row reaches the client; the next tasks wait at their simulation
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
    return proc, proc.communicate(timeout=60)[1]


def test_ctrl_c_cancels_the_rest_and_keeps_what_finished(tmp_path):
    """Ctrl-C to the whole process group (as a terminal sends it) once a task has finished: exit 130, the
    finished runs kept and in sweep.csv, the rest ``cancelled``, no worker process left; a rerun plans the rest.
    A sweep that finished before the signal landed (a busy machine) is run again with slower tasks."""
    import os
    import shutil
    import time

    path = write_shops(tmp_path, broken=None)
    for delay in (4, 12):
        proc, err = _interrupted_sweep(path, delay)
        if proc.returncode != 0:
            break
        shutil.rmtree(tmp_path / "out")
    assert proc.returncode == 130, err
    assert "Interrupted (Ctrl-C)" in err and "Traceback" not in err, err
    table = pd.read_csv(tmp_path / "out" / "sweep.csv", encoding="utf-8-sig")
    assert len(table) == 6 and (table["status"] == "ok").sum() >= 1 and (table["status"] == "cancelled").sum() >= 1
    for r in table[table["status"] == "ok"].itertuples():
        assert (tmp_path / "out" / r.shop / r.scenario / "roster.csv").is_file()
    with pytest.raises(ProcessLookupError):  # the whole group is gone: no worker left behind
        for _ in range(50):
            os.killpg(proc.pid, 0)
            time.sleep(0.1)


def test_a_lost_worker_s_task_runs_again_elsewhere(tmp_path, monkeypatch):
    """A worker process that dies mid-task: the scheduler runs the task again (row ``ok``), the others finish;
    a task that kills every worker it lands on becomes an error row once Dask's allowed failures are spent."""
    import dask

    from scheduler.sweep import run_sweep

    path = write_shops(tmp_path, broken=None)
    monkeypatch.setenv("PEAKPLAN_SWEEP_DIE", f"a/base=once:{tmp_path / 'died'},b/base=always")
    spec = dataclasses.replace(read_sweep(path), scenarios={})  # the plans as they are
    result = run_sweep(dataclasses.replace(spec, plans=spec.plans[::2]), tmp_path / "out", n_workers=2, dashboard=False)
    rows = result.frame.set_index("shop")
    assert (tmp_path / "died").exists() and list(rows["status"]) == ["ok", "ok"], rows["error"]
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):  # one task alone: no other task's death counts
        result = run_sweep(dataclasses.replace(spec, plans=spec.plans[1:2]), tmp_path / "out", n_workers=1, dashboard=False)
    (row,) = result.frame.to_dict("records")
    assert row["status"] == "error" and "every worker that ran it died" in row["error"]
