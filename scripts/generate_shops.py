"""Generate a seeded set of shops for ``peakplan sweep``: each a plan folder made by the demo's generator.

Run ``python scripts/generate_shops.py [--out outputs/shops] [--shops 12] [--days 7]``. It writes
``OUT/shopNN/{plan.toml, history.csv, promotions.csv, staff.csv}`` and ``OUT/sweep.toml`` (every shop,
scenarios ``peak8x``, ``lean`` and ``p90``). The seed is fixed (``SEED``): the files are byte-identical
on every run.

Each shop is the demo (``scripts/generate_demo.py``: the same events, shapes, busyness and Poisson
draws) with its own numbers, drawn from ``SEED + shop``:

- agents: from 30 to 300 across the shops (geometric steps), the mix of skills varied (single-skilled
  pre-sale 20-40 %, after-sales 15-25 %, reminders 5-12 %, the rest multi-skilled), part-timers 8-20 %;
- volume: the demo's daily volume per queue times ``agents / 60`` (the demo's 60 agents), times 0.85-1.15;
- peaks: the sale multiplier of each kind of event times 0.7-1.6 (a Double 11 from 3.5x to 8x a normal day);
- the plan: the demo's plan file, named after the shop, over ``--days`` days around the 11 November peak
  (from 11-08), one CP-SAT worker, the simulation's replications lowered to 100.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261112
_spec = importlib.util.spec_from_file_location("generate_demo", ROOT / "scripts" / "generate_demo.py")
demo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(demo)


@contextlib.contextmanager
def demo_numbers(daily: dict, kind_base: dict):
    """The demo generator with another daily volume and event sizes (its module constants, restored after)."""
    saved = demo.DAILY, demo.KIND_BASE
    demo.DAILY, demo.KIND_BASE = daily, kind_base
    try:
        yield
    finally:
        demo.DAILY, demo.KIND_BASE = saved


def shop_sizes(n: int, lo: int = 30, hi: int = 300) -> list[int]:
    """``n`` agent counts from ``lo`` to ``hi`` in geometric steps."""
    return [int(round(x)) for x in np.geomspace(lo, hi, n)] if n > 1 else [lo]


def make_staff(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` agents in the demo's columns, with a mix of skills and contracts drawn for the shop."""
    shares = {"presale": rng.uniform(0.20, 0.40), "aftersale": rng.uniform(0.15, 0.25), "reminder": rng.uniform(0.05, 0.12)}
    counts = {k: max(1, int(round(v * n))) for k, v in shares.items()}
    multi = n - sum(counts.values())
    counts.update({"presale|aftersale": int(multi * 0.5), "presale|reminder": int(multi * 0.3)})
    counts["presale|aftersale|reminder"] = n - sum(counts.values())
    skills = list(rng.permutation([s for s, c in counts.items() for _ in range(c)]))
    names: list[str] = []
    while len(names) < n:
        name = str(rng.choice(demo.SURNAMES)) + str(rng.choice(demo.GIVEN))
        names.append(name if name not in names else f"{name}{len(names)}")
    part_time = set(rng.choice(n, size=int(round(n * rng.uniform(0.08, 0.20))), replace=False).tolist())
    full_time = [i for i in range(n) if i not in part_time]
    no_night = set(rng.choice(full_time, size=len(full_time) // 6, replace=False).tolist()) | part_time
    window = pd.date_range("2026-11-01", "2026-11-18", freq="D")
    away = {int(i): sorted(rng.choice(len(window), size=int(rng.integers(1, 4)), replace=False))
            for i in rng.choice(n, size=n // 6, replace=False)}
    rows = []
    for i in range(n):
        pt = i in part_time
        dates = "|".join(window[j].strftime("%Y-%m-%d") for j in away.get(i, []))
        rows.append((f"A{i + 1:03d}", names[i], skills[i], "part_time" if pt else "full_time", "no" if i in no_night else "yes",
                     25 if pt else 48, round(float(rng.uniform(22, 30) if pt else rng.uniform(28, 40)), 1), dates))
    staff = pd.DataFrame(rows, columns=["agent_id", "name", "skills", "employment", "night_allowed", "max_week_hours",
                                        "hourly_cost", "unavailable"])
    return demo.add_contracts_and_preferences(staff, window)


def plan_toml(name: str, days: int) -> str:
    """The demo's plan file for one shop: its name, the window around the peak, one solver worker."""
    text = (ROOT / "scheduler" / "demo" / "demo.toml").read_text(encoding="utf-8")
    end = pd.Timestamp("2026-11-08") + pd.Timedelta(days=days - 1)
    text = re.sub(r'(?m)^name = ".*"', f'name = "{name}"', text, count=1)
    text = re.sub(r"(?m)^start = 2026-11-01", "start = 2026-11-08", text, count=1)
    text = re.sub(r"(?m)^end = 2026-11-18", f"end = {end:%Y-%m-%d}", text, count=1)
    text = re.sub(r"(?m)^workers = 2", "workers = 1", text, count=1)
    return re.sub(r"(?m)^replications = 200", "replications = 100", text, count=1)


def write_shop(folder: Path, index: int, agents: int, days: int) -> None:
    rng = np.random.default_rng(SEED + index)
    scale = agents / 60 * rng.uniform(0.85, 1.15)
    peaks = rng.uniform(0.7, 1.6)
    daily = {q: v * scale for q, v in demo.DAILY.items()}
    kind_base = {k: v * peaks for k, v in demo.KIND_BASE.items()}
    folder.mkdir(parents=True, exist_ok=True)
    with demo_numbers(daily, kind_base):
        history = demo.make_history(rng)
    history.to_csv(folder / "history.csv", index=False, encoding="utf-8-sig")
    demo.make_promotions().to_csv(folder / "promotions.csv", index=False, encoding="utf-8-sig")
    make_staff(agents, rng).to_csv(folder / "staff.csv", index=False, encoding="utf-8-sig")
    (folder / "plan.toml").write_text(plan_toml(folder.name, days), encoding="utf-8")


SWEEP = """# peakplan sweep {out}/sweep.toml: every shop as it is and under three what-ifs
[sweep]
plans = ["shop*/plan.toml"]
out = "../{name}-sweep"    # relative to this file
solver_workers = 1

[scenarios]
peak8x = "peak_multiplier:8"
lean = "agents:-10%"
p90 = "quantile:p90"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "shops")
    parser.add_argument("--shops", type=int, default=12)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    for i, agents in enumerate(shop_sizes(args.shops)):
        write_shop(args.out / f"shop{i + 1:02d}", i, agents, args.days)
        print(f"shop{i + 1:02d}: {agents} agents")
    (args.out / "sweep.toml").write_text(SWEEP.format(out=args.out, name=args.out.name), encoding="utf-8")
    print(f"wrote {args.shops} shops and sweep.toml into {args.out}")


if __name__ == "__main__":
    main()
