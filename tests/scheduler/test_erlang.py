"""Erlang C and the chat model: known answers, stability at scale, reductions, monotonicity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.staffing.chat import chat_metrics
from scheduler.staffing.erlang import erlang_c_metrics
from scheduler.staffing.requirements import size_interval


def test_known_answer_100_contacts_in_30_min():
    m = erlang_c_metrics(14, 100 / 1800 * 180, 180, 20)
    assert float(m["p_wait"]) == pytest.approx(0.1741319, abs=1e-7)
    assert float(m["service_level"]) == pytest.approx(0.8883500, abs=1e-7)
    assert float(m["asa_s"]) == pytest.approx(7.8359, abs=1e-4)
    assert float(erlang_c_metrics(13, 10, 180, 20)["service_level"]) == pytest.approx(0.7955948, abs=1e-7)
    assert size_interval(200.0, (180.0,), None, 20, 0.8)[0] == 14


def test_known_answer_250_per_hour():
    assert size_interval(250.0, (330.0,), None, 30, 0.8)[0] == 28


@pytest.mark.parametrize("n", [1, 2, 10, 100, 1000, 5000, 20000])
def test_erlang_c_is_finite_and_exact_at_any_size(n):
    a = 0.9 * n
    m = erlang_c_metrics(n, a, 180, 20)
    assert 0 < float(m["p_wait"]) < 1 and np.isfinite(m["asa_s"])
    chat = chat_metrics(n, a * 3600 / 180, (180.0,), None, 20)
    assert float(chat["p_wait"][0]) == pytest.approx(float(m["p_wait"]), rel=1e-9)


def test_erlang_a_at_scale_has_no_underflow():
    for n in (500, 1000, 5000):
        m = chat_metrics(n, 1.02 * n * 3600 / 180, (180.0,), 180.0, 20)
        assert all(np.isfinite(v[0]) for v in m.values())
        assert 0 < m["abandon_rate"][0] < 0.1 and 0 < m["service_level"][0] < 1


def test_chat_one_at_a_time_equals_erlang_c():
    n, vol = np.array([5, 14, 60]), np.array([60.0, 200.0, 1000.0])
    c = erlang_c_metrics(n, vol * 180 / 3600, 180, 20)
    chat = chat_metrics(n, vol, (180.0,), None, 20)
    for key in ("p_wait", "service_level", "asa_s", "occupancy"):
        np.testing.assert_allclose(chat[key], c[key], rtol=1e-9)


def test_erlang_a_with_endless_patience_tends_to_erlang_c():
    c = float(erlang_c_metrics(14, 10, 180, 20)["service_level"])
    sl = [float(chat_metrics(14, 200, (180.0,), p, 20)["service_level"][0]) for p in (1e3, 1e5, 1e7)]
    assert abs(sl[2] - c) < 1e-5 and abs(sl[2] - c) <= abs(sl[1] - c) <= abs(sl[0] - c)


def test_occupancy_cap_binds():
    agents = size_interval(np.array([0.0, 600.0]), (240.0, 300.0), 180.0, 60, 0.5, max_occupancy=0.6)
    m = chat_metrics(agents, np.array([0.0, 600.0]), (240.0, 300.0), 180.0, 60)
    assert agents[0] == 0 and m["occupancy"][1] <= 0.6
    assert chat_metrics(agents[1] - 1, 600.0, (240.0, 300.0), 180.0, 60)["occupancy"][0] > 0.6


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 60), vol=st.floats(1, 3000), k=st.integers(1, 4), patience=st.sampled_from([None, 60.0, 180.0]))
def test_service_level_rises_with_agents_and_falls_with_volume(c, vol, k, patience):
    table = tuple(240.0 + 30 * i for i in range(k))
    sl = lambda c_, v_: float(chat_metrics(c_, v_, table, patience, 20)["service_level"][0])
    assert sl(c + 1, vol) >= sl(c, vol) - 1e-9
    assert sl(c, vol * 1.1) <= sl(c, vol) + 1e-9
