"""Before any work: a plan that cannot produce anything useful is an error naming the cause.

- The planned event must reach into the plan's window, and each of its phases lie inside it
  (a phase outside would be dropped by the forecast, moving the sale without a word).
- Every queue needs at least one agent with its skill, and some agent must be available on some
  day of the window (otherwise the roster is "0 of 60 agents scheduled" with no cause).

Takes: the plan and its inputs (promotions, staff frame). Returns: nothing; raises ``InputError``.
"""

from __future__ import annotations

import pandas as pd

from forecasts.errors import InputError


def check_event(plan, promotions) -> None:
    """The planned event exists, overlaps the plan's window, and holds its phases."""
    if plan.event is None:
        return
    events = promotions.events[promotions.events["event"] == plan.event]
    if events.empty:
        raise InputError(f"{plan.path}: [plan] event: {plan.event!r} is not in {plan.promotions}")
    event = events.iloc[0]
    first, last = pd.Timestamp(plan.start), pd.Timestamp(plan.end) + pd.Timedelta(days=1)
    if event["end"] <= first or event["start"] >= last:
        raise InputError(f"{plan.path}: [plan] event: {plan.event!r} runs {event['start']:%Y-%m-%d %H:%M}.."
                         f"{event['end']:%Y-%m-%d %H:%M} in {plan.promotions}, outside the plan {plan.start}..{plan.end}")
    phases = promotions.phases_of(plan.event)
    outside = phases[(phases["start"] < event["start"]) | (phases["end"] > event["end"])]
    if not outside.empty:
        row = outside.iloc[0]
        raise InputError(f"{plan.promotions}: phase {row['phase']!r} of {plan.event!r} runs {row['start']:%Y-%m-%d %H:%M}.."
                         f"{row['end']:%Y-%m-%d %H:%M}, outside the event {event['start']:%Y-%m-%d %H:%M}.."
                         f"{event['end']:%Y-%m-%d %H:%M}")


def queues_without_skill(plan, staff: pd.DataFrame) -> list[str]:
    """The plan's queues no agent of ``staff`` is skilled for."""
    skilled = {q for skills in staff["skills"] for q in skills}
    return [q for q in plan.queues if q not in skilled]


def check_staff(plan, staff: pd.DataFrame) -> None:
    """Every queue has an agent with its skill; some agent is available on some day of the window."""
    missing = queues_without_skill(plan, staff)
    if missing:
        name = missing[0]
        raise InputError(f"{plan.staff}: no agent has the skill {name!r} ([queues.{name}] in {plan.path}); "
                         f"add it to some agent's skills, or remove the queue")
    days = set(plan.days)
    if all(days <= set(unavailable) for unavailable in staff["unavailable"]):
        raise InputError(f"{plan.staff}: every agent is unavailable on every day of the plan {plan.start}..{plan.end} "
                         f"(column 'unavailable'); nobody can be rostered")
