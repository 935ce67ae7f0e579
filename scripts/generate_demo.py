"""Generate peakplan's seeded demo data: ``history.csv``, ``promotions.csv``, ``staff.csv``, ``history_in_progress.csv``.

Run ``python scripts/generate_demo.py``; it writes into ``scheduler/demo/`` (UTF-8 with BOM,
no index column, integers only). The seed is fixed (``SEED = 20261111``), so the files are
byte-identical on every run. Nothing in ``forecasts/`` reads this module: the forecaster
learns only from the files it writes.

Frames written
--------------
history
    ``queue, ds, y``: hourly counts, 2023-11-01 00:00 .. 2026-10-31 23:00, queues
    ``presale`` and ``aftersale`` (inbound chats started in the hour) and ``reminder``
    (unpaid orders created in the hour).
history_in_progress
    The same frame run on to the eve of the planned sale, 2023-11-01 00:00 .. 2026-11-10 23:00:
    ``history``'s rows unchanged, then per queue the ten new days of the double11-2026 warm-up
    and its final-payment opening (the same event scale and lag as the history's draws; the new
    hours' busyness and Poisson noise from a second stream, ``SEED + 2``, so ``history.csv`` is
    unchanged). The input of a re-plan on the eve.
promotions
    ``event, kind, phase, start, end, peak``: one whole-event row (empty ``phase``) per
    event (``start`` = first warm-up hour, ``end`` = end of the after-sales wave, exclusive,
    ``peak`` = peak day 00:00), then one row per phase (``end`` exclusive): ``warmup`` from
    the first warm-up hour to the peak day 00:00; ``deposit`` and ``final_payment`` the
    4-hour opening rush from the opening hour; ``peak`` the peak day 00:00-24:00;
    ``aftersales`` from the day after the peak to the event end (14 days for past events,
    9 days for the planned double11-2026).
staff
    ``agent_id, name, skills, employment, night_allowed, max_week_hours, hourly_cost,
    unavailable, contract_week_hours, min_week_hours, prefer_off, prefer_shift``: 60 agents.
    Full-timers: a 40-hour contract they must be rostered (pro rata to their available days),
    at most 48 h a week; part-timers: 20 contract hours, no minimum, at most 25. Eight agents
    prefer one day off, eight prefer the day or the night shift (drawn from a second seeded
    generator so that the other columns stay as they were).

Generative model of the history
-------------------------------
For queue q and hour t (day d, hour-of-day h)::

    y_q(t) ~ Poisson( N_q · T(t) · W_q(dow(d)) · S_q(h) · M_q(t) · G_q(d) )

* ``N_q`` normal daily volume at the start: presale 2,900, aftersale 1,150, reminder 145.
* ``T(t) = 1.05 ** years_since(2023-11-01)``: mild trend, +5 % a year.
* ``W_q`` weekday factors (mean 1): presale/reminder Mon..Sun 0.95 0.95 0.96 0.97 1.00
  1.08 1.09 (weekends higher); aftersale 1.08 1.03 1.00 0.99 0.98 0.96 0.96 (Mondays high).
* ``S_q(h)`` intraday shape summing to 1 (``PRESALE_SHAPE``, ``AFTERSALE_SHAPE`` below):
  presale peaks 10-12, 14-16, 20-23 and is very low 02-07; aftersale is flatter and
  daytime-heavy; reminder follows the presale (order) shape.
* ``G_q(d) ~ Gamma(shape=100, scale=0.01)``: a day-level busyness factor, mean 1, CV 10 %,
  independent per queue and day. Poisson given G, so counts are negative binomial.
* ``M_q(t)`` the promotion multiplier (1 outside events), built per event e with a sale
  multiplier ``X_e = base_kind × scale_e``: base 5 (double11), 4 (618), 2.5 (double12);
  ``scale_e ~ Uniform(0.8, 1.2)`` drawn per event from the seed.

  - warm-up (first warm-up day .. day before the peak), ``x`` = elapsed fraction 0..1:
    presale ``1 + 0.2 (X_e - 1) x²`` (≈1.8× on the eve of a double11), times
    ``1 + 0.3 x`` in 20:00-23:59; reminder ``1 + 0.3 (X_e - 1) x²``; aftersale
    ``1 + 0.1 x``.
  - deposit opening (double11, 618; at 20:00): extra factors for the hours from the
    opening, presale 3.0, 2.0, 1.4, 1.1; reminder 8, 4, 2, 1.3; aftersale 1.2, 1.1.
  - final-payment opening (20:00 on the eve, or 00:00 on the peak day, varying by event):
    presale 2.0, 1.5, 1.2, 1.1; reminder 12, 6, 3, 1.8; aftersale 1.3, 1.15.
  - peak day (00:00-24:00): the day total is ``X_e`` × a normal day for presale and
    reminder, ``1 + 0.1 (X_e - 1)`` for aftersale; the presale/reminder intraday shape
    gives hours 00 and 01 each 3× the day's average hour, the other 22 hours share the
    rest in proportion to the normal shape.
  - after the peak, presale decays ``1 + 0.15 (X_e - 1) exp(-(k - 1) / 1.5)`` on day
    k = 1, 2, ... after the peak; reminder the same with 0.1.
  - after-sales wave, a lagged response to the sale's order volume: with ``u`` the time
    since the peak day's start in days (continuous, hourly), aftersale is multiplied by
    ``1 + A_e (u / L_e)**3 exp(3 (1 - u / L_e))`` with amplitude
    ``A_e = 0.42 (X_e - 1)`` (≈1.7, i.e. ≈2.7× normal at the top for a double11) and
    lag ``L_e ~ Uniform{3, 4, 5, 6, 7}`` days; it has decayed to < 10 % of its top about
    two weeks after the peak.

Events: double11 2023/2024/2025 and the planned double11 2026 (peak 2026-11-11, final
payment 2026-11-10 20:00, warm-up from 2026-10-22; its October warm-up and deposit are in
the history), 618 2024/2025/2026, double12 2023/2024/2025 (no deposit or final payment).

Staff: 60 agents, 36 single-skilled (18 presale, 12 aftersale, 6 reminder) and 24
multi-skilled; 52 full-time (48 h/week, 28-40 yuan/h), 8 part-time (25 h/week,
22-30 yuan/h); 15 without night shifts (6 of them part-time); 10 agents with 1-3
unavailable dates in 2026-11-01..2026-11-18.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261111
OUT = Path(__file__).resolve().parents[1] / "scheduler" / "demo"
HIST_START = pd.Timestamp("2023-11-01 00:00")
HIST_END = pd.Timestamp("2026-10-31 23:00")
IN_PROGRESS_END = pd.Timestamp("2026-11-10 23:00")  # the eve of the planned double11-2026
FMT = "%Y-%m-%d %H:%M"

QUEUES = ("presale", "aftersale", "reminder")
DAILY = {"presale": 2900.0, "aftersale": 1150.0, "reminder": 145.0}
TREND_PER_YEAR = 1.05
WEEKDAY = {
    "presale": [0.95, 0.95, 0.96, 0.97, 1.00, 1.08, 1.09],
    "aftersale": [1.08, 1.03, 1.00, 0.99, 0.98, 0.96, 0.96],
}
WEEKDAY["reminder"] = WEEKDAY["presale"]
PRESALE_SHAPE = [1.0, 0.6, 0.3, 0.2, 0.15, 0.15, 0.25, 0.5, 1.0, 1.5, 1.9, 1.9,
                 1.4, 1.5, 1.8, 1.8, 1.5, 1.3, 1.3, 1.5, 1.9, 2.0, 1.9, 1.4]
AFTERSALE_SHAPE = [0.3, 0.15, 0.08, 0.05, 0.05, 0.06, 0.15, 0.4, 0.9, 1.4, 1.6, 1.6,
                   1.3, 1.4, 1.6, 1.6, 1.5, 1.3, 1.1, 1.0, 1.0, 0.9, 0.7, 0.5]
BUSYNESS_SHAPE = 100.0  # Gamma shape: CV = 1/sqrt(100) = 10 %
KIND_BASE = {"double11": 5.0, "618": 4.0, "double12": 2.5}
DEPOSIT_SPIKE = {"presale": [3.0, 2.0, 1.4, 1.1], "reminder": [8, 4, 2, 1.3], "aftersale": [1.2, 1.1]}
FINAL_SPIKE = {"presale": [2.0, 1.5, 1.2, 1.1], "reminder": [12, 6, 3, 1.8], "aftersale": [1.3, 1.15]}
SPIKE_HOURS = 4  # length of the deposit / final-payment opening phase rows

# event, kind, warm-up start date, deposit opening (or None), final-payment opening (or None),
# peak date, after-sales phase end date (exclusive)
EVENTS = [
    ("double11-2023", "double11", "2023-10-24", "2023-10-24 20:00", "2023-11-10 20:00", "2023-11-11", "2023-11-26"),
    ("double12-2023", "double12", "2023-12-05", None, None, "2023-12-12", "2023-12-27"),
    ("618-2024", "618", "2024-05-28", "2024-05-28 20:00", "2024-06-18 00:00", "2024-06-18", "2024-07-03"),
    ("double11-2024", "double11", "2024-10-20", "2024-10-21 20:00", "2024-11-11 00:00", "2024-11-11", "2024-11-26"),
    ("double12-2024", "double12", "2024-12-05", None, None, "2024-12-12", "2024-12-27"),
    ("618-2025", "618", "2025-05-26", "2025-05-26 20:00", "2025-06-17 20:00", "2025-06-18", "2025-07-03"),
    ("double11-2025", "double11", "2025-10-20", "2025-10-20 20:00", "2025-11-10 20:00", "2025-11-11", "2025-11-26"),
    ("double12-2025", "double12", "2025-12-05", None, None, "2025-12-12", "2025-12-27"),
    ("618-2026", "618", "2026-05-25", "2026-05-25 20:00", "2026-06-18 00:00", "2026-06-18", "2026-07-03"),
    ("double11-2026", "double11", "2026-10-22", "2026-10-22 20:00", "2026-11-10 20:00", "2026-11-11", "2026-11-20"),
]


def _norm(shape: list[float]) -> np.ndarray:
    a = np.asarray(shape, dtype=float)
    return a / a.sum()


def peak_day_shape(normal: np.ndarray) -> np.ndarray:
    """Intraday shape of the peak day: hours 00 and 01 carry 3× the average hour each."""
    out = normal.copy()
    out[2:] = normal[2:] / normal[2:].sum() * (1 - 6 / 24)
    out[:2] = 3 / 24
    return out


def event_multipliers(hours: pd.DatetimeIndex, ev: tuple, rng: np.random.Generator) -> dict:
    """Per-queue multiplier arrays M_q(t) of one event over ``hours`` (1 outside the event)."""
    name, kind, warm, dep, fin, peak, _ = ev
    x_e = KIND_BASE[kind] * rng.uniform(0.8, 1.2)
    lag = int(rng.integers(3, 8))
    warm, peak = pd.Timestamp(warm), pd.Timestamp(peak)
    t_days = np.asarray((hours - peak) / pd.Timedelta(days=1), dtype=float)  # days since peak 00:00
    hod = hours.hour.to_numpy()
    m = {q: np.ones(len(hours)) for q in QUEUES}

    in_warm = np.asarray((hours >= warm) & (hours < peak))
    x = np.clip(np.asarray((hours - warm) / (peak - warm), dtype=float), 0, 1)
    evening = np.where(hod >= 20, 1 + 0.3 * x, 1.0)
    m["presale"] *= np.where(in_warm, (1 + 0.2 * (x_e - 1) * x**2) * evening, 1.0)
    m["reminder"] *= np.where(in_warm, 1 + 0.3 * (x_e - 1) * x**2, 1.0)
    m["aftersale"] *= np.where(in_warm, 1 + 0.1 * x, 1.0)

    on_peak = (t_days >= 0) & (t_days < 1)
    for q, normal in (("presale", PRESALE_SHAPE), ("reminder", PRESALE_SHAPE)):
        ratio = peak_day_shape(_norm(normal)) / _norm(normal)
        m[q] *= np.where(on_peak, x_e * ratio[hod], 1.0)
    m["aftersale"] *= np.where(on_peak, 1 + 0.1 * (x_e - 1), 1.0)

    k = np.clip(np.floor(t_days), 0, None)
    after = k >= 1
    m["presale"] *= np.where(after, 1 + 0.15 * (x_e - 1) * np.exp(-(k - 1) / 1.5), 1.0)
    m["reminder"] *= np.where(after, 1 + 0.10 * (x_e - 1) * np.exp(-(k - 1) / 1.5), 1.0)
    u = np.clip(t_days, 0, None) / lag
    m["aftersale"] *= 1 + 0.42 * (x_e - 1) * u**3 * np.exp(3 * (1 - u))

    for opening, spikes in ((dep, DEPOSIT_SPIKE), (fin, FINAL_SPIKE)):
        if opening is None:
            continue
        since = np.asarray((hours - pd.Timestamp(opening)) / pd.Timedelta(hours=1), dtype=float)
        for q, factors in spikes.items():
            for i, f in enumerate(factors):
                m[q] *= np.where(since == i, f, 1.0)
    return m


def _rates(hours: pd.DatetimeIndex, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-queue rates before the day busyness, ``N_q · T · W_q · S_q · M_q``, over ``hours``.

    Draws each event's scale and lag from ``rng`` in the order of ``EVENTS`` (the same draws for
    any ``hours``, so a continuation shares the events' sizes with the history)."""
    years = np.asarray((hours - HIST_START) / pd.Timedelta(days=365.25), dtype=float)
    dow, hod = hours.day_of_week.to_numpy(), hours.hour.to_numpy()
    shapes = {"presale": _norm(PRESALE_SHAPE), "aftersale": _norm(AFTERSALE_SHAPE),
              "reminder": _norm(PRESALE_SHAPE)}
    mult = {q: np.ones(len(hours)) for q in QUEUES}
    for ev in EVENTS:
        for q, arr in event_multipliers(hours, ev, rng).items():
            mult[q] *= arr
    return {q: DAILY[q] * TREND_PER_YEAR**years * np.asarray(WEEKDAY[q])[dow] * shapes[q][hod] * mult[q]
            for q in QUEUES}


def _counts(hours: pd.DatetimeIndex, rates: dict[str, np.ndarray], rng: np.random.Generator) -> pd.DataFrame:
    """Counts drawn as Poisson(rate × day busyness), the frame ``queue, ds, y`` (queue by queue)."""
    day_idx = np.asarray((hours.normalize() - hours[0].normalize()) / pd.Timedelta(days=1), dtype=int)
    frames = []
    for q in QUEUES:
        busy = rng.gamma(BUSYNESS_SHAPE, 1 / BUSYNESS_SHAPE, size=day_idx.max() + 1)
        y = rng.poisson(rates[q] * busy[day_idx])
        frames.append(pd.DataFrame({"queue": q, "ds": hours.strftime(FMT), "y": y}))
    return pd.concat(frames, ignore_index=True)


def make_history(rng: np.random.Generator) -> pd.DataFrame:
    """Simulate the hourly history frame ``queue, ds, y``."""
    hours = pd.date_range(HIST_START, HIST_END, freq="h")
    return _counts(hours, _rates(hours, rng), rng)


def make_in_progress(history: pd.DataFrame) -> pd.DataFrame:
    """The history run on to the eve of the planned sale: ``history`` then ``IN_PROGRESS_END``'s hours.

    The new hours share every event's scale and lag with the history (the seed's event draws
    replayed); their busyness and Poisson noise come from a generator of their own
    (``SEED + 2``), so ``history.csv`` stays as it was."""
    hours = pd.date_range(HIST_END + pd.Timedelta(hours=1), IN_PROGRESS_END, freq="h")
    more = _counts(hours, _rates(hours, np.random.default_rng(SEED)), np.random.default_rng(SEED + 2))
    both = pd.concat([history.assign(part=0), more.assign(part=1)], ignore_index=True)
    order = both["queue"].map({q: i for i, q in enumerate(QUEUES)})
    return both.assign(order=order).sort_values(["order", "part"], kind="stable")[["queue", "ds", "y"]]


def make_promotions() -> pd.DataFrame:
    """The promotions calendar: whole-event rows, then phase rows."""
    rows = []
    hour = pd.Timedelta(hours=1)
    for name, kind, warm, dep, fin, peak, end in EVENTS:
        warm, peak, end = pd.Timestamp(warm), pd.Timestamp(peak), pd.Timestamp(end)
        day = pd.Timedelta(days=1)
        rows.append((name, kind, "", warm, end, peak))
        rows.append((name, kind, "warmup", warm, peak, None))
        if dep is not None:
            rows.append((name, kind, "deposit", pd.Timestamp(dep), pd.Timestamp(dep) + SPIKE_HOURS * hour, None))
        if fin is not None:
            rows.append((name, kind, "final_payment", pd.Timestamp(fin), pd.Timestamp(fin) + SPIKE_HOURS * hour, None))
        rows.append((name, kind, "peak", peak, peak + day, None))
        rows.append((name, kind, "aftersales", peak + day, end, None))
    out = pd.DataFrame(rows, columns=["event", "kind", "phase", "start", "end", "peak"])
    for col in ("start", "end", "peak"):
        out[col] = out[col].map(lambda ts: "" if ts is None or pd.isna(ts) else ts.strftime(FMT))
    return out


SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = ["芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
         "超", "秀英", "霞", "平", "刚", "桂英", "婷", "雪", "晨", "欣怡", "子涵", "浩然", "雨桐", "佳琪",
         "思远", "梓萱", "晓东", "丹", "玲", "慧", "鑫", "宇", "琳", "颖"]


def make_staff(rng: np.random.Generator) -> pd.DataFrame:
    """The 60-agent staff frame."""
    skills = (["presale"] * 18 + ["aftersale"] * 12 + ["reminder"] * 6 + ["presale|aftersale"] * 12
              + ["presale|reminder"] * 7 + ["presale|aftersale|reminder"] * 5)
    skills = list(rng.permutation(skills))
    names: list[str] = []
    while len(names) < 60:
        n = str(rng.choice(SURNAMES)) + str(rng.choice(GIVEN))
        if n not in names:
            names.append(n)
    part_time = set(rng.choice(60, size=8, replace=False).tolist())
    full_time = [i for i in range(60) if i not in part_time]
    no_night = set(rng.choice(sorted(part_time), size=6, replace=False).tolist())
    no_night |= set(rng.choice(full_time, size=9, replace=False).tolist())
    window = pd.date_range("2026-11-01", "2026-11-18", freq="D")
    away = {int(i): sorted(rng.choice(len(window), size=int(rng.integers(1, 4)), replace=False))
            for i in rng.choice(60, size=10, replace=False)}
    rows = []
    for i in range(60):
        pt = i in part_time
        cost = rng.uniform(22, 30) if pt else rng.uniform(28, 40)
        dates = "|".join(window[j].strftime("%Y-%m-%d") for j in away.get(i, []))
        rows.append((f"A{i + 1:03d}", names[i], skills[i], "part_time" if pt else "full_time",
                     "no" if i in no_night else "yes", 25 if pt else 48, round(float(cost), 1), dates))
    staff = pd.DataFrame(rows, columns=["agent_id", "name", "skills", "employment", "night_allowed",
                                        "max_week_hours", "hourly_cost", "unavailable"])
    return add_contracts_and_preferences(staff, window)


def add_contracts_and_preferences(staff: pd.DataFrame, window: pd.DatetimeIndex) -> pd.DataFrame:
    """Contract hours, contract minimum, preferred day off and shift (a second seeded generator)."""
    rng = np.random.default_rng(SEED + 1)
    full = staff["employment"] == "full_time"
    staff["contract_week_hours"] = np.where(full, 40, 20)
    staff["min_week_hours"] = np.where(full, 40, 0)
    staff["prefer_off"] = ""
    for i in rng.choice(len(staff), size=8, replace=False):
        staff.loc[i, "prefer_off"] = window[int(rng.integers(len(window)))].strftime("%Y-%m-%d")
    staff["prefer_shift"] = ""
    night_ok = staff.index[full & (staff["night_allowed"] == "yes")].to_numpy()
    picked = rng.choice(night_ok, size=8, replace=False)
    staff.loc[picked[:5], "prefer_shift"] = "day"
    staff.loc[picked[5:], "prefer_shift"] = "night"
    return staff


def main() -> None:
    """Write the four demo files into ``scheduler/demo/``."""
    rng = np.random.default_rng(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    history = make_history(rng)
    history.to_csv(OUT / "history.csv", index=False, encoding="utf-8-sig")
    make_promotions().to_csv(OUT / "promotions.csv", index=False, encoding="utf-8-sig")
    make_staff(rng).to_csv(OUT / "staff.csv", index=False, encoding="utf-8-sig")
    make_in_progress(history).to_csv(OUT / "history_in_progress.csv", index=False, encoding="utf-8-sig")
    print(f"wrote history.csv, promotions.csv, staff.csv, history_in_progress.csv into {OUT}")


if __name__ == "__main__":
    main()
