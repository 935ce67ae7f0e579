"""Discrete-event simulation of one chat queue, hour by hour, compiled with numba.

The system is the staffing model's (``scheduler.staffing.chat``), simulated rather than solved: ``c``
agents each hold up to ``K = len(aht_by_load_s)`` chats; while an agent holds ``i`` chats each of
them ends at rate ``1 / S_i``, so the agent finishes chats at ``R(i) = i / S_i``. Arrivals are
Poisson; a new chat goes to a least-loaded agent; when every slot is busy it waits first come,
first served and leaves after an exponential patience.

Unlike the analytic model, the simulation tracks the load of every agent (as ``cnt[i]``, the
number of agents holding exactly ``i`` chats: exact, since service is memoryless and agents are
alike), so a chat ending at a lightly loaded agent unbalances the loads as it does in real life.
The next event comes after ``Exp(lambda + sum_i cnt[i] R(i))``. Abandonment is lazy: each waiting
chat carries its deadline (arrival + patience) and, when a slot frees, chats at the head of the
queue whose deadline has passed leave (their wait is their patience), so a chat abandons exactly
when its patience is shorter than the wait it was offered.

Each hour is simulated from empty with ``warmup_s`` of the same hour's load before the counted
hour, and drained afterwards so that every counted chat's outcome is known: the same stationary
hour the analytic model describes. Replications run in parallel (one random stream each, seeded
from the caller's seed), so the result does not depend on the number of threads.

Takes: arrival rates per replication and hour, agents per hour, targets. Returns per replication
and hour: chats counted, answered within the target, abandoned, and their total wait.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _total_rate(cnt, rates):
    total = 0.0
    for i in range(1, len(cnt)):
        total += cnt[i] * rates[i]
    return total


@njit(cache=True)
def _hour(lam, c, tau, rates, K, patience, warmup):
    """One hour from empty: (arrivals, within target, abandoned, total wait in s, queued, busy slot-seconds)."""
    if lam <= 0.0:
        return 0, 0, 0, 0.0, 0, 0.0
    cap = 64
    q_arr = np.empty(cap)
    q_dl = np.empty(cap)
    head, tail = 0, 0
    cnt = np.zeros(K + 1, dtype=np.int64)
    cnt[0] = c
    busy, mu, t = 0, 0.0, -warmup
    n, good, gone, waited, queued, busy_s = 0, 0, 0, 0.0, 0, 0.0
    slots = c * K
    while True:
        arriving = t < 3600.0
        rate = (lam if arriving else 0.0) + mu
        if not arriving and head == tail:
            break
        if rate <= 0.0:  # no agents: every waiting chat leaves at its deadline
            while head < tail:
                if q_arr[head] >= 0.0:
                    gone += 1
                    waited += q_dl[head] - q_arr[head]
                head += 1
            break
        dt = np.random.exponential(1.0 / rate)
        if arriving and t + dt >= 3600.0:  # the arrival stream stops; memoryless, so draw again
            busy_s += busy * (3600.0 - max(t, 0.0))
            t = 3600.0
            continue
        if t + dt > 0.0 and t < 3600.0:  # slot time in use inside the counted hour
            busy_s += busy * (min(t + dt, 3600.0) - max(t, 0.0))
        t += dt
        u = np.random.random() * rate
        if arriving and u < lam:
            counted = t >= 0.0
            if counted:
                n += 1
            if busy < slots:
                i = 0
                while cnt[i] == 0:
                    i += 1
                cnt[i] -= 1
                cnt[i + 1] += 1
                mu = _total_rate(cnt, rates)
                busy += 1
                if counted:
                    good += 1
                continue
            if tail == cap:  # grow the queue (compacting what has left)
                live = tail - head
                cap = max(64, 2 * live + 64)
                new_arr, new_dl = np.empty(cap), np.empty(cap)
                new_arr[:live] = q_arr[head:tail]
                new_dl[:live] = q_dl[head:tail]
                q_arr, q_dl, head, tail = new_arr, new_dl, 0, live
            if counted:
                queued += 1
            q_arr[tail] = t if counted else -1.0 - (t + warmup)  # negative: a warm-up chat, not counted
            q_dl[tail] = t + np.random.exponential(patience) if patience > 0.0 else np.inf
            tail += 1
            continue
        u -= lam if arriving else 0.0
        i = K  # a chat ends at an agent holding i chats
        while i > 1 and u >= cnt[i] * rates[i]:
            u -= cnt[i] * rates[i]
            i -= 1
        while cnt[i] == 0:  # rounding at a boundary
            i = i - 1 if i > 1 else K
        served = False
        while head < tail:
            arr, dl = q_arr[head], q_dl[head]
            head += 1
            if dl < t:
                if arr >= 0.0:
                    gone += 1
                    waited += dl - arr
                continue
            if arr >= 0.0:
                waited += t - arr
                if t - arr <= tau:
                    good += 1
            served = True
            break
        if not served:
            cnt[i] -= 1
            cnt[i - 1] += 1
            mu = _total_rate(cnt, rates)
            busy -= 1
    return n, good, gone, waited, queued, busy_s


@njit(parallel=True, cache=True)
def simulate_hours(lam, agents, within, rates, patience, warmup, seed):
    """Every replication (rows of ``lam``, chats per second) and hour; returns six (reps, hours) arrays:
    chats, answered within the target, abandoned, total wait (s), queued, busy slot-seconds."""
    reps, hours = lam.shape
    K = len(rates) - 1
    n = np.zeros((reps, hours), dtype=np.int64)
    good = np.zeros((reps, hours), dtype=np.int64)
    gone = np.zeros((reps, hours), dtype=np.int64)
    queued = np.zeros((reps, hours), dtype=np.int64)
    waited = np.zeros((reps, hours))
    busy = np.zeros((reps, hours))
    for r in prange(reps):
        np.random.seed(seed + r)
        for h in range(hours):
            n[r, h], good[r, h], gone[r, h], waited[r, h], queued[r, h], busy[r, h] = _hour(
                lam[r, h], agents[h], within[h], rates, K, patience, warmup)
    return n, good, gone, waited, queued, busy


def load_rates(aht_by_load_s) -> np.ndarray:
    """``R(i)``, chats an agent holding ``i`` chats finishes per second (``R(0) = 0``)."""
    return np.array([0.0] + [(i + 1) / float(s) for i, s in enumerate(aht_by_load_s)])
