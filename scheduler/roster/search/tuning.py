"""The staged search's tuning in one place: each number a measured choice (the measurement beside it).

``TUNING`` is what the search reads; a benchmark or a test may pass another ``Tuning``.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    aggregate_max_s: float = 10.0  # the most the aggregate gets (the demo: a 0.67% gap after 10, 92% after 3)
    aggregate_gap: float = 0.005  # ... or it stops at this gap. L (60 s) reaches 0.29% after 2.5 of its 10 s with the counts and bound of 10 s: first roster 20.3 s against 42.6 s at 0.001, end gap 3.13% against 3.36%, peak 2.10 against 2.24 GB. S (30 s, seeds 0/1/2) ends at 285.1k/283.7k/283.1k against 283.1k/283.4k/283.5k at 0.001 (0.2% dearer on average); M reaches 0.09% in 2.8; the demo never reaches it
    hint_max_s: float = 3.0  # completing the hint fixes every shift and flow: under 2 s at 1,000 agents
    improve_share: float = 0.35  # of the time limit, for the disaggregation's sweeps (M: 1.65% at 0.2, 1.36% at 0.35, 60 s)
    sweep_part_s: float = 1.0  # ... and at least this for each part of one sweep (``Disaggregation.parts``) per worker: the share gave L's 65 parts 0.65 s each at 60 s, where the sweeps still lowered the roster fastest of all stages (6.4k per deterministic s from 10 to 21 s); L 60 s ends at 2,959,601 with 33 s against 2,973,390 with 21 s. The share at 0.55 for every size made M (607.3k against 605.5k) and S worse
    chunk: int = 20  # agents per disaggregation part
    part_floor_s: float = 0.15  # the least a sweep's part counts: L's 922 parts averaged 0.04 s of solver work and 0.16 s on the clock (building them); counted at least this, 125 parts reach the same roster cost (3.191M against 3.190M) in 94 s instead of 145
    min_part_s: float = 0.25  # the least deterministic time a part gets (it stops sooner at a 0.1% gap)
    cover_left: float = 1.0  # of the time left after the sweeps, the most the cover stage gets (at most 0.35 of the limit; what it does not use goes on to the polish). L 60 s: at 0.5 its crews had 8.3 s and were still lowering the shortfall by about 35 agent-hours a round when cut off (444 to 132); 2,962,741 at 0.5, 2,960,232 at 0.75, 2,954,181 at 1.0. The demo (3 seeds), M and S seed 0 are the same to the yuan (their crews stop on their own)
    cover_patience: int = 2  # rounds of crews in a row that lower nothing before the cover stops (its time goes on to the polish)
    cover_change: int = 10  # the cover's second goal: tens of yuan for each shift moved, beside the shifts' pay (S, 30 s, seeds 0/1/2: 851.0k at 10 against 852.5k at 1; L 60 s: 2,973k and 2,972k)
    settle_s: float = 1.0  # for the flows after the cover (the polish goes on with them; on the demo a longer solve does not end sooner)
    cover_min_s: float = 2.0  # the least time worth a try: each solve of the whole model at 1,000 agents costs about a second
    window_days: int = 2  # M, from one start, 30 s, no presolve: 3 days 606.7-607.3k, 2 days 605.9-606.0k
    free_agents: int = 60  # M, from one start, 30 s: 120 agents 611.6-612.0k, 60: 609.0-610.2k; L 90 s: 0.97% vs 0.65%
    crew: int = 20  # agents freed over every day in a ``crew`` step
    step_s: float = 1.0
    report_every_s: float = 2.0  # the least time between progress lines
    whole_share: float = 0.1  # of the polish's time, for the whole model first (at most whole_max_s) ...
    whole_max_s: float = 3.0
    whole_max_agent_days: int = 600  # ... on rosters this small (a larger one is not proven in seconds)
    lp_give_up: float = 0.05
    local_moves_max: int = 100000  # single moves the final local search prices (counted, not timed: runs repeat); the demo: all in 63k, 3.2 s
    wall_cap: float = 30.0  # the wall-clock safety cap of the staged solve and its searches, in multiples of their limits. At 10 a machine with another solve on the 2 cores cut M's run (a 20 s budget took 178 s on the clock there, and L's polish takes 8x its budget on the clock on an idle machine: each step loads the whole model), and the roster depended on the load
    replan_round_s: float = 0.5  # the least a re-plan's polish round counts (its windows end in 0.08 s of solver work but 0.48 s on the clock)
    lp_max_agent_days: int = 1500  # S and the demo (1,080); M (4,200): 483k after 45 s against the aggregate's 602.6k


TUNING = Tuning()
