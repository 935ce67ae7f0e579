"""Backtest the forecaster against baselines on past events.

Takes the **history** frame (``queue, ds, y``) and a :class:`~forecasts.promotions.Promotions`
calendar; returns

* :func:`run_backtest`: a **scores** frame, one row per (event, model): ``event, model,
  cutoff, hours, wape, wape_peak_day, peak_hour_error, band_coverage``;
* :func:`summarise`: a **summary** frame, one row per model, the same scores pooled over
  every event (WAPEs as Σ|error| / Σactual over all events, the peak-hour error as the mean
  over events, coverage as the share over all hours);
* :func:`run_leads`: the scores at several leads (a ``lead`` column first) on the same events,
  and the events left out with the reason (:func:`report_dict` makes both JSON-ready).

Protocol, for each past event with enough history before it (:func:`screen_events`: at least
8 weeks, and an earlier event of its kind or with its set of phases to learn its shape from; an
event without is left out with a one-line warning, so scores at different leads stay comparable):

* the cut-off is ``lead_days`` days before the event's anchor, 00:00: the **peak** day by
  default (``anchor="peak"``: a plan is made a few weeks before the sale day, when the warm-up
  has often begun), or the event's first hour (``anchor="start"``); a negative ``lead_days``
  puts it after the anchor: a re-forecast during the event (``-3``: three days after the peak
  day began, to re-plan the rest of the after-sales wave; the peak-day scores are then n/a);
* every model is fitted on the history strictly before the cut-off and forecasts the event's
  window from the cut-off (or the event's start, if later) to the event's end; hours before
  the cut-off are known and not scored;
* scores, over the window's hours that have an actual (all queues):
  ``wape`` = Σ|y − mean| / Σy; ``wape_peak_day`` the same over the peak's calendar day;
  ``peak_hour_error`` = |mean − y| / y at each queue's busiest actual hour, averaged over
  queues; ``band_coverage`` = share of actual hours inside [p10, p90] (NaN for models
  without bands).

Models (all share ``fit(history, promotions)`` / ``predict(start, end, event)``):
``model`` (:class:`~forecasts.model.PromoForecaster`), ``seasonal_naive`` (the same hour one
week before the cut-off, repeated) and ``previous_event`` (the previous event of the same kind
aligned on its peak day, scaled by the change in baseline level).

``peakplan backtest`` prints the demo's table (with the demo plan's after-sales wave).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecasts.errors import InputError, InputWarning
from forecasts.model import PromoForecaster
from forecasts.promotions import Promotions
from forecasts.uplift import OPENINGS, same_phases

HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)
SCORE_COLUMNS = ("wape", "wape_peak_day", "peak_hour_error", "band_coverage")


def _frame(queue: str, ds: pd.DatetimeIndex, mean: np.ndarray) -> pd.DataFrame:
    mean = np.nan_to_num(np.asarray(mean, dtype=float)).clip(min=0.0)
    return pd.DataFrame({"queue": queue, "ds": ds.astype("datetime64[ns]"), "mean": mean,
                         "p10": mean, "p50": mean, "p90": mean})


def _hours(start, end) -> pd.DatetimeIndex:
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if last < first:
        raise InputError(f"forecast window: end {last:%Y-%m-%d} is before start {first:%Y-%m-%d}")
    return pd.date_range(first, last + DAY - HOUR, freq="h")


class SeasonalNaive:
    """Baseline: the last full week (168 hours) of the history, repeated. No bands (``p10 = p50 = p90 = mean``).

    Hours of that week missing from the history are taken from the week before (else 0).
    """

    has_bands = False

    def fit(self, history: pd.DataFrame, promotions: Promotions | None = None) -> "SeasonalNaive":
        """Store the last week of each queue (``last_week_``: queue → 168 values by hour of week)."""
        self.last_week_ = {}
        end = pd.Timestamp(history["ds"].max()).floor("h") + HOUR
        for q, g in history.groupby("queue", sort=True):
            s = g.set_index("ds")["y"]
            week = pd.date_range(end - 7 * DAY, end - HOUR, freq="h")
            vals = s.reindex(week).to_numpy(dtype=float)
            older = s.reindex(week - 7 * DAY).to_numpy(dtype=float)
            vals = np.where(np.isnan(vals), older, vals)
            self.last_week_[q] = pd.Series(np.nan_to_num(vals), index=(week.day_of_week * 24 + week.hour))
        return self

    def predict(self, start, end, event: str | None = None) -> pd.DataFrame:
        """Forecast ``start`` 00:00 .. ``end`` 23:00 (``event`` is ignored)."""
        ds = _hours(start, end)
        how = ds.day_of_week * 24 + ds.hour
        return pd.concat([_frame(q, ds, w.reindex(how).to_numpy()) for q, w in self.last_week_.items()],
                         ignore_index=True)


def _level(history: pd.DataFrame, promotions: Promotions, before: pd.Timestamp, days: int = 28) -> pd.Series:
    """Mean hourly count per queue over the normal days (outside every event ± 3 days) of the ``days`` before ``before``."""
    h = history[(history["ds"] < before) & (history["ds"] >= before - days * DAY)]
    keep = np.ones(len(h), dtype=bool)
    for ev in promotions.events.itertuples(index=False):
        keep &= ~((h["ds"] >= ev.start - 3 * DAY) & (h["ds"] < ev.end + 3 * DAY)).to_numpy()
    use = h[keep] if keep.sum() > 0.25 * len(h) else h
    return use.groupby("queue")["y"].mean()


class PreviousEvent:
    """Baseline: the previous event of the same kind (else of any kind), aligned on its peak day
    (same clock hour, same day offset to the peak), scaled per queue by the change in baseline
    level (mean hourly count of the 28 normal days before each event's start). Hours outside
    the event, or the previous event lacks, fall back to :class:`SeasonalNaive`. No bands.
    """

    has_bands = False

    def fit(self, history: pd.DataFrame, promotions: Promotions) -> "PreviousEvent":
        """Store the history, calendar and a fitted :class:`SeasonalNaive` fallback."""
        self.history_ = history[["queue", "ds", "y"]]
        self.promotions_ = promotions
        self.end_ = pd.Timestamp(history["ds"].max())
        self.naive_ = SeasonalNaive().fit(history)
        return self

    def _previous(self, event: str) -> pd.Series | None:
        ev = self.promotions_.event_row(event)
        evs = self.promotions_.events
        done = evs[(evs["end"] <= self.end_ + HOUR) & (evs["peak"] < ev["peak"])]
        same = done[done["kind"] == ev["kind"]]
        pick = same if len(same) else done
        return None if pick.empty else pick.sort_values("peak").iloc[-1]

    def predict(self, start, end, event: str | None = None) -> pd.DataFrame:
        """Forecast ``start`` 00:00 .. ``end`` 23:00 for ``event`` (required for the event part)."""
        out = self.naive_.predict(start, end)
        prev = self._previous(event) if event is not None else None
        if prev is None:
            return out
        ev = self.promotions_.event_row(event)
        shift = ev["peak"].normalize() - prev["peak"].normalize()
        now = _level(self.history_, self.promotions_, min(ev["start"], self.end_ + HOUR))
        then = _level(self.history_, self.promotions_, prev["start"])
        hist = self.history_.set_index(["queue", "ds"])["y"]
        for q in out["queue"].unique():
            sel = (out["queue"] == q) & (out["ds"] >= ev["start"]) & (out["ds"] < ev["end"])
            idx = pd.MultiIndex.from_arrays([np.full(sel.sum(), q), out.loc[sel, "ds"] - shift])
            past = hist.reindex(idx).to_numpy(dtype=float)
            ratio = now.get(q, np.nan) / then.get(q, np.nan)
            ratio = ratio if np.isfinite(ratio) and ratio > 0 else 1.0
            val = np.where(np.isnan(past), out.loc[sel, "mean"].to_numpy(), past * ratio)
            for col in ("mean", "p10", "p50", "p90"):
                out.loc[sel, col] = val
        return out


MODELS = {
    "model": lambda **params: PromoForecaster(**params),
    "seasonal_naive": lambda **params: SeasonalNaive(),
    "previous_event": lambda **params: PreviousEvent(),
}


def _scores(both: pd.DataFrame, peak_day: pd.Timestamp, has_bands: bool) -> dict:
    err = (both["y"] - both["mean"]).abs()
    on_peak = both["ds"].dt.normalize() == peak_day
    peak_errs = []
    for _, g in both.groupby("queue"):
        top = g.loc[g["y"].idxmax()]
        if top["y"] > 0:
            peak_errs.append(abs(top["mean"] - top["y"]) / top["y"])
    inside = (both["y"] >= both["p10"]) & (both["y"] <= both["p90"])
    return {
        "abs_err": float(err.sum()), "actual": float(both["y"].sum()),
        "abs_err_peak": float(err[on_peak].sum()), "actual_peak": float(both.loc[on_peak, "y"].sum()),
        "n_inside": float(inside.sum()) if has_bands else np.nan,
        "peak_hour_error": float(np.mean(peak_errs)) if peak_errs else np.nan,
    }


MIN_HISTORY_DAYS = 56  # 8 weeks: the baseline's normal weeks


def screen_events(history: pd.DataFrame, promotions: Promotions, lead_days: int = 14, anchor: str = "peak",
                  min_history_days: int = MIN_HISTORY_DAYS) -> tuple[pd.DataFrame, dict[str, str]]:
    """The events :func:`run_backtest` scores at one lead, and those it leaves out with the reason.

    A past event (peak day in the history, an hour after the cut-off to score) is scored when the
    history holds at least ``min_history_days`` days before its cut-off and an earlier event of its
    kind (or, for an event with a deposit or final-payment opening, with its set of phases) has
    its peak there (something to learn its shape from, as :func:`forecasts.uplift.pooled_events`
    would pool); otherwise it is left out, with a one-line reason.

    Returns
    -------
    (DataFrame, dict)
        ``event, cutoff, start, end, peak`` (``start``/``end`` the scored window, end exclusive),
        and event → why it is left out.
    """
    if anchor not in ("peak", "start"):
        raise InputError(f"backtest: anchor {anchor!r}; expected 'peak' or 'start'")
    first, last = history["ds"].min(), history["ds"].max()
    rows, left_out = [], {}
    for ev in promotions.events.itertuples(index=False):
        cutoff = (ev.peak if anchor == "peak" else ev.start).normalize() - lead_days * DAY
        if not first <= ev.peak <= last or cutoff >= min(ev.end, last + HOUR):
            continue  # not a past event, or nothing after the cut-off to score
        why = _too_little(history, promotions, ev, cutoff, min_history_days)
        if why:
            left_out[ev.event] = f"{ev.event}: {why} before its cut-off {cutoff:%Y-%m-%d}; not scored"
            continue
        rows.append((ev.event, cutoff, max(cutoff, ev.start), min(ev.end, last + HOUR), ev.peak))
    return pd.DataFrame(rows, columns=["event", "cutoff", "start", "end", "peak"]), left_out


def _too_little(history: pd.DataFrame, promotions: Promotions, ev, cutoff: pd.Timestamp, min_days: int) -> str:
    """Why an event's cut-off leaves too little to learn from ('' when it does not)."""
    days = (cutoff - history["ds"].min()) / DAY
    if days < min_days:
        return f"{max(days, 0):.0f} days of history (under {min_days})"
    evs = promotions.events
    earlier = evs[(evs["peak"] < cutoff) & (evs["peak"] >= history["ds"].min())]
    opening = same_phases(promotions, ev.event, ev.event) & OPENINGS
    if not any(k == ev.kind or (opening and same_phases(promotions, e, ev.event))
               for e, k in zip(earlier["event"], earlier["kind"])):
        return f"no earlier event of kind {ev.kind or '(none)'}" + (" or with its phases" if opening else "")
    return ""


def backtest_events(history: pd.DataFrame, promotions: Promotions, lead_days: int = 14,
                    anchor: str = "peak", min_history_days: int = MIN_HISTORY_DAYS) -> pd.DataFrame:
    """The events :func:`run_backtest` scores (:func:`screen_events` without the reasons).

    Returns
    -------
    DataFrame
        ``event, cutoff, start, end, peak`` (``start``/``end`` the scored window, end exclusive).
    """
    return screen_events(history, promotions, lead_days, anchor, min_history_days)[0]


def run_backtest(history: pd.DataFrame, promotions: Promotions, lead_days: int = 14, anchor: str = "peak",
                 models: tuple[str, ...] = ("model", "seasonal_naive", "previous_event"),
                 events: list[str] | None = None, **params) -> pd.DataFrame:
    """Fit every model before each past event's cut-off, forecast the event, score it.

    Parameters
    ----------
    history : DataFrame
        ``queue, ds, y`` (counts may be non-integers; one queue is enough).
    promotions : Promotions
        Calendar of the events (only events in the history are scored).
    lead_days : int
        Days between the cut-off and the anchor day (negative: the cut-off is after the anchor, a re-forecast).
    anchor : {"peak", "start"}
        Whether ``lead_days`` counts back from the peak day or from the event's first hour.
    models : tuple of str
        Names from :data:`MODELS`.
    events : list of str, optional
        Score only these of the scorable events (:func:`run_leads` passes the events every lead has).
    **params
        Passed to :class:`~forecasts.model.PromoForecaster`.

    Returns
    -------
    DataFrame
        One row per (event, model): ``event, model, cutoff, hours, wape, wape_peak_day,
        peak_hour_error, band_coverage`` plus the sums :func:`summarise` pools
        (``abs_err, actual, abs_err_peak, actual_peak, n_inside``).

    Warns
    -----
    InputWarning
        One line per event left out (:func:`screen_events`).

    Raises
    ------
    InputError
        No event can be backtested, an unknown model name, bad ``lead_days``/``anchor``.
    """
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise InputError(f"backtest: unknown model(s) {', '.join(unknown)}; expected some of {', '.join(MODELS)}")
    history = _clean(history)
    scored, left_out = screen_events(history, promotions, lead_days, anchor)
    for why in left_out.values():
        warnings.warn(InputWarning(f"backtest: {why}"), stacklevel=2)
    if events is not None:
        scored = scored[scored["event"].isin(events)]
    if scored.empty:
        raise InputError(f"backtest: no event to backtest: each needs its peak in the history, {MIN_HISTORY_DAYS} days "
                         f"of history before its cut-off ({lead_days} days before its {anchor}) and an earlier "
                         "event of its kind or with its phases")
    rows = []
    for ev in scored.itertuples(index=False):
        rows.extend(_score_event(history, promotions, ev, models, params))
    return _derive(pd.DataFrame(rows))


def _clean(history: pd.DataFrame) -> pd.DataFrame:
    """The history's ``queue, ds, y`` with ``ds`` as datetime64[ns]."""
    return history[["queue", "ds", "y"]].assign(ds=lambda f: pd.to_datetime(f["ds"]).astype("datetime64[ns]"))


def _score_event(history: pd.DataFrame, promotions: Promotions, ev, models: tuple[str, ...], params: dict) -> list[dict]:
    """One scored event's rows: every model fitted before its cut-off, scored on its window."""
    train = history[history["ds"] < ev.cutoff]
    actual = history[(history["ds"] >= ev.start) & (history["ds"] < ev.end)]
    rows = []
    for name in models:
        model = MODELS[name](**params).fit(train, promotions)
        fc = model.predict(ev.start, ev.end - HOUR, ev.event)
        both = fc.merge(actual, on=["queue", "ds"], how="inner")
        sc = _scores(both, ev.peak.normalize(), getattr(model, "has_bands", True))
        rows.append({"event": ev.event, "model": name, "cutoff": ev.cutoff, "hours": len(both), **sc})
    return rows


def run_leads(history: pd.DataFrame, promotions: Promotions, leads: tuple[int, ...] = (14,), anchor: str = "peak",
              models: tuple[str, ...] = ("model", "seasonal_naive", "previous_event"),
              **params) -> tuple[pd.DataFrame, dict[str, str]]:
    """:func:`run_backtest` at each of ``leads`` on the same events: those scorable at every lead.

    Returns
    -------
    (DataFrame, dict)
        The scores with a ``lead`` column first, and event → why it is left out (at one lead:
        :func:`screen_events`; or because another lead cannot score it).

    Warns
    -----
    InputWarning
        One line per event left out.
    """
    if not leads:
        raise InputError("backtest: no lead given; expected one or more lead days, e.g. 14,7,1")
    history = _clean(history)
    screened = {lead: screen_events(history, promotions, lead, anchor) for lead in leads}
    left_out: dict[str, str] = {}
    for lead, (_, why) in screened.items():
        for event, reason in why.items():
            left_out.setdefault(event, f"{reason} at lead {lead}")
    common = set.intersection(*(set(f["event"]) for f, _ in screened.values())) - set(left_out)
    for lead, (f, _) in screened.items():
        for event in sorted(set(f["event"]) - common - set(left_out)):
            left_out[event] = f"{event}: not scorable at every lead; left out so the leads score the same events"
    for why in left_out.values():
        warnings.warn(InputWarning(f"backtest: {why}"), stacklevel=2)
    frames = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)  # said once above
        for lead in leads:
            frames.append(run_backtest(history, promotions, lead, anchor, models, events=sorted(common), **params)
                          .assign(lead=lead))
    out = pd.concat(frames, ignore_index=True)
    return out[["lead", *[c for c in out.columns if c != "lead"]]], left_out


def _derive(f: pd.DataFrame) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        f["wape"] = f["abs_err"] / f["actual"]
        f["wape_peak_day"] = f["abs_err_peak"] / f["actual_peak"]
        f["band_coverage"] = f["n_inside"] / f["hours"]
    return f


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    """Pool :func:`run_backtest` rows per model: ``model, events, wape, wape_peak_day, peak_hour_error, band_coverage``."""
    sums = ["abs_err", "actual", "abs_err_peak", "actual_peak", "hours"]
    g = scores.groupby("model", sort=False)
    out = g[sums].sum()
    out["n_inside"] = g["n_inside"].sum(min_count=1)
    out["peak_hour_error"] = g["peak_hour_error"].mean()
    out["events"] = g.size()
    out = _derive(out.reset_index())
    return out[["model", "events", *SCORE_COLUMNS]]


def _rounded(rec: dict) -> dict:
    """The score columns of a record, rounded, None for NaN."""
    return {k: (None if pd.isna(rec[k]) else round(float(rec[k]), 4)) for k in SCORE_COLUMNS}


def summary_dict(scores: pd.DataFrame) -> dict:
    """``{model: {wape, wape_peak_day, peak_hour_error, band_coverage}}`` with None for NaN (JSON-ready)."""
    return {rec["model"]: _rounded(rec) for rec in summarise(scores).to_dict("records")}


def report_dict(scores: pd.DataFrame, left_out: dict[str, str]) -> dict:
    """:func:`run_leads`'s result, JSON-ready.

    ``{"events": [...], "left_out": {event: why}, "leads": {"14": {"events": [...], "summary": {model:
    scores}, "per_event": {event: {"cutoff": "YYYY-MM-DD", model: scores}}}}}``; ``events`` are
    the events scored at every lead, each lead naming its own (the same ones).
    """
    out = {"events": sorted(scores["event"].unique()), "left_out": dict(sorted(left_out.items())), "leads": {}}
    for lead, g in scores.groupby("lead", sort=False):
        per = {}
        for rec in g.to_dict("records"):
            per.setdefault(rec["event"], {"cutoff": f"{rec['cutoff']:%Y-%m-%d}"})[rec["model"]] = _rounded(rec)
        out["leads"][str(lead)] = {"events": sorted(per), "summary": summary_dict(g), "per_event": per}
    return out


def format_table(scores: pd.DataFrame) -> str:
    """Per-event rows and the pooled summary as plain text."""
    cols = ["event", "model", "cutoff", *SCORE_COLUMNS]
    per = scores[cols].assign(cutoff=scores["cutoff"].dt.strftime("%Y-%m-%d"))
    fmt = lambda v: "n/a" if pd.isna(v) else f"{v:.3f}"  # noqa: E731
    return ("per event\n" + per.to_string(index=False, float_format=fmt, na_rep="n/a")
            + "\n\nsummary (pooled over events)\n"
            + summarise(scores).to_string(index=False, float_format=fmt, na_rep="n/a"))


def format_leads(scores: pd.DataFrame) -> str:
    """:func:`format_table` per lead, then (with several leads) each model's pooled scores side by side."""
    parts = [f"lead {lead} days\n" + format_table(g) for lead, g in scores.groupby("lead", sort=False)]
    if scores["lead"].nunique() > 1:
        fmt = lambda v: "n/a" if pd.isna(v) else f"{v:.3f}"  # noqa: E731
        side = pd.concat([summarise(g).assign(lead=lead) for lead, g in scores.groupby("lead", sort=False)])
        side = side[["model", "lead", "events", *SCORE_COLUMNS]].sort_values(["model", "lead"], kind="stable",
                                                                             key=lambda c: c if c.name != "lead" else -c)
        parts.append("leads compared on the same events\n" + side.to_string(index=False, float_format=fmt, na_rep="n/a"))
    return "\n\n".join(parts)


def holdout_accuracy(history: pd.DataFrame, promotions: Promotions, cutoff, start, end,
                     event: str, **params) -> pd.DataFrame:
    """Fit before ``cutoff``, forecast ``start`` 00:00 .. ``end`` 23:00 for ``event``, score it per queue.

    Returns ``queue, wape, peak_wape, coverage`` (``peak_wape`` NaN when the peak day is not in the
    window); the last row ``all`` pools every queue.
    """
    train = history[history["ds"] < pd.Timestamp(cutoff)]
    fc = PromoForecaster(**params).fit(train, promotions).predict(start, end, event)
    both = fc.merge(history.assign(ds=history["ds"].astype("datetime64[ns]")), on=["queue", "ds"], how="inner")
    peak_day = pd.Timestamp(promotions.event_row(event)["peak"]).normalize()
    rows = []
    for q, g in [*both.groupby("queue", sort=True), ("all", both)]:
        sc = _scores(g, peak_day, True)
        rows.append({"queue": q, "wape": sc["abs_err"] / sc["actual"],
                     "peak_wape": sc["abs_err_peak"] / sc["actual_peak"] if sc["actual_peak"] else np.nan, "coverage": sc["n_inside"] / len(g)})
    return pd.DataFrame(rows)

