"""Reading a plan file: TOML, its tables flattened onto ``Plan``, every schema error turned into one
line naming the file, table, key, value and what was expected (with the nearest valid name for an
unknown table or key); and the JSON Schema of the file (``peakplan schema``).

Takes: a path to ``*.toml``. Returns: ``Plan`` (``scheduler.plan.config``).
"""

import dataclasses
import difflib
import functools
import tomllib
import typing
from pathlib import Path

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, create_model

from forecasts.errors import InputError
from scheduler.plan.config import QUEUE_KINDS, UNKNOWN, BacklogQueue, ChatQueue, Plan, PlanKeyError, PlanTable, ShiftTemplate


def _table_fields() -> dict[str, object]:
    """The file's tables after ``[plan]``: Plan's own attributes, with their types and defaults."""
    own = {f.name for f in dataclasses.fields(PlanTable)} | {"path"}
    hints = typing.get_type_hints(Plan, include_extras=True)
    return {f.name: (hints[f.name], f) for f in dataclasses.fields(Plan) if f.name not in own}


def _model_at(table: str, data: dict):
    """The dataclass whose keys are valid in a table (for "did you mean")."""
    head, _, name = table.partition(".")
    if head == "plan":
        return PlanTable
    if head == "shifts":
        return ShiftTemplate
    if head == "queues":
        raw = data.get("queues", {}).get(name)
        return BacklogQueue if isinstance(raw, dict) and raw.get("kind") == "backlog" else ChatQueue
    return None if head == "scenarios" else typing.get_type_hints(Plan).get(head)


def _keys(model) -> list[str]:
    """The keys a table of this dataclass takes, as the file spells them."""
    return [f.alias or name for name, f in model.__pydantic_fields__.items() if name not in ("name", "path", "kind")]


def _where(loc: tuple, data: dict) -> tuple[str, str]:
    """(table, key) of an error's location: ``("queues", "presale", "chat", "target_sl")`` -> ("queues.presale", "target_sl")."""
    parts = [str(p) for p in loc]
    if parts[:1] == ["queues"] and len(parts) > 2 and parts[2] in QUEUE_KINDS:
        del parts[2]
    if not parts or parts[0] not in _table_fields():
        return "plan", ".".join(parts)
    if parts[0] in ("queues", "shifts", "scenarios"):
        return ".".join(parts[:2]), ".".join(parts[2:])
    return parts[0], ".".join(parts[1:])


def _problem(err: dict, data: dict) -> str:
    """One error in words: what was expected, what was found."""
    if isinstance(err.get("ctx", {}).get("error"), PlanKeyError):
        return str(err["ctx"]["error"])
    table, key = _where(err["loc"], data)
    if err["type"] in UNKNOWN:
        model = _model_at(table, data)
        near = difflib.get_close_matches(key.split(".")[-1], _keys(model), n=1) if model else []
        hint = f"; did you mean {near[0]}?" if near else f"; expected one of {', '.join(_keys(model))}" if model else ""
        return f"[{table}] {key}: unknown key{hint}"
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        got = f", got {err['ctx']['tag']!r}" if "tag" in err.get("ctx", {}) else ""
        return f"[{table}] kind: expected one of {', '.join(QUEUE_KINDS)}{got}"
    msg = err["msg"].removeprefix("Value error, ").replace("Input should be ", "")
    got = f", got {err['input']!r}" if not isinstance(err.get("input"), dict) else ""
    if err["type"] == "missing":
        return f"[{table}] missing key {key!r}"
    return f"[{table}] {key}: expected {msg}{got}"


def _flatten(data: dict, path: Path) -> dict:
    """The file's tables as Plan's keyword arguments; an unknown table is an error naming the nearest."""
    tables = _table_fields()
    for name, value in data.items():
        if name != "plan" and name not in tables:
            near = difflib.get_close_matches(name, ["plan", *tables], n=1)
            hint = f"; did you mean [{near[0]}]?" if near else f"; expected one of plan, {', '.join(tables)}"
            raise InputError(f"{path}: [{name}]: unknown table{hint}")
        if not isinstance(value, dict) and name != "plan":
            raise InputError(f"{path}: [{name}]: expected a table, got {value!r}")
    plan = data.get("plan")
    if not isinstance(plan, dict):
        raise InputError(f"{path}: missing [plan] table (name, start, end, history, promotions, staff)")
    clash = [k for k in plan if k in tables or k == "path"]
    if clash:
        raise InputError(f"{path}: [plan] {clash[0]}: unknown key (it is a table of its own: [{clash[0]}])")
    return {**plan, **{k: v for k, v in data.items() if k != "plan"}, "path": path}


def load_plan(path: str | Path, files: dict[str, Path] | None = None) -> Plan:
    """Read and validate a plan file; ``files`` replaces data files by key (``history``, ...), as a
    run folder's ``inputs/`` copy is read (``load_run_plan``).

    Raises
    ------
    InputError
        The file is missing or not TOML, or a table or key is unknown, missing, of the wrong
        type, out of range, or breaks a rule across keys; one line naming the file, table and key.
    """
    path = Path(path)
    data = read_toml(path, "plan file")
    if files and isinstance(data.get("plan"), dict):
        data["plan"] = {**data["plan"], **{k: str(Path(v).resolve()) for k, v in files.items()}}
    try:
        return _adapter().validate_python(_flatten(data, path), context={"base": path.parent})
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] not in UNKNOWN)  # an unknown key explains a missing one
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise InputError(f"{path}: {_problem(errors[0], data)}{more}") from None


def read_toml(path: Path, what: str) -> dict:
    """A TOML file's tables (UTF-8, a BOM allowed); a missing file or bad TOML is one line naming it."""
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML file ({exc})") from None


def load_run_plan(run_dir: str | Path, history: str | Path | None = None) -> Plan:
    """The plan a run folder was made from: the plan file in its ``inputs/``, with the data files copied
    beside it (and ``history`` instead of the run's own when given)."""
    inputs = Path(run_dir) / "inputs"
    configs = sorted(inputs.glob("*.toml")) if inputs.is_dir() else []
    if len(configs) != 1:
        raise InputError(f"{run_dir}: not a run folder of peakplan plan (expected one plan file in inputs/, found {len(configs)})")
    data = read_toml(configs[0], "plan file").get("plan", {})
    files = {k: inputs / Path(str(data.get(k, ""))).name for k in ("history", "promotions", "staff")}
    if history is not None:
        files["history"] = Path(history)
    return load_plan(configs[0], files)


@functools.cache
def _adapter() -> TypeAdapter:
    return TypeAdapter(Plan)


def plan_schema() -> dict:
    """The JSON Schema of a plan file: the ``[plan]`` table, then the other tables."""
    fields = {name: (hint, f.default if f.default is not dataclasses.MISSING else
                     Field(default_factory=f.default_factory) if f.default_factory is not dataclasses.MISSING else ...)
              for name, (hint, f) in _table_fields().items()}
    model = create_model("PlanFile", __config__=ConfigDict(extra="forbid"), __doc__="A peakplan plan file (TOML).",
                         plan=(PlanTable, ...), **fields)
    return model.model_json_schema(mode="validation", by_alias=True)
