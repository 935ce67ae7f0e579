"""Contract and behaviour tests of the forecaster on the demo files."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from forecasts import scale
from forecasts.model import PromoForecaster, forecast

WINDOW = ("2026-11-01", "2026-11-18")


@pytest.fixture(scope="module")
def fc(demo_history, demo_promotions):
    return PromoForecaster(n_draws=300).fit(demo_history, demo_promotions).predict(*WINDOW)


def test_forecast_contract(fc, demo_history):
    queues = sorted(demo_history["queue"].unique())
    assert list(fc.columns) == ["queue", "ds", "mean", "p10", "p50", "p90"]
    assert len(fc) == len(queues) * 18 * 24
    assert fc["ds"].min() == pd.Timestamp("2026-11-01 00:00")
    assert fc["ds"].max() == pd.Timestamp("2026-11-18 23:00")
    num = fc[["mean", "p10", "p50", "p90"]]
    assert all(num.dtypes == float)
    assert not num.isna().any().any()
    assert (num >= 0).all().all()
    assert (fc["p10"] <= fc["p50"]).all() and (fc["p50"] <= fc["p90"]).all()
    assert fc.equals(fc.sort_values(["queue", "ds"]).reset_index(drop=True))
    assert sorted(fc["queue"].unique()) == queues


def test_fit_predict_equals_forecast(fc, demo_history, demo_promotions):
    other = forecast(demo_history, demo_promotions, *WINDOW, n_draws=300)
    pd.testing.assert_frame_equal(fc, other)


def test_init_only_stores_parameters():
    model = PromoForecaster(baseline_weeks=6, n_draws=10, seed=3)
    assert (model.baseline_weeks, model.n_draws, model.seed) == (6, 10, 3)
    assert not [k for k in vars(model) if k.endswith("_")]


def test_no_event_is_baseline_only(demo_history, demo_promotions):
    out = PromoForecaster(n_draws=200).fit(demo_history, demo_promotions).predict("2026-09-07", "2026-09-13")
    daily = out[out["queue"] == "presale"]["mean"].sum() / 7
    assert 2500 < daily < 4500  # a normal week of the demo shop


def test_peak_midnight_well_above_normal_hour(fc, demo_history):
    pre = demo_history[(demo_history["queue"] == "presale")
                       & (demo_history["ds"] >= "2026-09-01") & (demo_history["ds"] < "2026-10-01")]
    normal_hour = pre["y"].mean()
    p = fc[fc["queue"] == "presale"].set_index("ds")
    midnight = p.loc[pd.Timestamp("2026-11-11 00:00"), "mean"]
    assert midnight > 5 * normal_hour
    day_avg = p.loc["2026-11-11", "mean"].mean()
    assert midnight > 2 * day_avg  # the sharpest hour of the peak day


def _move_final_payment(promotions, event, new_start):
    ph = promotions.phases.copy()
    sel = (ph["event"] == event) & (ph["phase"] == "final_payment")
    length = ph.loc[sel, "end"] - ph.loc[sel, "start"]
    ph.loc[sel, "start"] = pd.Timestamp(new_start)
    ph.loc[sel, "end"] = pd.Timestamp(new_start) + length
    return dataclasses.replace(promotions, phases=ph)


def test_moving_final_payment_moves_the_spike(demo_history, demo_promotions):
    model = PromoForecaster(n_draws=200)
    before = model.fit(demo_history, demo_promotions).predict("2026-11-10", "2026-11-11", "double11-2026")
    moved = _move_final_payment(demo_promotions, "double11-2026", "2026-11-11 00:00")
    after = PromoForecaster(n_draws=200).fit(demo_history, moved).predict("2026-11-10", "2026-11-11", "double11-2026")
    for q in ("reminder", "presale"):
        b = before[before["queue"] == q].set_index("ds")["mean"]
        a = after[after["queue"] == q].set_index("ds")["mean"]
        eve, midnight = pd.Timestamp("2026-11-10 20:00"), pd.Timestamp("2026-11-11 00:00")
        assert a[eve] < 0.7 * b[eve], q   # the 20:00 spike is gone
        assert a[midnight] > 1.3 * b[midnight], q  # and lands at midnight


def test_deterministic_and_seed_matters(demo_history, demo_promotions):
    kw = dict(n_draws=200)
    a = forecast(demo_history, demo_promotions, "2026-11-10", "2026-11-12", **kw)
    b = forecast(demo_history, demo_promotions, "2026-11-10", "2026-11-12", **kw)
    c = forecast(demo_history, demo_promotions, "2026-11-10", "2026-11-12", seed=1, **kw)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["p90"], c["p90"])


def test_holdout_double11_2025_is_sane(demo_history, demo_promotions):
    from forecasts.backtest import holdout_accuracy
    acc = holdout_accuracy(demo_history, demo_promotions, "2025-10-15", "2025-11-01", "2025-11-18",
                           "double11-2025", n_draws=300).set_index("queue")
    assert acc.loc["all", "wape"] < 0.3
    assert 0.6 <= acc.loc["all", "coverage"] <= 0.95


def test_unknown_event_is_an_input_error(demo_history, demo_promotions):
    from forecasts.errors import InputError
    model = PromoForecaster(n_draws=10).fit(demo_history, demo_promotions)
    with pytest.raises(InputError, match="unknown event 'double11-2099'"):
        model.predict(*WINDOW, event="double11-2099")


def test_a_kind_with_one_past_event_keeps_its_own_level(demo_history, demo_promotions, monkeypatch):
    """Before 618-2025 the only past 618 ran below the pooled profile (which also holds two Double 11s):
    the kind's level pulls the 618 peak-day forecast down, toward what happened."""
    train = demo_history[demo_history["ds"] < pd.Timestamp("2025-06-04")]
    peak = demo_history[demo_history["ds"].dt.normalize() == pd.Timestamp("2025-06-18")]

    def peak_total():
        f = PromoForecaster(n_draws=300).fit(train, demo_promotions).predict("2025-06-18", "2025-06-18", "618-2025")
        return f["mean"].sum()

    with_kind = peak_total()
    monkeypatch.setattr(scale, "kind_level", lambda kinds, event, named, log_s, tau2: (0.0, tau2))
    pooled = peak_total()
    assert peak["y"].sum() < with_kind < 0.95 * pooled
