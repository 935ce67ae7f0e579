"""The CLI end to end on the small plan, and a user's mistakes as one-line errors."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from smallplan import STAFF, write_small_plan
from scheduler.cli import main

RUN_FILES = ["forecast.csv", "requirements.csv", "roster.csv", "assignments.csv", "coverage.csv",
             "violations.csv", "gaps.csv", "simulation.csv", "summary.json", "run.json", "coverage.png", "simulation.png",
             "peak.png", "forecast.png", "roster.xlsx", "report.html"]
FRAMES = {"forecast.csv": ["queue", "ds", "mean", "p10", "p50", "p90"],
          "requirements.csv": ["queue", "ds", "volume", "agents", "service_level", "asa_s", "abandon_rate", "occupancy"],
          "roster.csv": ["agent_id", "date", "shift", "start", "end"],
          "assignments.csv": ["agent_id", "ds", "queue"],
          "coverage.csv": ["queue", "ds", "required", "scheduled", "shortfall", "service_level"],
          "violations.csv": ["rule", "key", "amount", "unit", "cost"]}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """`peakplan plan` on the small plan, once for the module."""
    base = tmp_path_factory.mktemp("cli")
    config = write_small_plan(base / "plan")
    out = base / "run"
    result = CliRunner().invoke(main, ["plan", str(config), "--out", str(out), "--time-limit", "10", "--workers", "1"])
    return config, out, result


def test_plan_writes_every_file(run):
    config, out, result = run
    assert result.exit_code == 0, result.output
    for name in RUN_FILES:
        assert (out / name).is_file(), name
    assert {p.name for p in (out / "inputs").iterdir()} == {"plan.toml", "history.csv", "promotions.csv", "staff.csv"}
    assert "agents rostered" in result.output and "presale:" in result.output and "gap" in result.output
    assert {p.name for p in (out / "calendars").iterdir()} == {f"{s[0]}.ics" for s in STAFF}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "The plan in brief" in html and "Temps to hire" in html


def test_frames_have_their_columns(run):
    _, out, _ = run
    for name, cols in FRAMES.items():
        frame = pd.read_csv(out / name, encoding="utf-8-sig")
        assert set(cols) <= set(frame.columns), name
        assert len(frame) > 0
    assert (out / "roster.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    roster = pd.read_csv(out / "roster.csv", encoding="utf-8-sig")
    assert set(roster["name"]) <= {s[1] for s in STAFF}  # Chinese names survive


def test_run_json_and_summary(run):
    _, out, _ = run
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["solver"]["status"] in ("OPTIMAL", "FEASIBLE")
    assert meta["objective_terms"]["total"] == pytest.approx(meta["solver"]["objective"])
    assert set(meta["inputs"]) == {"plan.toml", "history.csv", "promotions.csv", "staff.csv"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["queues"]) == {"presale", "aftersale", "reminder"}


def test_check_passes_then_fails_on_8_hour_rest(run, tmp_path):
    config, out, _ = run
    ok = CliRunner().invoke(main, ["check", str(config), str(out / "roster.csv")])
    assert ok.exit_code == 0, ok.output
    roster = pd.read_csv(out / "roster.csv", encoding="utf-8-sig", dtype=str)
    i = roster.index[roster["shift"] == "day"][0]
    end = pd.Timestamp(roster.at[i, "end"])
    roster = roster[~((roster["agent_id"] == roster.at[i, "agent_id"]) & (pd.to_datetime(roster["date"]) == pd.Timestamp(roster.at[i, "date"]) + pd.Timedelta(days=1)))]
    extra = {**roster.loc[i].to_dict(), "date": str((end + pd.Timedelta(hours=8)).date()),
             "start": str(end + pd.Timedelta(hours=8)), "end": str(end + pd.Timedelta(hours=17))}
    bad = tmp_path / "roster.csv"
    pd.concat([roster, pd.DataFrame([extra])]).to_csv(bad, index=False, encoding="utf-8-sig")
    res = CliRunner().invoke(main, ["check", str(config), str(bad)])
    assert res.exit_code == 1
    assert any(line.startswith("min_rest:") and "8 h" in line for line in res.output.splitlines())


def test_existing_run_folder_needs_force(run):
    config, out, _ = run
    res = CliRunner().invoke(main, ["plan", str(config), "--out", str(out)])
    assert res.exit_code != 0 and "--force" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("mutate,needle", [
    (lambda d: (d / "plan.toml").unlink(), "plan file not found"),
    (lambda d: pd.read_csv(d / "staff.csv", encoding="utf-8-sig").drop(columns=["skills"]).to_csv(d / "staff.csv", index=False), "skills"),
    (lambda d: pd.read_csv(d / "staff.csv", encoding="utf-8-sig").assign(skills="presale|hotline").to_csv(d / "staff.csv", index=False), "hotline"),
    (lambda d: pd.read_csv(d / "history.csv", encoding="utf-8-sig").assign(y=-1).to_csv(d / "history.csv", index=False), "history.csv"),
])
def test_user_mistakes_are_one_line_errors(tmp_path, mutate, needle):
    folder = tmp_path / "plan"
    write_small_plan(folder)
    mutate(folder)
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["plan", str(folder / "plan.toml"), "--out", str(out)])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert lines[-1].startswith("Error: ") and needle in lines[-1] and "Traceback" not in res.output
    assert not out.exists() and not any(p.name.startswith(".run") for p in tmp_path.iterdir())


def test_every_command_has_help_with_an_example():
    for name, cmd in main.commands.items():
        res = CliRunner().invoke(main, [name, "--help"])
        assert res.exit_code == 0 and "Example" in res.output, name


def test_contradictory_rules_name_the_rules(tmp_path):
    staff = [list(row) for row in STAFF]
    staff[4][5] = 60  # A05: max_week_hours 60 ...
    folder = tmp_path / "plan"
    write_small_plan(folder, staff=[tuple(r) for r in staff])
    frame = pd.read_csv(folder / "staff.csv", encoding="utf-8-sig")
    frame["min_week_hours"] = [60 if a == "A05" else 0 for a in frame["agent_id"]]  # ... and at least 60 a week
    frame.to_csv(folder / "staff.csv", index=False, encoding="utf-8-sig")
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["plan", str(folder / "plan.toml"), "--out", str(out)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "admit no roster" in last and "A05" in last and "min_week_hours" in last
    assert not out.exists()


def test_check_prices_the_solvers_roster_as_run_json_does(run):
    """The cost from frames alone (loss curves rebuilt from the requirements) equals the solver's objective."""
    config, out, _ = run
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    for roster in ("roster.csv", "roster.xlsx"):
        result = CliRunner().invoke(main, ["check", str(config), str(out / roster)])
        assert result.exit_code == 0, result.output
        line = next(line for line in result.output.splitlines() if line.startswith("Cost: "))
        total = float(line.split("objective ")[1].split(" ")[0].replace(",", ""))
        assert total == pytest.approx(meta["objective_terms"]["total"], abs=0.05), line
