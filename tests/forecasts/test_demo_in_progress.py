"""The demo's in-progress history: the demo history, then the planned sale's warm-up up to its eve."""
import pandas as pd

from scheduler.demo import DEMO_DIR, DEMO_IN_PROGRESS


def _read(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"y": "int64"})


def test_in_progress_continues_the_demo_history_to_the_eve():
    assert DEMO_IN_PROGRESS.read_bytes()[:3] == b"\xef\xbb\xbf"
    old, new = _read(DEMO_DIR / "history.csv"), _read(DEMO_IN_PROGRESS)
    assert list(new.columns) == ["queue", "ds", "y"]
    head = new[new["ds"] < "2026-11-01 00:00"].reset_index(drop=True)
    pd.testing.assert_frame_equal(head, old)
    tail = new[new["ds"] >= "2026-11-01 00:00"]
    assert tail.groupby("queue")["ds"].agg(["min", "max", "size"]).to_dict("list") == {
        "min": ["2026-11-01 00:00"] * 3, "max": ["2026-11-10 23:00"] * 3, "size": [240] * 3}
    # the warm-up ramps: the eve's pre-sale volume is well above the first of November's
    day = tail.assign(day=tail["ds"].str[:10]).groupby(["queue", "day"])["y"].sum()
    assert day["presale", "2026-11-10"] > 1.2 * day["presale", "2026-11-01"]
