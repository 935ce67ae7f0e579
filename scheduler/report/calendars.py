"""Each agent's shifts as a calendar file (RFC 5545) to import into a phone or mail calendar.

Takes: the plan and the roster frame (``agent_id, name, date, shift, start, end, paid_hours,
break_start``; ``break_start`` may be missing, NaT or blank text, as a hand-edited roster
gives). Returns: ``{"calendars/<safe agent id>.ics": bytes}``, one calendar per agent with
shifts, one event per shift, in local (floating) time, in the plan's language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid

import icalendar
import pandas as pd

from scheduler.report.i18n import Words


PRODID = "-//peakplan//roster calendars//EN"
UID_SPACE = uuid.UUID("6f1c3a52-6a7e-4c55-9d1e-2b7d0f5e8a11")
SAFE = re.compile(r"[^A-Za-z0-9_-]")


def safe_id(agent_id) -> str:
    """A file name for an agent id: letters, digits, ``_`` and ``-`` only; any other id gets a hash suffix."""
    text = str(agent_id)
    safe = SAFE.sub("_", text)[:60]
    if safe != text or not safe:
        safe = f"{safe}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"
    return safe


def _naive(ts) -> dt.datetime:
    return pd.Timestamp(ts).to_pydatetime().replace(tzinfo=None)


def _break_text(words: Words, plan, rec) -> str | None:
    brk = pd.to_datetime(getattr(rec, "break_start", None), errors="coerce")
    template = plan.shifts.get(rec.shift)
    if pd.isna(brk) or template is None or not template.break_hours:
        return None
    end = brk + pd.Timedelta(hours=template.break_hours)
    return words("ics.break", start=f"{brk:%H:%M}", end=f"{end:%H:%M}")


def _event(words: Words, plan, rec, stamp: dt.datetime) -> icalendar.Event:
    start, end = pd.Timestamp(rec.start), pd.Timestamp(rec.end)
    event = icalendar.Event()
    key = "\x1f".join(str(v) for v in (plan.name, rec.agent_id, pd.Timestamp(rec.date).date(), rec.shift))
    event.add("uid", f"{uuid.uuid5(UID_SPACE, key)}@peakplan")
    event.add("dtstamp", stamp)
    event.add("dtstart", _naive(start))
    event.add("dtend", _naive(end))
    event.add("summary", words("ics.summary", shift=words.shift(rec.shift), name=str(rec.name), plan=plan.name))
    paid = pd.to_numeric(pd.Series([getattr(rec, "paid_hours", None)]), errors="coerce").iat[0]
    lines = [words("ics.hours", start=f"{start:%H:%M}", end=f"{end:%H:%M}",
                   paid=f"{paid:g}" if pd.notna(paid) else "?")]
    brk = _break_text(words, plan, rec)
    if brk:
        lines.append(brk)
    event.add("description", "\n".join(lines))
    event.add("transp", "OPAQUE")
    return event


def _calendar(words: Words, plan, shifts: pd.DataFrame, stamp: dt.datetime) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", words("ics.calendar", plan=plan.name, name=str(shifts["name"].iat[0])))
    for rec in shifts.sort_values("start").itertuples():
        cal.add_component(_event(words, plan, rec, stamp))
    return cal.to_ical()


def calendar_files(plan, roster: pd.DataFrame, stamp: dt.datetime) -> dict[str, bytes]:
    """One calendar per agent with shifts.

    Parameters
    ----------
    plan : Plan
    roster : pandas.DataFrame
        The roster frame.
    stamp : datetime.datetime
        DTSTAMP of every event (the caller's clock, so output is reproducible); a naive
        datetime is taken as UTC.

    Returns
    -------
    dict of str to bytes
        ``calendars/<safe agent id>.ics`` -> the calendar file.
    """
    words = Words(plan)
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
    frame = roster.copy()
    frame["agent_id"] = frame["agent_id"].astype(str)
    if "name" not in frame.columns:
        frame["name"] = frame["agent_id"]
    return {f"calendars/{safe_id(agent)}.ics": _calendar(words, plan, part, stamp)
            for agent, part in frame.groupby("agent_id", sort=True)}
