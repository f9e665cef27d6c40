"""The scoreboard: every past accession forecast as of several days, scored, with the crowd beside it.

:func:`scoreboard` makes every forecast the record allows
(:func:`~partnersim.history.asof.as_of_days` of each case), scores it
(:mod:`~partnersim.history.scores`) and sets partnersim's probability beside
each public crowd forecast of ``crowd.csv`` (shipped data) on the same question
as of the same day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from partnersim.data import EventDate, text_of
from partnersim.errors import PartnersimError
from partnersim.history.asof import MIN_DELAYS, Training, as_of_days, forecast, ratification_lifted
from partnersim.history.record import Record
from partnersim.history.scores import (
    BASELINES,
    HORIZONS,
    Scored,
    Skill,
    brier,
    mean_brier,
    round_mean,
    round_share,
    score,
    skill,
)

CROWD = "crowd.csv"
REPLICATIONS = 1000
SEED = 20240307  # the day the last case of the record (Sweden) became a member


@dataclass(frozen=True)
class Crowd:
    """One public forecast on a question the record resolves."""

    platform: str
    question: str
    cases: tuple[str, ...]  # "any of these becomes a member by the deadline"
    by: dt.date
    as_of: dt.date
    probability: float
    happened: bool
    source: str
    note: str

    @property
    def at_close(self) -> bool:
        """Quoted on the question's last day: the answer was all but known."""
        return self.as_of >= self.by


@dataclass(frozen=True)
class CrowdScored:
    crowd: Crowd
    partnersim: float  # partnersim's probability, as of the same day (for several cases: the largest)

    @property
    def difference(self) -> float:
        """partnersim's Brier score less the crowd's: below zero, partnersim did better."""
        return brier(self.partnersim, self.crowd.happened) - brier(self.crowd.probability, self.crowd.happened)


@dataclass(frozen=True)
class Board:
    record: Record
    rule: Training
    replications: int
    seed: int
    lifted: float  # the share of ratification holds that end in consent, as run
    scored: tuple[Scored, ...]
    skipped: tuple[tuple[str, dt.date, str], ...]  # case, day, why
    crowd: tuple[CrowdScored, ...]
    skills: dict[str, Skill] = field(default_factory=dict)  # "crps/climatology", "brier12/naive", …
    hindsight: dict[str, Any] = field(default_factory=dict)  # with rule "others": the same scored with "earlier"

    @property
    def cases(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.case for s in self.scored))

    @property
    def rounds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.round for s in self.scored))


def read_crowd(text: str | None = None, name: str = CROWD) -> tuple[Crowd, ...]:
    """The public forecasts of ``crowd.csv``."""
    text = text_of(CROWD) if text is None else text
    found = []
    for fields in csv.DictReader(io.StringIO(text)):
        try:
            found.append(Crowd(
                platform=fields["platform"].strip(), question=fields["question"].strip(),
                cases=tuple(fields["case"].strip().split("/")),
                by=dt.date.fromisoformat(fields["by_date"].strip()),
                as_of=EventDate.parse(fields["as_of"]).last,
                probability=float(fields["probability"]), happened=fields["outcome"].strip() == "yes",
                source=fields["source"].strip(), note=fields["note"].strip()))
        except (KeyError, ValueError) as exc:
            raise PartnersimError(f"{name}: {exc}") from None
    return tuple(found)


def scoreboard(record: Record, *, rule: Training = "others", replications: int = REPLICATIONS, seed: int = SEED,
               lifted: float | None = None, progress: Callable[[str], None] | None = None, jobs: int = 1) -> Board:
    """Every forecast the record allows, scored; partnersim beside the crowd.

    The forecasts run on ``jobs`` local processes; each is keyed by its own case and day, so the scoreboard is
    the same whatever their number.
    """
    from partnersim.executors import Executor

    scored, skipped = [], []
    asked = [(case, day, point) for case in record.cases if record.event(case, "entry_into_force") is not None
             for day, point in as_of_days(record, case)]  # a case still open has nothing to score yet
    shared = (record, rule, replications, seed, lifted)
    last = {case: i for i, (case, _, _) in enumerate(asked)}
    for i, ((case, day, _), found) in enumerate(zip(asked, Executor(jobs=jobs).map(_scored, asked, shared),
                                                    strict=True)):
        if found is None:
            skipped.append((case, day, "no earlier round had enough consent dates to fit"))
        else:
            scored.append(found)
        if progress is not None and last[case] == i:
            progress(case)
    if not scored:
        if len(record.rounds) < 2:
            raise PartnersimError("no forecast can be made from this record: it has one round (cases signed the same "
                                  "day), and a forecast is fitted on the other rounds")
        raise PartnersimError("no forecast could be made from this record: the rounds a forecast is fitted on must "
                              f"date at least {MIN_DELAYS} allies' consents to the day, and each case needs a "
                              "signature and an entry into force")
    crowd = tuple(_crowd(record, item, rule, replications, seed, lifted) for item in read_crowd())
    skills = {}
    for baseline in BASELINES:
        skills[f"crps/{baseline}"] = skill(scored, baseline, seed=seed)
        for months in HORIZONS:
            skills[f"brier{months}/{baseline}"] = skill(scored, baseline, months=months, seed=seed)
    lifted = ratification_lifted() if lifted is None else lifted
    hindsight: dict[str, Any] = {}
    if rule == "others":
        # The same record fitted only on rounds ended before each forecast: what no hindsight allows.
        try:
            strict = scoreboard(record, rule="earlier", replications=replications, seed=seed, lifted=lifted,
                                progress=progress, jobs=jobs)
            hindsight = {"forecasts": len(strict.scored), "cases": len(strict.cases), "rounds": len(strict.rounds),
                         "skill": _skill_data(strict.skills["crps/climatology"])}
        except PartnersimError:
            hindsight = {"forecasts": 0, "cases": 0, "rounds": 0, "skill": None}
    return Board(record, rule, replications, seed, lifted, tuple(scored), tuple(skipped), crowd, skills, hindsight)


def _scored(shared: tuple[Record, Training, int, int, float | None], item: tuple[str, dt.date, str]) -> Scored | None:
    """One forecast of the scoreboard, scored (None: it cannot be made); run where the executor puts it."""
    record, rule, replications, seed, lifted = shared
    case, day, point = item
    made = forecast(record, case, day, point, rule=rule, replications=replications, seed=seed, lifted=lifted)
    return None if made is None else score(record, made)


def _crowd(record: Record, item: Crowd, rule: Training, replications: int, seed: int,
           lifted: float | None) -> CrowdScored:
    chances = []
    for case in item.cases:
        entry = record.event(case, "entry_into_force")
        if entry is not None and entry.date.last <= item.as_of:
            chances.append(1.0)  # a member already
            continue
        made = forecast(record, case, item.as_of, "crowd", rule=rule, replications=replications, seed=seed,
                        lifted=lifted)
        if made is None:
            chances.append(float("nan"))
            continue
        chances.append(float(np.mean(made.member <= (item.by - item.as_of).days)))
    # For "any of several": the largest single chance, the least the model gives to the union.
    return CrowdScored(item, max(chances))


def to_data(board: Board) -> dict[str, Any]:
    """The scoreboard as JSON data: counts, every skill, every forecast's scores, the crowd."""
    from partnersim.history.scores import mean_scores, pit_counts

    return {
        "record": board.record.name, "rule": board.rule, "replications": board.replications, "seed": board.seed,
        "lifted": board.lifted, "cases": list(board.cases), "rounds": list(board.rounds),
        "skipped": [{"case": c, "as_of": d.isoformat(), "why": why} for c, d, why in board.skipped],
        "mean_crps_days": {k: round(v, 1) for k, v in mean_scores(board.scored).items()},
        "skill": {key: _skill_data(s) for key, s in board.skills.items()},
        "mean_brier": {str(m): mean_brier(board.scored, m) for m in HORIZONS},
        "coverage_p10_p90": _skill_data(round_share(board.scored, [0.1 <= s.pit <= 0.9 for s in board.scored],
                                                    seed=board.seed)),
        "earlier_half": _skill_data(round_share(board.scored, [s.pit < 0.5 for s in board.scored], seed=board.seed)),
        "no_hindsight": board.hindsight,
        "pit_counts": [int(c) for c in pit_counts(board.scored)],
        "never_member_share": round_mean(board.scored, [s.never for s in board.scored]),
        "forecasts": [
            {"case": s.case, "as_of": s.as_of.isoformat(), "point": s.point, "round": s.round, "real_days": s.real,
             "quantiles_days": list(s.quantiles), "horizon_days": s.horizon, "never": s.never, "crps": s.crps,
             "log_score": s.log if np.isfinite(s.log) else None, "pit": s.pit,
             "brier": {str(m): {k: [p, happened] for k, (p, happened) in by.items()} for m, by in s.brier.items()}}
            for s in board.scored],
        "crowd": [{"platform": c.crowd.platform, "question": c.crowd.question, "cases": list(c.crowd.cases),
                   "by": c.crowd.by.isoformat(), "as_of": c.crowd.as_of.isoformat(), "crowd": c.crowd.probability,
                   "happened": c.crowd.happened, "source": c.crowd.source, "note": c.crowd.note,
                   "partnersim": _number(c.partnersim), "brier_difference": _number(c.difference)}
                  for c in board.crowd],
    }


def from_data(data: dict[str, Any]) -> Board:
    """A scoreboard read back from :func:`to_data`'s JSON (the simulated futures themselves are not kept)."""
    scored = tuple(Scored(
        case=f["case"], as_of=dt.date.fromisoformat(f["as_of"]), point=f["point"], round=f["round"],
        real=int(f["real_days"]), quantiles=tuple(float(q) for q in f["quantiles_days"]),  # type: ignore[arg-type]
        horizon=int(f["horizon_days"]), never=float(f["never"]), crps={k: float(v) for k, v in f["crps"].items()},
        log=float("inf") if f["log_score"] is None else float(f["log_score"]), pit=float(f["pit"]),
        brier={int(m): {k: (float(p), bool(h)) for k, (p, h) in by.items()} for m, by in f["brier"].items()},
    ) for f in data["forecasts"])
    crowd = tuple(CrowdScored(Crowd(
        platform=c["platform"], question=c["question"], cases=tuple(c["cases"]), by=dt.date.fromisoformat(c["by"]),
        as_of=dt.date.fromisoformat(c["as_of"]), probability=float(c["crowd"]), happened=bool(c["happened"]),
        source=c["source"], note=c["note"]), math.nan if c["partnersim"] is None else float(c["partnersim"]))
        for c in data["crowd"])
    return Board(
        record=Record((), data["record"]), rule=data["rule"], replications=int(data["replications"]),
        seed=int(data["seed"]), lifted=float(data["lifted"]), scored=scored,
        skipped=tuple((s["case"], dt.date.fromisoformat(s["as_of"]), s["why"]) for s in data["skipped"]),
        crowd=crowd, skills={k: skill_of(v) for k, v in data["skill"].items()},
        hindsight=data.get("no_hindsight") or {},
    )


def sentences(board: Board) -> dict[str, str]:
    """What the scoreboard says beyond its charts, a sentence each (no full stop), for the terminal and the
    briefing alike: ``never`` (the futures that never join and the assumption behind them), ``hindsight`` (what
    no hindsight allows), ``crowd``. A sentence with nothing to say is left out."""
    from partnersim.charts.record import skill_finding

    said = {}
    never = round_mean(board.scored, [s.never for s in board.scored])
    if never >= 0.005:
        said["never"] = (f"The forecasts gave {never:.0%} of their futures no membership within "
                    f"{board.scored[0].horizon // 365} years, vetoes of a ratification hold (the process assumes a "
                    f"hold is lifted with probability {board.lifted:g}, which the record cannot fit: a veto leaves "
                         "no date); every case on record became a member")
    strict = board.hindsight
    if strict:
        where = "Without hindsight (fitted only on rounds ended before each forecast)"
        if strict.get("skill"):
            found = skill_finding(skill_of(strict["skill"]), "climatology").removeprefix("partnersim's date forecasts ")
            said["hindsight"] = (f"{where}, {strict['forecasts']} forecasts of {strict['cases']} cases in "
                                 f"{strict['rounds']} round{'s' if strict['rounds'] != 1 else ''} can be made; "
                                 f"{found[:1].lower() + found[1:]}")
        else:
            said["hindsight"] = f"{where}, no forecast can be made"
    if board.crowd:
        ahead = [c for c in board.crowd if not c.crowd.at_close]
        said["crowd"] = (f"The crowd: {len(board.crowd)} public forecasts found, {len(board.crowd) - len(ahead)} of "
                         "them read on their question's last day, when the answer was known or all but known; "
                         f"{len(ahead)} made ahead {'is' if len(ahead) == 1 else 'are'} too few to rank partnersim "
                         "against the crowd")
    return said


def skill_cell(board: Board, key: str, baseline: str) -> str:
    """A skill as a table shows it: ``−37% (−88% to −8%)``, marked ``~`` within noise and ``?`` on too few
    rounds; for a baseline that scored perfectly, partnersim's own Brier score."""
    from partnersim.text import signed_percent

    found = board.skills[f"{key}/{baseline}"]
    if found.value == found.value:
        mark = "" if found.beyond_noise else (" ~" if found.judged else " ?")
        return f"{signed_percent(found.value)} ({signed_percent(found.low)} to {signed_percent(found.high)}){mark}"
    if key.startswith("brier"):
        return f"n/a: it scored 0, partnersim {mean_brier(board.scored, int(key.removeprefix('brier')))['partnersim']:.3f}"
    return "n/a"


SKILL_MARKS = ("~: the interval includes zero (no difference beyond noise); ?: too few rounds to judge; n/a: the "
               "baseline was right every time")


def crowd_rows(board: Board) -> list[list[str]]:
    """One row per crowd forecast: platform and question (case), as of (close), crowd, partnersim, happened,
    Brier difference (below 0: partnersim better)."""
    rows = []
    for c in board.crowd:
        model = "n/a" if c.partnersim != c.partnersim else f"{c.partnersim:.0%}"
        diff = c.difference
        shown = "n/a" if diff != diff else "0.000" if abs(diff) < 0.0005 else f"{diff:+.3f}".replace("-", "−")
        rows.append([f"{c.crowd.platform}: {c.crowd.question} ({'/'.join(c.crowd.cases)})",
                     c.crowd.as_of.isoformat() + (" (close)" if c.crowd.at_close else ""),
                     f"{c.crowd.probability:.0%}", model, "yes" if c.crowd.happened else "no", shown])
    return rows


CROWD_HEADER = ["Platform: question (case)", "As of", "Crowd", "Model", "Happened", "Brier diff."]


def _skill_data(found: Skill) -> dict[str, Any]:
    return {"value": _number(found.value), "low": _number(found.low), "high": _number(found.high),
            "rounds": found.rounds}


def skill_of(data: dict[str, Any]) -> Skill:
    """A skill read back from :func:`_skill_data` (None: not a number)."""
    value, low, high = (math.nan if data[part] is None else float(data[part]) for part in ("value", "low", "high"))
    return Skill(value, low, high, int(data.get("rounds", 0)))


def _number(value: float) -> float | None:
    """A number for JSON: None where it is not one (a skill against a baseline that scored perfectly)."""
    return None if math.isnan(value) else value


TRACK_RECORD = "track_record.json"
TRACKED = ("crps/climatology", "crps/naive")


def track_record(board: Board) -> dict[str, Any]:
    """What a run's briefing cites of the scoreboard: its counts, its settings and the skill of the date."""
    from partnersim import __version__

    return {
        "partnersim": __version__, "record": board.record.name, "rule": board.rule,
        "replications": board.replications, "seed": board.seed, "lifted": board.lifted, "cases": len(board.cases),
        "rounds": len(board.rounds), "forecasts": len(board.scored),
        "never_member_share": round(round_mean(board.scored, [s.never for s in board.scored]), 4),
        "skill": {key: {part: (round(value, 4) if isinstance(value, float) else value)
                        for part, value in _skill_data(board.skills[key]).items()} for key in TRACKED},
        "no_hindsight": {"forecasts": board.hindsight.get("forecasts", 0), "rounds": board.hindsight.get("rounds", 0)},
    }


def read_scoreboard(folder: Path) -> Board:
    """The scoreboard of a folder ``partnersim backtest`` wrote."""
    from partnersim.errors import RunFolderError
    from partnersim.results.folder import check_finished

    check_finished(folder, ["scoreboard.json"], "run partnersim backtest again")
    try:
        return from_data(json.loads((folder / "scoreboard.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RunFolderError(f"{folder / 'scoreboard.json'} is not a partnersim scoreboard "
                             f"({type(exc).__name__}: {exc}); run partnersim backtest again") from None


__all__ = [
    "CROWD",
    "CROWD_HEADER",
    "REPLICATIONS",
    "SEED",
    "SKILL_MARKS",
    "TRACK_RECORD",
    "Board",
    "Crowd",
    "CrowdScored",
    "crowd_rows",
    "from_data",
    "read_crowd",
    "read_scoreboard",
    "scoreboard",
    "sentences",
    "skill_cell",
    "skill_of",
    "to_data",
    "track_record",
]
