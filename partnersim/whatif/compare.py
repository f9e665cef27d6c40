"""``compare``: a base scenario and its what-ifs, run on the same random numbers.

Every scenario runs with the base's seed and number of replications, so
replication *i* of each draws the same numbers for the same ally, candidate
and stage (the streams are keyed by meaning, see
:mod:`partnersim.streams`). Each replication therefore gives a pair of
outcomes per candidate, and the change in a probability is estimated from
the pairs (:mod:`partnersim.whatif.paired`): only the replications the change
actually affects add uncertainty, which makes the interval several times
narrower than that of two independent runs.

Inputs may be scenario files or run folders (whose ``scenario.yaml`` holds
the scenario as it was run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from partnersim.errors import Problem, ScenarioError
from partnersim.results.summary import Results
from partnersim.scenario.loader import load_checked, load_scenario, source_files
from partnersim.scenario.schema import Scenario
from partnersim.text import distinct_names
from partnersim.values.durations import DAYS_PER_UNIT
from partnersim.whatif.diff import Difference, diff_scenarios
from partnersim.whatif.paired import Change, paired_change
from partnersim.whatif.points import Point, run_point

DATE_KEYS = ("P50", "P80")


@dataclass(frozen=True)
class Input:
    """A scenario to compare and where it came from."""

    scenario: Scenario
    path: Path  # the scenario file, or the run folder's scenario.yaml
    label: str  # how outputs name it: the file or folder name, or as much of its path as tells it apart
    warnings: tuple[str, ...] = ()  # a scenario file's warnings (a run folder's were given when it ran)
    given: Path | None = None  # the file or run folder as named on the command line

    @property
    def sources(self) -> list[Path]:
        return source_files(self.path)


def load_input(path: str | Path, overrides: Sequence[str] = ()) -> Input:
    """A scenario file, or a run folder (its resolved ``scenario.yaml``), with ``--set`` changes."""
    path = Path(path)
    if path.is_dir():
        resolved = path / "scenario.yaml"
        if not resolved.is_file():
            raise ScenarioError([Problem(str(path), None, "", "is a folder without scenario.yaml, so not a run folder")])
        return Input(load_scenario(resolved, overrides), resolved, path.name, given=path)
    if not path.exists():
        raise ScenarioError([Problem(str(path), None, "", "no such file or run folder")])
    scenario, warnings = load_checked(path, overrides)
    return Input(scenario, path, path.name, tuple(str(w) for w in warnings), given=path)


def load_inputs(items: Sequence[tuple[str | Path, Sequence[str]]]) -> list[Input]:
    """Every input of a comparison, each with its ``--set`` changes; the problems of all of them at once.

    Each input's label tells it apart from the others (see :func:`distinct`).
    """
    loaded, problems = [], []
    for path, overrides in items:
        try:
            loaded.append(load_input(path, overrides))
        except ScenarioError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise ScenarioError(problems)
    return distinct(loaded)


def distinct(inputs: Sequence[Input]) -> list[Input]:
    """``inputs`` relabelled where two share a label, so that every output names each one apart."""
    labels = distinct_labels([i.label for i in inputs], [i.given for i in inputs])
    return [item if item.label == label else replace(item, label=label)
            for item, label in zip(inputs, labels, strict=True)]


def distinct_labels(labels: Sequence[str], paths: Sequence[Path | None]) -> list[str]:
    """``labels``, each one that others share replaced by the shortest end of its path that no other has.

    ``latam.yaml``, ``variants/latam.yaml`` and ``v3/latam.yaml`` for three
    files called ``latam.yaml``. An input without a path, or named twice by the
    same path, is numbered: ``latam.yaml (2)``.
    """
    found = list(labels)
    for label in {label for label in labels if labels.count(label) > 1}:
        group = [k for k, other in enumerate(labels) if other == label]
        ends = {k: paths[k].parts for k in group if paths[k] is not None}  # type: ignore[union-attr]
        longest = max((len(parts) for parts in ends.values()), default=0)
        for k, parts in ends.items():
            for size in range(1, longest + 1):
                if all(other[-size:] != parts[-size:] for j, other in ends.items() if j != k):
                    found[k] = Path(*parts[-size:]).as_posix()
                    break
    seen: dict[str, int] = {}
    for k, label in enumerate(found):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            found[k] = f"{label} ({seen[label]})"
    return found


@dataclass(frozen=True)
class DateChange:
    """A date quantile in the base and in the variant (None: not reached by the horizon)."""

    base: dt.date | None
    variant: dt.date | None

    @property
    def months(self) -> float | None:
        """Months later (negative: earlier) in the variant; None when either is not reached."""
        if self.base is None or self.variant is None:
            return None
        return (self.variant - self.base).days / DAYS_PER_UNIT["mo"]


@dataclass(frozen=True)
class CandidateChange:
    code: str
    name: str
    success: Change  # P(success by the horizon)
    rejected: Change
    dates: dict[str, DateChange]  # "P50", "P80"
    active: Change | None = None  # P(partnership active at the horizon), when both have a partnership


@dataclass(frozen=True)
class Variant:
    """One what-if against the base."""

    label: str
    results: Results
    candidates: list[CandidateChange]
    differences: list[Difference]
    only_here: list[str] = field(default_factory=list)  # candidate codes the base does not have
    only_base: list[str] = field(default_factory=list)

    def candidate(self, code: str) -> CandidateChange:
        for change in self.candidates:
            if change.code == code:
                return change
        raise KeyError(code)


@dataclass(frozen=True)
class Comparison:
    base_label: str
    base: Results
    variants: list[Variant]
    notes: list[str]

    @property
    def names(self) -> list[str]:
        """The base's name, then each what-if's, as a heading names them: by scenario name, or by
        file label when two scenarios have the same name (a what-if that extends a file and keeps
        its ``name:``)."""
        return distinct_names([self.base.scenario.name, *(v.results.scenario.name for v in self.variants)],
                              [self.base_label, *(v.label for v in self.variants)])

    @property
    def replications(self) -> int:
        return self.base.replications

    @property
    def seed(self) -> int:
        return self.base.seed

    def summary(self) -> str:
        """What each what-if does to each candidate, one plain sentence each, as ``partnersim compare`` says it."""
        from partnersim.whatif.notebook import comparison_summary

        return comparison_summary(self)

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per what-if and candidate: the columns of compare.csv, dates as
        datetimes."""
        from partnersim.whatif.notebook import comparison_frame

        return comparison_frame(self)

    def __repr__(self) -> str:
        """A few lines: the base, then each what-if's change per candidate (not every field)."""
        from partnersim.whatif.notebook import comparison_repr

        return comparison_repr(self)

    def _repr_html_(self) -> str:
        """The tables ``partnersim compare`` prints, for Jupyter."""
        from partnersim.whatif.notebook import comparison_html

        return comparison_html(self)


def compare(
    base: Input,
    variants: Sequence[Input],
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Run ``base`` and every variant on the same seed and replications, and pair their outcomes.

    Inputs that share a label are told apart first (see :func:`distinct`).
    """
    base, *rest = distinct([base, *variants])
    variants = rest
    n = replications or base.scenario.replications
    common = base.scenario.seed if seed is None else seed
    notes = _notes(base, variants, common, n, seed is not None, replications is not None)
    base_point = run_point(base.scenario.with_updates(replications=n, seed=common), jobs, progress)
    done = []
    for variant in variants:
        point = run_point(variant.scenario.with_updates(replications=n, seed=common), jobs, progress)
        done.append(_variant(variant, base, base_point, point))
    return Comparison(base.label, base_point.results, done, notes)


def _notes(base: Input, variants: Sequence[Input], seed: int, n: int, seed_given: bool, n_given: bool) -> list[str]:
    notes = []
    for variant in variants:
        if variant.scenario.seed != base.scenario.seed and not seed_given:
            notes.append(f"{variant.label} states seed {variant.scenario.seed}; it is run with the base's "
                         f"seed {seed}, so that both share their random numbers.")
        if (variant.scenario.partnership is None) != (base.scenario.partnership is None):
            without = base.label if base.scenario.partnership is None else variant.label
            notes.append(f"{without} has no partnership block, so the partnership's life is not compared.")
        if variant.scenario.end_date != base.scenario.end_date or variant.scenario.start != base.scenario.start:
            notes.append(f"{variant.label} runs from {variant.scenario.start} to {variant.scenario.end_date}, the base "
                         f"from {base.scenario.start} to {base.scenario.end_date}: each chance is counted to its own "
                         "horizon, so a change includes the different time, not only the different settings.")
        if variant.scenario.replications != base.scenario.replications and not n_given:
            notes.append(f"{variant.label} states {variant.scenario.replications:,} replications; "
                         f"every scenario is run {n:,} times.")
    return notes


def _variant(variant: Input, base: Input, base_point: Point, point: Point) -> Variant:
    base_codes = [c.code for c in base_point.results.candidates]
    codes = [c.code for c in point.results.candidates]
    changes = []
    for code in base_codes:
        if code not in codes:
            continue
        i, j = base_codes.index(code), codes.index(code)
        before, after = base_point.results.candidates[i], point.results.candidates[j]
        success = base_point.results.success
        changes.append(CandidateChange(
            code=code,
            name=after.name,
            success=paired_change(base_point.indicator(success)[:, i], point.indicator(success)[:, j]),
            rejected=paired_change(base_point.indicator("rejected")[:, i], point.indicator("rejected")[:, j]),
            dates={key: DateChange(before.dates[key], after.dates[key]) for key in DATE_KEYS},
            active=(paired_change(base_point.active[:, i], point.active[:, j])
                    if base_point.active is not None and point.active is not None else None),
        ))
    return Variant(
        label=variant.label,
        results=point.results,
        candidates=changes,
        differences=diff_scenarios(base.scenario, variant.scenario),
        only_here=[c for c in codes if c not in base_codes],
        only_base=[c for c in base_codes if c not in codes],
    )
