"""One contract test run over every model: the forecaster and the baselines share fit/predict."""
import numpy as np
import pandas as pd
import pytest

from forecasts.backtest import MODELS
from forecasts.model import forecast

WINDOW = ("2026-11-01", "2026-11-18")
EVENT = "double11-2026"


@pytest.fixture(scope="module", params=[*sorted(MODELS), "model_linked"])
def fitted(request, demo_history, demo_promotions):
    name = "model" if request.param == "model_linked" else request.param
    params = {"n_draws": 200} if name == "model" else {}
    if request.param == "model_linked":  # the demo's queue links: the after-sales wave, the reminder share
        params.update(waves={"aftersale": "presale"}, shares={"reminder": "presale"})
    model = MODELS[name](**params).fit(demo_history, demo_promotions)
    return request.param, model, model.predict(*WINDOW, EVENT)


def test_contract(fitted, demo_history):
    _, _, fc = fitted
    queues = sorted(demo_history["queue"].unique())
    assert list(fc.columns) == ["queue", "ds", "mean", "p10", "p50", "p90"]
    assert len(fc) == len(queues) * 18 * 24
    assert sorted(fc["queue"].unique()) == queues
    assert fc["ds"].min() == pd.Timestamp("2026-11-01") and fc["ds"].max() == pd.Timestamp("2026-11-18 23:00")
    num = fc[["mean", "p10", "p50", "p90"]]
    assert all(num.dtypes == float)
    assert not num.isna().any().any()
    assert (num >= 0).all().all()
    assert (fc["p10"] <= fc["p50"]).all() and (fc["p50"] <= fc["p90"]).all()


def test_fit_returns_self_and_state_ends_in_underscore(demo_history, demo_promotions):
    for name, make in MODELS.items():
        model = make()
        assert not [k for k in vars(model) if k.endswith("_")], name
        assert model.fit(demo_history, demo_promotions) is model, name
        assert [k for k in vars(model) if k.endswith("_")], name


def test_fit_predict_equals_forecast(demo_history, demo_promotions):
    a = MODELS["model"](n_draws=200).fit(demo_history, demo_promotions).predict(*WINDOW, EVENT)
    b = forecast(demo_history, demo_promotions, *WINDOW, event=EVENT, n_draws=200)
    pd.testing.assert_frame_equal(a, b)


def test_single_queue_non_integer_counts(demo_history, demo_promotions):
    one = demo_history[demo_history["queue"] == "presale"].assign(y=lambda f: f["y"] * 0.37)
    for name, make in MODELS.items():
        fc = make().fit(one, demo_promotions).predict(*WINDOW, EVENT)
        assert set(fc["queue"]) == {"presale"} and np.isfinite(fc["mean"]).all(), name
