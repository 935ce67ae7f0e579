"""Words a person reads, in the plan's language: every phrase in English and Chinese in one data file,
``phrases.toml`` beside this module (a translator edits it, not the code), and the plan's labels for
queues and shifts.

CSVs keep machine keys (``presale``); everything a person reads goes through ``Words``.
"""

import tomllib
from pathlib import Path

PHRASES_FILE = Path(__file__).with_name("phrases.toml")


def _load() -> dict[str, tuple[str, str]]:
    """key -> (English, Chinese), ``str.format`` fields allowed."""
    table = tomllib.loads(PHRASES_FILE.read_text(encoding="utf-8"))
    return {key: (entry["en"], entry["zh"]) for key, entry in table.items()}


PHRASES: dict[str, tuple[str, str]] = _load()


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
