"""The assumptions of a run as its author wrote them: each setting with its source comment.

Scenario files carry their sources in comments (``hold: {probability: 0.10}
# assumption: …``), which a YAML parser throws away. Here the files of the
run's ``inputs/`` folder are read node by node: every setting whose value is
written on its line (a number, a date, a ``{…}`` or ``[…]``) becomes one row
with a readable name, the value exactly as written, and the comment at the end
of its line together with any comment lines just above it (or above the key
that holds it). The comment block at the head of each file is kept too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from partnersim.scenario.labels import KEY_LABELS
from partnersim.scenario.schema import Scenario
from partnersim.values.distributions import DATE_KINDS, DURATION_KINDS

SKIPPED = {"name", "question", "description", "extends"}  # shown elsewhere in a briefing
TOP_LABELS = {
    "start": "Start date",
    "horizon": "Horizon",
    "replications": "Replications",
    "seed": "Random seed",
    "alliance": "Alliance (who must agree)",
    "process": "Process",
}
# The calendar, blocs, spillover and partnership blocks: (head, key path after the head) → label.
RULE_LABELS = {
    ("calendar", "council.weekday"): "Council: weekly decision meeting",
    ("calendar", "council.holidays"): "Council: holidays",
    ("calendar", "council.stages"): "Council: decisions taken at its meetings",
    ("calendar", "summits.builtin"): "Summits: recorded summits included",
    ("calendar", "summits.dates"): "Summits: further summits",
    ("spillover", "freeze"): "Spillover: how long a veto freezes the others",
    ("spillover", "stages"): "Spillover: stages frozen",
    ("partnership", "areas.catalogue"): "Partnership: areas of cooperation",
    ("partnership", "areas.initial"): "Partnership: areas in the first programme",
    ("partnership", "areas.added_per_year"): "Partnership: areas added per year",
    ("partnership", "renewal.every"): "Partnership: renewal cycle",
    ("partnership", "suspension.annual_rate"): "Partnership: suspension rate per year",
}
ELECTION_LABELS = {"date": "date", "hold": "chance of holding consent afterwards", "ally": "ally"}
BLOC_LABELS = {"strength": "chance of acting as one", "allies": "members", "name": "name"}
DISTRIBUTION_KEYS = set(DURATION_KINDS) | set(DATE_KINDS)


@dataclass(frozen=True)
class Setting:
    """One setting as written: a readable name, its key path, its value and its source comment."""

    label: str
    key: str  # the key path, as in error messages: allies.TUR.hold.probability
    value: str  # as written in the file
    source: str  # the comment beside it and above it; empty when the file gives none
    line: int


@dataclass(frozen=True)
class InputFile:
    name: str
    header: str  # the comment block at the head of the file
    extends: str
    settings: list[Setting] = field(default_factory=list)


def read_inputs(inputs: dict[str, str], scenario: Scenario) -> list[InputFile]:
    """Every input file of a run, its settings with their sources, in the order given.

    A setting the scenario's ``uncertainty`` block draws for each group of replications says so beside its
    value: the value written was not the one used.
    """
    files = [read_input(name, text, scenario) for name, text in inputs.items()]
    drawn = {s.key for s in scenario.uncertainty.settings} if scenario.uncertainty is not None else set()

    def shown(setting: Setting) -> Setting:
        if setting.key in drawn:
            setting = replace(setting, value=f"{setting.value} (not used: drawn for each group of replications, "
                                             "see the uncertain settings)")
        if not setting.source and ".elicited" in setting.key and "source:" in setting.value:
            # an expert's judgement carries its source inside it; the briefing's table of judgements shows it
            setting = replace(setting, source="the expert's own source, written with the judgement")
        return setting

    return [replace(f, settings=[shown(s) for s in f.settings]) for f in files]


def read_input(name: str, text: str, scenario: Scenario) -> InputFile:
    """The settings of one scenario file with their source comments."""
    lines = text.splitlines()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return InputFile(name=name, header=_header(lines), extends="")
    settings: list[Setting] = []
    extends = ""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "extends" and isinstance(value, yaml.ScalarNode):
                extends = str(value.value)
        _walk(node, (), text, lines, _Namer(scenario), settings, "")
    return InputFile(name=name, header=_header(lines), extends=extends, settings=settings)


class _Namer:
    """Readable names for key paths: allies by name, stages by label, candidates by name."""

    def __init__(self, scenario: Scenario) -> None:

        self.allies = scenario.roster
        template = scenario.template
        self.stages = {s.name: s.label for s in template.stages} if template else {}
        self.candidates = {c.code: c.label for c in scenario.candidates}

    def ally(self, code: str) -> str:
        if code == "default":
            return "Every ally"
        return f"{self.allies[code]} ({code})" if code in self.allies else code

    def label(self, path: tuple[Any, ...], item_names: dict[tuple[Any, ...], str]) -> str:
        rule = self._rule_label(path, item_names)
        if rule:
            return rule
        parts = [str(p) for p in path]
        if parts and parts[-1] in DISTRIBUTION_KEYS and len(parts) > 1:
            parts = parts[:-1]  # the kind of distribution is part of the value
        if len(parts) == 1:
            return TOP_LABELS.get(parts[0], parts[0].replace("_", " ").capitalize())
        head, rest = parts[0], parts[1:]
        where: list[str] = []
        if head == "stages" and rest:
            where.append(self.stages.get(rest[0], rest[0]))
            rest = rest[1:]
            head = rest[0] if rest and rest[0] == "allies" else ""
            if head:
                rest = rest[1:]
        if head == "allies" and rest:
            where.append(self.ally(rest[0]))
            rest = rest[1:]
        elif head == "candidates" and rest:
            where.append(item_names.get(tuple(path[:2]), f"Candidate {int(rest[0]) + 1}"))
            rest = rest[1:]
        elif head and head != "stages":
            where.append(head.replace("_", " ").capitalize())
        what = ".".join(rest)
        name = KEY_LABELS.get(what) or KEY_LABELS.get(rest[-1] if rest else "", "") or what.replace("_", " ")
        return f"{' · '.join(where)}: {name}" if where and name else (" · ".join(where) or name)


    def _rule_label(self, path: tuple[Any, ...], item_names: dict[tuple[Any, ...], str]) -> str:
        parts = [str(p) for p in path]
        if parts and parts[-1] in DISTRIBUTION_KEYS and len(parts) > 1:
            parts = parts[:-1]
        head, rest = (parts[0], ".".join(parts[1:])) if parts else ("", "")
        if (head, rest) in RULE_LABELS:
            return RULE_LABELS[head, rest]
        if head == "calendar" and rest.startswith("council.holidays."):
            return "Council: holiday"
        if head == "calendar" and rest.startswith("summits.wait.") and len(parts) == 4:
            stage = self.stages.get(parts[3], "a " + parts[3])
            return f"Summits: chance that {stage} waits for one"
        if head == "calendar" and len(parts) >= 3 and parts[1] == "elections":
            who = item_names.get(tuple(path[:3]), f"election {int(parts[2]) + 1}")
            field = ".".join(parts[3:])
            return f"Election in {who}: {ELECTION_LABELS.get(field, field)}" if field else f"Election in {who}"
        if head == "blocs" and len(parts) >= 2:
            who = item_names.get(tuple(path[:2]), f"bloc {int(parts[1]) + 1}")
            field = ".".join(parts[2:])
            return f"Bloc {who}: {BLOC_LABELS.get(field, field)}" if field else f"Bloc {who}"
        if head == "partnership" and parts[1:3] == ["renewal", "allies"] and len(parts) >= 4:
            what = ".".join(parts[4:])
            name = KEY_LABELS.get(what, what.replace("_", " "))
            return f"Renewal · {self.ally(parts[3])}: {name}" if what else f"Renewal · {self.ally(parts[3])}"
        return ""


def _walk(node: yaml.Node, path: tuple[Any, ...], text: str, lines: list[str], namer: _Namer,
          out: list[Setting], above: str, item_names: dict[tuple[Any, ...], str] | None = None) -> None:
    names = item_names if item_names is not None else {}
    if isinstance(node, yaml.MappingNode):
        if len(path) == 2 and path[0] == "candidates":
            names[path] = _candidate_name(node, namer)
        fields = {k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode)}
        if len(path) == 2 and path[0] == "blocs":
            names[path] = str(fields.get("name", ""))
        if len(path) == 3 and path[:2] == ("calendar", "elections"):
            names[path] = namer.ally(str(fields.get("ally", "")))
        for key, value in node.value:
            child = (*path, key.value)
            if not path and key.value in SKIPPED:
                continue
            comment = _join(above, _comments_above(lines, key.start_mark.line))
            above = ""
            if child == ("alliance",) and isinstance(value, yaml.SequenceNode):
                out.append(_roster(key, value, lines, comment))
            elif _is_leaf(value):
                setting = _setting(child, key, value, text, lines, namer, names, comment)
                if setting.source or not _identity(child):
                    out.append(setting)
            else:
                _walk(value, child, text, lines, namer, out, comment, names)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            comment = _join(above, _comments_above(lines, item.start_mark.line))
            above = ""
            child = (*path, index)
            if isinstance(item, yaml.MappingNode) and item.flow_style:
                names[child] = _candidate_name(item, namer) if path == ("candidates",) else ""
                out.append(_setting(child, None, item, text, lines, namer, names, comment))
            elif isinstance(item, yaml.SequenceNode) and item.flow_style:  # e.g. a holiday, [first, last]
                out.append(_setting(child, None, item, text, lines, namer, names, comment))
            else:
                _walk(item, child, text, lines, namer, out, comment, names)


def _identity(path: tuple[Any, ...]) -> bool:
    """Who a row is about (a candidate's code or name, a bloc's name and members, an election's
    ally), not an assumption about it: shown only when the file gives it a comment."""
    if len(path) == 3 and path[0] == "candidates" and path[2] in ("code", "name"):
        return True
    if len(path) == 3 and path[0] == "blocs" and path[2] in ("name", "allies"):
        return True
    return len(path) == 4 and path[:2] == ("calendar", "elections") and path[3] == "ally"


def _roster(key: yaml.Node, value: yaml.SequenceNode, lines: list[str], above: str) -> Setting:
    """A written-out alliance as one setting: the allies' names, and every comment among them."""
    names = []
    notes = [above] if above else []
    for item in value.value:
        if isinstance(item, yaml.MappingNode):
            fields = {k.value: v.value for k, v in item.value if isinstance(v, yaml.ScalarNode)}
            names.append(str(fields.get("name") or fields.get("code", "")))
        elif isinstance(item, yaml.ScalarNode):
            names.append(str(item.value))
        note = _comments_above(lines, item.start_mark.line)
        if note and note not in notes:
            notes.append(note)
        beside = _comment_after(lines[item.end_mark.line], item.end_mark.column)
        if beside:
            notes.append(beside)
    return Setting(label=TOP_LABELS["alliance"], key="alliance", value=f"{len(names)} allies: {', '.join(names)}",
                   source=" ".join(notes), line=key.start_mark.line + 1)


def _is_leaf(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) or bool(getattr(node, "flow_style", False))


def _candidate_name(node: yaml.MappingNode, namer: _Namer) -> str:
    values = {k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode)}
    code = str(values.get("code", ""))
    return str(values.get("name") or namer.candidates.get(code) or code or "Candidate")


def _setting(path: tuple[Any, ...], key: yaml.Node | None, value: yaml.Node, text: str, lines: list[str],
             namer: _Namer, names: dict[tuple[Any, ...], str], above: str) -> Setting:
    written = " ".join(text[value.start_mark.index:value.end_mark.index].split())
    if isinstance(value, yaml.ScalarNode) and value.style in ("|", ">"):
        written = " ".join(str(value.value).split())
    end = value.end_mark
    beside = _comment_after(lines[end.line] if end.line < len(lines) else "", end.column)
    if not beside and end.column == 0 and end.line > 0:  # a block value ends at the start of the next line
        beside = _comment_after(lines[end.line - 1], len(lines[end.line - 1]))
    if not beside and key is not None and key.start_mark.line != end.line:
        beside = _comment_after(lines[key.start_mark.line], key.end_mark.column)
    label = namer.label(path, names)
    if path[-1] in DISTRIBUTION_KEYS:
        written = f"{path[-1]}: {written}"
    if isinstance(path[-1], int) and path[:1] == ("candidates",):
        label = names.get(path, label)
    return Setting(label=label, key=".".join(str(p) for p in path), value=written,
                   source=_join(above, beside), line=(key or value).start_mark.line + 1)


_COMMENT = re.compile(r"""(?:^|\s)#\s?(.*)$""")


def _comment_after(line: str, column: int) -> str:
    """The comment that follows ``column`` on ``line``, if any (quotes before it are already past)."""
    match = _COMMENT.search(line[column:])
    return match.group(1).strip() if match else ""


def _comments_above(lines: list[str], line: int) -> str:
    """The run of comment lines just above ``line`` (0-based), without the ``#``."""
    found: list[str] = []
    index = line - 1
    while index >= 0 and lines[index].strip().startswith("#"):
        found.append(lines[index].strip().lstrip("#").strip())
        index -= 1
    if index < 0:
        return ""  # the file's head: shown on its own
    return " ".join(reversed([f for f in found if f]))


def _header(lines: list[str]) -> str:
    """The comment block at the head of the file, paragraphs kept."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        body = stripped.lstrip("#").strip()
        if body.startswith("yaml-language-server:"):
            continue  # an editor's schema line, not something the author says
        if body:
            paragraphs[-1].append(body)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)
