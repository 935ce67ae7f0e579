"""The stages in order: ``plan`` (the whole pipeline), ``rosters`` (check and simulate a written
roster), ``stages`` (one stage at a time), ``inputs`` (reading the plan's data), ``manifest`` (run.json)."""

from scheduler.pipeline.inputs import Inputs, plan_flags, plan_forecast, plan_hours, read_forecast, read_inputs
from scheduler.pipeline.plan import Options, RosterCheckError, RulesConflictError, compute_plan, run_plan, verify
from scheduler.pipeline.rosters import check_roster, simulate_roster

__all__ = ["Inputs", "Options", "RosterCheckError", "RulesConflictError", "check_roster", "compute_plan", "plan_flags",
           "plan_forecast", "plan_hours", "read_forecast", "read_inputs", "run_plan", "simulate_roster", "verify"]
