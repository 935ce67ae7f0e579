"""The ``peakplan`` command line: thin click commands over the library, one module per command
(``plan``, ``rosters``: check and simulate, ``erlang``, ``files``: init and schema, ``backtest``, ``sweep``)."""

from scheduler.cli import erlang, files, plan, replan, rosters, stages, sweep  # noqa: F401  (each registers its commands on main)
from scheduler.cli.app import main
from scheduler.cli.backtest import backtest

main.add_command(backtest)

__all__ = ["main"]
