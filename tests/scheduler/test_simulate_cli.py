"""`peakplan simulate` and `peakplan plan --scenario` on the small plan: outputs, summaries and one-line errors."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from smallplan import write_small_plan
from scheduler.cli import main
from scheduler.simulate.simulation import SIMULATION_COLUMNS


@pytest.fixture(scope="module")
def scenario_run(tmp_path_factory):
    """The small plan with one what-if scenario (two agents fewer), solved once for the module."""
    base = tmp_path_factory.mktemp("scen")
    config = write_small_plan(base / "plan")
    out = base / "run"
    result = CliRunner().invoke(main, ["plan", str(config), "--out", str(out), "--time-limit", "5", "--workers", "1",
                                       "--scenario", "lean=agents:-2"])
    return config, out, result


def test_plan_simulates_and_compares_scenarios(scenario_run):
    config, out, result = scenario_run
    assert result.exit_code == 0, result.output
    sim = pd.read_csv(out / "simulation.csv", encoding="utf-8-sig")
    assert list(sim.columns) == SIMULATION_COLUMNS and len(sim) > 0
    table = pd.read_csv(out / "scenarios.csv", encoding="utf-8-sig")
    assert list(table["scenario"]) == ["base", "lean"] and list(table["agents"]) == [10, 8]
    assert {"paid_hours", "cost_yuan", "hours_under_target_presale", "worst_service_level", "extra_agents_needed",
            "p_meet_target_peak", "breaks_first"} <= set(table.columns)
    assert (out / "lean" / "roster.csv").is_file() and (out / "scenarios.png").is_file()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["scenarios"]) == 2 and summary["scenarios"][1].startswith("lean: ")
    assert "simulation" in summary["queues"]["presale"]
    assert "scenario lean:" in result.output and "simulated:" in result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="scenarios">' in html and ">lean<" in html and html.count("data:image/png") >= 5
    assert (out / "lean" / "report.html").is_file() and not (out / "lean" / "calendars").exists()


def test_simulate_command_writes_and_needs_force(scenario_run, tmp_path):
    config, out, _ = scenario_run
    args = ["simulate", str(config), str(out / "roster.csv"), "--replications", "20", "--out", str(tmp_path)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "simulation.csv").is_file() and (tmp_path / "simulation.png").is_file()
    assert "presale: simulated:" in first.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "--force" in again.output and "Traceback" not in again.output
    assert CliRunner().invoke(main, [*args, "--force", "--mean-forecast"]).exit_code == 0


@pytest.mark.parametrize("edit, file, needle", [
    (lambda r, a: (r.assign(agent_id=r["agent_id"].where(r.index != 2, "Z99")), a), "roster.csv", "row(s) 4: agent(s) Z99"),
    (lambda r, a: (r, a.assign(agent_id=a["agent_id"].where(a.index != 0, "Z98"))), "assignments.csv", "row(s) 2: agent(s) Z98"),
    (lambda r, a: (r, a.assign(ds=a["ds"].where(a.index != 5, "2027-01-01 10:00"))), "assignments.csv", "row(s) 7: hours outside"),
    (lambda r, a: (r.assign(date=r["date"].where(r.index != 0, "2027-01-01")), a), "roster.csv", "row(s) 2: dates outside"),
])
def test_simulate_names_bad_rows(scenario_run, tmp_path, edit, file, needle):
    config, out, _ = scenario_run
    roster = pd.read_csv(out / "roster.csv", encoding="utf-8-sig", dtype=str)
    hourly = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig", dtype=str)
    roster, hourly = edit(roster, hourly)
    roster.to_csv(tmp_path / "roster.csv", index=False, encoding="utf-8-sig")
    hourly.to_csv(tmp_path / "assignments.csv", index=False, encoding="utf-8-sig")
    res = CliRunner().invoke(main, ["simulate", str(config), str(tmp_path / "roster.csv"), "--replications", "5"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and file in last and needle in last, last
    assert not (tmp_path / "simulation.csv").exists()


@pytest.mark.parametrize("scenario, needle", [
    ("peak8x", "NAME=KEY:VALUE"),
    ("x=crowd:8", "KEY one of"),
    ("x=agents:-200%", "leaves no agents"),
    ("x=quantile:p75", "expected one of mean, p50, p90"),
])
def test_bad_scenarios_stop_before_solving(tmp_path, scenario, needle):
    config = write_small_plan(tmp_path / "plan")
    res = CliRunner().invoke(main, ["plan", str(config), "--out", str(tmp_path / "run"), "--scenario", scenario])
    assert res.exit_code == 1 and needle in res.output.strip().splitlines()[-1] and "Traceback" not in res.output
    assert not (tmp_path / "run").exists() and "rostering" not in res.output
