"""The briefing of a scoreboard: how partnersim's forecasts of past accessions scored.

Read from the folder ``partnersim backtest`` wrote (its ``scoreboard.json``):
the skill against each baseline with its interval, the calibration charts,
each case's forecasts over time, the crowd beside partnersim, and what the
forecasts were fitted on. A finding says better or worse only where an
interval excludes zero.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from partnersim.report.content import Briefing
from partnersim.report.findings import Table
from partnersim.report.whatif import chart_title, section

if TYPE_CHECKING:
    from partnersim.history.board import Board

RECORD_NOTE = ("The forecasts read no scenario file: each is built from the shipped record of accessions "
               "(partnersim/data/accessions.csv, every row with its source in SOURCES.md beside it) and the "
               "membership-accession process's own assumptions, named in the method below.")


def scoreboard_briefing(folder: Path, board: Board, size: str = "slide") -> Briefing:
    """What the scoreboard in ``folder`` says, with its charts drawn at ``size``."""
    from partnersim import __version__
    from partnersim.charts import record as charts
    from partnersim.history.board import sentences
    from partnersim.results.folder import read_manifest

    manifest = read_manifest(folder) or {}
    finished = manifest.get("finished")
    when = dt.datetime.fromisoformat(finished).date() if isinstance(finished, str) else dt.date.today()
    drawn = [
        ("skill", charts.skill_chart(board, size=size),
         "Skill = 1 − partnersim's mean score ÷ the baseline's (above 0: partnersim better), each round weighing the "
         "same; lines: 95% intervals from resampling rounds. CRPS scores the whole forecast of the membership "
         "date; Brier scores the yes/no question 'a member within 6, 12, 24 months?'."),
        ("pit", charts.pit_chart(board, size=size),
         "Where each real membership date fell among its forecast's simulated dates. Calibrated forecasts give a "
         "flat histogram; a pile on the left means reality came earlier than the forecasts said."),
        ("reliability", charts.reliability_chart(board, size=size),
         "partnersim's probabilities for 'a member within 6, 12, 24 months?', binned, against how often it "
         "happened; on the diagonal, the probabilities meant what they said."),
        ("forecasts", charts.forecasts_chart(board, size=size),
         "Each panel: the forecast membership date as of each day it was made, against the real one. Cases of "
         "one round that share their dates share a panel."),
    ]
    findings = [chart_title(figure) for _, figure, _ in drawn]  # before section() takes the titles off
    sections = [section(name, figure, title, caption) for (name, figure, caption), title in zip(drawn, findings,
                                                                                                 strict=True)]
    findings += sentences(board).values()
    first = min(s.as_of for s in board.scored).year
    return Briefing(
        title="How good are partnersim's forecasts? Past NATO accessions, scored",
        question=(f"How well would partnersim have forecast the membership date of the NATO accessions since {first}, "
                  "each forecast made from where its case stood on the day?"),
        description=(f"{len(board.scored)} forecasts of {len(board.cases)} cases in {len(board.rounds)} rounds (cases "
                     "whose protocols were signed the same day), made as of each case's invitation, its protocol's "
                     "signature and every six months while it was open, with settings fitted on "
                     f"{charts.RULES[board.rule]}; scored against what happened and two simple baselines."),
        reading="Percentages in brackets are 95% intervals from resampling rounds, each round weighing the same.",
        description_heading="What was forecast",
        date_line=(f"Scoreboard of {when.day} {when:%B %Y}  ·  {len(board.scored)} forecasts × "
                   f"{board.replications:,} simulated futures  ·  seed {board.seed}  ·  "
                   f"partnersim {manifest.get('partnersim', __version__)}"),
        findings=[f + "." for f in findings],
        finding_leads=["" for _ in findings],
        charts=sections,
        tables=[skill_table(board), cases_table(board), *([crowd_table(board)] if board.crowd else [])],
        inputs=[],
        inputs_note=RECORD_NOTE,
        method=method(board),
        provenance=[("Record", board.record.name), ("Forecasts", f"{len(board.scored)}, each "
                                                                 f"{board.replications:,} simulated futures"),
                    ("Fitted on", charts.RULES[board.rule]), ("Folder", str(folder))],
        bottom_line=findings[0] + ".",
    )


def method(board: Board) -> str:
    from partnersim.charts.record import RULES
    from partnersim.history.asof import MIN_DELAYS
    from partnersim.stats import MIN_CLUSTERS

    return (
        "Each forecast runs the membership-accession process from where the case stood on its day, by the record "
        "as it stood at the end of that day: invited (invitation to signature is one duration), signed (every ally whose consent "
        "was on record counts as consented; the others are drawn given that the stage was still open), or ratified "
        "by every ally (the deposit). Its settings are fitted on "
        f"{RULES[board.rule]}, never on the case's own round (the cases whose protocols were signed the same day): "
        "the allies' ratification delays by maximum likelihood (an ally whose consent the record does not date "
        "counts as consenting before the last ally did), lognormal durations of invitation to signature and of "
        "last consent to membership. The share of ratification holds lifted is the process's assumption "
        f"({board.lifted:g}): a veto leaves no date, so the record cannot fit it. Scores: the CRPS of the date "
        "(scoringrules' ensemble CRPS of the simulated dates cut at an eight-year horizon), the log score, Brier "
        "scores of 'a member within 6, 12, 24 months?', and the PIT. Baselines: climatology (how long the cases "
        "fitted on took from the same stage, each distinct length of a round once, among those longer than the time "
        "already spent) and naive (the median of the latest round that had ended by the forecast's day takes as long "
        "again; where none had, the median of the rounds fitted on). Skill is 1 − the mean score ÷ the baseline's, "
        "each round weighing the same; its 95% interval is the percentile interval of 2,000 resamples of the "
        f"rounds, since the cases of one round share their dates, and is not quoted from fewer than {MIN_CLUSTERS} "
        "rounds. A skill is called better or worse only where its interval excludes zero. A forecast is made only "
        f"where the rounds fitted on date at least {MIN_DELAYS} consents to the day."
    )


def skill_table(board: Board) -> Table:
    from partnersim.charts.record import skill_rows
    from partnersim.history.board import SKILL_MARKS, skill_cell

    rows = [[label, *(skill_cell(board, key, baseline) for baseline in ("climatology", "naive"))]
            for key, label in skill_rows(board)]
    return Table("Skill against the baselines (95% intervals)", ["Question", "vs climatology", "vs naive"], rows,
                 note=f"Above zero, partnersim's mean score is better than the baseline's. {SKILL_MARKS}.")


def cases_table(board: Board) -> Table:
    from partnersim.scenario.rosters import NATO_2024
    from partnersim.values.durations import add_days

    rows = []
    for s in board.scored:
        real = add_days(s.as_of, s.real)
        median = add_days(s.as_of, s.quantiles[1]) if s.quantiles[1] < s.horizon else None
        rows.append([NATO_2024.get(s.case, s.case), f"{s.as_of:%d %b %Y}", s.point, f"{real:%d %b %Y}",
                     f"{median:%d %b %Y}" if median else "after the horizon", f"{s.pit:.0%}",
                     f"{s.crps['partnersim']:.0f}", f"{s.crps['climatology']:.0f}"])
    return Table("Every forecast: the real membership date against the forecast's median",
                 ["Case", "As of", "Made at", "Member", "Forecast P50", "PIT", "CRPS (days)",
                  "Climatology CRPS"], rows)


def crowd_table(board: Board) -> Table:
    from partnersim.history.board import CROWD_HEADER, crowd_rows

    return Table("The crowd on the same question as of the same day", CROWD_HEADER, crowd_rows(board),
                 note="Model: partnersim. Brier difference: partnersim's Brier score less the crowd's; below zero, "
                      "partnersim did better. For 'any new country', partnersim's probability is the larger of its "
                      "chances for Finland and for Sweden: a lower bound on its chance that either joins.")


__all__ = ["scoreboard_briefing"]
