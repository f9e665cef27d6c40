"""Running a chunk of replications: every case walked through the stages at once.

For a chunk of replications the engine first draws everything in vectorised
calls (every ally's decision, task durations, talk rounds), then walks all
cases of all replications through the stages together, as arrays shaped
(replications, candidates): each stage says how long a case stays and how it
leaves; withdrawal and the horizon cut in where they fall. Only where cases
compete — more candidates in talks than expert teams in a replication — does
SimPy run, for that stage of that replication.

The path each case took (its triggers) is confirmed by the state machine,
which names the states entered; see :class:`partnersim.process.machine.Process`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from partnersim.engine.calendar import Calendar
from partnersim.engine.life import life_triggers, path_codes
from partnersim.engine.model import Model
from partnersim.engine.records import LifeRecord, Records
from partnersim.engine.stages import ADVANCE, TRIGGERS, VETO, WITHDRAW, ChunkKeys, Entering
from partnersim.engine.streams import Streams, key_of
from partnersim.process.machine import process_of

_REQUEST = key_of("request")
_WITHDRAWAL = key_of("withdrawal")
_OPEN, _STOPPED, _WITHDRAWN, _CENSORED = 0, 1, 2, 3


def run_chunk(model: Model, seed: int, first: int, count: int) -> Records:
    """Replications ``first`` to ``first + count - 1`` of a run seeded with ``seed``."""
    streams = Streams(seed)
    keys = ChunkKeys(np.arange(first, first + count, dtype=np.uint64), model.candidate_keys)
    opened, withdraw_at = _openings(model, streams, keys)
    plans = [stage.draw(streams, keys) for stage in model.stages]
    calendar = model.calendar
    waits = {stage.index: calendar.waits(streams, keys, stage.name) for stage in model.stages}
    freeze = model.spillover.lengths(streams, keys) if model.spillover is not None else None
    shape = opened.shape
    n_stages = len(model.stages)
    horizon = model.horizon
    entry_stage = np.array([-1 if e is None else e for e in model.entry_stage])[None, :]

    stage_entry = np.full(shape + (n_stages,), np.nan)
    status = np.full(shape, _OPEN, dtype=np.int8)
    status[opened >= horizon] = _CENSORED  # not yet requested at the horizon
    last_stage = np.full(shape, -1, dtype=np.int64)  # the last stage entered
    ending = np.zeros(shape, dtype=np.int8)  # how a stopped case left its last stage
    end = np.where(status == _CENSORED, horizon, np.nan)
    now = opened.copy()
    vetoed_here = {stage.index: np.zeros(shape, dtype=bool) for stage in model.stages}
    for stage in model.stages:
        active = (status == _OPEN) & (entry_stage <= stage.index)
        if not active.any():
            continue
        stage_entry[:, :, stage.index] = np.where(active, now, np.nan)
        last_stage[active] = stage.index
        days, how = stage.finish(plans[stage.index], Entering(active, now, withdraw_at, horizon))
        leave = now + days
        if calendar.applies(stage.name):
            leave = np.where(active, calendar.settle(stage.name, leave, waits[stage.index]), leave)
        if model.spillover is not None and freeze is not None and stage.index in model.spillover.frozen:
            vetoed_before = (status == _STOPPED) & (ending == VETO)
            leave = model.spillover.apply(
                leave, how, active, vetoed_before, end, freeze, withdraw_at, horizon,
                _one_case_settle(calendar, stage.name, waits[stage.index]),
            )
        withdrawn = active & ((how == WITHDRAW) | (withdraw_at < leave)) & (withdraw_at < horizon)
        censored = active & ~withdrawn & (leave >= horizon)
        stopped = active & ~withdrawn & ~censored & (how != ADVANCE)
        status[withdrawn], end[withdrawn] = _WITHDRAWN, withdraw_at[withdrawn]
        status[censored], end[censored] = _CENSORED, horizon
        status[stopped], end[stopped] = _STOPPED, leave[stopped]
        ending[stopped] = how[stopped]
        vetoed_here[stage.index] = stopped & (how == VETO)
        now = np.where(active & ~withdrawn & ~censored, leave, now)
    succeeded = status == _OPEN
    end[succeeded] = now[succeeded]

    life = None
    if model.life is not None:  # what follows cooperation, from the day it starts
        life = model.life.run(streams, keys, np.where(succeeded, end, np.inf), calendar)
    outcome, entry = _paths(model, opened, stage_entry, status, succeeded, last_stage, ending, end, life)
    return Records(
        first=first,
        outcome=outcome,
        end=end,
        opened=opened,
        entry=entry,
        allies=[
            stage.ally_record(plans[stage.index], entry, vetoed_here[stage.index]) for stage in model.consensus_stages
        ],
        life=life,
    )


def _one_case_settle(calendar: Calendar, stage: str, waits: np.ndarray | None) -> Callable[[int, int, float], float]:
    """The calendar of one stage for one case: the day a decision released on ``day`` takes effect."""

    def settle(r: int, c: int, day: float) -> float:
        wait = None if waits is None else waits[r : r + 1, c]
        return float(calendar.settle(stage, np.array([day]), wait)[0])

    return settle


def _openings(model: Model, streams: Streams, keys: ChunkKeys) -> tuple[np.ndarray, np.ndarray]:
    """The day each case opens, and the day its candidate would withdraw (inf: never)."""
    u = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], _REQUEST, np.uint64(0))
    request = np.column_stack([dist.ppf(u[:, c]) for c, dist in enumerate(model.requests)])
    opened = np.maximum(request, 0.0)
    v = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], _WITHDRAWAL, np.uint64(0))
    rate = model.withdrawal_rate[None, :]
    with np.errstate(divide="ignore"):
        after = np.where(rate > 0, -np.log1p(-v) / np.where(rate > 0, rate, 1.0), np.inf)
    return opened, opened + after


def _paths(
    model: Model, opened: np.ndarray, stage_entry: np.ndarray, status: np.ndarray, succeeded: np.ndarray,
    last_stage: np.ndarray, ending: np.ndarray, end: np.ndarray, life: LifeRecord | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome and state-entry days of every case, with its path confirmed by the machine.

    A partnership's life after cooperation is part of its path: the machine
    confirms it too, though only the states up to the outcome have columns.
    """
    process = process_of(model.template.name)
    names = [stage.name for stage in model.stages]
    column = {state: i for i, state in enumerate(model.states)}
    outcome_index = {state: i for i, state in enumerate(model.outcomes)}
    entry = np.full(status.shape + (len(model.states),), np.nan)
    outcome = np.empty(status.shape, dtype=np.int8)
    # A path is: where the case started, the last stage it entered, and how it ended.
    final = np.where(succeeded, -1, np.where(status == _STOPPED, ending, -status - 10))
    codes = np.stack(
        [np.broadcast_to(np.array([-1 if e is None else e for e in model.entry_stage])[None, :], status.shape),
         last_stage, final], axis=-1,
    )
    if life is not None:  # the path to cooperation, then the life that followed
        lives = np.concatenate([codes[succeeded], path_codes(life)[succeeded]], axis=-1)
        for start, last, how, *after in np.unique(lives, axis=0).tolist():
            process.states(_triggers(names, start, last, how) + life_triggers(*after))
    flat = codes.reshape(-1, 3)
    distinct, inverse = np.unique(flat, axis=0, return_inverse=True)
    inverse = inverse.reshape(status.shape)
    for index, (start, last, how) in enumerate(distinct.tolist()):
        triggers = _triggers(names, start, last, how)
        states = process.states(triggers)
        where = inverse == index
        for state in states:
            times = _entry_time(state, names, column, model, opened, stage_entry, end)
            entry[:, :, column[state]] = np.where(where, times, entry[:, :, column[state]])
        outcome[where] = outcome_index[states[-1]]
    return outcome, entry


def _triggers(names: list[str], start: int, last: int, how: int) -> tuple[str, ...]:
    if last < 0:  # never entered a stage: not yet requested at the horizon
        return ("censor",)
    triggers = ["request", "advance"] if start < 0 else [f"resume_{names[start]}"]
    triggers += ["advance"] * (last - max(start, 0))
    if how == -1:
        triggers.append("advance")  # the last stage done: success
    elif how >= 0:
        triggers.append(TRIGGERS[how])
    elif how == -_WITHDRAWN - 10:
        triggers.append("withdraw")
    else:
        triggers.append("censor")
    return tuple(triggers)


def _entry_time(
    state: str, names: list[str], column: dict[str, int], model: Model, opened: np.ndarray,
    stage_entry: np.ndarray, end: np.ndarray,
) -> np.ndarray:
    if state == "requested":
        return opened
    if state in names:
        return stage_entry[:, :, names.index(state)]
    return end
