"""Reading YAML safely, remembering the line of every key.

PyYAML's safe loader builds the node tree, so tags such as ``!!python/object``
can never run code. We construct plain Python values from the nodes ourselves
to keep a map from key path (``("allies", "TUR", "hold")``) to line number,
which is what lets every error name its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from partnersim.errors import Problem, ScenarioError

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 50

KeyPath = tuple[str | int, ...]
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Limits:
    def __init__(self) -> None:
        self.nodes = 0


def read_yaml(path: Path, shown: str) -> tuple[Any, dict[KeyPath, int]]:
    """The document in ``path`` and the line of each key path in it.

    ``shown`` is how the file is named in messages. Raises :class:`ScenarioError`.
    """

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(shown, line, "", message)])

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as exc:
        raise fail(f"cannot read the file ({exc.strerror})") from None
    if path.is_dir():
        raise fail("is a folder, not a scenario file")
    if size > MAX_FILE_BYTES:
        raise fail(
            f"the file is {size / 1e6:.1f} MB; scenario files are limited to "
            f"{MAX_FILE_BYTES / 1e6:.0f} MB"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read the file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail("the file is not UTF-8 text; save it as UTF-8", line) from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + 1 if mark is not None else None
        message = exc.problem or "not valid YAML"
        if "\t" in text and "tab" in message.lower() or "found character '\\t'" in message:
            message = "a tab is used for indentation; indent with spaces"
        raise fail(f"YAML syntax: {message}", where) from None
    except yaml.YAMLError as exc:
        raise fail(f"YAML syntax: {exc}") from None
    if node is None:
        raise fail("the file is empty")
    lines: dict[KeyPath, int] = {}
    problems: list[Problem] = []
    value = _build(node, (), lines, problems, shown, loader, _Limits())
    if problems:
        raise ScenarioError(problems)
    return value, lines


def _build(
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    problems: list[Problem],
    shown: str,
    loader: yaml.SafeLoader,
    limits: _Limits,
) -> Any:
    limits.nodes += 1
    line = node.start_mark.line + 1
    if limits.nodes > MAX_NODES or len(path) > MAX_DEPTH:
        if limits.nodes == MAX_NODES + 1 or len(path) == MAX_DEPTH + 1:
            problems.append(
                Problem(shown, line, _dotted(path), "the document is too large or too deeply nested")
            )
        return None
    lines.setdefault(path, line)
    if isinstance(node, yaml.CollectionNode) and node.tag not in _PLAIN_TAGS:
        problems.append(
            Problem(shown, line, _dotted(path), f"the tag {_short(node.tag)} is not allowed in a scenario file")
        )
        return None
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, path, problems, shown, loader)
            if key is None:
                continue
            key = str(key)
            key_path = (*path, key)
            if key in result:
                problems.append(
                    Problem(shown, key_node.start_mark.line + 1, _dotted(key_path), "duplicate key")
                )
                continue
            lines[key_path] = key_node.start_mark.line + 1
            result[key] = _build(value_node, key_path, lines, problems, shown, loader, limits)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), lines, problems, shown, loader, limits)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node, path, problems, shown, loader)


def _scalar(
    node: yaml.Node, path: KeyPath, problems: list[Problem], shown: str, loader: yaml.SafeLoader
) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        problems.append(
            Problem(shown, node.start_mark.line + 1, _dotted(path), "a key must be plain text")
        )
        return None
    try:
        return loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        tag = node.tag
        message = (
            f"the tag {_short(tag)} is not allowed in a scenario file"
            if tag and not tag.startswith("tag:yaml.org,2002:")
            or "python" in (tag or "")
            else f"cannot read this value ({exc.problem})"
        )
        problems.append(Problem(shown, node.start_mark.line + 1, _dotted(path), message))
        return None
    except ValueError:
        # e.g. 2024-13-01 looks like a date but is not one: keep the text, and the
        # schema reports it with the other problems of the file.
        return node.value


def _dotted(path: KeyPath) -> str:
    return ".".join(str(part) for part in path)


def dotted(path: KeyPath) -> str:
    """``allies.TUR.hold`` or ``candidates.0.request``: a key path as users write it."""
    return _dotted(path)


def _short(tag: str | None) -> str:
    return (tag or "").replace("tag:yaml.org,2002:", "!!")
