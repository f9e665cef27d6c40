"""The one exception tree of partnersim.

Library code raises these; only the command line turns them into messages and
exit codes. A :class:`ScenarioError` carries every problem found in a file, so
a user can fix them all in one pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


class PartnersimError(Exception):
    """Base class of every error partnersim raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is and what is wrong.

    Its text is one line of plain text, whatever the file or the option it
    quotes held: see :func:`shown`.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        file = shown(self.file, MAX_FILE, keep_end=True)
        where = file if self.line is None else f"{file}:{self.line}"
        message = shown(self.message, MAX_MESSAGE)
        return f"{where}: {shown(self.path, MAX_PATH)}: {message}" if self.path else f"{where}: {message}"


MAX_FILE, MAX_PATH, MAX_MESSAGE = 200, 200, 500  # characters of each part of a problem line


def shown(text: str, most: int, *, keep_end: bool = False) -> str:
    """``text`` for a terminal: on one line, every character a terminal would act on written as
    its escape (``\\x1b``, ``\\n``, ``\\u202e``), and at most ``most`` characters.

    A key or a value of a file may hold an escape sequence that clears or rewrites
    the terminal, or a Unicode control that shows text in another order than it
    is; shown as escapes, they are seen and do nothing. Text quoted with ``repr``
    is printable already, so nothing is escaped twice.
    """
    if not text.isprintable():
        text = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    if len(text) <= most:
        return text
    return "…" + text[-(most - 1):] if keep_end else text[: most - 1] + "…"


MAX_SHOWN = 100  # problems of one file shown; a file of tens of thousands of mistakes would fill any terminal


class ScenarioError(PartnersimError):
    """A scenario file could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self, most: int = MAX_SHOWN) -> list[str]:
        """One line per problem, at most ``most`` of each file, then ``FILE: … and N more problems``."""
        counts = Counter(problem.file for problem in self.problems)
        if all(count <= most for count in counts.values()):
            return [str(problem) for problem in self.problems]
        by_file: dict[str, list[Problem]] = {}
        for problem in self.problems:
            by_file.setdefault(problem.file, []).append(problem)
        lines = []
        for file, problems in by_file.items():
            lines += [str(problem) for problem in problems[:most]]
            if len(problems) > most:
                lines.append(str(Problem(file, None, "", f"… and {len(problems) - most:,} more problems")))
        return lines


class RunFolderError(PartnersimError):
    """A run folder is missing, incomplete, or cannot be written."""


class SimulationError(PartnersimError):
    """The engine met a state it cannot handle (a bug, not a user mistake)."""
