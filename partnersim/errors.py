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
    """One thing wrong with a scenario: where it is and what is wrong."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


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
