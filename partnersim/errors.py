"""The one exception tree of partnersim.

Library code raises these; only the command line turns them into messages and
exit codes. A :class:`ScenarioError` carries every problem found in a file, so
a user can fix them all in one pass.
"""

from __future__ import annotations

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


class ScenarioError(PartnersimError):
    """A scenario file could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RunFolderError(PartnersimError):
    """A run folder is missing, incomplete, or cannot be written."""


class SimulationError(PartnersimError):
    """The engine met a state it cannot handle (a bug, not a user mistake)."""
