"""Errors and warnings about a user's input (files, config): one line, naming the place and what was expected.

Takes and returns no frames. :func:`print_warnings_plainly` makes every warning that reaches the
terminal one line ``Warning: <message>`` on stderr (no source path, no ``UserWarning:``).
"""

from __future__ import annotations

import sys
import warnings


class InputError(ValueError):
    """A user's input is wrong; the message is one line naming the file, row or key and what was expected."""


class InputWarning(UserWarning):
    """A user's input is usable but suspect (a gap in the history, ...); one line naming the file and place."""


def warning_line(message) -> str:
    """``Warning: <message>``, on one line."""
    return "Warning: " + " ".join(str(message).split())


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A :func:`warnings.showwarning` printing :func:`warning_line` to stderr (or ``file``)."""
    stream = file if file is not None else sys.stderr
    if stream is not None:
        print(warning_line(message), file=stream, flush=True)


def print_warnings_plainly() -> None:
    """Print every warning that reaches the terminal as one ``Warning: ...`` line (call once, from the CLI)."""
    warnings.showwarning = show_warning
