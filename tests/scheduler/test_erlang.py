"""Erlang C: known answers, stability at scale, monotonicity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.erlang import erlang_c_metrics, servers_for_target


def test_known_answer_100_contacts_in_30_min():
    m = erlang_c_metrics(14, 100 / 1800 * 180, 180, 20)
    assert float(m["p_wait"]) == pytest.approx(0.1741319, abs=1e-7)
    assert float(m["service_level"]) == pytest.approx(0.8883500, abs=1e-7)
    assert float(m["asa_s"]) == pytest.approx(7.8359, abs=1e-4)
    assert float(erlang_c_metrics(13, 10, 180, 20)["service_level"]) == pytest.approx(0.7955948, abs=1e-7)
    assert servers_for_target(10.0, 180, 20, 0.8, 1.0) == 14


def test_known_answer_250_per_hour():
    assert servers_for_target(250 * 330 / 3600, 330, 30, 0.8, 1.0) == 28


def test_large_loads_are_finite_and_match_square_root_staffing():
    a = np.array([1000.0, 5000.0, 19000.0])
    n = servers_for_target(a, 180, 20, 0.8, 1.0)
    m = erlang_c_metrics(n, a, 180, 20)
    assert np.all(np.isfinite(m["p_wait"])) and np.all(m["service_level"] >= 0.8)
    assert np.all((n - a) / np.sqrt(a) < 2.0)  # beta of square-root staffing stays small


def test_occupancy_cap_and_concurrency_step():
    n = servers_for_target(np.array([0.0, 50.0]), 300, 20, 0.8, 0.85, step=4)
    assert n[0] == 0 and n[1] % 4 == 0 and 50 / n[1] <= 0.85


@settings(max_examples=60, deadline=None)
@given(a=st.floats(0.5, 2000), extra=st.integers(1, 50))
def test_service_level_rises_with_agents_and_falls_with_load(a, extra):
    n = int(np.floor(a)) + extra
    sl = lambda n_, a_: float(erlang_c_metrics(n_, a_, 180, 20)["service_level"])
    assert sl(n + 1, a) >= sl(n, a) - 1e-12
    assert sl(n, a * 0.9) >= sl(n, a) - 1e-12
