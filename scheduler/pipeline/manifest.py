"""``run.json``: the run's manifest (config, seed, limits, solver status and figures, the
objective's terms, stage timings, SHA-256 of every input, package versions)."""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd



def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _versions() -> dict:
    names = ("peakplan", "ortools", "pandas", "numpy", "scipy", "click", "matplotlib")
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def run_manifest(plan, seed: int, limit: float, workers: int, result, costs: pd.DataFrame, timings: dict) -> dict:
    """``run.json``: what was run (config, seed, limits, inputs' SHA-256, versions) and what the solver did."""
    terms = {k: round(float(v), 1) for k, v in costs.groupby("rule")["cost"].sum().items()}
    return {"plan": plan.name, "config": str(plan.path), "seed": seed, "time_limit_s": limit, "workers": workers,
            "peak_multiplier": plan.peak_multiplier, "forecast_quantile": plan.forecast_quantile,
            "solver": {"status": result.status, "interrupted": result.interrupted, "objective": result.objective,
                       "bound": result.bound, "gap": result.gap, "wall_s": round(result.wall_s, 3), "floor": result.floor},
            "objective_terms": {**terms, "total": round(float(costs["cost"].sum()), 1)}, "timings_s": timings,
            "inputs": {p.name: _sha256(p) for p in [plan.path, *plan.data_files]}, "versions": _versions()}
