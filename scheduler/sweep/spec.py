"""A sweep's description: which plans, which what-if scenarios, each task's budget, and where the cluster is.

A sweep is read from a ``SWEEP.toml`` file or from a folder of plan files (every ``*.toml`` in it and
in its sub-folders one level down, the scenarios then given on the command line)::

    [sweep]
    plans = ["shops/*/plan.toml"]   # plan files or glob patterns, relative to this file
    out = "../outputs/sweep"        # the sweep folder, relative to this file (default outputs/<this file's name>)
    time_limit_s = 60               # each task's roster budget (default: each plan's own)
    seed = 0                        # (default: each plan's own)
    solver_workers = 1              # CP-SAT workers in each task (default 1)
    base = true                     # plan each shop as it is too, as scenario "base"
    scheduler = "tcp://host:8786"   # a running Dask scheduler (default: a local cluster)

    [scenarios]                     # what-if scenarios, as ``peakplan plan --scenario`` takes them
    peak8x = "peak_multiplier:8"
    lean = "agents:-10%"

A shop is named after its plan file (``shops/acme.toml`` is ``acme``), or after its folder when the file
is ``plan.toml`` (``shops/acme/plan.toml``). Every mistake is an ``InputError`` naming the file and key.

Takes: the path of a SWEEP.toml or a folder. Returns: a ``Sweep``.
"""

from __future__ import annotations

import dataclasses
import difflib
import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

from forecasts.errors import InputError
from scheduler.plan.load import read_toml
from scheduler.simulate.scenarios import NAME, parse_overrides

BASE = "base"  # the scenario name of a plan as it is
KEYS = {"plans": list, "out": str, "time_limit_s": (int, float), "seed": int, "solver_workers": int, "base": bool,
        "scheduler": str}
TABLES = ("sweep", "scenarios")


@dataclass(frozen=True)
class Sweep:
    """Plans x scenarios and how to run them. ``scenarios`` maps a name to its overrides (``base`` excluded)."""

    source: Path
    plans: tuple[Path, ...]
    scenarios: dict = field(default_factory=dict)
    out: Path | None = None
    time_limit_s: float | None = None
    seed: int | None = None
    solver_workers: int = 1
    base: bool = True
    scheduler: str | None = None

    def shops(self) -> dict[str, Path]:
        """Shop name -> plan file, in the order given."""
        return {shop_name(p): p for p in self.plans}

    def scenario_names(self) -> list[str]:
        return ([BASE] if self.base else []) + list(self.scenarios)


def shop_name(path: Path) -> str:
    """``acme.toml`` -> ``acme``; ``acme/plan.toml`` -> ``acme``."""
    path = Path(path)
    return path.parent.name if path.stem == "plan" and path.parent.name else path.stem


def read_sweep(path: str | Path) -> Sweep:
    """A ``Sweep`` from a SWEEP.toml file, or from a folder of plan files (no scenarios; add them with ``with_options``)."""
    path = Path(path)
    if path.is_dir():
        plans = sorted({*path.glob("*.toml"), *path.glob("*/*.toml")})
        plans = [p for p in plans if p.parent.name != "inputs"]  # a run folder's copy of its plan is not a plan
        if not plans:
            raise InputError(f"{path}: no plan files (*.toml) in this folder or its sub-folders")
        return _checked(Sweep(source=path, plans=tuple(plans), out=Path("outputs") / f"sweep-{path.resolve().name}"))
    return _checked(_from_tables(path, read_toml(path, "sweep file")))


def _unknown(path: Path, what: str, name: str, valid) -> InputError:
    """``FILE: [sweep] slover_workers: unknown key; did you mean solver_workers?``"""
    near = difflib.get_close_matches(name, list(valid), n=1)
    hint = f"; did you mean {near[0]}?" if near else f"; expected one of {', '.join(valid)}"
    shown = f"[{name}]: unknown table" if what == "table" else f"[sweep] {name}: unknown key"
    return InputError(f"{path}: {shown}{hint}")


def _from_tables(path: Path, data: dict) -> Sweep:
    for table in data:
        if table not in TABLES:
            raise _unknown(path, "table", table, TABLES)
        if not isinstance(data[table], dict):
            raise InputError(f"{path}: {table}: expected a table [{table}]")
    table = data.get("sweep", {})
    for key, value in table.items():
        if key not in KEYS:
            raise _unknown(path, "key", key, KEYS)
        kinds = KEYS[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and kinds is not bool):
            kind = {list: "a list of plan files", str: "text", int: "a whole number", bool: "true or false"}.get(kinds, "a number")
            raise InputError(f"{path}: [sweep] {key}: expected {kind}, got {value!r}")
    if "plans" not in table:
        raise InputError(f"{path}: [sweep] missing key 'plans' (plan files or glob patterns, relative to this file)")
    plans = _plans(path, table["plans"])
    scenarios = {}
    for name, text in data.get("scenarios", {}).items():
        if not isinstance(text, str):
            raise InputError(f"{path}: [scenarios] {name}: expected text such as \"peak_multiplier:8\", got {text!r}")
        scenarios[name] = text
    out = path.parent / table["out"] if "out" in table else Path("outputs") / path.stem  # as a plan's files: relative to it
    return Sweep(source=path, plans=plans, scenarios=scenarios, out=out, time_limit_s=table.get("time_limit_s"),
                 seed=table.get("seed"), solver_workers=table.get("solver_workers", 1), base=table.get("base", True),
                 scheduler=table.get("scheduler"))


def _plans(path: Path, patterns: list) -> tuple[Path, ...]:
    """Every plan file the patterns name (relative to the sweep file), in order, each once."""
    found: dict[Path, None] = {}
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern.strip():
            raise InputError(f"{path}: [sweep] plans: expected plan files or glob patterns (text), got {pattern!r}")
        full = str(path.parent / pattern)
        if glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(full, recursive=True) if Path(p).is_file())
            if not matches:
                raise InputError(f"{path}: [sweep] plans: {pattern!r}: no plan file matches")
        else:
            if not Path(full).is_file():
                raise InputError(f"{path}: [sweep] plans: {pattern!r}: plan file not found")
            matches = [Path(full)]
        found.update(dict.fromkeys(matches))
    if not found:
        raise InputError(f"{path}: [sweep] plans: expected at least one plan file")
    return tuple(found)


def with_options(sweep: Sweep, **given) -> Sweep:
    """The sweep with the command line's values (those not None) in place of the file's; ``scenarios``
    given on the command line are added to the file's."""
    extra = given.pop("scenarios", None) or {}
    changes = {k: v for k, v in given.items() if v is not None}
    return _checked(dataclasses.replace(sweep, scenarios={**sweep.scenarios, **extra}, **changes))


def _checked(sweep: Sweep) -> Sweep:
    """Fail on what no task could survive: duplicate shop names, bad scenario names or overrides, bad numbers."""
    where = f"{sweep.source}"
    seen: dict[str, Path] = {}
    for plan in sweep.plans:
        name = shop_name(plan)
        if name in seen:
            raise InputError(f"{where}: plans {seen[name]} and {plan} are both shop {name!r} (name each plan file or folder after its shop)")
        seen[name] = plan
    for name, text in sweep.scenarios.items():
        check_scenario(name, text, f"{where}: [scenarios] {name}")
    if not sweep.base and not sweep.scenarios:
        raise InputError(f"{where}: [sweep] base = false and no [scenarios]: nothing to plan")
    if sweep.time_limit_s is not None and not 0 < sweep.time_limit_s < float("inf"):
        raise InputError(f"{where}: [sweep] time_limit_s: expected a positive number of seconds, got {sweep.time_limit_s!r}")
    if sweep.seed is not None and sweep.seed < 0:
        raise InputError(f"{where}: [sweep] seed: expected a whole number from 0, got {sweep.seed!r}")
    if sweep.solver_workers < 1:
        raise InputError(f"{where}: [sweep] solver_workers: expected a whole number from 1, got {sweep.solver_workers!r}")
    if sweep.scheduler is not None and not re.match(r"^[a-z+]+://\S+$", sweep.scheduler):
        raise InputError(f"{where}: [sweep] scheduler: expected an address such as tcp://host:8786, got {sweep.scheduler!r}")
    return sweep


def check_scenario(name: str, text: str, where: str) -> None:
    """A scenario's name and overrides, checked without its plan (``agents`` leaving nobody is the plan's error row)."""
    if name == BASE:
        raise InputError(f"{where}: the name {BASE!r} is the plan as it is; name the scenario otherwise")
    if not NAME.match(name):
        raise InputError(f"{where}: a scenario name is letters, digits, '_', '.', '-'")
    over = parse_overrides(text, where)
    checks = {"peak_multiplier": (_at_least(1.0), "a number from 1"),
              "shrinkage": (lambda v: 0.0 <= float(v) <= 0.95, "a number from 0 to 0.95"),
              "quantile": (lambda v: v in ("mean", "p50", "p90"), "one of mean, p50, p90"),
              "agents": (lambda v: re.fullmatch(r"[+-]\d+(?:\.\d+)?%?", v) is not None, "a signed count or share, e.g. -10% or +5")}
    for key, value in over.items():
        test, expected = checks[key]
        try:
            ok = test(value)
        except ValueError:
            ok = False
        if not ok:
            raise InputError(f"{where}: {key}:{value}: expected {expected}")


def _at_least(lo: float):
    return lambda v: lo <= float(v) < float("inf")
