"""Event logs for process mining: every case of every replication, as CSV and as XES.

A case is one candidate in one replication (``ARG-17``); its events are the
states of the process it entered, named as the state machine names them, at
calendar timestamps; with a partnership, a lapse or a suspension follows
cooperation. The ally who vetoed, or who was last to consent before a
case moved on, is the event's resource (``org:resource``). The XES file
follows IEEE 1849 (XES) and opens in process-mining tools such as pm4py.
Both files are written chunk by chunk as results stream in.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from partnersim import safetext
from partnersim.engine.life import LAPSED, SUSPENDED
from partnersim.engine.model import Model
from partnersim.engine.records import Records

_XES_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
"""


# How a partnership's life ends, logged after cooperation (renewals are not logged one by one).
_LIFE_ENDS = {LAPSED: "lapsed", SUSPENDED: "suspended"}


class EventLog:
    """Writes events.csv and events.xes as chunks of records arrive."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._csv: TextIO | None = None
        self._xes: TextIO | None = None
        self._writer: Any = None

    def __call__(self, model: Model, records: Records) -> None:
        if self._csv is None:
            self._open(model)
        assert self._xes is not None
        start = dt.datetime.combine(model.scenario.start, dt.time(), tzinfo=dt.timezone.utc)
        by_stage = {allies.stage: allies for allies in records.allies}
        consensus_columns = {model.stage_column(stage.index): stage.name for stage in model.consensus_stages}
        trail = records.trail
        n_rep, n_cand = records.outcome.shape
        for r in range(n_rep):
            for c in range(n_cand):
                case = f"{model.candidate_codes[c]}-{records.first + r}"
                path = [(int(column), float(day)) for column, day in zip(trail.states[r, c].tolist(),
                                                                         trail.days[r, c].tolist(), strict=True)
                        if column >= 0]
                events = []
                for position, (column, day) in enumerate(path):
                    state = model.states[column]
                    ally = ""
                    previous = path[position - 1][0] if position else None
                    if previous in consensus_columns:
                        allies = by_stage[consensus_columns[previous]]
                        who = int(allies.veto[r, c]) if state == "rejected" else int(allies.last[r, c])
                        ally = model.ally_codes[who] if who >= 0 else ""
                    stamp = (start + dt.timedelta(days=day)).isoformat(timespec="milliseconds")
                    events.append((state, stamp, ally))
                    self._writer.writerow(safetext.csv_row(
                        [case, model.candidate_codes[c], records.first + r, state, stamp, ally]))
                life = records.life
                if life is not None and int(life.ending[r, c]) in _LIFE_ENDS:
                    state = _LIFE_ENDS[int(life.ending[r, c])]
                    stamp = (start + dt.timedelta(days=float(life.stop[r, c]))).isoformat(timespec="milliseconds")
                    events.append((state, stamp, ""))
                    self._writer.writerow(safetext.csv_row(
                        [case, model.candidate_codes[c], records.first + r, state, stamp, ""]))
                self._trace(case, model.candidate_codes[c], records.first + r, events)

    def _open(self, model: Model) -> None:
        self._csv = (self.folder / "events.csv").open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._csv, lineterminator="\n")
        self._writer.writerow(["case", "candidate", "replication", "activity", "timestamp", "ally"])
        self._xes = (self.folder / "events.xes").open("w", encoding="utf-8")
        self._xes.write(_XES_HEAD)
        self._xes.write(f'  <string key="concept:name" value={_attribute(model.scenario.name)}/>\n')

    def _trace(self, case: str, candidate: str, replication: int, events: list[tuple[str, str, str]]) -> None:
        assert self._xes is not None
        lines = [
            "  <trace>\n",
            f'    <string key="concept:name" value={_attribute(case)}/>\n',
            f'    <string key="candidate" value={_attribute(candidate)}/>\n',
            f'    <int key="replication" value="{replication}"/>\n',
        ]
        for activity, stamp, ally in events:
            lines.append(f'    <event><string key="concept:name" value={_attribute(activity)}/>')
            lines.append(f'<date key="time:timestamp" value="{stamp}"/>')
            if ally:
                lines.append(f'<string key="org:resource" value={_attribute(ally)}/>')
            lines.append("</event>\n")
        lines.append("  </trace>\n")
        self._xes.write("".join(lines))

    def close(self) -> None:
        if self._xes is not None:
            self._xes.write("</log>\n")
            self._xes.close()
        if self._csv is not None:
            self._csv.close()


def _attribute(text: str) -> str:
    """``text`` as a quoted XML attribute value: characters XML forbids removed, the rest escaped."""
    return quoteattr(safetext.xml(text))
