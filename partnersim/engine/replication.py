"""Running a chunk of replications: every case walked through the process's route at once.

For a chunk of replications the engine draws in vectorised calls (every
ally's decision, task durations, talk rounds) and walks all cases of all
replications together, as arrays shaped (replications, candidates): each
stage says how long a case stays and how it leaves; the route
(:class:`partnersim.process.route.Route`) says where that exit leads — the
next stage, an earlier one, an outcome, or a wait before asking again;
withdrawal and the horizon cut in where they fall. A pass takes the stages
in order; cases sent back are taken on the next pass, until every case has
an outcome. Only where cases compete — more candidates in talks than expert
teams in a replication — does SimPy run, for that stage of that replication.

Each case's path (the states it entered and the triggers it fired) is kept;
every distinct path is confirmed by the state machine built from the same
route (:class:`partnersim.process.machine.Paths`), which names the states.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from partnersim.engine.design import rates_of, requests_of
from partnersim.engine.life import life_triggers, path_codes
from partnersim.engine.model import Model
from partnersim.engine.records import LifeRecord, Records, Trail
from partnersim.engine.resume import Opened, draw_open
from partnersim.kinds import KINDS
from partnersim.kinds.base import (
    ADVANCE,
    TIMEOUT,
    VETO,
    WITHDRAW,
    AllyRecord,
    ChunkKeys,
    Entering,
    Exit,
    Leaving,
)
from partnersim.process.route import PENDING, REQUESTED, WAITING, WITHDRAWN, Branches, Goto, Retry
from partnersim.scenario.calendar import Calendar
from partnersim.streams import Streams, key_of

_REQUEST = key_of("request")
_WITHDRAWAL = key_of("withdrawal")
_ROUTE = key_of("route")
_SUMMIT = key_of("summit")
_BRANCH, _GIVE_UP, _WAIT = 0, 1, 2
_OUT, _WAITS = -1, -2  # where a case is when it is in no stage: ended (or not begun), or waiting
MAX_PASSES = 10_000  # a process that sends cases back in no time at all still ends


def run_chunk(model: Model, seed: int, first: int, count: int) -> Records:
    """Replications ``first`` to ``first + count - 1`` of a run seeded with ``seed``."""
    keys = ChunkKeys(np.arange(first, first + count, dtype=np.uint64), model.candidate_keys)
    return run_keys(model, Streams(seed), keys, first)


def run_keys(model: Model, streams: Streams, keys: ChunkKeys, first: int = 0) -> Records:
    """The replications of ``keys`` (a chunk's, or a design's rows: see :mod:`partnersim.engine.design`)."""
    walk = _Walk(model, streams, keys)
    walk.run()
    life = None
    if model.life is not None:  # what follows cooperation, from the day it starts
        life = model.life.run(streams, keys, np.where(walk.succeeded, walk.end, np.inf), model.calendar)
    outcome, entry, spent, last_state, trail = _confirmed(model, walk, life)
    return Records(
        first=first,
        outcome=outcome,
        end=walk.end,
        opened=walk.opened,
        entry=entry,
        spent=spent,
        last_state=last_state,
        trail=trail,
        allies=[walk.allies[stage.name] for stage in model.consensus_stages],
        life=life,
    )


@dataclass
class _Steps:
    """Each case's path as it is walked: the states entered, when, and by which trigger."""

    shape: tuple[int, int]
    states: list[np.ndarray] = field(default_factory=list)  # per step: (R, C) column, -1 where no step
    days: list[np.ndarray] = field(default_factory=list)
    triggers: list[np.ndarray] = field(default_factory=list)  # per step: (R, C) index into the names
    count: np.ndarray | None = None  # (R, C) steps so far
    names: dict[str, int] = field(default_factory=dict)

    def add(self, where: np.ndarray, column: int | np.ndarray, day: np.ndarray, trigger: str | np.ndarray) -> None:
        """Add a step to the cases ``where``: into ``column`` on ``day`` by ``trigger``."""
        if not where.any():
            return
        if self.count is None:
            self.count = np.zeros(self.shape, dtype=np.int64)
        code = self._code(trigger) if isinstance(trigger, str) else trigger
        depth = self.count[where]
        for level in range(int(depth.max()) + 1):
            if level == len(self.states):
                self.states.append(np.full(self.shape, -1, dtype=np.int16))
                self.days.append(np.full(self.shape, np.nan))
                self.triggers.append(np.full(self.shape, -1, dtype=np.int16))
            here = where & (self.count == level)
            self.states[level][here] = column if np.ndim(column) == 0 else np.asarray(column)[here]
            self.days[level][here] = np.asarray(day)[here] if np.ndim(day) else day
            self.triggers[level][here] = code if np.ndim(code) == 0 else np.asarray(code)[here]
        self.count[where] += 1

    def _code(self, trigger: str) -> int:
        return self.names.setdefault(trigger, len(self.names))


class _Walk:
    """One chunk's walk through the route: the state of every case, updated pass by pass."""

    def __init__(self, model: Model, streams: Streams, keys: ChunkKeys) -> None:
        self.model = model
        self.streams = streams
        self.keys = keys
        self.opened, self.withdraw_at = _openings(model, streams, keys)
        shape = self.opened.shape
        self.shape = shape
        self.horizon = model.horizon
        n_stages = len(model.stages)
        self.at = np.full(shape, _OUT, dtype=np.int64)  # the stage each case is in
        self.now = self.opened.copy()  # the day it entered it
        self.end = np.full(shape, np.nan)
        self.succeeded = np.zeros(shape, dtype=bool)
        self.visits = np.zeros(shape + (n_stages,), dtype=np.int64)
        self.veto_at = np.full(shape, np.inf)  # the day of the case's last veto (for spillover)
        self.wait_until = np.full(shape, np.inf)
        self.wait_to = np.full(shape, -1, dtype=np.int64)  # the column a waiting case returns to
        self.steps = _Steps(shape)
        self.allies: dict[str, AllyRecord] = {}
        self.waits = {stage.index: summit_waits(model.calendar, streams, keys, stage.name) for stage in model.stages}
        self.freeze = model.spillover.lengths(streams, keys) if model.spillover is not None else None
        self.resuming = np.zeros(shape, dtype=bool)  # cases whose first pass continues a stage open on the start date
        self._start()

    def _start(self) -> None:
        model, horizon = self.model, self.horizon
        later = self.opened >= horizon  # not yet requested at the horizon
        self._end(later, model.column(PENDING), np.full(self.shape, horizon), "censor")
        entry = np.array([-1 if e is None else e for e in model.entry_stage])[None, :]
        begin = ~later
        resumed = begin & (entry >= 0)
        for index in np.unique(np.broadcast_to(entry, self.shape)[resumed]).tolist():
            here = resumed & (entry == index)
            self.steps.add(here, model.stage_column(index), self.opened, f"resume_{model.route.stages[index]}")
            self.at[here] = index
        for history in model.resumes:
            self.resuming[:, history.candidate] = begin[:, history.candidate]
        fresh = begin & (entry < 0)
        self.steps.add(fresh, model.column(REQUESTED), self.opened, "request")
        self._enter_first(fresh, self.opened)

    def _enter_first(self, where: np.ndarray, day: np.ndarray) -> None:
        self.steps.add(where, self.model.stage_column(0), day, "advance")
        self.at[where] = 0
        self.now = np.where(where, day, self.now)

    def _end(self, where: np.ndarray, column: int, day: np.ndarray, trigger: str) -> None:
        self.steps.add(where, column, day, trigger)
        self.end = np.where(where, day, self.end)
        self.at[where] = _OUT

    def run(self) -> None:
        for _ in range(MAX_PASSES):
            moved = False
            for stage in self.model.stages:
                active = self.at == stage.index
                if active.any():
                    self._pass(stage, active)
                    moved = True
            waiting = self.at == _WAITS
            if waiting.any():
                self._return(waiting)
                moved = True
            if not moved:
                break
        else:  # a process that loops without time passing: what is still open is pending
            still = self.at != _OUT
            self._end(still, self.model.column(PENDING), np.full(self.shape, self.horizon), "censor")
        for stage in self.model.consensus_stages:  # a decision stage no case entered
            if stage.name not in self.allies:
                self._record(stage, stage.draw(self.streams, self.keys), self._leaving(np.zeros(self.shape, bool)))

    def _pass(self, stage: object, active: np.ndarray) -> None:
        model, horizon = self.model, self.horizon
        index = stage.index  # type: ignore[attr-defined]
        plan = stage.draw(self.streams, self.keys.for_visits(self.visits[:, :, index]))  # type: ignore[attr-defined]
        now = self.now
        days, how = stage.finish(plan, Entering(active, now, self.withdraw_at, horizon))  # type: ignore[attr-defined]
        elapsed, opened = self._opened(stage, active)
        if opened:
            days, how = days.copy(), how.copy()
            for part, column in opened:
                days[part.rows, column], how[part.rows, column] = part.days, part.how
        leave = now + days
        calendar = model.calendar
        name = stage.name  # type: ignore[attr-defined]
        if calendar.applies(name):
            leave = np.where(active, calendar.settle(name, leave, self.waits[index]), leave)
        limit = model.timeouts[index]
        if limit is not None:  # still in the stage after its time limit: it ends there, by its timeout exit
            limit_at = now + np.maximum(limit - elapsed, 0.0)
            late = active & (leave > limit_at) & (how != WITHDRAW)
            leave = np.where(late, limit_at, leave)
            how = np.where(late, TIMEOUT, how)
        spillover = model.spillover
        if spillover is not None and self.freeze is not None and index in spillover.frozen:
            vetoed_before = np.isfinite(self.veto_at) & ~active
            leave = spillover.apply(
                leave, how, active, vetoed_before, self.veto_at, self.freeze, self.withdraw_at, horizon,
                _one_case_settle(calendar, name, self.waits[index]),
            )
        withdraw_at = self.withdraw_at
        withdrawn = active & ((how == WITHDRAW) | (withdraw_at < leave)) & (withdraw_at < horizon)
        censored = active & ~withdrawn & (leave >= horizon)
        moving = active & ~withdrawn & ~censored
        left = np.where(withdrawn, withdraw_at, np.where(censored, horizon, leave))
        leaving = Leaving(
            entered=np.where(active, now, np.nan), left=left, advanced=moving & (how == ADVANCE),
            vetoed=moving & (how == VETO),
        )
        if KINDS[stage.kind].decision:  # type: ignore[attr-defined]
            self._record(stage, plan, leaving, opened)
        self.veto_at = np.where(leaving.vetoed, leave, self.veto_at)
        self._end(withdrawn, model.column(WITHDRAWN), withdraw_at, "withdraw")
        self._end(censored, model.column(PENDING), np.full(self.shape, horizon), "censor")
        for exit in np.unique(how[moving]).tolist():
            self._follow(index, Exit(exit), moving & (how == exit), leave)
        self.visits[:, :, index] += active

    def _follow(self, index: int, exit: Exit, where: np.ndarray, day: np.ndarray) -> None:
        """Send the cases ``where`` leaving stage ``index`` by ``exit`` on ``day`` where the route says."""
        route = self.model.route
        target = route.exits[index][exit]
        if isinstance(target, Goto):
            self._go(where, target.state, day, route.trigger(index, exit, target.state))
            return
        u = self._route_uniforms(index, exit)
        if isinstance(target, Branches):
            edges = np.cumsum([p for _, p in target.choices])
            pick = np.minimum(np.searchsorted(edges, u[:, :, _BRANCH], side="right"), len(edges) - 1)
            for k, (state, _) in enumerate(target.choices):
                self._go(where & (pick == k), state, day, route.trigger(index, exit, state))
            return
        assert isinstance(target, Retry)
        give_up = where & (u[:, :, _GIVE_UP] < target.give_up)
        self._go(give_up, target.otherwise, day, route.trigger(index, exit, target.otherwise))
        wait = where & ~give_up
        self.steps.add(wait, self.model.column(WAITING), day, route.trigger(index, exit, WAITING))
        self.at[wait] = _WAITS
        self.wait_until = np.where(wait, day + target.after.ppf(u[:, :, _WAIT]), self.wait_until)
        self.wait_to[wait] = self.model.column(target.state)

    def _route_uniforms(self, index: int, exit: Exit) -> np.ndarray:
        """(R, C, 3) uniforms for a route's choice at a stage's exit: branch, giving up, the wait."""
        stage_key = self.keys.for_visits(self.visits[:, :, index]).stage(
            self.model.route.stages[index], key_of(self.model.route.stages[index])
        )
        key = stage_key if np.ndim(stage_key) == 0 else np.asarray(stage_key)[:, :, None]
        return self.streams.uniforms(
            self.keys.reps[:, None, None], self.keys.candidates[None, :, None], _ROUTE, key, np.uint64(int(exit)),
            np.arange(3, dtype=np.uint64)[None, None, :],
        )

    def _go(self, where: np.ndarray, state: str, day: np.ndarray, trigger: str) -> None:
        if not where.any():
            return
        model = self.model
        if state == REQUESTED:  # asks again at once: the first stage starts afresh
            self.steps.add(where, model.column(REQUESTED), day, trigger)
            self._enter_first(where, day)
        elif state in model.route.stages:
            index = model.route.stages.index(state)
            self.steps.add(where, model.stage_column(index), day, trigger)
            self.at[where] = index
            self.now = np.where(where, day, self.now)
        else:  # an outcome
            self._end(where, model.column(state), day, trigger)
            if state == model.route.success:
                self.succeeded |= where

    def _return(self, waiting: np.ndarray) -> None:
        """Cases whose wait is over go back where the route sent them (a withdrawal or the horizon may come first)."""
        model, horizon = self.model, self.horizon
        arrive = self.wait_until
        withdrawn = waiting & (self.withdraw_at < arrive) & (self.withdraw_at < horizon)
        censored = waiting & ~withdrawn & (arrive >= horizon)
        self._end(withdrawn, model.column(WITHDRAWN), self.withdraw_at, "withdraw")
        self._end(censored, model.column(PENDING), np.full(self.shape, horizon), "censor")
        back = waiting & ~withdrawn & ~censored
        for column in np.unique(self.wait_to[back]).tolist():
            here = back & (self.wait_to == column)
            state = model.states[column]
            self.steps.add(here, column, arrive, f"back_to_{state}")
            if state == REQUESTED:
                self._enter_first(here, arrive)
            else:
                index = model.route.stages.index(state)
                self.at[here] = index
                self.now = np.where(here, arrive, self.now)
        self.wait_until = np.where(waiting, np.inf, self.wait_until)

    def _leaving(self, active: np.ndarray) -> Leaving:
        none = np.zeros(self.shape, dtype=bool)
        return Leaving(entered=np.where(active, self.now, np.nan), left=np.full(self.shape, np.inf),
                       advanced=none, vetoed=none)

    def _opened(self, stage: Any, active: np.ndarray) -> tuple[np.ndarray, list[tuple[Opened, int]]]:
        """The days each case had spent in ``stage`` before the start date (0 but for cases resuming it), and
        the rest of the stage drawn given that history (:mod:`partnersim.engine.resume`), by candidate."""
        resuming = active & self.resuming
        elapsed = np.zeros(self.shape)
        opened: list[tuple[Opened, int]] = []
        if not resuming.any():
            return elapsed, opened
        for resume in self.model.resumes:
            rows = np.flatnonzero(resuming[:, resume.candidate]) if resume.stage == stage.index else ()
            if len(rows):
                part = draw_open(stage, self.streams, self.keys, np.asarray(rows), resume, self.horizon)
                opened.append((part, resume.candidate))
                elapsed[rows, resume.candidate] = resume.elapsed
        self.resuming &= ~resuming
        return elapsed, opened

    def _record(self, stage: Any, plan: object, leaving: Leaving, opened: Sequence[tuple[Opened, int]] = ()) -> None:
        """Keep who stood in the way on this pass, over what earlier passes kept."""
        record = stage.ally_record(plan, leaving)
        for part, c in opened:  # the cases resuming the stage: their own draws, from the day they entered it
            r = part.rows
            own = stage.ally_record(part.plan, Leaving(
                entered=np.full((len(r), 1), -part.elapsed),
                left=leaving.left[r, c][:, None], advanced=leaving.advanced[r, c][:, None],
                vetoed=leaving.vetoed[r, c][:, None],
            ))
            record.last[r, c], record.veto[r, c], record.held[r, c] = own.last[:, 0], own.veto[:, 0], own.held[:, 0]
        earlier = self.allies.get(record.stage)
        if earlier is not None:
            record = AllyRecord(
                stage=record.stage,
                last=np.where(record.last >= 0, record.last, earlier.last).astype(np.int16),
                veto=np.where(record.veto >= 0, record.veto, earlier.veto).astype(np.int16),
                held=record.held | earlier.held,
            )
        self.allies[record.stage] = record


def summit_waits(calendar: Calendar, streams: Streams, keys: ChunkKeys, stage: str) -> np.ndarray | None:
    """Which cases' decisions at ``stage`` wait for a summit, or None if none can."""
    p = calendar.wait.get(stage, 0.0)
    if not p:
        return None
    u = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], _SUMMIT, key_of(stage))
    return u < p


def _one_case_settle(calendar: Calendar, stage: str, waits: np.ndarray | None) -> Callable[[int, int, float], float]:
    """The calendar of one stage for one case: the day a decision released on ``day`` takes effect."""

    def settle(r: int, c: int, day: float) -> float:
        wait = None if waits is None else waits[r : r + 1, c]
        return float(calendar.settle(stage, np.array([day]), wait)[0])

    return settle


def _openings(model: Model, streams: Streams, keys: ChunkKeys) -> tuple[np.ndarray, np.ndarray]:
    """The day each case opens, and the day its candidate would withdraw (inf: never)."""
    u = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], _REQUEST, np.uint64(0))
    opened = np.maximum(requests_of(model, u, keys.points), 0.0)
    v = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], _WITHDRAWAL, np.uint64(0))
    rate = rates_of(model, keys.points)
    with np.errstate(divide="ignore"):
        after = np.where(rate > 0, -np.log1p(-v) / np.where(rate > 0, rate, 1.0), np.inf)
    return opened, opened + after


def _distinct_rows(rows: np.ndarray, codes: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(rows, axis=0, return_inverse=True)`` for rows of codes in −1 … codes − 1.

    Where a row fits one 63-bit number it is read as one, in base codes + 1, and
    the numbers are sorted instead of the rows: the same answer, several
    times faster for the short paths of most processes.
    """
    base = codes + 1
    if rows.shape[1] * math.log2(base) < 62:
        weights = base ** np.arange(rows.shape[1] - 1, -1, -1, dtype=np.int64)
        numbers = (rows.astype(np.int64) + 1) @ weights
        _, first, inverse = np.unique(numbers, return_index=True, return_inverse=True)
        return rows[first], inverse
    return np.unique(rows, axis=0, return_inverse=True)


def _confirmed(
    model: Model, walk: _Walk, life: LifeRecord | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Trail]:
    """Outcome, first entry and days in each state, and the last open state of every case, from its path.

    Every distinct path (the triggers a case fired) is fired once through the
    state machine, which must allow it and must name the states the walk
    entered; a partnership's life after cooperation is part of its path.
    """
    steps = walk.steps
    shape = walk.shape
    states = np.stack(steps.states, axis=-1)
    days = np.stack(steps.days, axis=-1)
    triggers = np.stack(steps.triggers, axis=-1)
    names = {code: name for name, code in steps.names.items()}
    width = triggers.shape[-1]
    flat = triggers.reshape(-1, width)
    distinct, inverse = _distinct_rows(flat, len(steps.names))
    inverse = inverse.reshape(shape)
    columns = {state: i for i, state in enumerate(model.states)}
    outcome_index = {state: i for i, state in enumerate(model.outcomes)}
    outcome = np.empty(shape, dtype=np.int8)
    for index, row in enumerate(distinct.tolist()):
        fired = tuple(names[code] for code in row if code >= 0)
        entered = model.paths.states(fired)
        where = inverse == index
        expected = tuple(model.states[c] for c in states[where][0] if c >= 0)
        if entered != expected:
            raise AssertionError(f"the walk entered {expected} where the process enters {entered} by {fired}")
        outcome[where] = outcome_index[entered[-1]]
    if life is not None:  # the path to cooperation, then the life that followed
        lives = np.concatenate([flat.reshape(shape + (width,))[walk.succeeded], path_codes(life)[walk.succeeded]],
                               axis=-1)
        for row in np.unique(lives, axis=0).tolist():
            fired = tuple(names[code] for code in row[:width] if code >= 0)
            model.paths.states(fired + life_triggers(*row[width:]))
    entry = np.full(shape + (len(model.states),), np.nan)
    spent = np.zeros(shape + (len(model.states),))
    rows, cols = (np.asarray(a) for a in np.indices(shape))
    valid = states >= 0
    for k in reversed(range(width)):  # the first visit is written last, so it is the one kept
        here = valid[:, :, k]
        entry[rows[here], cols[here], states[:, :, k][here]] = days[:, :, k][here]
    for k in range(width - 1):
        here = valid[:, :, k] & valid[:, :, k + 1]
        np.add.at(spent, (rows[here], cols[here], states[:, :, k][here]), days[:, :, k + 1][here] - days[:, :, k][here])
    open_columns = np.array([columns[s] for s in model.states if s not in model.outcomes])
    is_open = np.isin(states, open_columns) & valid
    last_step = np.asarray(width - 1 - np.argmax(is_open[:, :, ::-1], axis=2))
    last_state = np.where(is_open.any(axis=2), np.take_along_axis(states, last_step[:, :, None], axis=2)[:, :, 0],
                          columns["prospective"]).astype(np.int16)
    return outcome, entry, spent, last_state, Trail(states=states, days=days)
