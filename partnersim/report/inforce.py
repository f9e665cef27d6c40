"""The briefing's table "Assumptions in force": the values the run used, each set by the scenario or a default.

The run wrote them to its folder (``assumptions.csv``, from
:mod:`partnersim.scenario.inforce`) as it ran, with where each value was set;
the table shows them beside the briefing's other summary tables, the sources
of the defaults numbered in its note. It complements "Assumptions and their
sources", which quotes the settings as the files write them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from partnersim import safetext
from partnersim.report.findings import Table
from partnersim.scenario.inforce import ASSUMPTIONS, DEFAULT, DERIVED, Assumption, read_csv

if TYPE_CHECKING:
    from pathlib import Path

TITLE = "Assumptions in force"
HEADER = ["Applies to", "Setting", "Value in force", "Set by the scenario, or default"]
NOTE = ("The values the run used for the settings that drive its result. 'Set': written in a scenario file, or "
        "given with --set (the run folder's assumptions.csv names each key). 'Default': partnersim's own or the "
        "process's, used where the scenario says nothing, its source numbered at the end of this note. Allies listed "
        "apart from the largest group at a stage differ from it only in the settings shown; allies that can never "
        "hold show no length or lifting of a hold. 'Derived': computed from the values above.")


def in_force_table(folder: Path) -> Table:
    """The table of the run (or the base of the comparison) in ``folder``; one row saying why, when the folder
    holds no readable assumptions.csv."""
    path = folder / ASSUMPTIONS
    try:
        assumptions = read_csv(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _without("not recorded: the run folder has no assumptions.csv (written by partnersim from "
                        "December 2026); run the scenario again to list them")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return _without(f"not shown: {ASSUMPTIONS} cannot be read ({exc}); run the scenario again")
    return table(assumptions)


def table(assumptions: list[Assumption]) -> Table:
    """The table of ``assumptions``, the sources of the defaults numbered in its note; what the values imply at a
    decision (the chance that at least one ally holds, and vetoes) in one row."""
    sources: dict[str, int] = {}
    rows: list[list[str]] = []
    for row in assumptions:
        where = f"{row.place}: {row.who}" if row.who else row.place
        if row.mark == DERIVED:
            said = row.setting.removeprefix("chance that at least one ")
            if rows and rows[-1][0] == where and rows[-1][3] == "derived":
                rows[-1][1] += f", and that at least one {said}"
                rows[-1][2] += f" and {row.value}"
            else:
                rows.append([where, row.setting, row.value, "derived"])
            continue
        if row.mark == DEFAULT:
            basis = f"default [{sources.setdefault(row.source, len(sources) + 1)}]"
        else:
            basis = _set_at(row.at)
        rows.append([where, row.setting, row.value, basis])
    listed = " ".join(f"[{number}] {source}." for source, number in sources.items())
    note = NOTE + (f" Sources of the defaults: {listed}" if listed else " No value here is a default: the scenario "
                   "sets every one.")
    # Read back from a run folder, which anyone may edit: each cell one line, without control characters.
    return Table(title=TITLE, header=HEADER, rows=[[safetext.line(cell) for cell in row] for row in rows],
                 note=safetext.line(note))


def _set_at(at: str) -> str:
    """``set in latam.yaml, lines 59, 62``; ``set with --set``; where it was written, for a reader."""
    said = []
    for piece in filter(None, at.split("; ")):
        file, _, numbers = piece.rpartition(":")
        if not file:
            said.append("with --set" if piece == "--set" else piece)
        else:
            said.append(f"in {file}, line{'s' if ',' in numbers else ''} {numbers}")
    return "set " + " and ".join(said) if said else "set"


def _without(reason: str) -> Table:
    return Table(title=TITLE, header=HEADER, rows=[["the whole run", "every setting", reason, ""]], note="")
