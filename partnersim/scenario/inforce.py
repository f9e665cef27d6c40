"""The assumptions in force: the value a run uses for every setting that drives its result, and where it came from.

A scenario states what it changes; everything else takes a default, built into
partnersim or into the scenario's process. A reader needs both, so this
module lists, from a loaded :class:`Scenario` and the place each of its keys
was written, every setting the engine uses: each stage's parameters; the
allies at each decision in groups that decide alike (time to consent, chance
of a hold, length of a hold, chance of lifting it, layered exactly as the
engine layers them); the candidates' withdrawal; with a ``partnership``
block, its renewals. Each value is marked **set** (by a scenario file, with
its file, line and key path, or by ``--set``) or **default** (with its source,
from :mod:`partnersim.scenario.sources`). **Derived** rows say what the values
imply, in closed form: the chance that at least one ally holds at a
consensus, and that at least one vetoes.

``partnersim validate`` prints the list (:func:`lines`), ``partnersim run``
writes it to ``assumptions.csv`` (:func:`csv_text`), and every briefing shows
it as the table "Assumptions in force".
"""

from __future__ import annotations

import csv
import io
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from partnersim import safetext
from partnersim.kinds import KINDS
from partnersim.kinds.consensus import AllyParams, ConsensusStage, StageAllies, layer_allies
from partnersim.kinds.silence import SilenceStage
from partnersim.scenario import sources
from partnersim.scenario.checks import vetoed
from partnersim.scenario.labels import key_label
from partnersim.scenario.loader import load_located
from partnersim.scenario.messages import Origins
from partnersim.scenario.schema import RENEWAL_ALLY_DEFAULTS, Scenario
from partnersim.scenario.yamlio import KeyPath
from partnersim.text import duration_words, join_words, percent
from partnersim.values.distributions import DURATION_KINDS, DurationDist, Fixed, as_distribution

SET, DEFAULT, DERIVED = "set", "default", "derived"
ASSUMPTIONS = "assumptions.csv"  # the file of a run folder that holds them
ALLY_KEYS = ("deliberation", "hold.probability", "hold.duration", "hold.lifted")
RENEWAL_PLACE = "Partnership renewal"
WIDTH = 80  # the listing fits a terminal this wide


@dataclass(frozen=True)
class Assumption:
    """One setting in force: where it applies, its value in words, and who set it."""

    place: str  # a stage's label, "Partnership", "Partnership renewal", "Candidates"
    who: str  # whom it applies to: "28 other allies", "Türkiye", "Argentina"; "" for the stage itself
    setting: str  # what the setting is: "chance of a hold"
    value: str  # the value in force, in words
    mark: str  # SET, DEFAULT or DERIVED
    at: str = ""  # set: the file and lines ("latam.yaml:56, 59"), or "--set"
    source: str = ""  # set: file, line and key path; default: its source; derived: how it is computed
    key: str = ""  # the setting's key: hold.probability, round, withdrawal.annual_rate, derived.veto
    members: tuple[str, ...] = ()  # the codes of the allies or candidates it applies to
    paths: tuple[str, ...] = ()  # the key paths the value is taken from, as --set names them
    number: Any = None  # the value as the engine uses it (not written out)


def load_in_force(path: str | Path, overrides: Sequence[str] = ()) -> list[Assumption]:
    """The assumptions in force of the scenario in ``path``, with ``overrides`` (``--set``) applied."""
    scenario, origins = load_located(path, overrides)
    return in_force(scenario, origins)


def in_force(scenario: Scenario, origins: Origins) -> list[Assumption]:
    """Every setting that drives ``scenario``'s result, with its value in force; ``origins`` says where each of
    the scenario's keys was written, as the loader records it (file and line, or ``--set``)."""
    finder = _Finder(scenario, origins)
    rows = [row for spec in scenario.template.stages for row in finder.stage(spec.name)]
    rows += finder.candidates() + finder.partnership()
    return [finder.drawn(row) for row in rows]


class _Finder:
    """Where each value in force came from: the scenario's files, ``--set``, or a default and its source."""

    def __init__(self, scenario: Scenario, origins: Origins) -> None:
        self.scenario = scenario
        self.origins = origins
        self.template = scenario.template
        self.process = scenario.process if isinstance(scenario.process, str) else None
        self.codes = list(scenario.roster)
        block = scenario.uncertainty
        self.uncertain = {s.key: i for i, s in enumerate(block.settings)} if block is not None else {}

    # -- where a value was written --

    def written(self, path: KeyPath) -> tuple[str, str] | None:
        """``(at, source)`` of the value at ``path`` when a scenario file or ``--set`` gave it; else None."""
        origin = self.origins.get(path)
        if origin is None:
            below = [o for k, o in self.origins.items() if k[: len(path)] == path]
            if not below:
                return None
            origin = min(below, key=lambda o: o[1])
        file, line = origin
        key = self.dotted(path)
        if file == "--set":
            return "--set", f"--set {key}"
        name = Path(file).name
        return f"{name}:{line}", f"{name}, line {line}: {key}"

    def dotted(self, path: KeyPath) -> str:
        """A key path as ``--set`` names it, a candidate by its code."""
        parts = [str(p) for p in path]
        if len(path) > 1 and path[0] == "candidates" and isinstance(path[1], int):
            parts[1] = self.scenario.candidates[path[1]].code
        return ".".join(parts)

    def mark(self, path: KeyPath, default: str) -> tuple[str, str, str]:
        """``(mark, at, source)``: set where ``path`` was written, else the default with its source."""
        written = self.written(path)
        return (SET, *written) if written is not None else (DEFAULT, "", default)

    def row(self, place: str, who: str, key: str, label: str, words: str, path: KeyPath, default: str,
            value: Any, members: tuple[str, ...] = ()) -> Assumption:
        mark, at, source = self.mark(path, default)
        return Assumption(place, who, label, words, mark, at, source, key, members, (self.dotted(path),), value)

    # -- the stages --

    def stage(self, name: str) -> list[Assumption]:
        spec = self.template.stage(name)
        params = self.scenario.stages[name]
        process = spec.defaults if params.kind == spec.kind else {}  # a stage run as another kind takes its own
        rows: list[Assumption] = []
        if params.kind != spec.kind:
            rows.append(self.row(spec.label, "", "kind", key_label("kind"), KIND_WORDS.get(params.kind, params.kind),
                                 ("stages", name, "kind"), "", params.kind))
        for key in type(params).model_fields:
            if key in ("kind", "allies", "exits", "timeout"):
                continue
            value = getattr(params, key)
            default = self._process(name, key) if key in process else sources.kind_source(params.kind, key)
            rows.append(self.row(spec.label, "", key, key_label(key), _words(value, params.kind, key),
                                 ("stages", name, key), default, value))
        for key in ("timeout", "exits"):
            value = getattr(params, key)
            if value is not None:  # neither has a default: only a scenario sets them
                rows.append(self.row(spec.label, "", key, WORDS_OF[key], _words(value, params.kind, key),
                                     ("stages", name, key), "", value))
        own = getattr(params, "allies", None)
        if isinstance(params, SilenceStage):
            rows += self._silence(spec.label, name, params)
        elif isinstance(own, StageAllies):
            defaults = process.get("allies", {}).get("default", {})
            rows += self.allies(spec.label, name, ("stages", name), own, defaults, derive=params.kind == "consensus")
        return rows

    def _process(self, stage: str, key: str) -> str:
        if self.process is None:
            return f"the {self.template.name} process file, stages.{stage}.defaults"
        return sources.process_source(self.process, stage, key)

    # -- the allies at a decision --

    def allies(self, place: str, stage: str, prefix: KeyPath, own: StageAllies, defaults: Mapping[str, Any],
               *, derive: bool, renewal: bool = False) -> list[Assumption]:
        """The allies at a decision in groups that decide alike: the largest with every setting, each other
        group with the settings in which it differs from the largest; then what the values imply."""
        params = layer_allies(self.scenario.allies, ConsensusStage(allies=own), self.codes)
        cells = {code: [self._cell(code, key, resolved, prefix, own, defaults, stage, renewal) for key in ALLY_KEYS]
                 for code, resolved in zip(self.codes, params, strict=True)}
        groups: dict[tuple[tuple[str, str, bool], ...], list[str]] = {}
        for code in self.codes:
            groups.setdefault(tuple(cell.alike for cell in cells[code]), []).append(code)
        ordered = sorted(groups.values(), key=len, reverse=True)
        main = ordered[0]
        rows: list[Assumption] = []
        for members in ordered:
            who = self._who(members, everyone=len(ordered) == 1, others=members is main)
            never = self._never_hold(stage, members, params)
            for index, key in enumerate(ALLY_KEYS):
                first = cells[members[0]][index]
                if members is not main and first.alike == cells[main[0]][index].alike:
                    continue
                if never and key in ("hold.duration", "hold.lifted"):  # no hold, so neither its length nor its end
                    continue
                mine = [cells[code][index] for code in members]
                number = _get(params[self.codes.index(members[0])], key)
                rows.append(Assumption(
                    place, who, key_label(key), _words(number, "consensus", key), first.mark,
                    _places(c.at for c in mine), _joined(c.source for c in mine), key, tuple(members),
                    tuple(dict.fromkeys(c.path for c in mine)), number,
                ))
        if derive:
            rows += self._derived(place, stage, params, self.codes, f"all {len(self.codes)}")
            if len(ordered) > 1 and len(main) > 1:
                rows += self._derived(place, stage, params, main, f"{len(main)} other")
        return rows

    def _never_hold(self, stage: str, members: Sequence[str], params: list[AllyParams]) -> bool:
        """Whether none of ``members`` can hold at ``stage``: no chance of a hold, and no election gives one."""
        if any(params[self.codes.index(code)].hold.probability > 0 for code in members):
            return False
        return not any(e.ally in members and (e.hold.get(stage, 0.0) if isinstance(e.hold, dict) else e.hold) > 0
                       for e in self.scenario.calendar.elections)

    def _cell(self, code: str, key: str, resolved: AllyParams, prefix: KeyPath, own: StageAllies,
              defaults: Mapping[str, Any], stage: str, renewal: bool) -> _Cell:
        cell = self._layer(code, key, resolved, prefix, own, defaults, stage, renewal)
        return replace(cell, drawn=self.is_drawn(cell.path))

    def is_drawn(self, path: str) -> bool:
        """Whether the value at ``path`` (as ``--set`` names it) is drawn for each group of replications."""
        return path in self.uncertain or _by_index(path, self.scenario) in self.uncertain

    def _layer(self, code: str, key: str, resolved: AllyParams, prefix: KeyPath, own: StageAllies,
               defaults: Mapping[str, Any], stage: str, renewal: bool) -> _Cell:
        """One ally's setting: the last layer that gives it, as ``layer_allies`` layers them (the default, the
        stage's default, the ally's entry, the ally's entry at the stage), and where that layer came from."""
        value = _serial(_get(resolved, key))
        parts = tuple(key.split("."))
        layers: list[tuple[KeyPath, Any]] = [
            ((*prefix, "allies", code), own.overrides.get(code)),
            (("allies", code), self.scenario.allies.overrides.get(code)),
            ((*prefix, "allies", "default"), own.default),
        ]
        for path, layer in layers:
            if layer is None or _get(layer, key) is None:
                continue
            full = self.dotted((*path, *parts))
            written = self.written((*path, *parts))
            if written is not None:
                return _Cell(value, SET, *written, full)
            if path[-1] == "default" and _get_dict(defaults, parts) is not None:  # the process's default
                source = sources.OTHER_SOURCES[f"renewal.{key}"] if renewal else self._process(stage, key)
                return _Cell(value, DEFAULT, "", source, full)
            return _Cell(value, SET, "", f"{full} (the scenario)", full)  # given, but not from a file
        mark, at, source = self.mark(("allies", "default", *parts), sources.kind_source("consensus", key))
        return _Cell(value, mark, at, source, self.dotted(("allies", "default", *parts)))

    def _who(self, members: Sequence[str], *, everyone: bool, others: bool) -> str:
        many = self.template.deciders
        if everyone:
            return f"all {len(members)} {many}" if len(members) > 1 else self.scenario.roster[members[0]]
        if others and len(members) > 3:
            return f"{len(members)} other {many}"
        return join_words([self.scenario.roster[c] for c in members])

    def _derived(self, place: str, stage: str, params: list[AllyParams], members: Sequence[str],
                 whom: str) -> list[Assumption]:
        """What the values imply at a decision: the chance that at least one of ``members`` holds, and vetoes."""
        late = any(not isinstance(e.hold, dict) or stage in e.hold for e in self.scenario.calendar.elections)
        who = f"{whom} {self.template.deciders}" + (" (before elections)" if late else "")
        how = ("from the values above: 1 - the product over these allies of the chance of not holding (of not "
               "vetoing: no hold, or the hold lifted)"
               + ("; the members of a bloc acting as one share one draw" if self.scenario.blocs else "")
               + ("; an election changes a hold from its date on, so these are before any" if late else ""))
        holds, vetoes = held(self.scenario, params, members), vetoed(self.scenario, params, members)
        return [
            Assumption(place, who, "chance that at least one holds", percent(holds, fine_below=0.1), DERIVED,
                       source=how, key="derived.hold", members=tuple(members), number=holds),
            Assumption(place, who, "chance that at least one vetoes", percent(vetoes, fine_below=0.1), DERIVED,
                       source=how, key="derived.veto", members=tuple(members), number=vetoes),
        ]

    def _silence(self, place: str, name: str, params: SilenceStage) -> list[Assumption]:
        """A silence procedure's allies, grouped by their chance of breaking silence."""
        found = []
        for code in self.codes:
            own = params.allies.overrides.get(code)
            layer = code if own is not None and own.breaks is not None else "default"
            row = self.row(place, "", "breaks", key_label("breaks"), _chance(params.allies.breaks(code)),
                           ("stages", name, "allies", layer, "breaks"), sources.kind_source("silence", "breaks"),
                           params.allies.breaks(code), (code,))
            found.append((f"{row.number!r}/{row.mark}/{self.is_drawn(row.paths[0])}", row))
        ordered = sorted(_merged(found), key=lambda r: len(r.members), reverse=True)
        return [replace(r, who=self._who(r.members, everyone=len(ordered) == 1, others=r is ordered[0]))
                for r in ordered]

    # -- the candidates, and a partnership's life --

    def candidates(self) -> list[Assumption]:
        """The candidates' withdrawal, candidates alike in one row."""
        found = []
        for index, candidate in enumerate(self.scenario.candidates):
            rate = candidate.withdrawal.annual_rate
            row = self.row("Candidates", "", "withdrawal.annual_rate", key_label("withdrawal.annual_rate"),
                           _rate(rate), ("candidates", index, "withdrawal", "annual_rate"),
                           sources.OTHER_SOURCES["withdrawal.annual_rate"], rate, (candidate.code,))
            found.append((f"{rate!r}/{row.mark}/{self.is_drawn(row.paths[0])}", row))
        rows = _merged(found)
        labels = {c.code: c.label for c in self.scenario.candidates}
        every = len(rows) == 1 and len(self.scenario.candidates) > 1
        return [replace(r, who=f"all {len(r.members)}" if every else join_words([labels[c] for c in r.members]))
                for r in rows]

    def partnership(self) -> list[Assumption]:
        """A partnership's life, with a ``partnership`` block: its areas, renewals and suspension."""
        life = self.scenario.partnership
        if life is None or not self.template.life:
            return []
        areas, other = sources.OTHER_SOURCES["areas"], sources.OTHER_SOURCES
        rows = [
            self.row("Partnership", "", "areas.initial", "areas in the first programme", str(life.areas.initial),
                     ("partnership", "areas", "initial"), areas, life.areas.initial),
            self.row("Partnership", "", "areas.added_per_year", "areas added per year",
                     f"{life.areas.added_per_year:g}", ("partnership", "areas", "added_per_year"), areas,
                     life.areas.added_per_year),
            self.row("Partnership", "", "suspension.annual_rate", "suspension rate per year",
                     _rate(life.suspension.annual_rate), ("partnership", "suspension", "annual_rate"),
                     other["suspension.annual_rate"], life.suspension.annual_rate),
        ]
        renewal = life.renewal
        if renewal is None:
            return [*rows, self.row("Partnership", "", "renewal", "renewal", "none: a programme is never renewed",
                                    ("partnership", "renewal"), "", None)]
        rows.append(self.row("Partnership", "", "renewal.every", "renewal cycle", duration_words(renewal.every),
                             ("partnership", "renewal", "every"), other["renewal.every"], renewal.every))
        return rows + self.allies(RENEWAL_PLACE, "renewal", ("partnership", "renewal"), renewal.allies,
                                  RENEWAL_ALLY_DEFAULTS["default"], derive=True, renewal=True)

    # -- settings drawn for each group of replications --

    def drawn(self, row: Assumption) -> Assumption:
        """``row``, saying so when its value is drawn for each group of replications (an ``uncertainty`` block)."""
        if row.mark == DERIVED:
            return row
        if not any(self.is_drawn(path) for path in row.paths):
            return row
        names = set(row.paths) | {_by_index(p, self.scenario) for p in row.paths}
        found = sorted(index for key, index in self.uncertain.items() if key in names)
        block = self.scenario.uncertainty
        assert block is not None
        where = [w for w in (self.written(("uncertainty", "settings", i)) for i in found) if w is not None]
        return replace(
            row, value=f"drawn afresh for each group of {block.per_draw:,} replications (written: {row.value})",
            mark=SET, at=_places(w[0] for w in where), source=_joined(w[1] for w in where) or "uncertainty",
        )


@dataclass(frozen=True)
class _Cell:
    """One ally's setting at one decision: its value (serialised), mark, place written, source, key path."""

    value: str
    mark: str
    at: str
    source: str
    path: str
    drawn: bool = False  # drawn for each group of replications (an ``uncertainty`` block)

    @property
    def alike(self) -> tuple[str, str, bool]:
        """What allies share to be listed together: the value, whether the scenario set it, whether it is drawn."""
        return self.value, self.mark, self.drawn


def _merged(found: Iterable[tuple[str, Assumption]]) -> list[Assumption]:
    """Rows alike (by the text beside each) as one: their members, places and sources together."""
    rows: dict[str, Assumption] = {}
    for alike, row in found:
        kept = rows.get(alike)
        rows[alike] = row if kept is None else replace(
            kept, at=_places([kept.at, row.at]), source=_joined([kept.source, row.source]),
            members=(*kept.members, *row.members), paths=tuple(dict.fromkeys((*kept.paths, *row.paths))))
    return list(rows.values())


def held(scenario: Scenario, allies: Sequence[AllyParams], members: Sequence[str]) -> float:
    """The chance that at least one of ``members`` holds, ``allies`` being every ally's parameters at a decision
    (in roster order). A bloc acting as one (with its ``strength``) shares one draw of the hold, so then it
    holds when its likeliest member would."""
    codes = list(scenario.roster)
    chance = {c: allies[codes.index(c)].hold.probability for c in members}
    none, in_blocs = 1.0, set()
    for bloc in scenario.blocs:
        inside = [c for c in bloc.allies if c in chance]
        in_blocs.update(inside)
        if inside:
            alone = math.prod(1 - chance[c] for c in inside)
            none *= bloc.strength * (1 - max(chance[c] for c in inside)) + (1 - bloc.strength) * alone
    return 1 - none * math.prod(1 - p for c, p in chance.items() if c not in in_blocs)


# --- words ----------------------------------------------------------------------------------------------

KIND_WORDS = {"consensus": "consensus of every ally", "silence": "silence procedure", "talks": "talks",
              "task": "task", "items": "items negotiated"}
WORDS_OF = {"timeout": "time limit", "exits": "where its exits lead"}
_FAMILY: dict[type, str] = {kind: name for name, kind in DURATION_KINDS.items()} | {DURATION_KINDS["pert"]: "PERT"}
_RANGED = ("uniform", "triangular", "PERT", "empirical")


def distribution_words(dist: DurationDist, *, short: bool = False) -> str:
    """A duration distribution in a reader's words, with its family: ``lognormal, median 7 days, 90% within
    21 days`` (``short``: ``…, p90 21 days``); ``PERT, 3 months to 12 months, median 6.4 months``;
    ``fixed, 14 days``."""
    if isinstance(dist, Fixed):
        return f"fixed, {duration_words(dist.fixed)}"
    family = _FAMILY.get(type(dist), type(dist).__name__.lower())
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        low, median, p90, high = (float(v) for v in dist.ppf(np.array([1e-12, 0.5, 0.9, 1 - 1e-12])))
    if family in _RANGED:
        return f"{family}, {duration_words(max(low, 0.0))} to {duration_words(high)}, median {duration_words(median)}"
    return f"{family}, median {duration_words(median)}, {'p90' if short else '90% within'} {duration_words(p90)}"


def _words(value: Any, kind: str, key: str) -> str:
    """A setting's value in words, by its role in its kind: a chance, a duration, a count."""
    if isinstance(value, DurationDist):
        return distribution_words(value)
    if value is None:
        return "no limit"
    if key == "timeout":
        return duration_words(float(value))
    if key == "exits":
        return _exits(value)
    if KINDS[kind].roles.get(key.rsplit(".", 1)[-1]) == "probability":
        return _chance(float(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _exits(exits: Mapping[str, Any]) -> str:
    """``veto to requested after uniform, 5 to 10 years, median 7.5 years, giving up in 50%``."""
    said = []
    for name, spec in exits.items():
        if isinstance(spec, str):
            said.append(f"{name} to {spec}")
            continue
        if not isinstance(spec, dict):
            said.append(f"{name}: to one of several states, by chance")
            continue
        text = f"{name} to {spec.get('to', 'the next stage')}"
        if spec.get("after") is not None:
            text += f" after {distribution_words(as_distribution(spec['after']))}"
        if spec.get("give_up"):
            text += f", giving up in {_chance(float(spec['give_up']))}"
        said.append(text)
    return "; ".join(said)


def _chance(p: float) -> str:
    """A chance as a percent with as many decimals as it was given, up to two: ``10%``, ``0.36%``, ``6.4%``."""
    for decimals in (0, 1, 2):
        if abs(round(p * 100, decimals) - p * 100) < 1e-9:
            return percent(p, decimals)
    return percent(p, 2) if p >= 0.0001 else percent(p)


def _rate(rate: float) -> str:
    return "none" if rate <= 0 else f"{rate:g} ({percent(1 - math.exp(-rate))} within a year)"


def _get(model: Any, key: str) -> Any:
    for part in key.split("."):
        model = getattr(model, part, None)
        if model is None:
            return None
    return model


def _get_dict(data: Mapping[str, Any], parts: Sequence[str]) -> Any:
    value: Any = data
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _serial(value: Any) -> str:
    return value.model_dump_json() if hasattr(value, "model_dump_json") else repr(value)


def _by_index(path: str, scenario: Scenario) -> str:
    """``candidates.0.…`` for ``candidates.ARG.…``: an uncertain setting may name a candidate either way."""
    parts = path.split(".")
    if len(parts) > 1 and parts[0] == "candidates":
        codes = [c.code for c in scenario.candidates]
        if parts[1] in codes:
            parts[1] = str(codes.index(parts[1]))
    return ".".join(parts)


def _joined(parts: Iterable[str], separator: str = "; ") -> str:
    """The distinct non-empty ``parts`` in order."""
    return separator.join(dict.fromkeys(p for p in parts if p))


def _places(parts: Iterable[str]) -> str:
    """Where values were written, each file once with its lines in order: ``latam.yaml:59, 62; --set``."""
    lines: dict[str, set[int]] = {}
    for part in parts:
        for piece in filter(None, part.split("; ")):
            file, _, numbers = piece.rpartition(":")
            if not file:  # "--set"
                lines.setdefault(piece, set())
                continue
            lines.setdefault(file, set()).update(int(n) for n in numbers.split(", "))
    return "; ".join(f"{f}:{', '.join(str(n) for n in sorted(n))}" if n else f for f, n in lines.items())


# --- the listing, and assumptions.csv -------------------------------------------------------------------

CSV_COLUMNS = ("place", "who", "setting", "value", "mark", "at", "source", "key", "members")


def lines(assumptions: Sequence[Assumption], width: int = WIDTH, *, main: str = "") -> list[str]:
    """The assumptions for a terminal: grouped by stage and allies, one line each, the sources of the defaults
    numbered at the end; no line wider than ``width`` (a rare long one wraps). Values set in the file named
    ``main`` (by default the file most were set in) are tagged by their line alone."""
    main = main or _main_file(assumptions)
    notes: dict[str, int] = {}
    where = f"set in {main}" if main else "set by the scenario"
    out = _fit(f"Assumptions in force: [line n] {where}, [default n] see below", width)
    for (place, who), rows in _grouped(assumptions):
        head = f"{place}, {who}" if who else place
        if rows[0].mark == DERIVED:
            implied = ", ".join(f"{r.setting.removeprefix('chance that at least one ')} in {r.value}" for r in rows)
            out += _fit(f"{head}: at least one {implied}", width)
            continue
        said = [(r.setting, _shown(r), _tag(r, notes, main)) for r in rows]
        one = f"{head}: {said[0][0]} {said[0][1]} [{said[0][2]}]"
        if len(said) == 1 and len(one) <= width:
            out.append(one)
            continue
        out.append(head)
        out += [line for setting, value, tag in said for line in _fit(f"  {setting}: {value} [{tag}]", width)]
    if notes:
        out.append("Sources of the defaults:")
        for source, number in notes.items():
            out += textwrap.wrap(f"[{number}] {source}", width, initial_indent="  ", subsequent_indent="    ",
                                 break_on_hyphens=False, break_long_words=False)
    return out


def _main_file(assumptions: Sequence[Assumption]) -> str:
    """The file most set values were written in: the listing names it once."""
    files = [piece.rpartition(":")[0] for r in assumptions if r.mark == SET for piece in r.at.split("; ") if ":" in piece]
    return max(dict.fromkeys(files), key=files.count) if files else ""


def _grouped(assumptions: Sequence[Assumption]) -> list[tuple[tuple[str, str], list[Assumption]]]:
    groups: dict[tuple[str, str, bool], list[Assumption]] = {}
    for row in assumptions:
        groups.setdefault((row.place, row.who, row.mark == DERIVED), []).append(row)
    return [((place, who), rows) for (place, who, _), rows in groups.items()]


def _shown(row: Assumption) -> str:
    """A value for the terminal: a distribution as ``…, p90 21 days``, to keep to one line."""
    if isinstance(row.number, DurationDist) and not row.value.startswith("drawn"):
        return distribution_words(row.number, short=True)
    return row.value


def _tag(row: Assumption, notes: dict[str, int], main: str) -> str:
    """``default 2``, ``line 52``, ``lines 59, 62``, ``line 93 and 4 more``, ``other.yaml:12``, ``--set``."""
    if row.mark == DEFAULT:
        return f"default {notes.setdefault(row.source, len(notes) + 1)}"
    said = []
    for piece in filter(None, row.at.split("; ")):
        file, _, numbers = piece.rpartition(":")
        if not file or file != main:
            said.append(piece)
            continue
        listed = numbers.split(", ")
        if len(listed) > 3:
            said.append(f"line {listed[0]} and {len(listed) - 1} more")
        else:
            said.append(f"line{'s' if len(listed) > 1 else ''} {', '.join(listed)}")
    return "; ".join(said) or "set"


def _fit(text: str, width: int) -> list[str]:
    indent = len(text) - len(text.lstrip(" "))
    return textwrap.wrap(text, width, subsequent_indent=" " * (indent + 4), break_on_hyphens=False,
                         break_long_words=False) or [text]


def _unescaped(cell: str) -> str:
    """A cell as it was before :func:`partnersim.safetext.csv_cell` put an apostrophe before a formula."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] and cell[1] in "=+-@\t\r＝＋－＠" else cell


def summary(assumptions: Sequence[Assumption]) -> str:
    """``14 set by the scenario, 9 defaults``: how many values in force each gives."""
    set_by = sum(1 for r in assumptions if r.mark == SET)
    defaults = sum(1 for r in assumptions if r.mark == DEFAULT)
    return f"{set_by} set by the scenario, {defaults} default{'s' if defaults != 1 else ''}"


def csv_text(assumptions: Sequence[Assumption]) -> str:
    """``assumptions.csv``: one row per setting in force; every cell as a spreadsheet should read it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in assumptions:
        cells = {f.name: getattr(row, f.name) for f in fields(row)}
        cells["members"] = " ".join(row.members)
        writer.writerow(safetext.csv_row([cells[name] for name in CSV_COLUMNS]))
    return out.getvalue()


def read_csv(text: str) -> list[Assumption]:
    """The assumptions of an ``assumptions.csv``, as :func:`csv_text` wrote them.

    Raises ``ValueError`` when the text is not such a file.
    """
    reader = csv.reader(io.StringIO(text))
    if tuple(next(reader, ())) != CSV_COLUMNS:
        raise ValueError(f"expected the columns {', '.join(CSV_COLUMNS)}")
    rows = []
    for cells in reader:
        if len(cells) != len(CSV_COLUMNS):
            raise ValueError("a row has too few or too many cells")
        named = dict(zip(CSV_COLUMNS, (_unescaped(cell) for cell in cells), strict=True))
        if named["mark"] not in (SET, DEFAULT, DERIVED):
            raise ValueError(f"unknown mark {named['mark']!r}")
        rows.append(Assumption(named["place"], named["who"], named["setting"], named["value"], named["mark"],
                               named["at"], named["source"], named["key"], tuple(named["members"].split())))
    return rows
