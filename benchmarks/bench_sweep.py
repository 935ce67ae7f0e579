"""The sweep against the same tasks run one after another: the 12 sample shops x 2 scenarios (as they are,
and staffed to P90) on a 2-worker LocalCluster (one CP-SAT worker each), then one by one in this process.

Prints the wall time of each, the speed-up, per-task times, each worker's peak memory (RSS) and whether
both gave the same figures (they must: same seed, same solver workers, deterministic budgets).

Run: ``python benchmarks/bench_sweep.py [--shops 12] [--time-limit 10] [--workers 2] [--out DIR]``.
Target (issue 21): speed-up >= 1.7x on 2 cores.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from scheduler.sweep import Sweep, make_tasks, run_sweep, run_task

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ["shop", "scenario", "status", "agents", "paid_hours", "wages_yuan", "cost_yuan", "temps_people_max_day",
           "riskiest_p_meet", "extra_agents_needed"]


def shops(folder: Path, n: int) -> list[Path]:
    spec = importlib.util.spec_from_file_location("generate_shops", ROOT / "scripts" / "generate_shops.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for i, agents in enumerate(gen.shop_sizes(n)):
        gen.write_shop(folder / f"shop{i + 1:02d}", i, agents, days=7)
    return sorted(folder.glob("shop*/plan.toml"))


def busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine so far (``/proc/stat``): to tell how much others used."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def others(before, after, ours_cpu_s: float, wall: float) -> str:
    """Cores the machine was busy with over a phase, and how many of them were not this benchmark's tasks."""
    cores = (after[0] - before[0]) / max(after[1] - before[1], 1) * (os.cpu_count() or 1)
    return f"machine busy {cores:.2f} cores, of which other processes ~{max(cores - ours_cpu_s / wall, 0):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=12)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    plans = shops(root / "shops", args.shops)
    sweep = Sweep(source=root, plans=tuple(plans), scenarios={"p90": "quantile:p90"}, time_limit_s=args.time_limit,
                  seed=0, solver_workers=1)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (another user's processes count too)")
    print(f"{len(plans)} shops x 2 scenarios = {2 * len(plans)} tasks, time limit {args.time_limit:g} s, one CP-SAT worker each")

    shutil.rmtree(root / "sweep", ignore_errors=True)
    b0, started = busy(), time.perf_counter()
    result = run_sweep(sweep, root / "sweep", n_workers=args.workers, dashboard=False,
                       on_row=lambda r: print(f"  sweep {r['shop']}/{r['scenario']}: {r['status']} {r['wall_s']:.1f} s", flush=True))
    wall_sweep, b1 = time.perf_counter() - started, busy()

    shutil.rmtree(root / "one-by-one", ignore_errors=True)
    b2, started = busy(), time.perf_counter()
    rows = []
    for task in make_tasks(sweep, root / "one-by-one"):
        rows.append(run_task(task))
        print(f"  one by one {task.name}: {rows[-1]['status']} {rows[-1]['wall_s']:.1f} s", flush=True)
    wall_seq, b3 = time.perf_counter() - started, busy()
    seq = pd.DataFrame(rows)

    par = result.frame
    same = par[FIGURES].reset_index(drop=True).equals(seq[FIGURES].reset_index(drop=True))
    per_worker = par.groupby("worker")["peak_rss_mb"].max()
    print(f"\nsweep on {args.workers} local workers: {wall_sweep:.1f} s wall "
          f"({result.count('ok')} ok, {result.count('error')} error)")
    print(f"one after another in one process: {wall_seq:.1f} s wall; peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"speed-up {wall_seq / wall_sweep:.2f}x (target >= 1.7x on 2 cores)")
    print(f"during the sweep: {others(b0, b1, par['cpu_s'].sum(), wall_sweep)}; "
          f"one by one: {others(b2, b3, seq['cpu_s'].sum(), wall_seq)}")
    print(f"per task (one by one): mean {seq['wall_s'].mean():.1f} s, median {seq['wall_s'].median():.1f} s, "
          f"max {seq['wall_s'].max():.1f} s ({seq.loc[seq['wall_s'].idxmax(), 'shop']}); sum {seq['wall_s'].sum():.1f} s")
    print(f"per task (sweep): mean {par['wall_s'].mean():.1f} s, max {par['wall_s'].max():.1f} s")
    if "cpu_s" in seq:
        print(f"CPU per task (one by one): mean {seq['cpu_s'].mean():.1f} s, max {seq['cpu_s'].max():.1f} s; "
              f"sum {seq['cpu_s'].sum():.0f} s one by one, {par['cpu_s'].sum():.0f} s in the sweep")
    stages = pd.DataFrame([json.loads((root / "one-by-one" / r["shop"] / r["scenario"] / "run.json").read_text())["timings_s"]
                           for r in rows if r["status"] == "ok"])
    print("stage wall per task (one by one, mean s): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.mean().items()))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print("peak memory per worker (RSS): " + ", ".join(f"{mb:.0f} MB" for mb in per_worker))
    print(f"same figures both ways: {'yes' if same else 'NO'}")
    if not same:
        print(pd.concat({"sweep": par[FIGURES], "one by one": seq[FIGURES]}, axis=1).to_string())
        sys.exit(1)


if __name__ == "__main__":
    main()
