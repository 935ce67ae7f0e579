"""Words a person reads, in the plan's language: one table of phrases (English, Chinese) that
every module of the report adds its own to, and the plan's labels for queues and shifts.

CSVs keep machine keys (``presale``); everything a person reads goes through ``Words``.
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, str]] = {}  # key -> (English, Chinese), ``str.format`` fields allowed


def phrases(table: dict[str, tuple[str, str]]) -> None:
    """Add a module's phrases; a key may be defined once."""
    clash = set(table) & set(PHRASES)
    if clash:
        raise ValueError(f"phrases defined twice: {sorted(clash)}")
    PHRASES.update(table)


phrases({
    "break": ("break", "休息"),
    "sep": (", ", "，"),
    "col.date": ("Date", "日期"),
    "col.queue": ("Queue", "队列"),
    "col.shift": ("Shift", "班次"),
    "col.name": ("Name", "姓名"),
    "col.id": ("ID", "工号"),
    "col.skills": ("Skills", "技能"),
    "rest": ("off", "休"),
    "leave": ("leave", "假"),
    "weekday": ("Mon Tue Wed Thu Fri Sat Sun", "一 二 三 四 五 六 日"),
    "yuan": ("{v:,.0f} yuan", "{v:,.0f} 元"),
    "phase.warmup": ("warm-up", "预热"),
    "phase.deposit": ("deposit", "定金"),
    "phase.final_payment": ("final payment", "尾款"),
    "phase.peak": ("sale day", "大促当天"),
    "phase.aftersales": ("after-sales", "售后期"),
    "employment.full_time": ("full-time", "全职"),
    "employment.part_time": ("part-time", "兼职"),
    "employment.temp": ("temp", "临时"),
})


class Words:
    """The plan's language: ``words("key", **fields)``, and its labels for queues and shifts."""

    def __init__(self, plan):
        self.plan = plan
        self.lang = getattr(plan, "language", "en")
        self.zh = self.lang == "zh"

    def __call__(self, key: str, **fields) -> str:
        en, zh = PHRASES[key]
        return (zh if self.zh else en).format(**fields)

    def queue(self, name: str) -> str:
        """A queue's label (``break`` for the break), as the plan names it."""
        if name == "break":
            return self("break")
        queue = self.plan.queues.get(name)
        return queue.label if queue is not None else str(name)

    def shift(self, name: str) -> str:
        """A shift template's short label (the roster grid's cell)."""
        template = self.plan.shifts.get(name)
        return template.label if template is not None else str(name)

    def phase(self, name: str) -> str:
        key = f"phase.{name}"
        return self(key) if key in PHRASES else str(name)

    def employment(self, kind: str) -> str:
        key = f"employment.{kind}"
        return self(key) if key in PHRASES else str(kind)

    def day(self, date) -> str:
        """``11-11 Wed`` / ``11-11 周三``."""
        names = self("weekday").split()
        return f"{date:%m-%d} {'周' if self.zh else ''}{names[date.weekday()]}"

    def yuan(self, value: float) -> str:
        return self("yuan", v=value)
