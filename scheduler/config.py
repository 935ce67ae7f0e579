"""Reading and validating a plan file (TOML) into frozen dataclasses.

A plan is one TOML file that names its data files by paths relative to itself and holds
every business number (targets, handle times, concurrency, shifts, rules, costs). Nothing a
CS lead might change lives in code. Every mistake raises ``InputError`` with one line naming
the file, the key and what was expected.

Takes: a path to ``*.toml``. Returns: ``Plan``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from forecasts.errors import InputError

QUEUE_KINDS = ("chat", "backlog")
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class ChatQueue:
    """An inbound chat queue answered live.

    ``aht_by_load_s[i]`` is the handle time of one chat while the agent holds ``i + 1`` chats;
    its length is the concurrency cap. ``wave_of`` names the queue whose sale-day volume this
    queue's after-sales wave follows (:mod:`forecasts.wave`), or None.
    """

    name: str
    label: str
    aht_by_load_s: tuple[float, ...]
    answer_within_s: float
    answer_within_s_by_phase: dict
    target_sl: float
    patience_s: float | None
    deflection: float
    open_from: int
    open_until: int
    late_cost: float
    floor_cost: float
    wave_of: str | None = None

    @property
    def concurrency(self) -> int:
        return len(self.aht_by_load_s)

    kind = "chat"


@dataclass(frozen=True)
class BacklogQueue:
    """Payment reminders: unpaid orders, each chased by touches before deadlines. ``share_of`` names
    the queue whose uplift the unpaid orders follow at a share per phase (:mod:`forecasts.share`), or None."""

    name: str
    label: str
    touch_offsets_min: tuple[float, ...]
    touch_before_deadline_min: tuple[float, ...]
    payment_window_h: float
    touch_minutes: float
    touch_deadline_min: float
    contact_from: int
    contact_until: int
    contact_phases: tuple[str, ...]
    late_cost: float
    floor_cost: float
    share_of: str | None = None

    kind = "backlog"


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift: start hour, span in hours, unpaid break hours placed inside a window."""

    name: str
    start_hour: int
    hours: int
    label: str
    break_hours: int
    break_window: tuple[int, int]
    night: bool
    sale_night: bool
    employment: tuple[str, ...]
    dates: frozenset | None  # the dates it may be used on (None: every date)

    def usable_on(self, date: dt.date) -> bool:
        return self.dates is None or date in self.dates

    @property
    def paid_hours(self) -> int:
        return self.hours - self.break_hours

    def break_starts(self) -> tuple[int, ...]:
        """Hour offsets from the shift start at which its break may begin (none if no break)."""
        if self.break_hours == 0:
            return ()
        lo, hi = self.break_window
        return tuple(range(lo, hi - self.break_hours + 1))


@dataclass(frozen=True)
class Rules:
    min_rest_h: float
    max_consecutive_days: int
    max_nights: int
    max_nights_per_7_days: int
    night_to_day_days_off: int
    daily_standard_h: float
    max_overtime_h_day: float
    max_overtime_h_month: float


@dataclass(frozen=True)
class Staffing:
    shrinkage: float
    shrinkage_by_phase: dict
    max_occupancy: float


@dataclass(frozen=True)
class Costs:
    overstaff_per_agent_hour: float
    overtime_rate: float
    rest_day_rate: float
    holiday_rate: float
    holidays: frozenset
    overtime_employment: tuple[str, ...]
    fair_nights: float
    fair_sale_nights: float
    fair_hours: float
    preference: float


@dataclass(frozen=True)
class Solver:
    time_limit_s: float
    workers: int
    seed: int
    staged: bool


@dataclass(frozen=True)
class Simulation:
    replications: int = 200  # per run of ``peakplan plan``; ``peakplan simulate`` may ask for more
    risk_level: float = 0.8  # hours whose chance of meeting the target is below this are reported
    warmup_min: float = 120.0


@dataclass(frozen=True)
class Plan:
    """A whole plan: window, data files, queues, shifts, rules and costs."""

    path: Path
    name: str
    language: str
    start: dt.date
    end: dt.date
    event: str | None
    forecast_quantile: str
    history: Path
    promotions: Path
    staff: Path
    queues: dict
    shifts: dict
    rules: Rules
    staffing: Staffing
    costs: Costs
    solver: Solver
    simulation: Simulation = Simulation()
    peak_multiplier: float | None = None  # what-if: the peak's volume as a multiple of a normal day's
    scenarios: dict = field(default_factory=dict)  # name -> overrides text, from [scenarios]

    @property
    def days(self) -> list[dt.date]:
        n = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(n)]

    @property
    def roster_days(self) -> list[dt.date]:
        """Days a shift may start on: the plan's days and the eve of the first, for a night shift reaching into it."""
        return [self.start - dt.timedelta(days=1), *self.days]

    @property
    def data_files(self) -> list[Path]:
        return [self.history, self.promotions, self.staff]

    @property
    def waves(self) -> dict:
        """Responding queue → orders queue, for the forecaster's after-sales waves."""
        return {n: q.wave_of for n, q in self.queues.items() if getattr(q, "wave_of", None)}

    @property
    def shares(self) -> dict:
        """Driven queue → orders queue, for the forecaster's shares (unpaid orders follow orders)."""
        return {n: q.share_of for n, q in self.queues.items() if getattr(q, "share_of", None)}


class _Table:
    """A TOML table with typed, key-naming getters."""

    def __init__(self, data: dict, where: str, file: Path):
        self.data, self.where, self.file = data, where, file

    def fail(self, key: str, expected: str, got=None) -> InputError:
        shown = "" if got is None else f", got {got!r}"
        return InputError(f"{self.file}: [{self.where}] {key}: expected {expected}{shown}")

    def get(self, key, kind, expected, default=...):
        if key not in self.data:
            if default is ...:
                raise InputError(f"{self.file}: [{self.where}] missing key {key!r} ({expected})")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.fail(key, expected, value)
        return value

    def number(self, key, lo=None, hi=None, default=..., open_lo=False, open_hi=False):
        expected = _range_text(lo, hi, open_lo, open_hi)
        value = self.get(key, float, expected, default)
        if value is None:
            return None
        too_low = lo is not None and (value <= lo if open_lo else value < lo)
        too_high = hi is not None and (value >= hi if open_hi else value > hi)
        if too_low or too_high:
            raise self.fail(key, expected, value)
        return value

    def hour(self, key, default=...):
        value = self.get(key, str, "a time 'HH:00'", default)
        return _parse_hour(value, lambda: self.fail(key, "a whole hour 'HH:00'", value))

    def minutes(self, key, default=...) -> tuple[float, ...]:
        """A list of numbers >= 0."""
        value = self.get(key, list, "a list of minutes >= 0", default)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value):
            raise self.fail(key, "a list of minutes >= 0", value)
        return tuple(float(v) for v in value)

    def by_phase(self, key, lo, hi, open_lo=False, open_hi=False) -> dict:
        """A table ``{phase = number}`` overriding a value inside promotion phases (later entries win)."""
        sub = self.table(key)
        return {phase: sub.number(phase, lo, hi, open_lo=open_lo, open_hi=open_hi) for phase in sub.data}

    def table(self, key) -> "_Table":
        sub = self.get(key, dict, "a table", {})
        return _Table(sub, f"{self.where}.{key}" if self.where else key, self.file)


def _range_text(lo, hi, open_lo, open_hi) -> str:
    if lo is not None and hi is not None:
        return f"a number in {'(' if open_lo else '['}{lo}, {hi}{')' if open_hi else ']'}"
    if lo is not None:
        return f"a number {'>' if open_lo else '>='} {lo}"
    return "a number"


def _parse_hour(text: str, fail) -> int:
    try:
        t = dt.time.fromisoformat(text)
    except ValueError:
        raise fail() from None
    if t.minute or t.second:
        raise fail()
    return t.hour


def _date(table: _Table, key: str) -> dt.date:
    value = table.get(key, (dt.date, str), "a date YYYY-MM-DD")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise table.fail(key, "a date YYYY-MM-DD", value) from None
    return value


def _data_file(table: _Table, key: str, base: Path) -> Path:
    path = base / table.get(key, str, "a path relative to the plan file")
    if not path.is_file():
        raise InputError(f"{table.file}: [{table.where}] {key}: file not found: {path}")
    return path


def _chat_queue(name: str, t: _Table) -> ChatQueue:
    aht = t.get("aht_by_load_s", list, "a list of handle times in seconds, one per concurrent chat")
    if not aht or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in aht):
        raise t.fail("aht_by_load_s", "a non-empty list of positive seconds (its length is the concurrency, >= 1)", aht)
    patience = t.number("patience_s", 0, open_lo=True) if "patience_s" in t.data else None
    return ChatQueue(
        name=name, label=t.get("label", str, "a display name", name), aht_by_load_s=tuple(float(v) for v in aht),
        answer_within_s=t.number("answer_within_s", 0, open_lo=True),
        answer_within_s_by_phase=t.by_phase("answer_within_s_by_phase", 0, None, open_lo=True),
        target_sl=t.number("target_sl", 0, 1, open_lo=True, open_hi=True), patience_s=patience,
        deflection=t.number("deflection", 0, 1, default=0.0, open_hi=True),
        open_from=t.hour("open_from", "08:00"), open_until=t.hour("open_until", "00:00"), late_cost=t.number("late_cost", 0),
        floor_cost=t.number("floor_cost", 0, default=0.0), wave_of=t.get("wave_of", str, "the name of another queue", None),
    )


def _backlog_queue(name: str, t: _Table) -> BacklogQueue:
    after, before = t.minutes("touch_offsets_min", ()), t.minutes("touch_before_deadline_min", ())
    if not after and not before:
        raise t.fail("touch_offsets_min", "at least one touch (touch_offsets_min or touch_before_deadline_min)", [])
    return BacklogQueue(
        name=name, label=t.get("label", str, "a display name", name), touch_offsets_min=after,
        touch_before_deadline_min=before, payment_window_h=t.number("payment_window_h", 0, default=24.0, open_lo=True),
        touch_minutes=t.number("touch_minutes", 0, open_lo=True), touch_deadline_min=t.number("touch_deadline_min", 0, open_lo=True),
        contact_from=t.hour("contact_from", "08:00"), contact_until=t.hour("contact_until", "22:00"),
        contact_phases=tuple(t.get("contact_phases", list, "a list of promotion phases", ["final_payment"])),
        late_cost=t.number("late_cost", 0), floor_cost=t.number("floor_cost", 0, default=0.0),
        share_of=t.get("share_of", str, "the name of another queue", None),
    )


def _queues(root: _Table) -> dict:
    table = root.table("queues")
    if not table.data:
        raise InputError(f"{root.file}: missing [queues.<name>] tables (at least one queue)")
    queues = {}
    for name in table.data:
        t = table.table(name)
        kind = t.get("kind", str, f"one of {QUEUE_KINDS}")
        if kind not in QUEUE_KINDS:
            raise t.fail("kind", f"one of {QUEUE_KINDS}", kind)
        queues[name] = _chat_queue(name, t) if kind == "chat" else _backlog_queue(name, t)
    for name, q in queues.items():
        for key in ("wave_of", "share_of"):
            other = getattr(q, key, None)
            if other is not None and (other == name or other not in queues):
                raise table.table(name).fail(key, f"the name of another queue ({', '.join(n for n in queues if n != name)})", other)
            if key == "share_of" and other is not None and getattr(queues[other], "share_of", None):
                raise table.table(name).fail(key, f"a queue with its own forecast ({other} follows {queues[other].share_of})", other)
    return queues


def _shift(name: str, t: _Table) -> ShiftTemplate:
    hours = int(t.number("hours", 1, 24))
    brk = int(t.number("break_hours", 0, hours - 1, default=0))
    start = t.hour("start")
    window = (0, 0)
    if brk:
        lo, hi = t.hour("break_from"), t.hour("break_until")
        window = ((lo - start) % 24, (hi - start) % 24 or 24)
        if not (0 < window[0] and window[0] + brk <= window[1] <= hours):
            raise t.fail("break_from", f"a break window inside the shift holding {brk} h", [t.data.get("break_from"), t.data.get("break_until")])
    employment = t.get("employment", list, "a list of employment types", ["full_time", "part_time"])
    dates = None
    if "dates" in t.data:
        raw = t.get("dates", list, "a list of dates YYYY-MM-DD")
        try:
            dates = frozenset(d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in raw)
        except (TypeError, ValueError):
            raise t.fail("dates", "a list of dates YYYY-MM-DD", raw) from None
    label = t.get("label", str, "a short label for the roster grid, e.g. 白", name).strip() or name
    return ShiftTemplate(name=name, start_hour=start, hours=hours, label=label, break_hours=brk, break_window=window,
                         night=t.get("night", bool, "true or false", False),
                         sale_night=t.get("sale_night", bool, "true or false", False), employment=tuple(employment), dates=dates)


def _shifts(root: _Table) -> dict:
    table = root.table("shifts")
    if not table.data:
        raise InputError(f"{root.file}: missing [shifts.<name>] tables (at least one shift template)")
    shifts = {name: _shift(name, table.table(name)) for name in table.data}
    seen = {}
    for name, t in shifts.items():
        if t.label in seen:
            raise table.table(name).fail("label", f"a label no other shift has ({seen[t.label]} has it)", t.label)
        seen[t.label] = name
    return shifts


def _rules(t: _Table) -> Rules:
    return Rules(
        min_rest_h=t.number("min_rest_h", 0, 24, default=11.0),
        max_consecutive_days=int(t.number("max_consecutive_days", 1, 31, default=6)),
        max_nights=int(t.number("max_nights", 0, default=366)),
        max_nights_per_7_days=int(t.number("max_nights_per_7_days", 0, 7, default=7)),
        night_to_day_days_off=int(t.number("night_to_day_days_off", 0, 7, default=0)),
        daily_standard_h=t.number("daily_standard_h", 0, 24, default=8.0, open_lo=True),
        max_overtime_h_day=t.number("max_overtime_h_day", 0, 24, default=3.0),
        max_overtime_h_month=t.number("max_overtime_h_month", 0, default=36.0),
    )


def _costs(t: _Table) -> Costs:
    holidays = t.get("holidays", list, "a list of dates YYYY-MM-DD", [])
    try:
        holidays = frozenset(d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in holidays)
    except (TypeError, ValueError):
        raise t.fail("holidays", "a list of dates YYYY-MM-DD", holidays) from None
    return Costs(
        overstaff_per_agent_hour=t.number("overstaff_per_agent_hour", 0, default=5.0),
        overtime_rate=t.number("overtime_rate", 1, default=1.5), rest_day_rate=t.number("rest_day_rate", 1, default=2.0),
        holiday_rate=t.number("holiday_rate", 1, default=3.0), holidays=holidays,
        overtime_employment=tuple(t.get("overtime_employment", list, "a list of employment types", ["full_time"])),
        fair_nights=t.number("fair_nights", 0, default=0.0), fair_sale_nights=t.number("fair_sale_nights", 0, default=0.0),
        fair_hours=t.number("fair_hours", 0, default=0.0), preference=t.number("preference", 0, default=0.0),
    )


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file.

    Raises
    ------
    InputError
        The file is missing, is not TOML, or a key is missing or out of range.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: plan file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML file ({exc})") from None
    root = _Table(data, "", path)
    plan_t, base = root.table("plan"), path.parent
    start, end = _date(plan_t, "start"), _date(plan_t, "end")
    if end < start:
        raise plan_t.fail("end", f"a date on or after start {start}", str(end))
    language = plan_t.get("language", str, f"one of {', '.join(LANGUAGES)}", "en")
    if language not in LANGUAGES:
        raise plan_t.fail("language", f"one of {', '.join(LANGUAGES)}", language)
    quantile = plan_t.get("forecast_quantile", str, "one of mean, p50, p90", "p50")
    if quantile not in ("mean", "p50", "p90"):
        raise plan_t.fail("forecast_quantile", "one of mean, p50, p90", quantile)
    rules_t, staff_t, cost_t, solver_t, sim_t, scen_t = (root.table(k) for k in ("rules", "staffing", "costs", "solver",
                                                                                "simulation", "scenarios"))
    return Plan(
        path=path, name=plan_t.get("name", str, "a plan name"), language=language, start=start, end=end,
        event=plan_t.get("event", str, "the planned event's name in the promotions file", None),
        forecast_quantile=quantile,
        history=_data_file(plan_t, "history", base), promotions=_data_file(plan_t, "promotions", base),
        staff=_data_file(plan_t, "staff", base), queues=_queues(root), shifts=_shifts(root),
        rules=_rules(rules_t),
        staffing=Staffing(shrinkage=staff_t.number("shrinkage", 0, 1, default=0.2, open_hi=True),
                          shrinkage_by_phase=staff_t.by_phase("shrinkage_by_phase", 0, 1, open_hi=True),
                          max_occupancy=staff_t.number("max_occupancy", 0, 1, default=0.85, open_lo=True)),
        costs=_costs(cost_t),
        solver=Solver(time_limit_s=solver_t.number("time_limit_s", 0, default=30.0, open_lo=True),
                      workers=int(solver_t.number("workers", 1, 64, default=2)),
                      seed=int(solver_t.number("seed", 0, default=0)),
                      staged=solver_t.get("staged", bool, "true or false", True)),
        simulation=Simulation(replications=int(sim_t.number("replications", 1, 100_000, default=200)),
                              risk_level=sim_t.number("risk_level", 0, 1, default=0.8),
                              warmup_min=sim_t.number("warmup_min", 0, 24 * 60, default=120.0)),
        peak_multiplier=plan_t.number("peak_multiplier", 1, default=None),
        scenarios={k: scen_t.get(k, str, "overrides such as \"peak_multiplier:8\"") for k in scen_t.data},
    )
