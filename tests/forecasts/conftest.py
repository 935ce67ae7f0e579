"""Shared fixtures: the demo history and promotions (read once per session)."""
from pathlib import Path

import pytest

from forecasts.history import read_history
from forecasts.promotions import read_promotions

DEMO = Path(__file__).resolve().parents[2] / "scheduler" / "demo"


@pytest.fixture(scope="session")
def demo_history():
    return read_history(DEMO / "history.csv")


@pytest.fixture(scope="session")
def demo_promotions():
    return read_promotions(DEMO / "promotions.csv")
