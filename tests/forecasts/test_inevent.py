"""The in-event re-forecast: ``forecast(..., as_of=...)`` and the scale re-estimated from the event's own hours."""
import numpy as np
import pandas as pd
import pytest

from forecasts.errors import InputError
from forecasts.history import read_history
from forecasts.model import PromoForecaster, forecast
from scheduler.demo import DEMO_IN_PROGRESS

KW = dict(n_draws=200, waves={"aftersale": "presale"}, shares={"reminder": "presale"})
EVE = "2026-11-11"


@pytest.fixture(scope="module")
def in_progress():
    return read_history(DEMO_IN_PROGRESS)


def _peak_day(fc):
    return float(fc.loc[fc["ds"].dt.normalize() == pd.Timestamp(EVE), "mean"].sum())


def _warmup_scaled(history, factor):
    """The in-progress history with double11-2026's warm-up excess over the week before it × ``factor``."""
    h = history.copy()
    warm = (h["ds"] >= "2026-11-01") & (h["ds"] < EVE)
    ref = h[(h["ds"] >= "2026-10-01") & (h["ds"] < "2026-10-15")].groupby("queue")["y"].mean()
    b = h.loc[warm, "queue"].map(ref)
    h.loc[warm, "y"] = np.maximum(np.round(b + factor * (h.loc[warm, "y"] - b)), 0)
    return h


def test_as_of_uses_only_the_hours_before_it(in_progress, demo_promotions):
    cut = pd.Timestamp("2026-11-06 00:00")
    a = forecast(in_progress, demo_promotions, EVE, EVE, "double11-2026", as_of=cut, **KW)
    b = PromoForecaster(**KW).fit(in_progress[in_progress["ds"] < cut], demo_promotions).predict(EVE, EVE, "double11-2026")
    pd.testing.assert_frame_equal(a, b)


def test_the_eve_follows_the_warm_up_seen(in_progress, demo_promotions):
    fcs = {f: _peak_day(forecast(_warmup_scaled(in_progress, f), demo_promotions, EVE, EVE, "double11-2026",
                                 as_of=EVE, **KW)) for f in (0.5, 1.0, 2.0)}
    assert fcs[0.5] < 0.95 * fcs[1.0] and fcs[2.0] > 1.05 * fcs[1.0]


def test_the_eve_narrows_the_bands(demo_history, in_progress, demo_promotions):
    before = forecast(demo_history, demo_promotions, EVE, EVE, "double11-2026", **KW)
    eve = forecast(in_progress, demo_promotions, EVE, EVE, "double11-2026", as_of=EVE, **KW)
    width = lambda f: float((f["p90"] - f["p10"]).sum())  # noqa: E731
    assert width(eve) < width(before)


@pytest.mark.parametrize("as_of, match", [("not a time", "as_of 'not a time' is not a time"),
                                          ("2000-01-01", "no history before as_of 2000-01-01 00:00")])
def test_bad_as_of_is_one_line(in_progress, demo_promotions, as_of, match):
    with pytest.raises(InputError, match=match):
        forecast(in_progress, demo_promotions, EVE, EVE, "double11-2026", as_of=as_of, **KW)
