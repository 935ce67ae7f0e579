"""read_promotions: the two frames it returns and the errors it raises."""
import pandas as pd
import pytest

from forecasts.errors import InputError
from forecasts.promotions import read_promotions

HEAD = "event,kind,phase,start,end,peak\n"
EVENT = "d11,double11,,2026-10-22 00:00,2026-11-20 00:00,2026-11-11 00:00\n"
PHASE = "d11,double11,peak,2026-11-11 00:00,2026-11-12 00:00,\n"


def _write(tmp_path, text):
    path = tmp_path / "promotions.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_reads_events_and_phases(tmp_path, demo_promotions):
    promo = read_promotions(_write(tmp_path, HEAD + EVENT + PHASE))
    assert list(promo.events.columns) == ["event", "kind", "start", "peak", "end"]
    assert list(promo.phases.columns) == ["event", "phase", "start", "end"]
    assert promo.events.loc[0, "peak"] == pd.Timestamp("2026-11-11")
    d11 = demo_promotions.phases_of("double11-2026").set_index("phase")
    assert d11.loc["final_payment", "start"] == pd.Timestamp("2026-11-10 20:00")
    assert d11.loc["peak", "start"] == pd.Timestamp("2026-11-11 00:00")


def test_end_before_start_names_row(tmp_path):
    bad = "d11,double11,peak,2026-11-12 00:00,2026-11-11 00:00,\n"
    with pytest.raises(InputError, match=r"promotions\.csv: row 2: end 2026-11-11 00:00 is not after start"):
        read_promotions(_write(tmp_path, HEAD + EVENT + bad))


def test_phase_of_unknown_event_names_row(tmp_path):
    bad = "d12,double12,peak,2026-12-12 00:00,2026-12-13 00:00,\n"
    with pytest.raises(InputError, match=r"row 3: phase of unknown event 'd12'"):
        read_promotions(_write(tmp_path, HEAD + EVENT + PHASE + bad))


def test_unknown_phase_and_peak_outside(tmp_path):
    with pytest.raises(InputError, match=r"row 2: unknown phase 'presale'"):
        read_promotions(_write(tmp_path, HEAD + EVENT + PHASE.replace(",peak,", ",presale,")))
    with pytest.raises(InputError, match=r"row 1: peak 2026-12-11 00:00 is outside event d11"):
        read_promotions(_write(tmp_path, HEAD + EVENT.replace("2026-11-11 00:00", "2026-12-11 00:00")))


def test_missing_column_is_named(tmp_path):
    with pytest.raises(InputError, match=r"missing column\(s\) peak"):
        read_promotions(_write(tmp_path, "event,kind,phase,start,end\nd11,double11,,2026-10-22,2026-11-20\n"))
