"""One stage at a time: forecast -> staff -> roster through the CLI, each reading the previous
stage's file; the frames' contract checked at each boundary and on reading."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from forecasts.errors import InputError
from forecasts.frames import FRAMES, FrameError, read_frame
from scheduler.cli import main
from smallplan import write_small_plan


@pytest.fixture(scope="module")
def stages(tmp_path_factory):
    base = tmp_path_factory.mktemp("stages")
    config, out = write_small_plan(base / "plan"), base / "out"
    results = [CliRunner().invoke(main, [cmd, str(config), "--out", str(out), *extra])
               for cmd, extra in (("forecast", []), ("staff", []), ("roster", ["--time-limit", "5", "--workers", "1"]))]
    return config, out, results


def test_each_stage_writes_its_frame_from_the_previous_ones(stages):
    config, out, results = stages
    for result in results:
        assert result.exit_code == 0, result.output
    assert "staffing from" in results[1].output and "rostering to" in results[2].output
    for name, frame in (("forecast", "forecast.csv"), ("requirements", "requirements.csv"), ("roster", "roster.csv"),
                        ("assignments", "assignments.csv"), ("coverage", "coverage.csv")):
        FRAMES[name].check(read_frame(out / frame, name), frame)
    check = CliRunner().invoke(main, ["check", str(config), str(out / "roster.csv")])
    assert check.exit_code == 0, check.output


def test_a_stage_never_overwrites_without_force(stages):
    config, out, _ = stages
    before = (out / "requirements.csv").read_bytes()
    again = CliRunner().invoke(main, ["staff", str(config), "--out", str(out)])
    assert again.exit_code == 1 and "--force" in again.output and (out / "requirements.csv").read_bytes() == before
    assert CliRunner().invoke(main, ["staff", str(config), "--out", str(out), "--force"]).exit_code == 0


def test_a_frame_missing_a_column_or_of_the_wrong_kind_is_a_bug_named(stages):
    _, out, _ = stages
    req = read_frame(out / "requirements.csv", "requirements")
    with pytest.raises(FrameError, match="lacks column"):
        FRAMES["requirements"].check(req.drop(columns="scheduled"), "staffing")
    with pytest.raises(FrameError, match="'open' is"):
        FRAMES["requirements"].check(req.assign(open=req["open"].astype(str)), "staffing")


@pytest.mark.parametrize("column, value, needle", [
    ("agents", "3.5", "expected a whole number"), ("volume", "many", "expected a number"),
    ("open", "yes", "expected True or False"), ("ds", "11/10/2026 20:00", "ambiguous"), ("queue", "", "empty"),
])
def test_a_bad_cell_in_a_stage_file_is_one_line(stages, tmp_path, column, value, needle):
    _, out, _ = stages
    frame = pd.read_csv(out / "requirements.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame.loc[2, column] = value
    frame.to_csv(tmp_path / "requirements.csv", index=False)
    with pytest.raises(InputError) as err:
        read_frame(tmp_path / "requirements.csv", "requirements")
    assert "\n" not in str(err.value) and "row 3" in str(err.value) and needle in str(err.value)
