"""Cases already in a stage on the start date: the rest of the stage, drawn given what has happened.

A candidate can say that its case is in a stage since a date (``since``) and,
at a consensus, which allies have consented and which are holding since when.
Its first pass through that stage is then drawn conditional on that history,
from the day it entered the stage:

- a stage that can draw its time conditional on the time already spent (a
  task: ``draw_open``) draws the time left exactly, as the residual life of
  its duration (:meth:`partnersim.values.families._Dist.residual`);
- any other stage is drawn again and again, each try with fresh keyed draws
  (``name@k``), until a try leaves the stage still open on the start date
  (rejection sampling: exact, whatever the stage's kind, and keyed, so that
  two scenarios still share random numbers draw for draw). At a consensus, an
  ally known to have consented has; an ally known to hold has held since its
  date and holds for the residual life of its hold; every other ally is drawn
  afresh, and a try is kept only if none of them vetoed before the start date
  and the consensus is still open on it.

The share of tries kept is the chance, under the scenario's settings, that a
case entering the stage on that day would still be there on the start date:
:func:`open_chance` estimates it, so that a briefing can say how unusual the
case's history is for the model.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any

import numpy as np

from partnersim.errors import PartnersimError
from partnersim.kinds.base import ChunkKeys, Entering
from partnersim.streams import Streams

# Tries are made until every case has one that is still open on the start date. Where fewer than
# this share of them are, the scenario's settings all but rule out the history it states: say so
# rather than draw for ever.
MIN_OPEN = 1e-3
_JUDGED_AFTER = 20_000  # tries made before the share kept is judged
_MOST_TRIES = 64  # tries of one case drawn at once


class UnlikelyHistory(PartnersimError):
    """A candidate's stated history is all but impossible under the scenario's own settings."""


@dataclass(frozen=True)
class Resume:
    """A candidate whose case is in a stage on the start date, and for how long it has been."""

    candidate: int  # column of the candidate
    stage: int  # index of the stage
    elapsed: float  # days in the stage before the start date
    label: str  # how the case is named in a message: "Argentina's consensus (open since 2024-04-18)"
    known: Any = None  # what the stage's kind knows of the case (a consensus: KnownAllies)


@dataclass
class Opened:
    """The rest of one stage for one candidate's cases in a chunk, drawn given their history."""

    rows: np.ndarray  # (n,) rows of the chunk: the replications whose case resumes here
    elapsed: float  # days the cases had spent in the stage before the start date
    days: np.ndarray  # (n,) days left in the stage from the start date
    how: np.ndarray  # (n,) how each case leaves (an Exit)
    plan: Any  # the draws kept, shaped (n, 1, ...): what the stage's ally record reads


def draw_open(stage: Any, streams: Streams, keys: ChunkKeys, rows: np.ndarray, resume: Resume,
              horizon: float) -> Opened:
    """The rest of ``stage`` for ``resume``'s candidate in the replications ``rows`` of a chunk."""
    candidate = keys.candidates[[resume.candidate]]
    elapsed = resume.elapsed

    def finish(plan: Any, count: int) -> tuple[np.ndarray, np.ndarray]:
        days, how = stage.finish(plan, _entering(resume, count, horizon))
        return days[:, 0], how[:, 0]

    if hasattr(stage, "draw_open"):  # drawn exactly, in one try
        plan = stage.draw_open(streams, keys.rows(rows, candidate), elapsed)
        days, how = finish(plan, len(rows))
        return Opened(rows, elapsed, days - elapsed, how, plan)
    # The tries kept depend on the stage's draws and the keys alone: a design's points that leave the stage as
    # it is find the ones another point found (see Streams.keep).
    signature = getattr(stage, "signature", None)
    sign = signature() if streams.remembers and signature is not None else None
    tag = None if sign is None else ("tries", sign, keys.reps[rows].tobytes(), candidate.tobytes(), elapsed,
                                     horizon, pickle.dumps(resume.known))
    tries = None if tag is None else streams.recall(tag)
    if tries is None:
        tries = _tries(stage, streams, keys, rows, candidate, resume, finish)
        if tag is not None:
            streams.keep(tag, tries, 2 * tries.nbytes)
    plan = stage.draw(streams, keys.rows(rows, candidate, tries=tries[:, None]))  # the tries kept, drawn again
    days, how = finish(plan, len(rows))
    return Opened(rows, elapsed, days - elapsed, how, plan)


def _tries(stage: Any, streams: Streams, keys: ChunkKeys, rows: np.ndarray, candidate: np.ndarray, resume: Resume,
           finish: Any) -> np.ndarray:
    """The first try of each case of ``rows`` that leaves the stage still open on the start date."""
    elapsed = resume.elapsed
    tries = np.zeros(len(rows), dtype=np.int64)  # each case's try: the one kept, once it is found
    pending = np.arange(len(rows))
    made = 0
    batch = 1
    while pending.size:
        # The next ``batch`` tries of every case still without one, drawn at once. Tries are keyed, so the
        # first open one of each case is the one a try-by-try search finds; the rest of the batch is
        # wasted, but far fewer calls are made when few tries stay open. The batch doubles each round,
        # so the waste stays under half of the tries made.
        step = np.arange(batch)
        first = tries[pending]
        batched = keys.rows(rows[pending], candidate, repeat=batch,
                            tries=(np.repeat(first, batch) + np.tile(step, pending.size))[:, None])
        days = _tried(stage, streams, batched, elapsed, resume.known, finish)
        open_ = (days > elapsed).reshape(pending.size, batch)
        found = open_.any(axis=1)
        at = open_.argmax(axis=1)
        tries[pending[found]] = first[found] + at[found]
        made += int((at[found] + 1).sum()) + batch * int((~found).sum())
        pending = pending[~found]
        tries[pending] += batch
        if made >= _JUDGED_AFTER and len(rows) - pending.size < MIN_OPEN * made:
            raise UnlikelyHistory(_unlikely(resume, (len(rows) - pending.size) / made))
        batch = min(batch * 2, _MOST_TRIES)
    return tries


def _tried(stage: Any, streams: Streams, keys: ChunkKeys, elapsed: float, known: Any,
           finish: Any) -> np.ndarray:
    """The days each try of ``keys`` keeps the case in ``stage``. A stage that can tell, from a few of its
    uniforms, the tries that surely end within ``elapsed`` days (``could_stay_open``) draws the rest only, from
    those uniforms on; the tries it rules out are closed by then whatever the rest of their draws, so the tries
    kept do not change."""
    screen = getattr(stage, "could_stay_open", None)
    screened = screen(streams, keys, elapsed, known) if screen is not None else None
    if screened is None:
        return finish(stage.draw(streams, keys), len(keys.reps))[0]
    days = np.zeros(len(keys.reps))
    some = np.flatnonzero(screened.could)
    if some.size:
        days[some] = finish(screened.draw(some), some.size)[0]
    return days


def open_chance(stage: Any, resume: Resume, candidate_key: np.uint64, seed: int, draws: int = 4_000) -> float:
    """The chance, under the scenario's settings, that the case would still be in the stage on the start date.

    Estimated from ``draws`` first tries (one per replication, keyed as a run keys them).
    """
    keys = ChunkKeys(np.arange(draws, dtype=np.uint64), np.array([candidate_key], dtype=np.uint64))
    days, _ = stage.finish(stage.draw(Streams(seed), keys), _entering(resume, draws, np.inf))
    return float(np.mean(days[:, 0] > resume.elapsed))


def _entering(resume: Resume, count: int, horizon: float) -> Entering:
    """``count`` cases of ``resume``'s candidate entering the stage on the day it did, with what is known of it."""
    return Entering(active=np.ones((count, 1), dtype=bool), start=np.full((count, 1), -resume.elapsed),
                    withdraw_at=np.full((count, 1), np.inf), horizon=horizon, known=resume.known)


def _unlikely(resume: Resume, share: float) -> str:
    return (f"{resume.label}: under this scenario's settings a case that entered the stage then would still be "
            f"there on the start date in fewer than {MIN_OPEN:.1%} of futures (about {share:.3%} of the tries); "
            f"check the stage's settings (a hold's chance and length) and the date it entered the stage")
