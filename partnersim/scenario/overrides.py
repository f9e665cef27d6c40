"""``--set key.path=value``: a quick what-if without editing a file.

The value is read as YAML by the reader of scenario files, so ``0.5``,
``2026-06-01``, ``3w`` and ``{gamma: {mean: 1mo, cv: 0.5}}`` all mean what
they mean in a file, and what a file may not hold (a tag, a value nested too
deep) is refused here too.
Candidates are addressed by code (``candidates.BRA.request=2026-06-01``) or
by position. The changed document is then validated like any file, and a
problem in an override names the override.
"""

from __future__ import annotations

from typing import Any

from partnersim.errors import Problem, ScenarioError
from partnersim.scenario.yamlio import MAX_DEPTH, SYNTAX, dotted, parse_text, shortened

SOURCE = "--set"


def parse(text: str) -> tuple[tuple[str, ...], Any]:
    """``("allies", "TUR", "hold", "probability"), 0.5`` from ``allies.TUR.hold.probability=0.5``."""
    key, sep, raw = text.partition("=")
    path = tuple(part.strip() for part in key.strip().split("."))
    if not sep or not key.strip() or any(not part for part in path):
        raise ScenarioError(
            [Problem(SOURCE, None, key.strip(), f"expected key.path=value, got {text!r}")]
        )
    if len(path) > MAX_DEPTH:
        raise ScenarioError([Problem(SOURCE, None, dotted(shortened(path)), f"a key path has at most {MAX_DEPTH} parts")])
    if not raw.strip():
        return path, ""
    try:
        document = parse_text(raw, SOURCE, noun="value")
    except ScenarioError as exc:
        raise ScenarioError([_unread(path, raw, problem) for problem in exc.problems]) from None
    if document is None:
        return path, None
    if document.problems:
        raise ScenarioError([_located(path, problem) for problem in document.problems])
    return path, document.value


def _located(path: tuple[str, ...], problem: Problem) -> Problem:
    """A problem inside a value (a tag, say), named by the override's key path and its place below it."""
    return Problem(SOURCE, None, ".".join([*path, problem.path] if problem.path else path), problem.message)


def _unread(path: tuple[str, ...], raw: str, problem: Problem) -> Problem:
    """Why a value could not be read: at its place when it has one (nested too deep), else quoting it."""
    if problem.path:
        return _located(path, problem)
    message = problem.message.removeprefix(SYNTAX)
    return Problem(SOURCE, None, ".".join(path), f"cannot read the value {raw!r}: {message}")


def apply(
    document: dict[str, Any], overrides: list[str] | tuple[str, ...]
) -> tuple[dict[str, Any], dict[tuple[Any, ...], str], list[Problem]]:
    """The document with every override that applies, the text behind each changed path, and the rest as problems."""
    changed: dict[tuple[Any, ...], str] = {}
    problems: list[Problem] = []
    for text in overrides:
        try:
            path, value = parse(text)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        try:
            real_path = _set(document, path, value)
        except ValueError as exc:
            problems.append(Problem(SOURCE, None, ".".join(path), str(exc)))
            continue
        changed[real_path] = text
    return document, changed, problems


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> tuple[Any, ...]:
    node: Any = document
    real: list[Any] = []
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, list):
            index = _index(node, part)
            real.append(index)
            if last:
                node[index] = value
            else:
                node = node[index]
            continue
        if not isinstance(node, dict):
            raise ValueError(f"{'.'.join(path[:depth])} is not a mapping, so it has no key {part!r}")
        real.append(part)
        if last:
            node[part] = value
        else:
            if not isinstance(node.get(part), (dict, list)):
                node[part] = {}
            node = node[part]
    return tuple(real)


def _index(items: list[Any], part: str) -> int:
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("code") == part:
            return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    codes = [str(item.get("code")) for item in items if isinstance(item, dict) and "code" in item]
    raise ValueError(f"no candidate {part!r}; the scenario has {', '.join(codes) or 'none'}")
