"""The ``extends:`` chain of a scenario, read and merged into one document.

Each file is read with the line of every key; the chain is followed from the
child to the file it extends, and so on (a cycle, or more than
:data:`MAX_EXTENDS` files, is refused); then merged from the base up: the
child's keys win, mappings merge key by key, candidates merge by ``code``, and
a distribution or a stage whose kind changes is replaced whole. Where each
merged key was written is kept, so that every message names its file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from partnersim.errors import Problem, ScenarioError
from partnersim.kinds import DECISION_KINDS
from partnersim.scenario.messages import DISTRIBUTION_KINDS, Origin, Origins
from partnersim.scenario.yamlio import (
    Document,
    KeyPath,
    Unreadable,
    dotted,
    parse_source,
    read_source,
    shown_path,
)

MAX_EXTENDS = 20


class Refused:
    """Values a file held but that could not be read (a forbidden tag, say), and why.

    Such a value is None in the document, so the schema's complaint about it
    (``expected text, got nothing``) says nothing new and is left out.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.paths: set[str] = set()

    def add(self, document: Document) -> None:
        self.problems += document.problems
        self.paths |= {dotted(path) for path in document.dropped}

    def covers(self, problem: Problem) -> bool:
        """Whether the problem is about a refused value, or a key inside one."""
        path = problem.path
        if path in self.paths:
            return True
        dot = path.find(".")
        while dot != -1:
            if path[:dot] in self.paths:
                return True
            dot = path.find(".", dot + 1)
        return False


def read_chain(
    path: Path, stack: list[tuple[tuple[int, int], str]], cited: Origin | None, refused: Refused,
    files: list[Path] | None = None,
) -> tuple[dict[str, Any], Origins]:
    """The merged document of ``path`` and the files it extends; ``stack`` holds the files that extend it.

    ``cited`` is where ``path`` was named (the ``extends:`` line of the file
    before it), so that a file that cannot be read is reported there.
    """
    shown = shown_path(path)
    if len(stack) > MAX_EXTENDS and cited is not None:
        raise ScenarioError(
            [Problem(cited[0], cited[1], "extends", f"more than {MAX_EXTENDS} files extend one another")]
        )
    try:
        source = read_source(path)
    except Unreadable as exc:
        if cited is None:
            raise ScenarioError([Problem(shown, None, "", exc.reason)]) from None
        raise ScenarioError([Problem(cited[0], cited[1], "extends", f"{exc.reason}: {shown}")]) from None
    # A file is known by its device and inode, so a link to a file already in the chain is a cycle too.
    if source.identity in [identity for identity, _ in stack]:
        chain = " → ".join([name for _, name in stack] + [shown])
        file, line = cited if cited else (shown, None)
        raise ScenarioError([Problem(file, line, "extends", f"extends itself in a cycle: {chain}")])
    if files is not None:
        files.append(path)
    parsed = parse_source(source, shown)
    refused.add(parsed)
    document, lines = parsed.value, parsed.lines
    origins: Origins = {key: (shown, line) for key, line in lines.items()}
    if not isinstance(document, dict):
        raise ScenarioError(
            [Problem(shown, lines.get((), 1), "", "expected a mapping of keys such as name:, start:, candidates:")]
        )
    parent = document.get("extends")
    if parent is None:
        return document, origins
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            [Problem(shown, lines.get(("extends",)), "extends", "expected the path of another scenario file")]
        )
    base, base_origins = read_chain(
        path.parent / parent, [*stack, (source.identity, shown)], (shown, lines.get(("extends",), 1)), refused, files
    )
    merged_origins: Origins = {}
    child = {key: value for key, value in document.items() if key != "extends"}
    merged = _merge(base, (), _Where(base_origins), child, (), _Where(origins), (), merged_origins)
    return merged, merged_origins


class _Where:
    """Where each key path of one file was written, and the key paths below each path.

    With the paths below at hand, copying where a subtree was written costs the
    size of the subtree, not of the file: a parent of thousands of keys merges
    in time proportional to them.
    """

    def __init__(self, origins: Origins) -> None:
        self.origins = origins
        self.below: dict[KeyPath, dict[KeyPath, None]] = {}
        for key in origins:
            while key:
                children = self.below.setdefault(key[:-1], {})
                if key in children:
                    break
                children[key] = None
                key = key[:-1]

    def get(self, path: KeyPath) -> Origin | None:
        return self.origins.get(path)

    def rebase(self, source: KeyPath, target: KeyPath, out: Origins) -> None:
        """Record in ``out`` that what is at ``source`` and below it is now at ``target``."""
        n = len(source)
        stack = [source]
        while stack:
            key = stack.pop()
            if key in self.origins:
                out[target + key[n:]] = self.origins[key]
            stack.extend(self.below.get(key, ()))


def _merge(
    base: Any,
    base_path: KeyPath,
    base_origins: _Where,
    over: Any,
    over_path: KeyPath,
    over_origins: _Where,
    out_path: KeyPath,
    out: Origins,
) -> Any:
    """Deep-merge ``over`` onto ``base``, recording where each merged key came from."""
    if mergeable(base, over):
        origin = over_origins.get(over_path) or base_origins.get(base_path)
        if origin:
            out[out_path] = origin
        result: dict[str, Any] = {}
        for key, value in base.items():
            if key not in over:
                result[key] = value
                base_origins.rebase((*base_path, key), (*out_path, key), out)
        for key, value in over.items():
            if key in base:
                result[key] = _merge(
                    base[key], (*base_path, key), base_origins,
                    value, (*over_path, key), over_origins, (*out_path, key), out,
                )
            else:
                result[key] = value
                over_origins.rebase((*over_path, key), (*out_path, key), out)
        return result
    if out_path == ("candidates",) and _by_code(base) and _by_code(over):
        return _merge_candidates(base, base_path, base_origins, over, over_path, over_origins, out)
    over_origins.rebase(over_path, out_path, out)
    return over


def _is_distribution(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in DISTRIBUTION_KINDS


def mergeable(base: Any, over: Any) -> bool:
    """Mappings merge key by key; a distribution is replaced whole by another, and so is a
    stage whose ``kind`` the child changes (its keys belong to the other kind)."""
    return (
        isinstance(base, dict)
        and isinstance(over, dict)
        and not (_is_distribution(base) or _is_distribution(over))
        and not ("kind" in over and over["kind"] != _stage_kind(base, over["kind"]))
    )


def _stage_kind(stage: dict[str, Any], other: Any) -> Any:
    """The kind of a stage's settings; without ``kind`` it is the template's, and only a
    consensus stage can become another kind (a silence procedure)."""
    return stage.get("kind", "consensus" if other in DECISION_KINDS else other)


def _hashable(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _by_code(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) and "code" in item for item in value)


def _merge_candidates(
    base: list[dict[str, Any]],
    base_path: KeyPath,
    base_origins: _Where,
    over: list[dict[str, Any]],
    over_path: KeyPath,
    over_origins: _Where,
    out: Origins,
) -> list[Any]:
    """A child's candidate replaces fields of the parent's candidate with the same code."""
    origin = over_origins.get(over_path)
    if origin is not None:
        out[("candidates",)] = origin
    merged: list[Any] = []
    taken: set[int] = set()
    first: dict[Any, int] = {}
    for j, item in enumerate(over):
        code = item.get("code")
        if _hashable(code):
            first.setdefault(code, j)
    for index, item in enumerate(base):
        code = item.get("code")
        match = first.get(code) if _hashable(code) else None
        target = ("candidates", len(merged))
        if match is None:
            merged.append(item)
            base_origins.rebase((*base_path, index), target, out)
        else:
            taken.add(match)
            merged.append(
                _merge(item, (*base_path, index), base_origins, over[match],
                       (*over_path, match), over_origins, target, out)
            )
    for index, item in enumerate(over):
        if index not in taken:
            over_origins.rebase((*over_path, index), ("candidates", len(merged)), out)
            merged.append(item)
    return merged
