"""Unpaid orders as a per-phase share of the orders queue's uplift (forecasts.share and its use in the model)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasts.backtest import HOUR, backtest_events
from forecasts.errors import InputError
from forecasts.model import PHASE_ORDER, PromoForecaster
from forecasts.promotions import Promotions
from forecasts.share import Share, event_ratios, fit_share

N_PHASES = len(PHASE_ORDER)


@settings(max_examples=30, deadline=None)
@given(ratios=st.lists(st.floats(0.0, 12.0), min_size=N_PHASES, max_size=N_PHASES),
       seed=st.integers(0, 2**16))
def test_event_ratios_recover_each_phases_share(ratios, seed):
    """Counts built exactly as ``b_d·(1 + ρ_φ·rel)`` give back every ``ρ_φ``, and noise in the orders
    queue's relative excess that sums to zero within a phase does not move it."""
    rng = np.random.default_rng(seed)
    phase = np.repeat(np.arange(-1, N_PHASES), 24)
    rel = rng.uniform(0.2, 5.0, phase.size)
    b = rng.uniform(2.0, 40.0, phase.size)
    rho = np.where(phase >= 0, np.array(ratios)[np.maximum(phase, 0)], 0.0)
    y = b * (1 + rho * rel)
    got, overall = event_ratios(rel, y, b, phase, N_PHASES)
    assert got == pytest.approx(ratios, abs=1e-9)
    assert overall == pytest.approx(float((y - b)[phase >= 0].sum() / (b * rel)[phase >= 0].sum()))


def test_a_phase_an_event_lacks_takes_the_others_mean_then_its_own_overall():
    share = fit_share({"a": (np.array([1.0, 3.0, np.nan, 1.0, 0.5]), 1.2),
                       "b": (np.array([2.0, np.nan, np.nan, 1.0, 0.5]), 1.8),
                       "none": (np.full(N_PHASES, np.nan), np.nan)})  # no excess to share: left out
    assert share.events == ("a", "b")
    table = share.table([0, 1])
    assert table[1, 1] == 3.0  # b has no deposit: a's
    assert table[:, 2].tolist() == [1.2, 1.8]  # nobody has a final payment: each event's overall
    assert isinstance(share, Share) and fit_share({"none": (np.full(N_PHASES, np.nan), np.nan)}) is None


def test_demo_reminders_share_more_of_a_final_payment_hour_than_of_the_peak_day(demo_history, demo_promotions):
    """The demo's unpaid orders spike at the deposit and final-payment openings far above the pre-sale
    chats (the orders queue), and follow them about one for one on the peak day."""
    model = PromoForecaster(n_draws=50, shares={"reminder": "presale"}).fit(demo_history, demo_promotions)
    share = model.shares_["reminder"]
    assert set(share.events) == set(model.residuals_["reminder"])
    table = share.table(list(range(len(share.events))))
    k = {p: PHASE_ORDER.index(p) for p in ("deposit", "final_payment", "peak")}
    assert (table[:, k["final_payment"]] > 2 * table[:, k["peak"]]).all()
    assert (table[:, k["deposit"]] > 1.5 * table[:, k["peak"]]).all()
    assert np.median(table[:, k["peak"]]) == pytest.approx(1.0, abs=0.35)


def test_moving_the_final_payment_moves_the_reminder_spike(demo_history, demo_promotions):
    """The planned calendar drives the driven queue: a final payment opening at 00:00 instead of 20:00
    on the eve moves the unpaid orders' spike with it."""
    phases = demo_promotions.phases.copy()
    fp = (phases["event"] == "double11-2026") & (phases["phase"] == "final_payment")
    phases.loc[fp, "start"] += pd.Timedelta(hours=4)
    phases.loc[fp, "end"] += pd.Timedelta(hours=4)
    moved = Promotions(events=demo_promotions.events, phases=phases)
    spike = {}
    for name, promos in (("eve", demo_promotions), ("midnight", moved)):
        fc = PromoForecaster(n_draws=100, shares={"reminder": "presale"}).fit(demo_history, promos) \
            .predict("2026-11-10", "2026-11-11", "double11-2026")
        rem = fc[fc["queue"] == "reminder"].set_index("ds")["mean"]
        spike[name] = rem.loc["2026-11-10 20:00"] / rem.loc["2026-11-11 00:00"]
    assert spike["eve"] > 1.5 * spike["midnight"]


def test_share_beats_the_reminders_own_profile_on_the_demo(demo_history, demo_promotions):
    """Two weeks ahead, pooled over the demo's seven backtested events: the reminders' WAPE is lower as a
    share of the pre-sale uplift than with their own day × hour profile (learned from about 6 orders an
    hour). The gain is largest with few past events; over the last four alone the two are about even."""
    h = demo_history.assign(ds=pd.to_datetime(demo_history["ds"]).astype("datetime64[ns]"))
    err = {}
    for shares in (None, {"reminder": "presale"}):
        tot = act = 0.0
        for ev in backtest_events(h, demo_promotions, lead_days=14).itertuples(index=False):
            fc = PromoForecaster(n_draws=200, shares=shares).fit(h[h["ds"] < ev.cutoff], demo_promotions) \
                .predict(ev.start, ev.end - HOUR, ev.event)
            both = fc[fc["queue"] == "reminder"].merge(h, on=["queue", "ds"])
            tot, act = tot + (both["y"] - both["mean"]).abs().sum(), act + both["y"].sum()
        err[shares is None] = tot / act
    assert err[False] < err[True] - 0.01


@pytest.mark.parametrize("shares,waves", [({"reminder": "orders"}, None), ({"reminder": "reminder"}, None),
                                          ({"reminder": "presale", "presale": "aftersale"}, None),
                                          ({"aftersale": "presale"}, {"aftersale": "presale"})])
def test_a_bad_share_is_named(demo_history, demo_promotions, shares, waves):
    with pytest.raises(InputError, match="share"):
        PromoForecaster(shares=shares, waves=waves).fit(demo_history, demo_promotions)
