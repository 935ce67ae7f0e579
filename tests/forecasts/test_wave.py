"""The after-sales wave: a lagged response to the sale's orders (forecasts.wave and its use in the model)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasts.backtest import HOUR, backtest_events, holdout_accuracy
from forecasts.errors import InputError
from forecasts.model import PHASE_ORDER, PromoForecaster
from forecasts.wave import LAGS, Sample, fit_wave, kernel, respond

N = 40 * 24  # hours of a synthetic event


def _sample(lag: float, ratio: float, shape: float = 4.0, noise: np.ndarray | None = None) -> Sample:
    """A synthetic event: orders on 'day 20' (28 hours), a baseline of 50 an hour, the wave exactly."""
    orders = np.zeros(N)
    orders[20 * 24 - 4: 21 * 24] = np.linspace(6.0, 1.0, 28)
    b = np.full(N, 50.0)
    y = b * (1 + ratio * respond(orders, lag, shape)) + (0 if noise is None else noise)
    fit = np.zeros(N, dtype=bool)
    fit[21 * 24:] = True
    return Sample(orders=orders, y=y, b=b, fit=fit)


def test_kernel_is_a_distribution_with_its_mean():
    k = kernel(5.0, 4.0)
    assert k.min() >= 0 and k.sum() == pytest.approx(1.0)
    assert (np.arange(k.size) + 0.5) @ k / 24 == pytest.approx(5.0, abs=0.05)


@settings(max_examples=15, deadline=None)
@given(lag=st.sampled_from(list(LAGS[4:36])), ratio=st.floats(0.2, 3.0))
def test_fit_recovers_each_events_lag_and_ratio(lag, ratio):
    wave = fit_wave({"a": _sample(lag, ratio), "b": _sample(3.0, 1.0)})
    assert wave.shape == 4.0 and wave.events == ("a", "b")
    assert wave.lags[0] == pytest.approx(lag) and wave.ratios[0] == pytest.approx(ratio, rel=1e-6)


def test_no_orders_no_wave():
    s = _sample(4.0, 1.0)
    assert fit_wave({"a": Sample(orders=np.zeros(N), y=s.y, b=s.b, fit=s.fit)}) is None


def test_early_wave_weights_the_pair_that_predicts_it():
    wave = fit_wave({"short": _sample(3.0, 1.0), "long": _sample(7.0, 2.0)})
    early = _sample(7.0, 2.0, noise=np.random.default_rng(0).normal(0, 3, N))
    early = Sample(orders=early.orders, y=early.y, b=early.b, fit=early.fit & (np.arange(N) < 24 * 24))
    w = wave.weights(early, kappa=100.0, among=[0, 1])
    assert w[wave.events.index("long")] > 0.95


def test_wave_queue_loses_its_after_sales_profile(demo_history, demo_promotions):
    model = PromoForecaster(n_draws=50, waves={"aftersale": "presale"}).fit(demo_history, demo_promotions)
    wave = model.waves_["aftersale"]
    assert set(wave.events) == set(model.residuals_["aftersale"])
    assert (wave.lags >= 2.0).all() and (wave.ratios > 0).all()
    after = PHASE_ORDER.index("aftersales")
    cells = [c for d in model.residuals_["aftersale"].values() for c in d.cells]
    assert cells and all(c[0] != after for c in cells)
    assert any(c[0] == after for d in model.residuals_["presale"].values() for c in d.cells)  # other queues keep it


def test_unknown_wave_queue_is_named(demo_history, demo_promotions):
    with pytest.raises(InputError, match="wave returns → presale"):
        PromoForecaster(waves={"returns": "presale"}).fit(demo_history, demo_promotions)


def test_reforecast_during_the_wave_beats_the_free_profile(demo_history, demo_promotions):
    """Three days after the peak, the wave read from its first days forecasts the rest of the after-sales
    queue better than a free day × hour profile (pooled over the demo's last four events)."""
    h = demo_history.assign(ds=pd.to_datetime(demo_history["ds"]).astype("datetime64[ns]"))
    events = backtest_events(h, demo_promotions, lead_days=-3).tail(4)
    err = {}
    for waves in (None, {"aftersale": "presale"}):
        tot = act = 0.0
        for ev in events.itertuples(index=False):
            acc = holdout_accuracy(h, demo_promotions, ev.cutoff, ev.start, ev.end - HOUR, ev.event,
                                   n_draws=200, waves=waves).set_index("queue")
            a = h[(h["queue"] == "aftersale") & (h["ds"] >= ev.start) & (h["ds"] < ev.end)]["y"].sum()
            tot, act = tot + acc.loc["aftersale", "wape"] * a, act + a
        err[waves is None] = tot / act
    assert err[False] < err[True] - 0.03
