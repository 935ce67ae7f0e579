"""The bundled demo: a mid-size shop planning Double 11 2026 (``demo.toml`` and its data files)."""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
DEMO_CONFIG = DEMO_DIR / "demo.toml"
