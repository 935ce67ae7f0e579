"""The bundled demo: a mid-size shop planning Double 11 2026 (``demo.toml`` and its data files).

``DEMO_IN_PROGRESS`` is the demo's history run on to the eve of the sale (2026-11-10 23:00),
the same seeded generator (``scripts/generate_demo.py``): the input of a re-plan (``peakplan
replan ... --history`` with ``--as-of 2026-11-11``).
"""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
DEMO_CONFIG = DEMO_DIR / "demo.toml"
DEMO_IN_PROGRESS = DEMO_DIR / "history_in_progress.csv"
