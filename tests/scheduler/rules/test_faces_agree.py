"""On random small patterns (one agent, the small plan's five model days, random templates, random
limits) every hard rule's three faces agree: CP-SAT finds the fixed pattern infeasible exactly when
the check names the agent and the hand-out refuses a shift of it (or reports it short), whatever
the order the hand-out adds the shifts in. A rule that is off by default (its ``[rules]`` limit
None) is drawn off or with a limit of 1 to 4."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_faces import cpsat_status, one_agent, valid_shifts, verdicts, with_rules

from scheduler.plan.config import Rules
from scheduler.rules import HARD_RULES, one_shift_per_day

OFF_BY_DEFAULT = [name for name, f in Rules.__pydantic_fields__.items() if f.default is None]  # optional rules' limits
limits = st.fixed_dictionaries({
    "min_rest_h": st.sampled_from([0, 11, 16]),
    "max_consecutive_days": st.integers(1, 4),
    "max_nights": st.integers(0, 4),
    "max_nights_per_7_days": st.integers(0, 3),
    "night_to_day_days_off": st.integers(0, 2),
    "max_overtime_h_month": st.sampled_from([0, 8, 16, 36]),
    **{name: st.none() | st.integers(1, 4) for name in OFF_BY_DEFAULT},
})
agents = st.fixed_dictionaries({
    "agent_id": st.sampled_from(["A01", "A02", "A09"]),  # nights allowed, no nights and leave, part time
    "max_week_hours": st.sampled_from([8.0, 20.0, 30.0, 48.0]),
    "min_week_hours": st.sampled_from([0.0, 10.0, 20.0, 30.0, 40.0]),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=limits, who=agents, data=st.data())
def test_the_three_faces_of_every_rule_agree(small, rules, who, data):
    plan, staff = small
    plan = with_rules(plan, **rules)
    staff1 = one_agent(staff, **who)
    per_day = valid_shifts(plan, staff1.iloc[0])
    picks = [data.draw(st.sampled_from([None, *names]), label=f"day {d}") for d, names in enumerate(per_day)]
    pattern = [(d, name) for d, name in enumerate(picks) if name is not None]
    pattern = data.draw(st.permutations(pattern), label="hand-out order")
    doubled = [d for d, names in enumerate(per_day) if len(names) > 1 and picks[d] is not None]
    for rule in HARD_RULES:
        faces = verdicts(rule, plan, staff1, pattern)
        assert len(set(faces)) == 1, (rule.NAME, pattern, faces)
        if hasattr(rule, "constrain_small"):  # the small models' form says the same
            assert cpsat_status(rule, plan, staff1, pattern) == cpsat_status(rule, plan, staff1, pattern, small=True), rule.NAME
    if doubled:  # two shifts on a day: only the rule that forbids it is asked (the hand-out holds one a day)
        d = data.draw(st.sampled_from(doubled), label="doubled day")
        second = next(n for n in per_day[d] if n != picks[d])
        faces = verdicts(one_shift_per_day, plan, staff1, pattern + [(d, second)])
        assert faces == (True, True, True), (pattern, d, second, faces)
