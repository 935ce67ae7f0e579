"""The ``peakplan`` command group and its error boundary: a user's mistake (missing file, bad
column, unknown queue, bad config key) becomes one line ``Error: ...`` with a non-zero exit and
no traceback. Each command lives in a module of its own in this package."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from forecasts.errors import InputError, print_warnings_plainly
from scheduler.demo import DEMO_CONFIG
from scheduler.pipeline import RosterCheckError
from scheduler.roster.model import NoRosterError


def demo_config() -> Path:
    """The bundled demo plan, shipped inside the package."""
    return DEMO_CONFIG


def user_errors(func):
    """Turn a user's input error into ``Error: ...`` and exit code 1, with no traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (InputError, NoRosterError, RosterCheckError) as exc:
            raise click.ClickException(str(exc)) from None
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="peakplan")
def main():
    """peakplan: staff and roster customer service for a big online sale.

    \b
    Example:
      peakplan plan                      # the bundled Double 11 demo
      peakplan check configs/double11.toml outputs/double11-2026/roster.csv
    """
    print_warnings_plainly()


