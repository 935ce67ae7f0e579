"""The plan file (TOML), validated by a schema: frozen pydantic dataclasses, one per table, the one
place each key is named, with its type, range and default.

A plan is one TOML file that names its data files by paths relative to itself and holds every
business number (targets, handle times, concurrency, shifts, rules, costs). Nothing a CS lead
might change lives in code. A key or table the schema does not know is an error naming the
nearest valid one (``[staffing] shrinkge: unknown key; did you mean shrinkage?``); every mistake
is one ``InputError`` line naming the file, the table, the key, the value and what was expected.
``scheduler.plan.load`` reads a file into ``Plan`` and gives the JSON Schema of the file
(``peakplan schema``), so an editor can complete and check it.

pydantic (v2) rather than msgspec: its dataclasses stay ordinary frozen dataclasses (the code
reads attributes and ``dataclasses.replace`` still works, re-validating), it validates TOML's
dates and times, reports every error with its location, and writes the JSON Schema.

Takes: a plan file's tables. Returns: ``Plan``.
"""

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (BeforeValidator, ConfigDict, Field, Strict, ValidationInfo, WithJsonSchema, field_validator, model_validator)
from pydantic.dataclasses import dataclass
from pydantic.json_schema import SkipJsonSchema


QUEUE_KINDS = ("chat", "backlog")
LANGUAGES = ("zh", "en")
UNKNOWN = ("unexpected_keyword_argument", "extra_forbidden")  # pydantic's error types for a key it does not know
CONFIG = ConfigDict(extra="forbid", allow_inf_nan=False, validate_by_name=True, validate_by_alias=True,
                    use_attribute_docstrings=True)


class PlanKeyError(ValueError):
    """A rule across keys broken: names the table and the key to change."""

    def __init__(self, table: str, key: str, expected: str, got=None):
        self.table, self.key, self.expected, self.got = table, key, expected, got
        super().__init__(f"[{table}] {key}: expected {expected}" + ("" if got is None else f", got {got!r}"))


def _hour(value):
    """``"HH:00"`` as the hour (an int passes: ``dataclasses.replace`` hands back what was parsed)."""
    if isinstance(value, str):
        try:
            t = dt.time.fromisoformat(value)
        except ValueError:
            raise ValueError("a time 'HH:00'") from None
        if t.minute or t.second:
            raise ValueError("a whole hour 'HH:00'")
        return t.hour
    return value


Hour = Annotated[int, BeforeValidator(_hour), Field(ge=0, le=23),
                 WithJsonSchema({"type": "string", "pattern": "^([01][0-9]|2[0-3]):00$", "description": "a whole hour HH:00"})]
def _date(value):
    """A TOML date, or its ISO text ``YYYY-MM-DD``; nothing else (no day-first text, no timestamps)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("a date YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_date)]
F = Annotated[float, Strict()]  # a number: TOML's int or float, never text or true/false
I = Annotated[int, Strict()]  # noqa: E741
B = Annotated[bool, Strict()]
Share = Annotated[F, Field(ge=0, lt=1)]
Cost = Annotated[F, Field(ge=0)]
Rate = Annotated[F, Field(ge=1)]
Minutes = tuple[Annotated[F, Field(ge=0)], ...]


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class ChatQueue:
    """An inbound chat queue answered live."""

    kind: Literal["chat"] = "chat"
    name: SkipJsonSchema[str] = ""
    label: str = ""
    """The queue's name as people read it (e.g. 售前)."""
    aht_by_load_s: tuple[Annotated[F, Field(gt=0)], ...] = Field(min_length=1)
    """Handle time in seconds of one chat while the agent holds 1, 2, ... chats; its length is the concurrency cap."""
    answer_within_s: Annotated[F, Field(gt=0)]
    answer_within_s_by_phase: dict[str, Annotated[F, Field(gt=0)]] = Field(default_factory=dict)
    target_sl: Annotated[F, Field(gt=0, lt=1)]
    """Share of first replies within ``answer_within_s``."""
    patience_s: Annotated[F, Field(gt=0)] | None = None
    """Mean patience before a buyer leaves (Erlang A); none: nobody leaves."""
    deflection: Share = 0.0
    open_from: Hour = 8
    open_until: Hour = 0
    late_cost: Cost
    floor_cost: Cost = 0.0
    wave_of: str | None = None
    """The queue whose sale-day volume this queue's after-sales wave follows."""

    @property
    def concurrency(self) -> int:
        return len(self.aht_by_load_s)


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class BacklogQueue:
    """Payment reminders: unpaid orders, each chased by touches before deadlines."""

    kind: Literal["backlog"] = "backlog"
    name: SkipJsonSchema[str] = ""
    label: str = ""
    touch_offsets_min: Minutes = ()
    """Touches this many minutes after the order is placed."""
    touch_before_deadline_min: Minutes = ()
    """Touches this many minutes before the order closes unpaid."""
    payment_window_h: Annotated[F, Field(gt=0)] = 24.0
    touch_minutes: Annotated[F, Field(gt=0)]
    touch_deadline_min: Annotated[F, Field(gt=0)]
    contact_from: Hour = 8
    contact_until: Hour = 22
    contact_phases: tuple[str, ...] = ("final_payment",)
    late_cost: Cost
    floor_cost: Cost = 0.0
    share_of: str | None = None
    """The queue whose uplift the unpaid orders follow at a share per phase."""

    @model_validator(mode="after")
    def _some_touch(self):
        if not self.touch_offsets_min and not self.touch_before_deadline_min:
            raise PlanKeyError(f"queues.{self.name}" if self.name else "queues", "touch_offsets_min",
                               "at least one touch (touch_offsets_min or touch_before_deadline_min)", [])
        return self


Queue = Annotated[ChatQueue | BacklogQueue, Field(discriminator="kind")]


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class ShiftTemplate:
    """A shift: start hour, span in hours, unpaid break hours placed inside a window."""

    name: SkipJsonSchema[str] = ""
    label: str = ""
    """Its short label in the roster grid (e.g. 白); the template's name when blank."""
    start_hour: Hour = Field(alias="start")
    hours: I = Field(ge=1, le=24)
    break_hours: I = Field(default=0, ge=0)
    break_from: Hour | None = None
    break_until: Hour | None = None
    night: B = False
    sale_night: B = False
    employment: tuple[str, ...] = ("full_time", "part_time")
    dates: frozenset[Date] | None = None
    """The dates it may be used on (none: every date)."""

    @model_validator(mode="after")
    def _break_inside(self):
        where = f"shifts.{self.name}" if self.name else "shifts"
        if self.break_hours >= self.hours:
            raise PlanKeyError(where, "break_hours", f"fewer hours than the shift's {self.hours}", self.break_hours)
        if self.break_hours and (self.break_from is None or self.break_until is None):
            raise PlanKeyError(where, "break_from", "break_from and break_until 'HH:00' for a shift with a break")
        lo, hi = self.break_window
        if self.break_hours and not (0 < lo and lo + self.break_hours <= hi <= self.hours):
            raise PlanKeyError(where, "break_from", f"a break window inside the shift holding {self.break_hours} h",
                               [f"{self.break_from:02d}:00", f"{self.break_until:02d}:00"])
        return self

    @property
    def break_window(self) -> tuple[int, int]:
        """The break window as hour offsets from the shift's start ((0, 0) without a break)."""
        if not self.break_hours:
            return (0, 0)
        return ((self.break_from - self.start_hour) % 24, (self.break_until - self.start_hour) % 24 or 24)

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


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class Rules:
    """The hard labour rules."""

    min_rest_h: F = Field(default=11.0, ge=0, le=24)
    max_consecutive_days: I = Field(default=6, ge=1, le=31)
    max_nights: I = Field(default=366, ge=0)
    max_nights_per_7_days: I = Field(default=7, ge=0, le=7)
    night_to_day_days_off: I = Field(default=0, ge=0, le=7)
    daily_standard_h: F = Field(default=8.0, gt=0, le=24)
    max_overtime_h_day: F = Field(default=3.0, ge=0, le=24)
    max_overtime_h_month: F = Field(default=36.0, ge=0)
    max_consecutive_nights: I | None = Field(default=None, ge=1, le=31)
    """Night shifts on consecutive days at most (none: no limit)."""


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class Staffing:
    shrinkage: Share = 0.2
    shrinkage_by_phase: dict[str, Share] = Field(default_factory=dict)
    max_occupancy: F = Field(default=0.85, gt=0, le=1)


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class Costs:
    """Weights of the roster's objective, in yuan."""

    overstaff_per_agent_hour: Cost = 5.0
    overtime_rate: Rate = 1.5
    rest_day_rate: Rate = 2.0
    holiday_rate: Rate = 3.0
    holidays: frozenset[Date] = frozenset()
    overtime_employment: tuple[str, ...] = ("full_time",)
    fair_nights: Cost = 0.0
    fair_sale_nights: Cost = 0.0
    fair_hours: Cost = 0.0
    preference: Cost = 0.0


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class Solver:
    time_limit_s: F = Field(default=30.0, gt=0)
    workers: I = Field(default=2, ge=1, le=64)
    seed: I = Field(default=0, ge=0)
    staged: B = True


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class Replan:
    """``peakplan replan``: what a re-plan keeps of the published roster, and what a change costs."""

    lock_days: F = Field(default=1.0, ge=0, le=60)
    """Shifts starting within this many days after the cut-off are kept exactly (agents have arranged their lives)."""
    change_cost: Cost = 100.0
    """Yuan per published agent-shift changed after the lock (moved to another template, removed or added)."""


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class Simulation:
    replications: I = Field(default=200, ge=1, le=100_000)
    """Per run of ``peakplan plan``; ``peakplan simulate`` may ask for more."""
    risk_level: F = Field(default=0.8, ge=0, le=1)
    """Hours whose chance of meeting the target is below this are reported."""
    warmup_min: F = Field(default=120.0, ge=0, le=24 * 60)


DataFile = Annotated[Path, WithJsonSchema({"type": "string", "description": "a path relative to the plan file"})]


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class PlanTable:
    """The ``[plan]`` table: the plan's name, window, planned event and data files."""

    name: str = Field(min_length=1)
    language: Literal["zh", "en"] = "en"
    """Everything a person reads (report, roster.xlsx, charts, terminal): zh or en."""
    start: Date
    end: Date
    event: str | None = None
    """The planned event's name in the promotions file."""
    forecast_quantile: Literal["mean", "p50", "p90"] = "p50"
    history: DataFile
    promotions: DataFile
    staff: DataFile
    peak_multiplier: F | None = Field(default=None, ge=1)
    """What-if: the peak's volume as a multiple of a normal day's."""

    @field_validator("history", "promotions", "staff", mode="after")
    @classmethod
    def _data_file(cls, value: Path, info: ValidationInfo) -> Path:
        """A data file's path, relative to the plan file; it must exist (checked when read from a file)."""
        base = (info.context or {}).get("base")
        if base is None or value.is_absolute():
            return value
        path = Path(base) / value
        if not path.is_file():
            raise ValueError(f"an existing file (a path relative to the plan file); not found: {path}")
        return path

    @model_validator(mode="after")
    def _window(self):
        if self.end < self.start:
            raise PlanKeyError("plan", "end", f"a date on or after start {self.start}", str(self.end))
        return self


@dataclass(frozen=True, kw_only=True, config=CONFIG)
class Plan(PlanTable):
    """A whole plan: the ``[plan]`` table's keys, then one attribute per table of the file."""

    path: SkipJsonSchema[Path] = Path("plan.toml")
    queues: dict[str, Queue] = Field(min_length=1)
    shifts: dict[str, ShiftTemplate] = Field(min_length=1)
    rules: Rules = Rules()
    staffing: Staffing = Staffing()
    costs: Costs = Costs()
    solver: Solver = Solver()
    simulation: Simulation = Simulation()
    replan: Replan = Replan()
    scenarios: dict[str, str] = Field(default_factory=dict)
    """What-if plans run beside the base plan: name = "peak_multiplier:8" (keys peak_multiplier, agents, quantile, shrinkage)."""

    @field_validator("queues", "shifts", mode="before")
    @classmethod
    def _names(cls, value, info: ValidationInfo):
        """Each queue and shift knows its own name (its table's key), and is labelled by it when it has no label."""
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            if isinstance(item, dict):
                if "name" in item:
                    raise PlanKeyError(f"{info.field_name}.{key}", "name", "no such key (the table's name is its name)", item["name"])
                blank = isinstance(item.get("label", ""), str) and not item.get("label", "").strip()
                item = {**item, "name": key, **({"label": key} if blank else {})}  # a blank label is the name
            elif dataclasses.is_dataclass(item) and item.name != key:
                item = dataclasses.replace(item, name=key)
            out[key] = item
        return out

    @model_validator(mode="after")
    def _across_tables(self):
        _check_references(self.queues)
        _check_labels(self.shifts)
        _check_dates(self)
        return self

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


def _check_references(queues: dict) -> None:
    for name, q in queues.items():
        for key in ("wave_of", "share_of"):
            other = getattr(q, key, None)
            if other is not None and (other == name or other not in queues):
                others = ", ".join(n for n in queues if n != name)
                raise PlanKeyError(f"queues.{name}", key, f"the name of another queue ({others})", other)
            if key == "share_of" and other is not None and getattr(queues[other], "share_of", None):
                raise PlanKeyError(f"queues.{name}", key, f"a queue with its own forecast ({other} follows {queues[other].share_of})", other)


def _check_labels(shifts: dict) -> None:
    seen = {}
    for name, t in shifts.items():
        label = t.label.strip() or name
        if label in seen:
            raise PlanKeyError(f"shifts.{name}", "label", f"a label no other shift has ({seen[label]} has it)", label)
        seen[label] = name


def _check_dates(plan) -> None:
    first, last = plan.start - dt.timedelta(days=1), plan.end
    for name, t in plan.shifts.items():
        outside = sorted(d for d in (t.dates or ()) if not first <= d <= last)
        if outside:
            raise PlanKeyError(f"shifts.{name}", "dates", f"dates inside the plan {plan.start}..{plan.end}", str(outside[0]))
