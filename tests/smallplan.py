"""A small plan (10 agents, 4 days, 3 queues) for tests: its TOML, staff, promotions, history and a fixed forecast."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

SMALL_TOML = """
[plan]
name = "small"
start = 2026-11-09
end = 2026-11-12
event = "d11"
forecast_quantile = "p50"
history = "history.csv"
promotions = "promotions.csv"
staff = "staff.csv"

[queues.presale]
kind = "chat"
aht_by_load_s = [240, 300]
answer_within_s = 20
answer_within_s_by_phase = { peak = 60 }
patience_s = 180
target_sl = 0.8
deflection = 0.35
open_from = "08:00"
open_until = "02:00"
late_cost = 15
floor_cost = 300

[queues.aftersale]
kind = "chat"
aht_by_load_s = [420, 480]
answer_within_s = 60
target_sl = 0.8
deflection = 0.2
open_from = "08:00"
open_until = "00:00"
late_cost = 10

[queues.reminder]
kind = "backlog"
touch_offsets_min = [10, 60]
touch_minutes = 1.5
touch_deadline_min = 60
late_cost = 4

[shifts.day]
start = "08:00"
hours = 9
break_hours = 1
break_from = "11:00"
break_until = "14:00"
employment = ["full_time"]

[shifts.night]
start = "17:00"
hours = 9
break_hours = 1
break_from = "19:00"
break_until = "23:00"
night = true
employment = ["full_time"]

[shifts.pt_evening]
start = "18:00"
hours = 5
employment = ["part_time"]

[rules]
min_rest_h = 11
max_consecutive_days = 3
max_nights = 3
max_nights_per_7_days = 2
night_to_day_days_off = 1

[costs]
overstaff_per_agent_hour = 5
fair_nights = 20
fair_hours = 1
preference = 15

[solver]
time_limit_s = 10
workers = 1
seed = 0
"""

STAFF = [
    ("A01", "王芳", "presale", "full_time", "yes", 48, 30, ""),
    ("A02", "李娜", "presale", "full_time", "no", 48, 32, "2026-11-10"),
    ("A03", "张伟", "presale|aftersale", "full_time", "yes", 48, 35, ""),
    ("A04", "刘洋", "presale|aftersale", "full_time", "yes", 48, 35, ""),
    ("A05", "陈静", "aftersale", "full_time", "yes", 48, 30, ""),
    ("A06", "杨磊", "aftersale", "full_time", "no", 48, 30, ""),
    ("A07", "赵敏", "reminder", "full_time", "yes", 48, 28, ""),
    ("A08", "黄丽", "presale|reminder", "full_time", "yes", 48, 30, ""),
    ("A09", "周杰", "presale", "part_time", "no", 25, 24, ""),
    ("A10", "吴霞", "aftersale", "part_time", "no", 25, 24, ""),
]
STAFF_COLUMNS = ["agent_id", "name", "skills", "employment", "night_allowed", "max_week_hours", "hourly_cost", "unavailable"]

PROMOTIONS = [
    ("d11-past", "double11", "", "2026-09-20 00:00", "2026-09-27 00:00", "2026-09-23 00:00"),
    ("d11-past", "double11", "warmup", "2026-09-20 00:00", "2026-09-22 20:00", ""),
    ("d11-past", "double11", "final_payment", "2026-09-22 20:00", "2026-09-23 02:00", ""),
    ("d11-past", "double11", "peak", "2026-09-23 00:00", "2026-09-24 00:00", ""),
    ("d11-past", "double11", "aftersales", "2026-09-24 00:00", "2026-09-27 00:00", ""),
    ("d11", "double11", "", "2026-11-08 00:00", "2026-11-13 00:00", "2026-11-11 00:00"),
    ("d11", "double11", "warmup", "2026-11-08 00:00", "2026-11-10 20:00", ""),
    ("d11", "double11", "final_payment", "2026-11-10 20:00", "2026-11-11 02:00", ""),
    ("d11", "double11", "peak", "2026-11-11 00:00", "2026-11-12 00:00", ""),
    ("d11", "double11", "aftersales", "2026-11-12 00:00", "2026-11-13 00:00", ""),
]


def small_history(seed: int = 7, end: str = "2026-11-07 23:00") -> pd.DataFrame:
    """Ten weeks of hourly counts (to ``end``): a daily shape, Poisson noise, and a past event tripling the load."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2026-08-30", end, freq="h")
    hour = ds.hour.to_numpy()
    shape = np.where((hour >= 8) | (hour < 1), 1.0 + 0.6 * np.sin((hour - 8) / 16 * np.pi).clip(0), 0.15)
    event = ((ds >= "2026-09-20") & (ds < "2026-09-27")).astype(float) * 2.0 + 1.0
    frames = []
    for queue, level in (("presale", 40.0), ("aftersale", 15.0), ("reminder", 6.0)):
        frames.append(pd.DataFrame({"queue": queue, "ds": ds.strftime("%Y-%m-%d %H:%M"), "y": rng.poisson(level * shape * event)}))
    return pd.concat(frames, ignore_index=True)


def write_small_plan(folder: Path, toml: str = SMALL_TOML, staff=STAFF) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    small_history().to_csv(folder / "history.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame(PROMOTIONS, columns=["event", "kind", "phase", "start", "end", "peak"]).to_csv(
        folder / "promotions.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame(staff, columns=STAFF_COLUMNS).to_csv(folder / "staff.csv", index=False, encoding="utf-8-sig")
    return folder / "plan.toml"


def small_forecast(plan) -> pd.DataFrame:
    """A fixed forecast frame for the small plan: a daytime step and a 3x spike at 00:00-02:00 on 11 Nov."""
    ds = pd.date_range(pd.Timestamp(plan.start), pd.Timestamp(plan.end) + pd.Timedelta(hours=23), freq="h")
    day = 1.0 + (ds.hour.to_numpy() >= 9)
    spike = 1.0 + 2.0 * ((ds >= "2026-11-11") & (ds < "2026-11-11 02:00"))
    rows = []
    for queue, level in (("presale", 60.0), ("aftersale", 20.0), ("reminder", 8.0)):
        m = level * day * spike
        rows.append(pd.DataFrame({"queue": queue, "ds": ds, "mean": m, "p10": 0.8 * m, "p50": m, "p90": 1.2 * m}))
    return pd.concat(rows, ignore_index=True)
