"""``--set key.path=value``: a quick what-if without editing a file.

The value is read as YAML by the reader of scenario files, so ``0.5``,
``2026-06-01``, ``3w`` and ``{gamma: {mean: 1mo, cv: 0.5}}`` all mean what
they mean in a file, and what a file may not hold (a tag, a value nested too
deep) is refused here too.
Candidates are addressed by code (``candidates.BRA.request=2026-06-01``) or
by position, the allies of an ``alliance`` list by code, and the items of
other lists (blocs, elections) by position. The changed document is then
validated like any file, and a problem in an override names the override.

A value that YAML cannot read, or reads as something other than text where
text is expected (``[bold]x[/]``, ``- x``, ``010``), is refused with the
override written so that it means the text: ``--set 'name="010"'``. The
parent file (``extends``) is not a value of the scenario and cannot be set.
"""

from __future__ import annotations

import copy
import shlex
from typing import Any

from partnersim.errors import Problem, ScenarioError
from partnersim.scenario.yamlio import MAX_DEPTH, SYNTAX, KeyPath, dotted, parse_text, shortened

SOURCE = "--set"
PARENT = "a scenario's parent file cannot be changed with --set; write a what-if file that extends it"
QUOTE_TEXT = "put it in quotes to mean the text"
EXPECTED_TEXT = "expected text, got "  # how the loader starts the message about a value that is not text
# The lists a key path can step into, by where they are, and what one of their items is called.
LISTS: dict[tuple[str, ...], str] = {
    ("candidates",): "candidate",
    ("alliance",): "ally",
    ("blocs",): "bloc",
    ("calendar", "elections"): "election",
    ("calendar", "council", "holidays"): "holiday",
    ("calendar", "summits", "dates"): "summit date",
    ("partnership", "areas", "catalogue"): "area",
}
DEFAULTED = {("alliance",), ("partnership", "areas", "catalogue")}  # lists whose default is not empty


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
    if path[0] == "extends":
        # The files are read before any override; an extends set here would be recorded but never read.
        raise ScenarioError([Problem(SOURCE, None, "extends", PARENT)])
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
    """Why a value could not be read: at its place when it has one (nested too deep), else quoting it.

    A value that is not valid YAML is most often text that YAML reads otherwise
    (``[bold]x[/]``, ``%TAG``, ``*``), so the override that means the text is given.
    """
    if problem.path:
        return _located(path, problem)
    key = ".".join(path)
    if not problem.message.startswith(SYNTAX):  # a control character: quotes would not help
        return Problem(SOURCE, None, key, f"cannot read the value {raw!r}: {problem.message}")
    reason = problem.message.removeprefix(SYNTAX)
    why = f": {reason}" if reason else ""
    return Problem(SOURCE, None, key, f"cannot read the value {raw!r}{why}; {as_text(key, raw)}")


def as_text(key: str, raw: str) -> str:
    """``put it in quotes to mean the text: --set 'name="[bold]x[/]"'``: the override, written for a shell,
    whose value YAML reads as the text ``raw``."""
    quoted = '"' + raw.strip().replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{QUOTE_TEXT}: --set {shlex.quote(f'{key}={quoted}')}"


def quoting_hints(problems: list[Problem], changed: dict[KeyPath, str]) -> list[Problem]:
    """Problems of text fields set to something else, each with the override that means the text.

    ``changed`` maps each path an override set to the override's text. Only a
    problem at that very path is helped: inside a list or a mapping given as a
    value, the quotes belong to the part, which the user writes themselves.
    """
    by_path = {dotted(path): text for path, text in changed.items()}
    helped = []
    for problem in problems:
        text = by_path.get(problem.path) if problem.file == SOURCE else None
        if text is not None and problem.message.startswith(EXPECTED_TEXT):
            key, _, raw = text.partition("=")
            message = problem.message.removesuffix(f"; {QUOTE_TEXT}")
            problem = Problem(SOURCE, None, problem.path, f"{message}; {as_text(key.strip(), raw)}")
        helped.append(problem)
    return helped


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
            real_path = set_value(document, path, value)
        except ValueError as exc:
            problems.append(Problem(SOURCE, None, ".".join(path), str(exc)))
            continue
        changed[real_path] = text
    return document, changed, problems


def set_value(document: dict[str, Any], path: tuple[str, ...], value: Any, *, own: bool = False) -> tuple[Any, ...]:
    """Put ``value`` at ``path`` in a scenario's document (candidates and allies named by code), making the
    mappings on the way; the path as it was found (a code as its position). ``ValueError`` if it leads nowhere.

    With ``own``, each mapping and list on the way is copied first (shallow), so that a document that shares
    them with another (a copy of its top level) can be changed without changing the other."""
    node: Any = document
    real: list[Any] = []
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, list):
            index = _index(node, part, LISTS.get(tuple(real), "item"), ".".join(path[:depth]))
            real.append(index)
            if last:
                node[index] = value
            else:
                if own and isinstance(node[index], (dict, list)):
                    node[index] = copy.copy(node[index])
                node = node[index]
            continue
        if not isinstance(node, dict):
            raise ValueError(f"{'.'.join(path[:depth])} is not a mapping, so it has no key {part!r}")
        real.append(part)
        if last:
            node[part] = value
            continue
        child = node.get(part)
        if tuple(real) in LISTS and not isinstance(child, list):
            # Checked before anything is changed, so the document holds no half-made list.
            raise ValueError(_no_list(tuple(real), path[depth + 1], child))
        if not isinstance(child, (dict, list)):
            node[part] = {}
        elif own:
            node[part] = copy.copy(child)
        node = node[part]
    return tuple(real)


def _code(item: Any, noun: str) -> Any:
    """The code an item is addressed by: a candidate's or an ally's; an ally may be listed by its code alone."""
    if isinstance(item, dict):
        return item.get("code")
    return item if noun == "ally" and isinstance(item, str) else None


def _index(items: list[Any], part: str, noun: str, where: str) -> int:
    """The position of the item ``part`` names in ``items`` (the list at ``where``): by code, else by position."""
    for index, item in enumerate(items):
        if _code(item, noun) == part:
            return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    codes = [str(code) for code in (_code(item, noun) for item in items) if code is not None]
    if codes:
        held = f"the scenario has {', '.join(codes)}"
    elif not items:
        held = "the scenario has none"
    else:
        last = f" to {where}.{len(items) - 1}" if len(items) > 1 else ""
        article = "an" if noun[0] in "aeiou" else "a"
        held = f"{article} {noun} is given by its position, and the scenario has {where}.0{last}"
    raise ValueError(f"no {noun} {part!r}; {held}")


def _no_list(at: tuple[str, ...], part: str, held: Any) -> str:
    """Why ``at.part`` names nothing: the scenario has no list at ``at``."""
    noun, where = LISTS[at], ".".join(at)
    if isinstance(held, str):
        return f"no {noun} {part!r}; {where} is {held!r}, not a list"
    if held is None and at not in DEFAULTED:
        return f"no {noun} {part!r}; the scenario has none"
    return f"no {noun} {part!r}; the scenario does not list them; give the whole list: --set '{where}=[…]'"
