"""Click parameter types for the command line's numbers: finite floats in a range, lists of them.

Takes and returns no frames. ``click.FloatRange`` lets ``nan`` through every bound (a NaN
compares false) and ``inf`` through any lower bound; :class:`FiniteFloat` rejects both first, so
a bad number is click's usual one-line usage error (exit 2) before any work.
"""

from __future__ import annotations

import math

import click


class FiniteFloat(click.FloatRange):
    """A finite float, optionally bounded (the bounds of :class:`click.FloatRange`).

    Examples
    --------
    ``FiniteFloat(min=0, min_open=True)``: a positive number; ``nan``, ``inf``, ``0`` and ``-1`` fail.
    """

    name = "finite float"

    def convert(self, value, param, ctx) -> float:
        number = click.types.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number; expected {self._expected()}.", param, ctx)
        return super().convert(number, param, ctx)

    def _expected(self) -> str:
        return f"a number {self._describe_range()}" if (self.min, self.max) != (None, None) else "a number"


class FloatList(click.ParamType):
    """Comma-separated finite floats (``240,300,390``), each checked by an ``item`` type.

    Parameters
    ----------
    item : FiniteFloat
        The type every item must have.
    example : str
        Shown in the error, e.g. ``"240,300,390"``.
    """

    name = "numbers"

    def __init__(self, item: FiniteFloat, example: str) -> None:
        self.item, self.example = item, example

    def convert(self, value, param, ctx) -> tuple[float, ...]:
        if isinstance(value, tuple):
            return value
        items = [v.strip() for v in str(value).split(",")]
        if not value or "" in items:
            self.fail(f"{value!r}: expected numbers separated by commas, e.g. {self.example}.", param, ctx)
        out = []
        for i, text in enumerate(items, start=1):
            try:
                out.append(self.item.convert(text, param, ctx))
            except click.BadParameter as exc:
                self.fail(f"item {i} of {value!r}: {exc.message.rstrip('.')} (e.g. {self.example}).", param, ctx)
        return tuple(out)
