"""`peakplan erlang`: known answers through the CLI, JSON keys, bad flags named."""

import json

import pytest
from click.testing import CliRunner

from scheduler.cli import main

KEYS = {"agents", "scheduled", "service_level", "asa_s", "p_wait", "abandon_rate", "occupancy"}


def run(*args):
    return CliRunner().invoke(main, ["erlang", *args])


def test_known_answer_with_shrinkage():
    res = run("--volume", "100", "--interval-min", "30", "--aht-s", "180", "--answer-within-s", "20",
              "--target-sl", "0.8", "--shrinkage", "0.3", "--json")
    assert res.exit_code == 0, res.output
    r = json.loads(res.output)
    assert set(r) == KEYS
    assert (r["agents"], r["scheduled"]) == (14, 20)
    assert r["p_wait"] == pytest.approx(0.1741319, abs=1e-7) and r["service_level"] == pytest.approx(0.8883500, abs=1e-7)
    assert r["asa_s"] == pytest.approx(7.8359, abs=1e-4)


def test_evaluate_given_agents_and_text_output():
    r = json.loads(run("--volume", "100", "--interval-min", "30", "--aht-s", "180", "--agents", "13", "--json").output)
    assert r["agents"] == 13 and r["service_level"] == pytest.approx(0.7955948, abs=1e-7)
    text = run("--volume", "250", "--aht-s", "330", "--answer-within-s", "30").output
    assert "agents at the desk  28" in text and "service level" in text


def test_chat_with_patience():
    r = json.loads(run("--volume", "1200", "--aht-by-load", "240,270,300,330", "--patience-s", "180", "--json").output)
    assert r["service_level"] >= 0.8 and r["abandon_rate"] > 0
    one_less = json.loads(run("--volume", "1200", "--aht-by-load", "240,270,300,330", "--patience-s", "180",
                              "--agents", str(r["agents"] - 1), "--json").output)
    assert one_less["service_level"] < 0.8


@pytest.mark.parametrize("args,flag", [
    (["--volume", "-5", "--aht-s", "180"], "--volume"),
    (["--volume", "5", "--aht-s", "0"], "--aht-s"),
    (["--volume", "5", "--aht-s", "180", "--target-sl", "1"], "--target-sl"),
    (["--volume", "5", "--aht-s", "180", "--target-sl", "0"], "--target-sl"),
    (["--volume", "5", "--aht-s", "180", "--concurrency", "0"], "--concurrency"),
    (["--volume", "5", "--aht-by-load", "240,x"], "--aht-by-load"),
    (["--volume", "5", "--aht-by-load", "240,300", "--concurrency", "3"], "--aht-by-load"),
    (["--volume", "5"], "--aht-s"),
])
def test_bad_flags_are_named(args, flag):
    res = run(*args)
    assert res.exit_code == 2 and flag in res.output and "Traceback" not in res.output
