"""Writing a run folder atomically: everything goes to a temporary sibling folder that is renamed
into place at the end, so a failed run leaves nothing half-written and an existing run folder
is replaced only with ``force``.

Every CSV cell of text that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, a tab)
is written behind an apostrophe (``forecasts.tables.guard``), which the project's readers drop
again. The run folder gets the permissions of any new folder (the umask's), not the private ones
of a temporary folder, so teammates on a shared drive can open it.

Takes: frames, JSON documents, files as bytes (charts, ``roster.xlsx``, ``report.html``,
``calendars/*.ics``) or matplotlib figures, and input files. Writes: the run folder.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from forecasts.errors import InputError
from forecasts.tables import guard
from scheduler import interrupt

TIME_FORMAT = "%Y-%m-%d %H:%M"


def ensure_writable(out: Path, force: bool) -> None:
    """Fail before any work when the run folder exists and ``force`` is not given, or cannot be made."""
    if out.exists() and not force:
        raise InputError(f"{out}: run folder already exists (use --force to replace it, or --out to choose another)")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    ensure_folder_possible(out)


def ensure_folder_possible(folder: Path) -> None:
    """Fail early unless ``folder`` is, or can be made, a writable folder: its nearest existing
    ancestor must be a folder we may write in (not a file, not read-only)."""
    folder = Path(folder).absolute()
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise InputError(f"{folder}: cannot make a folder here: {existing} is a file")
    if not writable(existing):
        raise InputError(f"{folder}: cannot write here: {existing} is read-only for this user")


def writable(folder: Path) -> bool:
    """Whether this user may make files in ``folder``."""
    return os.access(folder, os.W_OK | os.X_OK)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV in utf-8-sig (Excel opens Chinese names), timestamps as YYYY-MM-DD HH:MM."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime(TIME_FORMAT)
        elif pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: guard(v) if isinstance(v, str) else v)
    out.to_csv(path, index=False, encoding="utf-8-sig", float_format="%.6g")


def write_json(doc: dict, path: Path) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


def write_run(out: Path, frames: dict, docs: dict, files: dict, inputs: list[Path] | None, force: bool) -> Path:
    """Write every output into ``out`` at once (and copies of ``inputs`` into ``inputs/``); on any error
    nothing is left behind."""
    out = Path(out)
    ensure_writable(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_folder(out.parent, f".{out.name}.")
    try:
        _write_into(tmp, frames, docs, files)
        if inputs is not None:
            (tmp / "inputs").mkdir()
        for src in inputs or ():
            shutil.copy2(src, tmp / "inputs" / Path(src).name)
        with interrupt.shielded():  # a second Ctrl-C waits for the renames: never the old folder half-swapped
            _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _new_folder(parent: Path, prefix: str) -> Path:
    """A new temporary folder in ``parent`` with the permissions ``mkdir`` gives (not mkdtemp's 0700)."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)
    return tmp


def figure_png(fig, dpi: int = 110) -> bytes:
    """A figure as PNG bytes (the figure is closed)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _write_into(folder: Path, frames: dict, docs: dict, files: dict) -> None:
    """Frames as CSV, documents as JSON, files as their bytes (a matplotlib figure as PNG)."""
    for name, frame in frames.items():
        write_csv(frame, _place(folder, name))
    for name, doc in docs.items():
        write_json(doc, _place(folder, name))
    for name, data in files.items():
        _place(folder, name).write_bytes(data if isinstance(data, bytes) else figure_png(data))


def _place(folder: Path, name: str) -> Path:
    """``folder / name``, making the sub-folder a name such as ``peak8x/roster.csv`` has."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _swap_into_place(tmp: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_files(out: Path, frames: dict, files: dict, force: bool) -> list[Path]:
    """Add files to a folder: each written beside its place and renamed into it once all are written.

    An existing file is replaced only with ``force``; on any error none of the new files is left.
    """
    out = Path(out)
    targets = ensure_new_files(out, [*frames, *files], force)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".peakplan-", dir=out))
    try:
        _write_into(tmp, frames, {}, files)
        for target in targets:
            os.replace(tmp / target.name, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return targets


def ensure_new_files(out: Path, names, force: bool) -> list[Path]:
    """The paths of ``names`` in ``out``; fails early if one exists and ``force`` is not given."""
    ensure_folder_possible(out)
    targets = [Path(out) / name for name in names]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise InputError(f"{existing[0]}: already exists (use --force to replace it, or --out to choose another folder)")
    return targets
