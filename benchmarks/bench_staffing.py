"""Staffing speed: fewest agents for 336 intervals (14 days x 24 h) x 3 queues.

Prints the time to size every interval (and to evaluate the service of a given staffing) with
Erlang C, Erlang A (patience 180 s) and the chat model (concurrency 3-4, load-dependent handle
time, patience 180 s). Targets on a 2-core machine: Erlang C <= 10 ms, Erlang A <= 100 ms,
chat <= 1 s. Run: ``python benchmarks/bench_staffing.py``.
"""

from __future__ import annotations

import time

import numpy as np

from scheduler.staffing.chat import chat_metrics
from scheduler.staffing.requirements import size_interval

HOURS = 14 * 24
QUEUES = {  # name: (chats per hour at the daily peak, handle time table, answer within s)
    "presale": (900.0, (240.0, 270.0, 300.0, 330.0), 20.0),
    "aftersale": (300.0, (420.0, 480.0, 540.0), 60.0),
    "vip": (120.0, (300.0, 360.0, 420.0), 20.0),
}


def volumes(peak: float, seed: int) -> np.ndarray:
    """14 days of hourly volume: a daily shape, a 5x sale day with a 3x midnight spike, noise."""
    rng = np.random.default_rng(seed)
    hour = np.arange(HOURS) % 24
    shape = np.where(hour < 8, 0.1, 0.6 + 0.4 * np.sin((hour - 8) / 16 * np.pi))
    sale = np.ones(HOURS)
    sale[10 * 24: 11 * 24] = 5.0
    sale[10 * 24: 10 * 24 + 2] = 15.0
    return peak * shape * sale * rng.gamma(100, 0.01, HOURS)


def best_of(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    vols = {q: volumes(p, i) for i, (q, (p, _, _)) in enumerate(QUEUES.items())}
    models = {
        "Erlang C": lambda table: ((table[0],), None),
        "Erlang A": lambda table: ((table[0],), 180.0),
        "chat": lambda table: (table, 180.0),
    }
    print(f"{'model':<10} {'size 1008 intervals':>20} {'evaluate 1008':>14} {'max agents':>11} {'target':>8}")
    targets = {"Erlang C": 0.010, "Erlang A": 0.100, "chat": 1.0}
    for model, spec in models.items():
        def size_all():
            return [size_interval(vols[q], *spec(t), w, 0.8, 0.85) for q, (_, t, w) in QUEUES.items()]

        agents = size_all()
        sized = best_of(size_all)
        evaluated = best_of(lambda: [chat_metrics(a, vols[q], *spec(t), w) for a, (q, (_, t, w)) in zip(agents, QUEUES.items())])
        flag = "ok" if sized <= targets[model] else "SLOW"
        print(f"{model:<10} {1000 * sized:>17.1f} ms {1000 * evaluated:>11.1f} ms {max(a.max() for a in agents):>11d} "
              f"{1000 * targets[model]:>5.0f} ms {flag}")


if __name__ == "__main__":
    main()
