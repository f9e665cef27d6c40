"""What-if folders as data: what ``compare``, ``sweep`` and ``sensitivity`` keep, and reading it back.

Each what-if folder holds one JSON file with everything its charts, tables
and plain words are made from (``comparison.json``, ``sweep.json`` or
``sensitivity.json``), so a briefing is written from the folder without
running anything again:

- every scenario as it was run (every default filled in), with its results as
  a run's ``summary.json`` holds them;
- for a comparison, each scenario's chance of success by each day (as counts
  of replications, which give the curve exactly) and every paired change with
  its interval, as computed when the comparison ran;
- for a sweep, each point's scenario and results (not its daily curve: what a
  sweep shows is each point's chance by the horizon);
- for a sensitivity analysis, the base run and every factor's effect on each
  candidate, with the paired changes of its swings.

Reading back gives the library's own objects (:class:`Comparison`,
:class:`Sweep`, a :class:`Sensitivity`), so the charts and sentences are made
by the same code as when the command ran. A folder written before these files
existed, or one whose file is damaged, raises :class:`RunFolderError` with one
line saying what to do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from partnersim.errors import RunFolderError, ScenarioError
from partnersim.results.folder import check_finished, is_partial, read_manifest
from partnersim.results.load import RunResults, damaged, read_json
from partnersim.results.summary import Results
from partnersim.scenario.loader import scenario_from_dict
from partnersim.scenario.schema import Scenario
from partnersim.whatif.compare import CandidateChange, Comparison, DateChange, Variant
from partnersim.whatif.diff import Difference
from partnersim.whatif.factors import Factor
from partnersim.whatif.paired import Change
from partnersim.whatif.points import Point
from partnersim.whatif.sensitivity import Effect, Sensitivity
from partnersim.whatif.sweep import Param, Sweep

if TYPE_CHECKING:
    from partnersim.whatif.indices import GlobalSensitivity

FORMAT = 1  # raised when the files change in a way an older reader cannot follow
DATA = {"compare": "comparison.json", "sweep": "sweep.json", "sensitivity": "sensitivity.json",
        "indices": "indices.json"}
KINDS = tuple(DATA)
NOUNS = {"indices": "global sensitivity analysis"}  # how a message names a kind that is not a command's name
# What each command wrote before manifests named the folder's kind.
_TABLES = {"compare": "compare.csv", "sweep": "sweep.csv", "sensitivity": "sensitivity.csv",
           "indices": "indices.csv"}


# ---- which folder -------------------------------------------------------------------------


def what_if_kind(folder: Path) -> str | None:
    """``compare``, ``sweep``, ``sensitivity`` or ``indices`` (a global sensitivity analysis) for a finished
    folder of that command; None otherwise."""
    manifest = read_manifest(folder) if folder.is_dir() and not is_partial(folder) else None
    if manifest is None:
        return None
    kind = manifest.get("kind", manifest.get("analysis"))
    if kind is not None:
        return str(kind) if kind in KINDS else None
    found = [kind for kind, name in _TABLES.items() if (folder / name).is_file()]
    return found[0] if len(found) == 1 and not (folder / "summary.json").exists() else None


# ---- writing ------------------------------------------------------------------------------


def comparison_data(comparison: Comparison) -> dict[str, Any]:
    """Everything a comparison found, as ``comparison.json`` holds it."""
    scenarios = [(comparison.base_label, comparison.base)] + [(v.label, v.results) for v in comparison.variants]
    return {
        "format": FORMAT,
        "base_label": comparison.base_label,
        "notes": list(comparison.notes),
        "scenarios": [{"label": label, **_run(results, curves=True)} for label, results in scenarios],
        "variants": [_variant(variant) for variant in comparison.variants],
    }


def sweep_data(sweep: Sweep, outcome: str | None, candidate: str | None) -> dict[str, Any]:
    """Every point of a sweep, as ``sweep.json`` holds it; ``outcome`` and ``candidate`` as charted."""
    return {
        "format": FORMAT,
        "scenario": _scenario(sweep.scenario),
        "params": [dataclasses.asdict(p) for p in sweep.params],
        "design": sweep.design,
        "values": [list(values) for values in sweep.values],
        "outcome": outcome,
        "candidate": candidate,
        "points": [_run(point.results, curves=False) for point in sweep.points],
    }


def sensitivity_data(sens: Sensitivity, codes: list[str], top: int) -> dict[str, Any]:
    """Every factor's effect on every candidate, as ``sensitivity.json`` holds it; the tornadoes were drawn
    for ``codes``, each with its ``top`` settings."""
    from partnersim.whatif.sensitivity import MEASURES

    return {
        "format": FORMAT,
        "base": _run(sens.results, curves=True),
        "factors": [dataclasses.asdict(f) for f in sens.factors],
        "points": sens.points,
        "codes": list(codes),
        "top": top,
        "effects": {c.code: {measure: [_effect(e) for e in sens.effects(c.code, measure)] for measure in MEASURES}
                    for c in sens.results.candidates},
        # The pairs of settings (beyond noise) whose spreads the simulation cannot tell apart: what the drivers and
        # the tornadoes' titles say needs the swings' futures, which the folder does not keep.
        "ties": {c.code: _ties(sens, c.code) for c in sens.results.candidates},
    }


def _ties(sens: Sensitivity, code: str) -> list[list[str]]:
    beyond = [e for e in sens.effects(code, "cooperation") if not e.within_noise and e.spread > 0]
    return [[a.factor.path, b.factor.path] for i, a in enumerate(beyond) for b in beyond[i + 1:]
            if sens.tied(code, a, b)]


def _scenario(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", exclude_none=True)


def _run(results: Results, *, curves: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"scenario": _scenario(results.scenario), "summary": results.to_dict()}
    if curves:
        n = results.replications
        # The curve is a count of replications over n: the counts give it back exactly, in few characters.
        data["counts_by_day"] = {c.code: [int(x) for x in np.rint(np.asarray(c.cdf) * n)] for c in results.candidates}
        data["areas_by_month"] = {c.code: [[day.isoformat(), value] for day, value in c.partnership.by_month]
                                  for c in results.candidates if c.partnership is not None}
    return data


def _variant(variant: Variant) -> dict[str, Any]:
    return {
        "label": variant.label,
        "differences": [dataclasses.asdict(d) for d in variant.differences],
        "only_here": list(variant.only_here),
        "only_base": list(variant.only_base),
        "candidates": [{
            "code": c.code, "name": c.name,
            "success": dataclasses.asdict(c.success), "rejected": dataclasses.asdict(c.rejected),
            "active": dataclasses.asdict(c.active) if c.active is not None else None,
            "dates": {key: [_day(d.base), _day(d.variant)] for key, d in c.dates.items()},
        } for c in variant.candidates],
    }


def _effect(effect: Effect) -> dict[str, Any]:
    return {"factor": effect.factor.path, "base": effect.base, "low": effect.low, "high": effect.high,
            "changes": {side: dataclasses.asdict(c) for side, c in effect.changes.items()},
            "horizon": effect.horizon}


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# ---- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedSweep:
    """A sweep read back from its folder, with the outcome and candidate its chart shows."""

    sweep: Sweep
    outcome: str | None
    candidate: str | None


@dataclass(frozen=True)
class SavedSensitivity(Sensitivity):
    """A sensitivity analysis read back from its folder: the effects as computed when it ran.

    The replications of each swing are not kept, so :meth:`effects` gives the
    stored effects rather than pairing the swings again.
    """

    stored: dict[tuple[str, str], list[Effect]] = field(default_factory=dict)
    runs: int = 0
    codes: list[str] = field(default_factory=list)  # the candidates whose tornadoes the command drew
    top: int = 12  # settings in each tornado
    ties: dict[str, set[frozenset[str]]] = field(default_factory=dict)  # per candidate, the pairs found tied

    @property
    def points(self) -> int:
        return self.runs

    def effects(self, code: str, measure: str = "cooperation") -> list[Effect]:
        return list(self.stored[(code, measure)])

    def tied(self, code: str, a: Effect, b: Effect) -> bool:
        """As found when the analysis ran (a folder written before ties were kept has none)."""
        return a.factor.path == b.factor.path or frozenset((a.factor.path, b.factor.path)) in self.ties.get(code, set())


def read_comparison(folder: Path) -> Comparison:
    """The comparison in the compare folder ``folder``."""
    data, finished = _read(folder, "compare")
    with _as_folder_error(folder, "compare"):
        runs = [_results(item, finished) for item in data["scenarios"]]
        variants = [_read_variant(item, results) for item, results in zip(data["variants"], runs[1:], strict=True)]
        return Comparison(str(data["base_label"]), runs[0], variants, [str(n) for n in data["notes"]])


def read_sweep(folder: Path) -> SavedSweep:
    """The sweep in the sweep folder ``folder``."""
    data, finished = _read(folder, "sweep")
    with _as_folder_error(folder, "sweep"):
        points = [_point(_results(item, finished)) for item in data["points"]]
        sweep = Sweep(_scenario_of(data["scenario"]), [Param(**p) for p in data["params"]], str(data["design"]),
                      [tuple(float(x) for x in values) for values in data["values"]], points)
        return SavedSweep(sweep, data.get("outcome"), data.get("candidate"))


def read_sensitivity(folder: Path) -> SavedSensitivity:
    """The sensitivity analysis in the sensitivity folder ``folder``."""
    data, finished = _read(folder, "sensitivity")
    with _as_folder_error(folder, "sensitivity"):
        base = _results(data["base"], finished)
        factors = [Factor(**f) for f in data["factors"]]
        by_path = {f.path: f for f in factors}
        stored = {(code, measure): [_read_effect(e, by_path) for e in effects]
                  for code, measures in data["effects"].items() for measure, effects in measures.items()}
        ties = {str(code): {frozenset(str(p) for p in pair) for pair in pairs}
                for code, pairs in data.get("ties", {}).items()}
        return SavedSensitivity(base.scenario, _point(base), factors, {}, stored=stored, runs=int(data["points"]),
                                codes=[str(c) for c in data["codes"]], top=int(data["top"]), ties=ties)


def read_indices(folder: Path) -> GlobalSensitivity:
    """The global sensitivity analysis in the folder ``folder``."""
    from partnersim.whatif.indices import from_data

    data, _ = _read(folder, "indices")
    with _as_folder_error(folder, "indices"):
        return from_data(data, _scenario_of(data["scenario"]))


def _read(folder: Path, kind: str) -> tuple[dict[str, Any], dt.datetime | None]:
    """The JSON of a what-if folder and when the command finished; one line of what to do when unreadable."""
    noun = NOUNS.get(kind, kind)
    check_finished(folder, ["manifest.json"], f"run the {noun} again")
    manifest = read_manifest(folder) or {}
    name = DATA[kind]
    path = folder / name
    if not path.is_file():
        version = manifest.get("partnersim", "an older version")
        raise RunFolderError(f"{folder} is a {noun} folder written by partnersim {version}, which did not keep "
                             f"what a briefing needs ({name}); run the {noun} again with this version")
    for problem in damaged(folder, [name]):
        raise RunFolderError(f"{folder} is damaged: {problem}; run the {noun} again")
    data = read_json(path, f"a {noun}", f"run the {noun} again")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise RunFolderError(f"{path} is not a {noun} file this version of partnersim reads (format {found!r}, "
                             f"expected {FORMAT}); run the {noun} again with this version")
    finished = manifest.get("finished")
    try:
        when = dt.datetime.fromisoformat(finished) if isinstance(finished, str) else None
    except ValueError:
        when = None
    return data, when


@contextmanager
def _as_folder_error(folder: Path, kind: str) -> Iterator[None]:
    """A file that does not hold what this version writes becomes one line naming it, not a traceback."""
    noun = NOUNS.get(kind, kind)
    path = folder / DATA[kind]
    try:
        yield
    except ScenarioError as exc:
        raise RunFolderError(f"{path} holds a scenario that does not load ({exc.problems[0].message}); "
                             f"run the {noun} again") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise RunFolderError(f"{path} is not a {noun} file that partnersim wrote ({type(exc).__name__}: {exc}); "
                             f"run the {noun} again") from None


def _scenario_of(document: dict[str, Any]) -> Scenario:
    return scenario_from_dict(document, name=str(document.get("name", "scenario")))


def _results(item: dict[str, Any], finished: dt.datetime | None) -> RunResults:
    scenario = _scenario_of(item["scenario"])
    summary = item["summary"]
    n = int(summary["replications"])
    counts = item.get("counts_by_day")
    codes = [c["code"] for c in summary["candidates"]]
    # A sweep keeps no daily curve; its points read back with an empty one, which nothing of a sweep reads.
    curves = {code: np.asarray(counts[code], dtype=float) / n if counts is not None else np.zeros(0)
              for code in codes}
    areas = {code: [(dt.date.fromisoformat(day), float(value)) for day, value in rows]
             for code, rows in item.get("areas_by_month", {}).items()}
    return RunResults.read({**summary, "created": finished}, scenario=scenario, curves=curves, areas=areas)


def _point(results: Results) -> Point:
    """A point without its replications: what a folder keeps of a run is its results."""
    return Point(results, np.zeros((0, len(results.candidates)), dtype=np.int8), tuple(results.outcome_names))


def _change(data: dict[str, Any]) -> Change:
    return Change(**{f.name: data[f.name] for f in dataclasses.fields(Change)})


def _read_variant(item: dict[str, Any], results: Results) -> Variant:
    candidates = [CandidateChange(
        code=str(c["code"]), name=str(c["name"]), success=_change(c["success"]), rejected=_change(c["rejected"]),
        dates={key: DateChange(*(dt.date.fromisoformat(d) if d else None for d in pair))
               for key, pair in c["dates"].items()},
        active=_change(c["active"]) if c.get("active") is not None else None,
    ) for c in item["candidates"]]
    return Variant(
        label=str(item["label"]), results=results, candidates=candidates,
        differences=[Difference(**d) for d in item["differences"]],
        only_here=[str(c) for c in item["only_here"]], only_base=[str(c) for c in item["only_base"]],
    )


def _read_effect(item: dict[str, Any], factors: dict[str, Factor]) -> Effect:
    return Effect(factors[item["factor"]], item["base"], item["low"], item["high"],
                  {side: _change(c) for side, c in item["changes"].items()}, float(item["horizon"]))
