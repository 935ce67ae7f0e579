"""run_backtest on the demo, the what-if multiplier, and the backtest click command."""
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from forecasts.backtest import backtest_events, run_backtest, run_leads, screen_events, summarise, summary_dict
from forecasts.errors import InputError, InputWarning
from forecasts.model import PromoForecaster
from scheduler.cli.backtest import backtest

USBANK = Path(__file__).resolve().parents[3] / "shared" / "data" / "usbank2003_hourly_calls.csv"


@pytest.fixture(scope="module")
def scores(demo_history, demo_promotions):
    return run_backtest(demo_history, demo_promotions, lead_days=14, n_draws=300)


def test_one_row_per_event_and_model(scores):
    assert set(scores["model"]) == {"model", "seasonal_naive", "previous_event"}
    assert scores.groupby("event").size().eq(3).all()
    assert scores.loc[scores["model"] != "model", "band_coverage"].isna().all()


def test_model_beats_both_baselines_on_the_demo(scores):
    s = summarise(scores).set_index("model")
    for base in ("seasonal_naive", "previous_event"):
        assert s.loc["model", "wape"] < s.loc[base, "wape"]
        assert s.loc["model", "wape_peak_day"] < s.loc[base, "wape_peak_day"]
    assert 0.7 <= s.loc["model", "band_coverage"] <= 0.9


def test_summary_dict_is_json_ready(scores):
    d = summary_dict(scores)
    assert set(d["model"]) == {"wape", "wape_peak_day", "peak_hour_error", "band_coverage"}
    assert d["seasonal_naive"]["band_coverage"] is None
    json.dumps(d)


def test_no_event_to_backtest_is_an_input_error(demo_history, demo_promotions):
    with pytest.raises(InputError, match="no event to backtest"), pytest.warns(InputWarning, match="not scored"):
        run_backtest(demo_history, demo_promotions, lead_days=2000)


def test_peak_multiplier_sets_the_peak_day(demo_history, demo_promotions):
    kw = dict(n_draws=300)
    base = PromoForecaster(**kw).fit(demo_history, demo_promotions)
    learned = base.predict("2026-11-11", "2026-11-11", "double11-2026")
    what_if = PromoForecaster(peak_multiplier=8, **kw).fit(demo_history, demo_promotions)
    fc = what_if.predict("2026-11-11", "2026-11-11", "double11-2026")
    d = pd.Timestamp("2026-11-11").value // (86_400 * 10**9)  # day number since the epoch
    normal = sum(m.at(np.full(24, d), np.full(24, (d + 3) % 7), np.arange(24)).sum() for m in base.baseline_.values())
    assert fc["mean"].sum() == pytest.approx(8 * normal, rel=0.03)
    # shape kept: the busiest hour of each queue is unchanged
    for q in base.queues_:
        assert learned[learned.queue == q]["mean"].idxmax() == fc[fc.queue == q]["mean"].idxmax()
    with pytest.raises(InputError, match="peak_multiplier"):
        PromoForecaster(peak_multiplier=0.5, n_draws=10).fit(demo_history, demo_promotions).predict(
            "2026-11-11", "2026-11-11", "double11-2026")


def test_cli_json_on_the_demo():
    res = CliRunner().invoke(backtest, ["--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"events", "left_out", "leads"} and list(out["leads"]) == ["14"]
    lead = out["leads"]["14"]
    assert lead["events"] == out["events"] == sorted(lead["per_event"])
    assert set(lead["summary"]) == {"model", "seasonal_naive", "previous_event"}
    assert set(lead["per_event"]["double11-2025"]) == {"cutoff", "model", "seasonal_naive", "previous_event"}
    assert set(out["left_out"]) == {"double11-2023", "double12-2023"}
    assert res.stderr.count("warning: backtest: ") == 2


def test_leads_score_the_same_events(demo_history, demo_promotions):
    with pytest.warns(InputWarning) as caught:
        scores, left_out = run_leads(demo_history, demo_promotions, (1, 14), models=("model",), n_draws=50)
    per_lead = scores.groupby("lead")["event"].apply(lambda e: sorted(e))
    assert per_lead[14] == per_lead[1] and "double12-2023" not in per_lead[14]
    # the eve alone would score double12-2023 from 40 days of history: left out, said in one line
    assert "double12-2023: 40 days of history (under 56) before its cut-off 2023-12-11" in left_out["double12-2023"]
    assert all("\n" not in str(w.message) for w in caught)


def test_an_event_with_nothing_like_it_before_is_left_out(demo_history, demo_promotions):
    kept, left_out = screen_events(demo_history, demo_promotions, lead_days=1, min_history_days=0)
    assert "double12-2023" not in set(kept["event"])
    assert "no earlier event of kind double12 before" in left_out["double12-2023"]
    assert "618-2024" in set(kept["event"])  # double11-2023 has its phases


@pytest.mark.parametrize("args, match", [(["--leads", "14,x"], "--leads '14,x': expected whole days"),
                                         (["--leads", "14", "--lead-days", "7"], "either --lead-days or --leads"),
                                         (["--leads", "7,7"], "a lead given twice")])
def test_cli_bad_leads_are_one_line(args, match):
    res = CliRunner().invoke(backtest, args)
    assert res.exit_code == 1 and match in res.output and res.output.count("\n") == 1


def test_cli_table_with_files(tmp_path):
    demo = Path(__file__).resolve().parents[2] / "scheduler" / "demo"
    res = CliRunner().invoke(backtest, ["--history", str(demo / "history.csv"),
                                        "--promotions", str(demo / "promotions.csv"), "--lead-days", "10"])
    assert res.exit_code == 0, res.output
    assert "summary" in res.output and "seasonal_naive" in res.output


def test_cli_user_errors_are_one_line(tmp_path):
    res = CliRunner().invoke(backtest, ["--history", str(tmp_path / "none.csv"), "--promotions", "x.csv"])
    assert res.exit_code == 1
    assert res.output.startswith("Error: ") and res.output.count("\n") == 1
    assert "Traceback" not in res.output
    res = CliRunner().invoke(backtest, ["--history", "h.csv"])
    assert res.exit_code == 1 and "go together" in res.output
    res = CliRunner().invoke(backtest, ["--history", "h.csv", "--promotions", "p.csv", "--wave", "aftersale"])
    assert res.exit_code == 1 and "--wave 'aftersale': expected QUEUE=ORDERS" in res.output
    res = CliRunner().invoke(backtest, ["--history", "h.csv", "--promotions", "p.csv", "--share", "reminder:presale"])
    assert res.exit_code == 1 and "--share 'reminder:presale': expected QUEUE=ORDERS" in res.output
    res = CliRunner().invoke(backtest, ["--share", "reminder=presale"])
    assert res.exit_code == 1 and "go with --history" in res.output


def test_reforecast_after_the_peak_scores_the_rest_of_the_event(demo_history, demo_promotions):
    events = backtest_events(demo_history, demo_promotions, lead_days=-3)
    assert (events["cutoff"] == events["peak"].dt.normalize() + pd.Timedelta(days=3)).all()
    assert (events["start"] == events["cutoff"]).all()
    scores = run_backtest(demo_history, demo_promotions, lead_days=-3, models=("model",), n_draws=50,
                          waves={"aftersale": "presale"})
    assert scores["wape_peak_day"].isna().all() and scores["wape"].between(0, 1).all()


def test_cli_help_has_an_example():
    res = CliRunner().invoke(backtest, ["--help"])
    assert res.exit_code == 0 and "Example" in res.output and "peakplan backtest" in res.output


@pytest.mark.skipif(not USBANK.exists(), reason=f"real data not present: {USBANK} (the ../shared folder)")
def test_usbank_model_beats_seasonal_naive():
    import importlib.util
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "backtest_usbank.py"
    spec = importlib.util.spec_from_file_location("backtest_usbank", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    history = mod.load_history(USBANK)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = summarise(run_backtest(history, mod.holiday_promotions(history), n_draws=300)).set_index("model")
    assert s.loc["model", "wape"] < s.loc["seasonal_naive", "wape"]
