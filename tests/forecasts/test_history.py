"""read_history: the frame it returns and the errors it raises."""
import warnings

import pandas as pd
import pytest

from forecasts.errors import InputError
from forecasts.history import read_history


def _write(tmp_path, text, name="history.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


GOOD = "queue,ds,y\npresale,2026-01-01 00:00,3\npresale,2026-01-01 01:00,4\naftersale,2026-01-01 00:00,1\n"


def test_reads_typed_sorted_frame(tmp_path):
    out = read_history(_write(tmp_path, GOOD))
    assert list(out.columns) == ["queue", "ds", "y"]
    assert pd.api.types.is_datetime64_any_dtype(out["ds"])
    assert out["y"].dtype == float
    assert list(out["queue"]) == ["aftersale", "presale", "presale"]


def test_duplicate_hour_names_rows(tmp_path):
    path = _write(tmp_path, GOOD + "presale,2026-01-01 01:00,5\n")
    with pytest.raises(InputError, match=r"history\.csv: rows 2, 4: duplicate \(queue, ds\)") as err:
        read_history(path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("old, new, message", [
    pytest.param(",4\n", ",-4\n", r"history\.csv: row 2: y is negative", id="negative count"),
    pytest.param(",4\n", ",four\n", r"row 2: y is not a number", id="non-numeric count"),
    pytest.param("2026-01-01 01:00", "yesterday", r"row 2: ds is not a timestamp; expected YYYY-MM-DD HH:MM", id="bad timestamp"),
    pytest.param("queue,ds,y", "queue,ds,count", r"history\.csv: missing column\(s\) y", id="missing column"),
])
def test_bad_history_names_the_row_or_column(tmp_path, old, new, message):
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(InputError, match=message):
        read_history(path)


def test_gap_longer_than_a_day_warns(tmp_path):
    rows = ["queue,ds,y"] + [f"presale,{ts:%Y-%m-%d %H:%M},5"
                             for ts in pd.date_range("2026-01-01", periods=10, freq="h")]
    rows.append("presale,2026-01-03 00:00,5")
    path = _write(tmp_path, "\n".join(rows) + "\n")
    with pytest.warns(UserWarning, match=r"queue presale: 38 missing hours from 2026-01-01 10:00 to 2026-01-02 23:00"):
        out = read_history(path)
    assert len(out) == 11  # not filled


def test_short_gap_does_not_warn(tmp_path):
    rows = ["queue,ds,y", "presale,2026-01-01 00:00,1", "presale,2026-01-02 00:00,1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_history(_write(tmp_path, "\n".join(rows) + "\n"))


from hypothesis import given, settings, strategies as st


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30))
def test_round_trip_any_counts(tmp_path_factory, counts):
    hours = pd.date_range("2026-03-01", periods=len(counts), freq="h")
    frame = pd.DataFrame({"queue": "presale", "ds": hours.strftime("%Y-%m-%d %H:%M"), "y": counts})
    path = tmp_path_factory.mktemp("h") / "history.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    out = read_history(path)
    assert out["y"].tolist() == [float(c) for c in counts]
    assert (out["ds"] == hours).all()


def test_timezone_suffix_is_rejected(tmp_path):
    path = _write(tmp_path, GOOD.replace("2026-01-01 01:00", "2026-01-01T01:00+08:00"))
    with pytest.raises(InputError, match=r"row 2: ds has a timezone suffix"):
        read_history(path)
    path = _write(tmp_path, GOOD.replace("2026-01-01 01:00", "2026-01-01 01:00Z"))
    with pytest.raises(InputError, match="timezone"):
        read_history(path)


def test_raw_contact_log_is_counted_per_hour(tmp_path):
    text = ("queue,ds\npresale,2026-01-01 00:05:10\npresale,2026-01-01 00:59:59\n"
            "presale,2026-01-01 02:30\naftersale,2026-01-01 01:00\n")
    out = read_history(_write(tmp_path, text))
    pre = out[out["queue"] == "presale"].set_index("ds")["y"]
    assert pre.tolist() == [2.0, 0.0, 1.0]  # the quiet hour inside the span is a real zero
    assert out[out["queue"] == "aftersale"]["y"].tolist() == [1.0]


def test_raw_log_outage_is_left_missing_and_warned(tmp_path):
    text = "queue,ds\npresale,2026-01-01 00:10\npresale,2026-01-03 05:00\n"
    with pytest.warns(UserWarning, match="missing hours"):
        out = read_history(_write(tmp_path, text))
    assert len(out) == 2


def test_missing_hours_lists_every_gap(tmp_path):
    from forecasts.history import missing_hours
    rows = "queue,ds,y\npresale,2026-01-01 00:00,1\npresale,2026-01-01 03:00,1\n"
    gaps = missing_hours(read_history(_write(tmp_path, rows)))
    assert gaps[["queue", "hours"]].values.tolist() == [["presale", 2]]
