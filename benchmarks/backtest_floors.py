"""How low the demo backtest's peak-day WAPE can go with the forecaster's shape: its scale known ex post.

The demo backtest (``peakplan backtest --leads 14,1``: seven events, the demo plan's after-sales
wave and reminder share) is run as usual, then again with the planned event's scale ``log S``
(:func:`forecasts.inevent.in_event_scale`'s answer) replaced by what the event turned out to be,
measured on its own realised hours against the same pooled profile (:func:`forecasts.scale.excess`
on the **history** frame ``queue, ds, y`` of the whole demo, each event against its own baseline):

* ``remaining``: its hours from the cut-off to its end, the quantity a re-forecast estimates (the
  rest of the event's size; the peak day's own busyness draw is not in it);
* ``eve+peak``: its eve and peak day (``forecasts.scale.SCALE_KDAYS``, what a past event's scale is
  measured on), busyness included;
* ``peak day``: the peak day alone, so the peak day's total is nearly exact and what is left of the
  peak-day WAPE is the hours' shape and the queues' mix.

and, for comparison, a level any planner could set:

* ``kind mean``: the peak day's excess per baseline hour, ``Σ(y − b)/Σb`` summed over queues, equal to the
  mean of the past events of its kind (the model's own scale when it has none), the comparator of issue 20.

No estimator of the level can beat ``remaining`` by much on average (it would have to foresee the
peak day's busyness), so its peak-day WAPE bounds what a better scale estimate can buy. Prints one
line per variant: pooled peak-day WAPE, window WAPE and P10-P90 coverage at each lead, then the
peak-day WAPE of each event. A diagnostic (about 30 s); it changes nothing in the forecaster.

Usage: ``python benchmarks/backtest_floors.py``
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from forecasts.backtest import run_leads, summarise  # noqa: E402
from forecasts.history import read_history  # noqa: E402
from forecasts.inevent import in_event_scale  # noqa: E402
from forecasts.model import PromoForecaster  # noqa: E402
from forecasts.promotions import read_promotions  # noqa: E402
from forecasts.scale import SCALE_KDAYS, excess  # noqa: E402
from scheduler.demo import DEMO_DIR  # noqa: E402
from scheduler.plan.load import load_plan  # noqa: E402

LEADS = (14, 1)
HOUR_NS = 3_600 * 10**9


def ex_post(full: PromoForecaster, which: str):
    """An ``in_event_scale`` stand-in returning the event's realised ``log S`` over the hours ``which``
    (``remaining``, ``eve+peak`` or ``peak day``) against the pooled profile, with the variance the
    forecaster would have given (so the bands are the forecaster's)."""
    def scale(event, promotions, pools, residuals, partial, prior, kappa, weeks):
        _, var = in_event_scale(event, promotions, pools, residuals, partial, prior, kappa, weeks)
        seen = [int(partial[q][event].t.max()) for q in pools if event in partial.get(q, {})]
        cut = max(seen) + HOUR_NS if seen else -np.inf
        x = p = 0.0
        for q, prof in pools.items():
            d = full.residuals_[q].get(event)
            if prof is None or d is None:
                continue
            mask = {"remaining": d.t >= cut, "eve+peak": np.isin(d.kday, SCALE_KDAYS), "peak day": d.kday == 0}[which]
            xq, pq = excess(d, prof.comps, mask)
            x, p = x + xq, p + pq
        return float(np.log(x / p)), var
    return scale


def peak_excess(books: dict, pools: dict | None = None) -> tuple[float, float]:
    """Over the peak day of one event (queue → its :class:`~forecasts.residuals.EventData`): the observed
    excess ``Σ(y − b)`` (or, with ``pools``, the profile's ``Σ b(U − 1)``) and the baseline ``Σb``."""
    x = b = 0.0
    for q, d in books.items():
        on = d.kday == 0
        x += excess(d, pools[q].comps, on)[1] if pools else float((d.y - d.b)[on].sum())
        b += float(d.b[on].sum())
    return x, b


def kind_mean(full: PromoForecaster):
    """An ``in_event_scale`` stand-in setting the peak day's excess per baseline hour to the mean of the past
    events of the planned event's kind (the forecaster's own answer when there is none)."""
    def scale(event, promotions, pools, residuals, partial, prior, kappa, weeks):
        loc, var = in_event_scale(event, promotions, pools, residuals, partial, prior, kappa, weeks)
        kinds = promotions.kinds()
        qs = [q for q in pools if pools[q] is not None and event in full.residuals_[q]]
        same = sorted({e for q in qs for e in residuals[q] if kinds[e] == kinds[event]})
        if not same:
            return loc, var
        z = np.mean([np.divide(*peak_excess({q: residuals[q][e] for q in qs if e in residuals[q]})) for e in same])
        p, b = peak_excess({q: full.residuals_[q][event] for q in qs}, pools)
        return float(np.log(z * b / p)), var
    return scale


def line(label: str, scores) -> str:
    """``label``, then per lead the pooled scores and each event's peak-day WAPE."""
    out = [f"{label:10s}"]
    for lead in LEADS:
        s = scores[scores["lead"] == lead].drop(columns="lead")
        r = summarise(s).iloc[0]
        each = " ".join(f"{v:.3f}" for v in s["wape_peak_day"])
        out.append(f"| {lead:2d} d: peak day {r.wape_peak_day:.3f} window {r.wape:.3f} "
                   f"coverage {r.band_coverage:.3f} [{each}]")
    return " ".join(out)


def main() -> None:
    warnings.simplefilter("ignore")
    plan = load_plan(DEMO_DIR / "demo.toml")
    hist, promos = read_history(plan.history), read_promotions(plan.promotions)
    links = {"waves": plan.waves, "shares": plan.shares}
    full = PromoForecaster(**links).fit(hist, promos)
    scores, _ = run_leads(hist, promos, LEADS, models=("model",), **links)
    print(f"events: {', '.join(scores.loc[scores['lead'] == LEADS[0], 'event'])}")
    print(line("model", scores))
    variants = {which: ex_post(full, which) for which in ("remaining", "eve+peak", "peak day")}
    for label, stand_in in {"kind mean": kind_mean(full), **variants}.items():
        with mock.patch("forecasts.model.in_event_scale", stand_in):
            scores, _ = run_leads(hist, promos, LEADS, models=("model",), **links)
        print(line(label, scores))


if __name__ == "__main__":
    main()
