"""The solver-free steps of the staged solve: shifts from the aggregate's counts, flows from shifts.

``hand_out`` gives each class's counts (agents of the class on option ``o`` of day ``d``) to
named agents, day by day, without a solver: for each count it takes the agents the rules still
allow (``AgentPlan.fits``: every hard rule's ``fits`` face, tested incrementally), those whose contract minimum
is most at risk first, then the cheapest (pay, rest-day premium, preferences), then those with
the fewest hours. A second pass tops up agents still below their weekly minimum, preferring
counts left unfilled, then the shifts worth most. Agents it cannot bring to their minimum are
returned for the CP-SAT disaggregation to place (``scheduler.roster.search.staged``); the checker stays the
judge of every roster written.

``greedy_flows`` splits each hour's multi-skilled agents over their queues at the least cost
(marginal saving, then transfers of coverage between queues while one saves).
"""

from __future__ import annotations

from collections import defaultdict

from scheduler.rules.pay import rest_day_premium, shift_cost
from scheduler.rules import HARD_RULES
from scheduler.rules.helpers import contract_days, min_hours_due, overtime_eligible, week_blocks
from scheduler.rules.max_consecutive_days import run_with
from scheduler.plan.money import units


class RuleTables:
    """What the rules need per plan, indexed by model day: the blocks, and each rule's own ``tables``
    (an attribute named after the rule); the hand-out faces (``fits``) and minimums (``short``) of
    the registry ``scheduler.rules.HARD_RULES``."""

    def __init__(self, full):
        plan, n = full.plan, len(full.days)
        self.plan, self.opts, self.n = plan, full.opts, n
        self.blocks = week_blocks(plan)
        self.block_of = {d: b for b, block in enumerate(self.blocks) for d in block}
        for rule in HARD_RULES:
            if rule.tables is not None:
                setattr(self, rule.NAME, rule.tables(plan, n))
        self.fits = tuple(rule.fits for rule in HARD_RULES if rule.fits is not None)
        self.minimums = tuple(rule.short for rule in HARD_RULES if rule.short is not None)


class AgentPlan:
    """One agent's shifts as they are handed out, and the incremental test of one more (the rules' ``fits``)."""

    def __init__(self, full, tables: RuleTables, a: int):
        self.a, self.t, self.agent = a, tables, full.agents[a].agent
        plan = full.plan
        self.allowed = [{o for o, _ in day_vars} for day_vars in full.agents[a].by_day]
        self.shift = [-1] * tables.n
        self.hours = [0] * len(tables.blocks)
        self.days = [0] * len(tables.blocks)
        self.extra_h = [0] * len(tables.blocks)  # hours past the standard day, per block
        self.due = [min_hours_due(self.agent, plan, block) for block in tables.blocks]
        self.free_days = [contract_days(self.agent, plan, block) for block in tables.blocks]
        self.eligible = overtime_eligible(self.agent, plan)
        self.premium = rest_day_premium(self.agent, plan)

    def template(self, d: int):
        return self.t.opts[self.shift[d]].template if 0 <= d < self.t.n and self.shift[d] >= 0 else None

    def fits(self, d: int, o: int) -> bool:
        """Whether option ``o`` on day ``d`` keeps every hard rule, given the shifts so far."""
        return o in self.allowed[d] and self._keeps(d, self.t.opts[o].template)

    def fitting(self, d: int) -> set[int]:
        """The options of day ``d`` that keep every hard rule: ``fits`` for each, every template tested once
        (the rules see a shift's template, not its break; L's hand-out tested each about three times)."""
        keeps: dict[str, bool] = {}
        for o in self.allowed[d]:
            t = self.t.opts[o].template
            if t.name not in keeps:
                keeps[t.name] = self._keeps(d, t)
        return {o for o in self.allowed[d] if keeps[self.t.opts[o].template.name]}

    def _keeps(self, d: int, t) -> bool:
        return all(fits(self, d, t) for fits in self.t.fits)

    def _run_with(self, d: int) -> int:
        return run_with(self, d)

    def night_days(self) -> list[int]:
        return [e for e in range(self.t.n) if (u := self.template(e)) is not None and u.night]

    def add(self, d: int, o: int) -> None:
        t, b = self.t.opts[o].template, self.t.block_of[d]
        self.shift[d] = o
        self.hours[b] += t.paid_hours
        self.days[b] += 1
        self.extra_h[b] += max(0, round(t.paid_hours - self.t.plan.rules.daily_standard_h))

    def remove(self, d: int) -> None:
        """The shift of day ``d`` taken off again (``add``'s inverse; nothing if the agent rests that day)."""
        if self.shift[d] < 0:
            return
        t, b = self.t.opts[self.shift[d]].template, self.t.block_of[d]
        self.shift[d] = -1
        self.hours[b] -= t.paid_hours
        self.days[b] -= 1
        self.extra_h[b] -= max(0, round(t.paid_hours - self.t.plan.rules.daily_standard_h))

    def need(self, d: int) -> float:
        """Hours still due in day ``d``'s block, per day left in it on which the agent may work."""
        b = self.t.block_of[d]
        short = self.due[b] - self.hours[b]
        if short <= 0:
            return 0.0
        left = sum(1 for e in self.t.blocks[b] if e >= d and self.shift[e] < 0 and self.allowed[e])
        return short / max(1, left)

    def short(self) -> list[int]:
        """Blocks in which the agent is below a minimum rule (the contract's weekly hours)."""
        if len(self.t.minimums) == 1:
            return self.t.minimums[0](self)
        return sorted({b for short in self.t.minimums for b in short(self)})


def _price(full, p: AgentPlan, d: int, o: int) -> int:
    """Objective units the shift adds: pay, a rest-day premium once past the contract's days, a broken preference."""
    cost = shift_cost(p.agent, full.opts[o].template, full.days[d], full.plan)
    if p.days[p.t.block_of[d]] >= p.free_days[p.t.block_of[d]]:
        cost += p.premium
    return cost


def _fill(full, plans: list[AgentPlan], d: int, o: int, count: int, fitting: dict) -> int:
    """Give option ``o`` of day ``d`` to up to ``count`` agents; returns how many it could not place.

    ``fitting[a]``: the options agent ``a`` may still take on day ``d``. A night goes first to
    agents who could not work a day shift today anyway (a night run continues rather than a new
    one blocking days), then by the hours still due, the price and the hours so far.
    """
    night, longest = full.opts[o].template.night, full.plan.rules.max_consecutive_days
    day_ok = lambda p: any(not full.opts[u].template.night for u in fitting[p.a])  # noqa: E731
    ranked = sorted((p for p in plans if o in fitting[p.a] and p.shift[d] < 0),
                    key=lambda p: (night and day_ok(p), -round(p.need(d), 3), p._run_with(d) >= longest,
                                   _price(full, p, d, o), sum(p.hours), p.a))
    for p in ranked[:count]:
        p.add(d, o)
    return count - min(count, len(ranked))


def _top_up(full, p: AgentPlan, left: dict, worth) -> None:
    """Add shifts to an agent below its weekly minimum: unfilled counts first, then the shifts worth most."""
    for b in p.short():
        while p.hours[b] < p.due[b]:
            free = [(d, o) for d in p.t.blocks[b] if p.shift[d] < 0 for ok in (p.fitting(d),) for o in p.allowed[d] if o in ok]
            if not free:
                break
            d, o = max(free, key=lambda do: (left.get(do, 0) > 0, worth(*do) - _price(full, p, *do)))
            p.add(d, o)
            if left.get((d, o), 0) > 0:
                left[d, o] -= 1


def hand_out(full, members: list[int], counts: dict, worth, tables: RuleTables | None = None) -> tuple[dict, list[int]]:
    """One class's counts ``{(day, option): agents}`` to its ``members``, with no solver.

    ``worth(d, o)``: objective units an agent on that option saves (for the top-up); ``tables``:
    the plan's ``RuleTables``, built here if not given. Returns
    ``({(agent row, model day): option}, agents still below a weekly minimum)``.
    """
    tables = tables or RuleTables(full)
    plans = [AgentPlan(full, tables, a) for a in members]
    left = {}
    for d in range(tables.n):
        todo = [(o, c) for (dd, o), c in counts.items() if dd == d and c > 0]
        fitting = {p.a: p.fitting(d) for p in plans}
        for o, c in sorted(todo, key=lambda oc: (not full.opts[oc[0]].template.night, -full.opts[oc[0]].template.paid_hours, oc[0])):
            left[d, o] = _fill(full, plans, d, o, c, fitting)
    for p in plans:
        if p.short():
            _top_up(full, p, left, worth)
    chosen = {(p.a, d): o for p in plans for d, o in enumerate(p.shift) if o >= 0}
    return chosen, [p.a for p in plans if p.short()]


def marginal(full, q: str, t: int, c: int) -> int:
    """Objective units one more agent on queue ``q`` in hour ``t`` saves, at ``c`` agents already there."""
    need, queue = int(full.required[q][t]), full.plan.queues[q]
    curve = full.curves.get((q, t))
    saved = sum(w for b, w in curve.tiers if b > c) if curve is not None else 0
    if c < need:
        saved += units(queue.floor_cost)
    else:
        saved -= units(full.plan.costs.overstaff_per_agent_hour)
    return saved


def greedy_flows(full, chosen: dict) -> dict:
    """Per hour, give each multi-skilled agent at the desk to the queue where one more agent saves most,
    then move agents between queues while a move saves (``_transfers``): the optimal split.

    With the shifts fixed, the hours are independent and each queue's cost is convex in its
    agents. The coverage vectors the skill groups can make form an M-convex set (a polymatroid's
    base), so a split that no single transfer of coverage from one queue to another improves is
    optimal (Murota, Discrete Convex Analysis, 2003, thm 6.26). The marginal allocation alone is
    not: on the demo it left 13,300 yuan more service level lost than the optimal split.
    """
    present = presence(full, chosen)
    flows = {}
    for t in range(full.n_hours):
        split, _ = split_hour(full, t, {g: hours.get(t, 0) for g, hours in present.items()})
        for (g, q), n in split.items():
            if present[g].get(t):  # a flow for every group at the desk this hour (the model's flow variables)
                flows[g, q, t] = n
    return flows


def presence(full, chosen: dict) -> dict[tuple, dict[int, int]]:
    """Agents at the desk per skill group and plan hour, for shifts ``{(agent row, model day): option}``."""
    present: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (a, d), o in chosen.items():
        opt, group = full.opts[o], full.staff.at[a, "skills"]
        for t in opt.desk_hours(d, full.n_hours):
            present[group][t] += 1
    return present


def split_hour(full, t: int, at_desk: dict) -> tuple[dict, dict]:
    """The least-cost split of hour ``t``'s agents at the desk ``{skill group: agents}``: returns
    ``({(multi-skill group, queue): agents}, {queue: agents covering it})``."""
    cover = defaultdict(int)
    for group, n in at_desk.items():
        if len(group) == 1 and n:
            cover[group[0]] += n
    units_left = {g: n for g, n in at_desk.items() if len(g) > 1}
    split = {(g, q): 0 for g in units_left for q in g}
    while any(units_left.values()):
        g, q = max(((g, q) for g, n in units_left.items() if n for q in g), key=lambda gq: marginal(full, gq[1], t, cover[gq[1]]))
        split[g, q] += 1
        cover[q] += 1
        units_left[g] -= 1
    _transfers(full, t, split, cover)
    return split, cover


def _transfers(full, t: int, split: dict, cover: dict) -> None:
    """Move coverage from one queue to another while it saves, each move along a chain of agents
    (one of a group on queue ``a`` moves to ``m``, one of another group on ``m`` moves on to ``b``...):
    the best move first, until none saves. Updates ``split`` ``{(group, queue): agents}`` and ``cover``."""
    while True:
        best = None
        for a in sorted({q for (_, q), n in split.items() if n}):  # sorted: the same ties broken every run
            loss = marginal(full, a, t, cover[a] - 1)  # what one agent fewer on ``a`` costs
            for b, path in _reachable(split, a).items():
                gain = marginal(full, b, t, cover[b]) - loss
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, a, b, path)
        if best is None:
            return
        _, a, b, path = best
        for g, src, dst in path:
            split[g, src] -= 1
            split[g, dst] += 1
        cover[a] -= 1
        cover[b] += 1


def _reachable(split: dict, start: str) -> dict:
    """Queues that coverage on ``start`` can move to, each with its chain ``[(group, from, to), ...]`` (breadth first)."""
    paths, frontier = {start: []}, [start]
    while frontier:
        nxt = []
        for src in frontier:
            for (g, q), n in split.items():
                if q != src or not n:
                    continue
                for dst in g:
                    if dst not in paths:
                        paths[dst] = paths[src] + [(g, src, dst)]
                        nxt.append(dst)
        frontier = nxt
    del paths[start]
    return paths
