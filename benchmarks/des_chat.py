"""The analytic chat model (``scheduler.staffing.chat``) against the discrete-event simulation (``scheduler.simulate.des``).

The simulation is the one ``peakplan simulate`` runs: agents with concurrency, load-dependent
handle times, least-loaded routing, FCFS queue and exponential patience, tracking every agent's
load (the analytic model assumes balanced loads). Here it is run as many independent hours, each
after a long warm-up at the same load, so that the counted hours are in steady state; the
confidence intervals are batch means over the hours. Two independent references are also
here: the Erlang C closed form, and the exact chain of the unbalanced model for small cases.

Run ``python benchmarks/des_chat.py`` for the comparison table (exit code 1 if any case's
service level differs from the analytic one by more than one point).
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scheduler.simulate.des import load_rates, simulate_hours  # noqa: E402


def simulate_chat(agents, volume_per_h, aht_by_load_s, patience_s, within_s,
                  n_arrivals=200_000, warmup_h=4.0, seed=0, batches=20) -> dict:
    """Steady-state estimates over about ``n_arrivals`` counted chats; the keys of ``chat_metrics``
    as floats plus ``ci_service_level``, ``ci_abandon_rate`` and ``ci_p_wait`` (95 % half-widths)."""
    c, K = int(agents), len(aht_by_load_s)
    if c <= 0 or volume_per_h <= 0:
        raise ValueError("need agents > 0 and volume > 0")
    if (patience_s is None or not math.isfinite(patience_s)) and volume_per_h / 3600.0 >= c * load_rates(aht_by_load_s)[-1]:
        raise ValueError("unstable without abandonment: volume >= capacity")
    hours = max(batches, int(math.ceil(n_arrivals / volume_per_h)))
    lam = np.full((hours, 1), volume_per_h / 3600.0)
    pat = 0.0 if patience_s is None or not math.isfinite(patience_s) else float(patience_s)
    n, good, gone, waited, queued, busy = (a[:, 0] for a in simulate_hours(
        lam, np.array([c], dtype=np.int64), np.array([float(within_s)]), load_rates(aht_by_load_s), pat,
        3600.0 * warmup_h, int(seed)))
    tq = stats.t.ppf(0.975, batches - 1) / math.sqrt(batches)

    def ci(num):
        parts = [b_num.sum() / max(b_n.sum(), 1) for b_num, b_n in zip(np.array_split(num, batches), np.array_split(n, batches))]
        return float(tq * np.std(parts, ddof=1))

    total = max(n.sum(), 1)
    return {"p_wait": float(queued.sum() / total), "service_level": float(good.sum() / total),
            "abandon_rate": float(gone.sum() / total), "asa_s": float(waited.sum() / total),
            "occupancy": float(busy.sum() / (3600.0 * hours * c * K)),
            "ci_service_level": ci(good), "ci_abandon_rate": ci(gone), "ci_p_wait": ci(queued), "events": int(n.sum())}


def erlang_c_service_level(agents, volume_per_h, aht_s, within_s) -> tuple[float, float]:
    """Independent Erlang C closed form (K = 1, no abandonment): ``(p_wait, service_level)``.

    ``SL = 1 - P(wait) exp(-(c/S - lambda) tau)`` with ``P(wait)`` from the Erlang B recursion.
    """
    n = int(agents)
    lam = volume_per_h / 3600.0
    a = lam * aht_s
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    pw = n * b / (n - a * (1 - b))
    return pw, 1.0 - pw * math.exp(-(n / aht_s - lam) * within_s)


def exact_unbalanced(agents, volume_per_h, aht_by_load_s, patience_s, within_s, max_queue=3000) -> dict:
    """Exact steady state of the *unbalanced* model by a sparse CTMC (small ``agents`` only).

    State below full: the load histogram ``cnt[0..K]`` (the simulation's state); at and past full
    all agents hold ``K`` and only the queue length ``q`` matters (truncated at ``max_queue``).
    Least-loaded routing, completions at each level at rate ``cnt[i] R(i)``, abandonment ``q theta``.
    Returns ``p_wait, abandon_rate, occupancy`` and, without abandonment, ``service_level``
    (a chat finding ``q`` waiting waits an Erlang(q + 1, c R(K)) time).
    """
    import scipy.sparse as sp
    import scipy.sparse.linalg as sla
    from scipy import special

    c, K = int(agents), len(aht_by_load_s)
    n = c * K
    lam = volume_per_h / 3600.0
    R = [0.0] + [(i + 1) / float(s) for i, s in enumerate(aht_by_load_s)]
    theta = 0.0 if patience_s is None or not math.isfinite(patience_s) else 1.0 / patience_s
    def histograms(parts, total):  # all (cnt_0, ..., cnt_{parts-1}) >= 0 summing to total
        if parts == 1:
            yield (total,)
            return
        for first in range(total + 1):
            for rest in histograms(parts - 1, total - first):
                yield (first,) + rest

    below = [h for h in histograms(K + 1, c) if sum(i * h[i] for i in range(K + 1)) < n]
    index = {h: k for k, h in enumerate(below)}
    nb = len(below)
    N = nb + max_queue + 1                      # nb + q: all full with q waiting
    rows, cols, vals = [], [], []

    def move(h, frm, to):
        g = list(h)
        g[frm] -= 1
        g[to] += 1
        return tuple(g)

    for h, k in index.items():
        i = min(j for j in range(K) if h[j] > 0)
        g = move(h, i, i + 1)
        rows.append(k), cols.append(index.get(g, nb)), vals.append(lam)
        for i in range(1, K + 1):
            if h[i]:
                rows.append(k), cols.append(index[move(h, i, i - 1)]), vals.append(h[i] * R[i])
    one_down = index[move(tuple([0] * K + [c]), K, K - 1)]
    for q in range(max_queue + 1):
        s = nb + q
        if q < max_queue:
            rows.append(s), cols.append(s + 1), vals.append(lam)
        rows.append(s), cols.append(one_down if q == 0 else s - 1), vals.append(c * R[K] + q * theta)
    Q = sp.csr_matrix((vals, (rows, cols)), shape=(N, N))
    Q = Q - sp.diags(np.asarray(Q.sum(axis=1)).ravel())
    A = Q.T.tolil()
    A[0, :] = 1.0
    rhs = np.zeros(N)
    rhs[0] = 1.0
    pi = sla.spsolve(A.tocsc(), rhs)
    p_full = pi[nb:]
    busy = np.array([sum(i * h[i] for i in range(K + 1)) for h in below], dtype=float)
    q = np.arange(max_queue + 1)
    out = {"p_wait": float(p_full.sum()),
           "abandon_rate": float(theta * (q @ p_full) / lam),
           "occupancy": float((pi[:nb] @ busy + p_full.sum() * n) / n)}
    if theta == 0.0:
        out["service_level"] = float(pi[:nb].sum() + p_full @ special.gammainc(q + 1, c * R[K] * within_s))
    return out


# name, agents, volume/h, aht by load (s), patience (s), target (s), counted arrivals
CASES = [
    ("ErlangC K=1 presale", 12, 135.0, [240], None, 20, 1_000_000),
    ("ErlangA K=1 presale", 12, 150.0, [240], 180, 20, 1_000_000),
    ("K=2 presale small", 3, 70.0, [240, 270], 180, 20, 1_000_000),
    ("K=2 presale small noab", 3, 55.0, [240, 270], None, 60, 1_000_000),
    ("K=3 aftersales small", 3, 40.0, [420, 480, 540], None, 60, 1_000_000),
    ("K=3 aftersales large", 45, 865.0, [420, 480, 540], 180, 20, 4_000_000),
    ("K=4 presale small", 3, 115.0, [240, 270, 300, 330], 180, 20, 1_000_000),
    ("K=4 presale large", 40, 1655.0, [240, 270, 300, 330], None, 20, 8_000_000),
    ("K=4 presale large ab", 60, 2670.0, [240, 270, 300, 330], 180, 20, 8_000_000),
]
# --stress: a strongly concave handle-time table (an agent's throughput barely grows past 2 chats),
# where the analytic model's balanced-load assumption is visibly optimistic.
STRESS = [
    ("STRESS K=4 concave", 3, 48.0, [240, 400, 600, 800], None, 20, 2_000_000),
    ("STRESS K=4 concave ab", 3, 55.5, [240, 400, 600, 800], 180, 20, 2_000_000),
]


def _fmt_aht(a):
    return "[" + ",".join(str(int(x)) for x in a) + "]"


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every case's arrivals (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stress", action="store_true", help="add strongly concave handle-time cases")
    args = ap.parse_args(argv)
    from scheduler.staffing.chat import chat_metrics

    cases = CASES + (STRESS if args.stress else [])
    t0 = time.perf_counter()
    head = (f"{'case':<24} {'c':>3} {'K':>2} {'aht':<18} {'pat':>4} {'vol/h':>6} {'tau':>3} {'arrivals':>9} | "
            f"{'SL an':>6} {'SL sim +- CI':>15} {'diff pt':>7} | {'ab an':>6} {'ab sim':>6} | "
            f"{'Pw an':>6} {'Pw sim':>6} | {'ASA an':>6} {'ASA sim':>7} | {'occ an':>6} {'occ sim':>7} | {'s':>4}")
    print(head)
    print("-" * len(head))
    bad, small = [], []
    for name, c, vol, aht, pat, tau, n_arr in cases:
        n_arr = max(int(n_arr * args.scale), 20_000)
        m = {k: float(v[0]) for k, v in chat_metrics([c], [vol], aht, pat, tau).items()}
        t1 = time.perf_counter()
        s = simulate_chat(c, vol, aht, pat, tau, n_arrivals=n_arr, seed=args.seed)
        dt = time.perf_counter() - t1
        d = s["service_level"] - m["service_level"]
        flag = "" if abs(d) <= 0.01 else "  <-- >1pt"
        if flag:
            bad.append(name)
        if c <= 4 and len(aht) > 1:
            small.append((name, c, vol, aht, pat, tau, m, s))
        print(f"{name:<24} {c:>3} {len(aht):>2} {_fmt_aht(aht):<18} {str(pat or '-'):>4} {vol:>6.0f} {tau:>3} {n_arr:>9} | "
              f"{m['service_level']:>6.4f} {s['service_level']:>7.4f} +-{s['ci_service_level']:.4f} {100 * d:>+7.2f} | "
              f"{m['abandon_rate']:>6.4f} {s['abandon_rate']:>6.4f} | {m['p_wait']:>6.4f} {s['p_wait']:>6.4f} | "
              f"{m['asa_s']:>6.1f} {s['asa_s']:>7.1f} | {m['occupancy']:>6.4f} {s['occupancy']:>7.4f} | {dt:>4.1f}{flag}")

    name, c, vol, aht, pat, tau, _ = CASES[0]
    pw, sl = erlang_c_service_level(c, vol, aht[0], tau)
    print(f"\nErlang C closed form for '{name}': P(wait) = {pw:.4f}, SL = {sl:.4f}")

    print("\nSmall K>1 cases against the exact CTMC of the unbalanced (per-agent load) model:")
    print(f"{'case':<24} | {'SL an':>6} {'SL exact':>8} {'SL sim':>7} | {'Pw an':>6} {'Pw exact':>8} {'Pw sim':>7} | "
          f"{'ab an':>6} {'ab exact':>8} {'ab sim':>7}")
    for name, c, vol, aht, pat, tau, m, s in small:
        e = exact_unbalanced(c, vol, aht, pat, tau)
        sl_e = f"{e['service_level']:>8.4f}" if "service_level" in e else f"{'n/a':>8}"
        print(f"{name:<24} | {m['service_level']:>6.4f} {sl_e} {s['service_level']:>7.4f} | "
              f"{m['p_wait']:>6.4f} {e['p_wait']:>8.4f} {s['p_wait']:>7.4f} | "
              f"{m['abandon_rate']:>6.4f} {e['abandon_rate']:>8.4f} {s['abandon_rate']:>7.4f}")

    print(f"\n{len(cases)} cases in {time.perf_counter() - t0:.1f} s")
    if bad:
        print("service level off by more than 1 point in: " + ", ".join(bad))
        return 1
    print("all cases within 1 point of the analytic service level")
    return 0


if __name__ == "__main__":
    sys.exit(main())
