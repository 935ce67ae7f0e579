"""The analytic chat model (``scheduler.staffing.chat``) against the discrete-event simulation (``scheduler.simulate.des``, run steady-state by ``benchmarks/des_chat.py``).

Small, seeded runs: the whole file takes a few seconds.
"""

import importlib.util
from pathlib import Path

import pytest

from scheduler.staffing.chat import chat_metrics

_DES = Path(__file__).resolve().parents[2] / "benchmarks" / "des_chat.py"
_spec = importlib.util.spec_from_file_location("des_chat", _DES)
des_chat = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(des_chat)
simulate_chat = des_chat.simulate_chat

CASES = [  # agents, volume/h, aht by load, patience, target
    pytest.param(12, 150.0, [240], 180, 20, id="K1-ErlangA"),
    pytest.param(3, 40.0, [420, 480, 540], None, 60, id="K3-no-abandon"),
    pytest.param(3, 115.0, [240, 270, 300, 330], 180, 20, id="K4-abandon"),
]


@pytest.mark.parametrize("agents, volume, aht, patience, tau", CASES)
def test_analytic_matches_simulation(agents, volume, aht, patience, tau):
    m = {k: float(v[0]) for k, v in chat_metrics([agents], [volume], aht, patience, tau).items()}
    s = simulate_chat(agents, volume, aht, patience, tau, n_arrivals=150_000, seed=11)
    assert abs(m["service_level"] - s["service_level"]) <= max(0.02, 3 * s["ci_service_level"])
    assert abs(m["abandon_rate"] - s["abandon_rate"]) <= max(0.01, 3 * s["ci_abandon_rate"])
    assert abs(m["p_wait"] - s["p_wait"]) <= max(0.02, 3 * s["ci_p_wait"])
    assert abs(m["occupancy"] - s["occupancy"]) <= 0.02
    if patience is None:
        assert s["abandon_rate"] == 0.0


def test_simulation_matches_erlang_c_closed_form():
    pw, sl = des_chat.erlang_c_service_level(12, 135.0, 240, 20)
    s = simulate_chat(12, 135.0, [240], None, 20, n_arrivals=150_000, seed=5)
    assert abs(s["service_level"] - sl) <= max(0.015, 3 * s["ci_service_level"])
    assert abs(s["p_wait"] - pw) <= max(0.015, 3 * s["ci_p_wait"])


def test_simulation_matches_exact_unbalanced_ctmc():
    """Where the balanced-load assumption is visibly off (concave table), the simulation follows the exact chain."""
    args = (3, 48.0, [240, 400, 600, 800], None, 20)
    e = des_chat.exact_unbalanced(*args)
    s = simulate_chat(*args, n_arrivals=150_000, seed=3)
    assert abs(s["service_level"] - e["service_level"]) <= max(0.01, 3 * s["ci_service_level"])
    assert abs(s["p_wait"] - e["p_wait"]) <= max(0.01, 3 * s["ci_p_wait"])


def test_simulation_is_deterministic():
    a = simulate_chat(3, 70.0, [240, 270], 180, 20, n_arrivals=20_000, seed=4)
    b = simulate_chat(3, 70.0, [240, 270], 180, 20, n_arrivals=20_000, seed=4)
    assert a == b
