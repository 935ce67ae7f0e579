"""Discrete-event simulation of the chat-with-concurrency queue, to check ``scheduler.chat``.

System: ``c`` agents, each holding up to ``K = len(aht_by_load_s)`` chats. While an agent holds
``i`` chats each of its chats has an exponential handle time with mean ``S_i``, so the agent
finishes chats at rate ``R(i) = i / S_i``. Arrivals are Poisson; a new chat goes to a least-loaded
agent; when all ``c*K`` slots are busy it waits FCFS and abandons after an exponential patience.

Unlike the analytic model, the simulation does *not* assume that loads stay balanced: it tracks
the load of every agent. Because service is memoryless and agents are interchangeable, the
multiset of per-agent loads, kept as ``cnt[i]`` = number of agents holding exactly ``i`` chats,
is an exact state description (it is the per-agent load vector up to relabelling of agents).
An arrival moves one agent from the lowest non-full level ``i`` to ``i + 1``; a completion at an
agent holding ``i`` chats (chosen with probability ``cnt[i] R(i) / sum_j cnt[j] R(j)``) moves it to
``i - 1`` -- so a completion at a less-loaded agent unbalances the loads, which is exactly what
the balanced-load analytic model ignores.

Competing exponential clocks: between events the state is constant, so the next event comes after
``Exp(lambda + sum_i cnt[i] R(i))`` and is an arrival with probability ``lambda / total``.
Abandonment does not change the service state, so it is handled lazily: each waiting chat carries
its own deadline (arrival + patience draw) and, when a slot frees, chats at the head of the queue
whose deadline has passed are discarded as abandoned (their wait = their patience) before the
first one still present takes the slot. After the last counted arrival no more chats arrive and
the queue is drained, so every counted chat's outcome is known (FCFS: later arrivals never affect
earlier ones).

Run ``python benchmarks/des_chat.py`` for the comparison table (exit code 1 if any case's
service level differs from the analytic one by more than one point).
"""

from __future__ import annotations

import math
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np
from scipy import stats

_CHUNK = 1 << 16


def simulate_chat(agents, volume_per_h, aht_by_load_s, patience_s, within_s,
                  n_arrivals=200_000, warmup=20_000, seed=0, batches=20) -> dict:
    """Steady-state simulation; returns the keys of ``chat_metrics`` as floats plus ``ci_service_level``.

    ``n_arrivals`` arrivals are counted after ``warmup`` discarded ones. ``ci_service_level`` is the
    95 % half-width of the service level by ``batches`` batch means (consecutive arrivals);
    ``ci_abandon_rate`` and ``ci_p_wait`` likewise.
    """
    c = int(agents)
    K = len(aht_by_load_s)
    n_slots = c * K
    lam = float(volume_per_h) / 3600.0
    tau = float(within_s)
    R = [0.0] + [(i + 1) / float(s) for i, s in enumerate(aht_by_load_s)]
    pat = math.inf if patience_s is None or not math.isfinite(patience_s) else float(patience_s)
    if c <= 0 or lam <= 0:
        raise ValueError("need agents > 0 and volume > 0")
    if pat == math.inf and lam >= c * R[K]:
        raise ValueError("unstable without abandonment: volume >= capacity")

    rng = np.random.default_rng(seed)
    expo = rng.standard_exponential
    unif = rng.random
    total = warmup + n_arrivals

    # per counted arrival: waited?, wait (s), abandoned?, answered within tau?
    waited = np.zeros(n_arrivals, dtype=bool)
    wait = np.zeros(n_arrivals)
    aband = np.zeros(n_arrivals, dtype=bool)
    within = np.ones(n_arrivals, dtype=bool)

    cnt = [0] * (K + 1)
    cnt[0] = c
    busy = 0                    # chats in service
    mu = 0.0                    # total completion rate sum_i cnt[i] R(i)
    queue = deque()             # (arrival time, deadline, counted index or -1)
    t = 0.0
    t_start = None              # time of first counted arrival
    busy_area = 0.0             # integral of busy slots over [t_start, last arrival]
    arrived = 0

    e_buf, e_pos = expo(_CHUNK).tolist(), 0
    u_buf, u_pos = unif(_CHUNK).tolist(), 0
    p_buf, p_pos = (expo(_CHUNK) * pat).tolist() if pat != math.inf else None, 0
    n_ev = 0

    while True:
        arriving = arrived < total
        rate = (lam if arriving else 0.0) + mu
        if rate <= 0.0:
            break  # nothing in service and no more arrivals
        if not arriving and not queue:
            break
        if e_pos == _CHUNK:
            e_buf, e_pos = expo(_CHUNK).tolist(), 0
        if u_pos == _CHUNK:
            u_buf, u_pos = unif(_CHUNK).tolist(), 0
        dt = e_buf[e_pos] / rate
        e_pos += 1
        u = u_buf[u_pos] * rate
        u_pos += 1
        if t_start is not None and arriving:
            busy_area += busy * dt
        t += dt
        n_ev += 1
        if arriving and u < lam:
            # ---- arrival
            idx = arrived - warmup
            arrived += 1
            if idx == 0:
                t_start = t
            if busy < n_slots:
                i = 0
                while cnt[i] == 0:
                    i += 1
                cnt[i] -= 1
                cnt[i + 1] += 1
                mu += R[i + 1] - R[i]
                busy += 1
            else:
                if p_buf is None:
                    dl = math.inf
                else:
                    if p_pos == _CHUNK:
                        p_buf, p_pos = (expo(_CHUNK) * pat).tolist(), 0
                    dl = t + p_buf[p_pos]
                    p_pos += 1
                queue.append((t, dl, idx))
                if idx >= 0:
                    waited[idx] = True
            if arrived == total:
                t_end = t
        else:
            # ---- completion at an agent holding i chats
            u -= (lam if arriving else 0.0)
            i = K
            while True:
                w = cnt[i] * R[i]
                if u < w or i == 1:
                    break
                u -= w
                i -= 1
            if cnt[i] == 0:  # rounding at the boundary: take the highest occupied level
                i = K
                while cnt[i] == 0:
                    i -= 1
            # a waiting chat (if any still there) takes the freed slot at this agent
            served = False
            while queue:
                a_t, dl, q_idx = queue.popleft()
                if dl < t:  # abandoned before now
                    if q_idx >= 0:
                        aband[q_idx] = True
                        wait[q_idx] = dl - a_t
                        within[q_idx] = False
                    continue
                if q_idx >= 0:
                    w_t = t - a_t
                    wait[q_idx] = w_t
                    within[q_idx] = w_t <= tau
                served = True
                break
            if not served:
                cnt[i] -= 1
                cnt[i - 1] += 1
                mu += R[i - 1] - R[i]
                busy -= 1
        if n_ev % 100_000 == 0:  # kill rounding drift of the incremental total rate
            mu = sum(cnt[j] * R[j] for j in range(1, K + 1))

    # queued chats left when nothing can serve them cannot happen (queue non-empty => all busy)
    span = t_end - t_start
    occupancy = busy_area / (span * n_slots) if span > 0 else float("nan")

    sl_b = np.array([b.mean() for b in np.array_split(within, batches)])
    ab_b = np.array([b.mean() for b in np.array_split(aband, batches)])
    pw_b = np.array([b.mean() for b in np.array_split(waited, batches)])
    tq = stats.t.ppf(0.975, batches - 1) / math.sqrt(batches)
    return {
        "p_wait": float(waited.mean()),
        "service_level": float(within.mean()),
        "abandon_rate": float(aband.mean()),
        "asa_s": float(wait.mean()),
        "occupancy": float(occupancy),
        "ci_service_level": float(tq * sl_b.std(ddof=1)),
        "ci_abandon_rate": float(tq * ab_b.std(ddof=1)),
        "ci_p_wait": float(tq * pw_b.std(ddof=1)),
        "events": n_ev,
    }


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
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from scheduler.chat import chat_metrics

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
        s = simulate_chat(c, vol, aht, pat, tau, n_arrivals=n_arr, warmup=max(20_000, n_arr // 50), seed=args.seed)
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
