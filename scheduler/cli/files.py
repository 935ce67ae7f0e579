"""``peakplan init`` and ``peakplan schema``: an editable copy of the demo plan, the plan file's JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecasts.errors import InputError
from scheduler.plan.load import plan_schema
from scheduler.report.export import write_run
from scheduler.cli.app import demo_config, main, user_errors


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@user_errors
def init(folder):
    """Write an editable copy of the demo plan and its data files into FOLDER, the plan named after FOLDER.

    \b
    Example:
      peakplan init my-plan && peakplan plan my-plan/demo.toml
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder}: exists and is not an empty folder")
    name = folder.resolve().name
    text = demo_config().read_text(encoding="utf-8")
    files = {src.name: src.read_bytes() for src in demo_config().parent.iterdir() if src.suffix == ".csv"}
    files["demo.toml"] = text.replace('name = "double11-2026"', f"name = {json.dumps(name, ensure_ascii=False)}", 1).encode("utf-8")
    write_run(folder, frames={}, docs={}, files=files, inputs=None, force=folder.exists())
    click.echo(f"wrote the demo plan (named {name!r}) to {folder.resolve()}; edit {folder / 'demo.toml'} and run: "
               f"peakplan plan {folder / 'demo.toml'}")


@main.command()
def schema():
    """Print the JSON Schema of the plan file, for an editor to complete and check a plan.

    \b
    Example:
      peakplan schema > plan.schema.json
    """
    click.echo(json.dumps(plan_schema(), ensure_ascii=False, indent=2))


