"""Reading YAML safely, remembering the line of every key.

PyYAML's safe loader builds the node tree, so tags such as ``!!python/object``
can never run code. We construct plain Python values from the nodes ourselves
to keep a map from key path (``("allies", "TUR", "hold")``) to line number,
which is what lets every error name its line.

Plain values are read as YAML 1.2's core schema reads them, not as YAML 1.1
does: ``yes``, ``no``, ``on`` and ``off`` are text, ``1:30`` is text (not 90)
and ``010`` is ten (not eight). Dates stay dates, as the scenario format
needs. A value may not carry a tag: ``!!str 0.5`` or ``!!int 2024-04-18``
would change what a value is, quietly, so each is refused where it stands.

A scenario file is written by hand, but it may also be a file that was never
meant to be one, or one built to do harm. Before the tree is built, the file's
events are read once to check its size, its nesting and how far its aliases
(``*name``) would expand it, so that a "billion laughs" file or one nested
thousands of levels deep is a one-line problem, not a hang or a crash.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from partnersim import files
from partnersim.errors import MAX_FILE, Problem, ScenarioError

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 50
SYNTAX = "YAML syntax: "

KeyPath = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_CORE + "map", _CORE + "seq"}
# Scalars a scenario may hold; !!binary, !!python/... and custom tags are refused.
_SCALAR_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_TAGS = _PLAIN_TAGS | _SCALAR_TAGS
_MERGE = _CORE + "merge"
_KEY_TAGS = _SCALAR_TAGS | {_MERGE}
TAGGED_VALUE = "is not allowed in a scenario file; remove it (to mean text, put the value in quotes)"


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, reading plain values as YAML 1.2's core schema does, and noting explicit tags."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # only those added below, none of YAML 1.1's

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.written_tags: dict[int, str] = {}  # id of a scalar node → the tag written on it

    def compose_scalar_node(self, anchor: Any) -> yaml.ScalarNode:
        written = self.peek_event().tag
        node = super().compose_scalar_node(anchor)
        if written is not None:
            self.written_tags[id(node)] = written
        return node


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """A whole number as YAML 1.2 writes it: decimal (``010`` is ten), ``0o17`` or ``0x1F``."""
    text = str(loader.construct_scalar(node)).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if text.startswith(("0o", "0x")):
        return sign * int(text[2:], 8 if text[1] == "o" else 16)
    return sign * int(text)


_DIGITS = r"[0-9]+(?:_[0-9]+)*"
# YAML 1.2's core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), with two additions:
# - digits may be grouped with underscores (10_000). The core schema reads that as text, but
#   nobody writes it meaning text, YAML 1.1 and Python read it as the number, and a count or a
#   duration written so would otherwise fail for no reason a reader could see;
# - dates and timestamps (YAML 1.1's), which the scenario format is written in.
# Booleans are true and false only; there is no sexagesimal (1:30) and no octal with a leading 0.
for _tag, _pattern, _first in (
    ("bool", r"(?:true|True|TRUE|false|False|FALSE)", "tTfF"),
    ("int", rf"(?:[-+]?{_DIGITS}|0o[0-7]+|0x[0-9a-fA-F]+)", "-+0123456789"),
    ("float", rf"(?:[-+]?(?:\.{_DIGITS}|{_DIGITS}(?:\.(?:{_DIGITS})?)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))", "-+.0123456789"),
    ("null", r"(?:~|null|Null|NULL|)", ["~", "n", "N", ""]),
    ("timestamp", r"""(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                      |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
                       (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
                       (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)""", "0123456789"),
    ("merge", r"<<", "<"),
):
    _Loader.add_implicit_resolver(_CORE + _tag, re.compile(rf"^{_pattern}\Z", re.X), list(_first))
_Loader.add_constructor(_CORE + "int", _construct_int)


def _read_as(value: str) -> str | None:
    """The tag this reader gives ``value`` written plain, or None for text."""
    for tag, pattern in _Loader.yaml_implicit_resolvers.get(value[:1], []):
        if pattern.match(value):
            return str(tag)
    return None


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting text that YAML 1.1 or this reader (YAML 1.2) would take for another type."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        tag = super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode and implicit[0] and tag == self.DEFAULT_SCALAR_TAG:
            return _read_as(value) or tag
        return tag


def dump_yaml(data: Any) -> str:
    """``data`` as YAML that reads back the same here and in a YAML 1.1 reader: ``"1e4"`` stays text.

    PyYAML's own dumper leaves ``1e4`` or ``0o17`` plain, which YAML 1.2 reads
    as numbers; a scenario kept in a run folder must read back as itself.
    """
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


@dataclass
class Document:
    """What a file holds: its value, the line of each key path, and what was refused.

    A refused value (a forbidden tag, say) is replaced by None and its path is
    in ``dropped``, so the loader can report the file's other problems too
    without a second, confusing message about the same value.
    """

    value: Any
    lines: dict[KeyPath, int]
    problems: list[Problem]
    dropped: set[KeyPath]


def read_yaml(path: Path, shown: str) -> tuple[Any, dict[KeyPath, int]]:
    """The document in ``path`` and the line of each key path in it.

    ``shown`` is how the file is named in messages. Raises :class:`ScenarioError`.
    """
    document = parse_yaml(path, shown)
    if document.problems:
        raise ScenarioError(document.problems)
    return document.value, document.lines


def parse_yaml(path: Path, shown: str) -> Document:
    """The file read as far as it can be; raises :class:`ScenarioError` only when nothing can be."""
    try:
        source = read_source(path)
    except Unreadable as exc:
        raise _fail(shown, exc.reason) from None
    return parse_source(source, shown)


def parse_source(source: Source, shown: str) -> Document:
    """The document in the bytes of a file (see :func:`read_source`), read as far as it can be."""
    document = parse_text(_decoded(source, shown), shown)
    if document is None:
        raise _fail(shown, "the file is empty")
    return document


def parse_text(text: str, shown: str, noun: str = "document") -> Document | None:
    """The YAML in ``text`` read as far as it can be, or None when it holds no value.

    ``shown`` names the source in messages and ``noun`` is what the text is
    called in them: a file's "document", or a ``--set`` "value". Raises
    :class:`ScenarioError` only when nothing can be read (a syntax error, a
    value too deep or too large).
    """
    try:
        _check_events(text, noun)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except _TooMuch as exc:
        raise _fail(shown, exc.message, exc.line, shortened(exc.path)) from None
    except yaml.reader.ReaderError as exc:
        what = "file" if noun == "document" else noun
        raise _fail(
            shown,
            f"the {what} contains a control character (#x{exc.character:04x}) that a text file should not hold",
            text[: exc.position].count("\n") + 1,
        ) from None
    except yaml.MarkedYAMLError as exc:
        message, where = _syntax(exc, text, one_line=noun != "document")
        # PyYAML's own words name its parser's tokens ('<document start>', '\x00'); a file's
        # line still points at the mistake, but a one-line value gets only what is explained.
        if message is None:
            message = "" if noun != "document" else exc.problem or "not valid YAML"
        raise _fail(shown, f"{SYNTAX}{message}", where) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error above has a mark
        raise _fail(shown, f"{SYNTAX}{str(exc).splitlines()[0]}") from None
    if node is None:
        return None
    builder = _Builder(shown, loader)
    value = builder.build(node, ())
    return Document(value, builder.lines, builder.problems, builder.dropped)


def _fail(shown: str, message: str, line: int | None = None, key: KeyPath = ()) -> ScenarioError:
    return ScenarioError([Problem(shown, line, _dotted(key), message)])


# --- reading a file: a regular one only, and never blocking -------------------------------


class Unreadable(Exception):
    """A path that names no regular file that can be read; ``reason`` says why, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Source:
    """The bytes of a scenario file (at most one past the limit), its size, and which file it is."""

    raw: bytes
    size: int
    identity: tuple[int, int]  # device and inode: the same file under any name or link


def read_source(path: Path) -> Source:
    """The bytes of ``path`` if it is a regular file; raises :class:`Unreadable` if it is not.

    A named pipe opened for reading waits for a writer and a device may never
    end, so neither is opened: the path is checked first, then opened without
    blocking, and what was opened is checked again before a byte is read (the
    path may have changed in between).
    """
    try:
        with files.open_regular(path) as stream:
            status = os.fstat(stream.fileno())
            # One byte past the limit is enough to know the file is too large.
            raw = stream.read(MAX_FILE_BYTES + 1)
    except files.NotRegular as exc:
        raise Unreadable(f"{exc.kind}, not a scenario file") from None
    except ValueError:  # os.stat's "embedded null byte"
        raise Unreadable("the path contains a NUL byte") from None
    except FileNotFoundError:
        raise Unreadable("no such file") from None
    except OSError as exc:
        raise Unreadable(f"cannot read the file ({exc.strerror or exc})") from None
    return Source(raw, status.st_size, (status.st_dev, status.st_ino))


def _decoded(source: Source, shown: str) -> str:
    raw = source.raw
    if len(raw) > MAX_FILE_BYTES:
        size = source.size
        shown_size = f"{size / 1e6:.1f} MB" if size > MAX_FILE_BYTES else f"more than {MAX_FILE_BYTES / 1e6:.0f} MB"
        raise _fail(shown, f"the file is {shown_size}; scenario files are limited to {MAX_FILE_BYTES / 1e6:.0f} MB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(shown, "the file is not UTF-8 text; save it as UTF-8", line) from None


# --- syntax errors in words a user can act on --------------------------------------------


def _syntax(exc: yaml.MarkedYAMLError, text: str, *, one_line: bool = False) -> tuple[str | None, int | None]:
    """A message and a line for a YAML syntax error; the message is None when there is no
    explanation in words beyond PyYAML's own. In ``one_line`` text (a ``--set`` value) a tab
    is not indentation."""
    problem = exc.problem or "not valid YAML"
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    opened = exc.context_mark.line + 1 if exc.context_mark is not None else line
    if "\t" in text and one_line:
        return None, line
    if "\t" in text and "tab" in problem.lower() or "found character '\\t'" in problem:
        return "a tab is used for indentation; indent with spaces", line
    if "quoted scalar" in context and "end of stream" in problem:
        return "a quotation mark on this line is never closed", opened
    if "flow" in context and problem.startswith("expected ','"):
        bracket = "[" if "sequence" in context else "{"
        closing = "]" if bracket == "[" else "}"
        if "<stream end>" in problem or opened != line:
            return f"a {bracket} on this line is never closed with {closing}", opened
        return f"in the {bracket} {closing} on this line, a comma between items or the closing {closing} is missing", line
    if problem == "mapping values are not allowed here":
        return (
            "a ': ' where a value was expected; put text that contains ': ' in quotes, "
            "or check the indentation", line
        )
    if problem.startswith("expected <block end>"):
        found = problem.rsplit("but found ", 1)[-1].strip("'")
        if found in ("]", "}"):
            return f"this {found} closes nothing that was opened", line
        return "this line is not indented like the lines above it", line
    if "but found another document" in problem:
        return "the file holds a second document (after a line of ---); a scenario is one document", line
    return None, line


# --- checks on the event stream, before any tree is built -------------------------------


class _TooMuch(Exception):
    def __init__(self, message: str, line: int, path: KeyPath) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


@dataclass
class _Frame:
    path: KeyPath
    anchor: str | None
    mapping: bool
    size: int = 1  # nodes in this collection, itself included, aliases expanded
    items: int = 0  # for a mapping, keys and values both count
    key: str | None = None


def _check_events(text: str, noun: str = "document") -> None:
    """Refuse a document that is too deep, too large, or that aliases would blow up.

    PyYAML builds its tree recursively and shares aliased nodes, so a file nested
    thousands of levels deep overflows the stack, and nine lines of aliases stand
    for a billion values. Counting here, with expanded aliases, stops both.
    """
    loader = yaml.SafeLoader(text)
    sizes: dict[str, int] = {}
    stack: list[_Frame] = []
    total = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                frame = stack.pop()
                if frame.anchor is not None:
                    sizes[frame.anchor] = frame.size
                if stack:
                    stack[-1].size += frame.size
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            path = _event_path(stack, event)
            if stack:
                _advance(stack[-1], event)
            if isinstance(event, yaml.AliasEvent):
                if any(frame.anchor == event.anchor for frame in stack):
                    raise _TooMuch(
                        f"the alias *{event.anchor} refers to the list or mapping it is part of", line, path
                    )
                added = sizes.get(event.anchor or "", 1)
            else:
                added = 1
            total += added
            if total > MAX_NODES:
                reason = (
                    f"the alias *{event.anchor} expands the document to more than {MAX_NODES:,} values"
                    if isinstance(event, yaml.AliasEvent)
                    else f"the {noun} holds more than {MAX_NODES:,} values"
                )
                raise _TooMuch(f"{reason}; a scenario file needs far fewer", line, path)
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise _TooMuch(
                        f"the {noun} is nested more than {MAX_DEPTH} levels deep here; "
                        "a scenario file needs far fewer", line, path,
                    )
                stack.append(_Frame(path, event.anchor, isinstance(event, yaml.MappingStartEvent)))
                continue
            if stack:
                stack[-1].size += added
            if isinstance(event, yaml.ScalarEvent) and event.anchor is not None:
                sizes[event.anchor] = 1
    finally:
        loader.dispose()


def _event_path(stack: list[_Frame], event: yaml.Event) -> KeyPath:
    """The key path of the node an event starts (for a key, its mapping's path)."""
    if not stack:
        return ()
    frame = stack[-1]
    if frame.mapping:
        if frame.items % 2 == 0 or frame.key is None:
            return frame.path  # a key, or the value of a key that is not plain text
        return (*frame.path, frame.key)
    return (*frame.path, frame.items)


def _advance(frame: _Frame, event: yaml.Event) -> None:
    """Note that ``frame`` has one more item (for a mapping: a key or a value)."""
    if frame.mapping and frame.items % 2 == 0:
        frame.key = event.value if isinstance(event, yaml.ScalarEvent) else None
    frame.items += 1


def shortened(path: KeyPath, keep: int = 4) -> KeyPath:
    """A key path short enough to read: a document nested 50 deep has 50 parts."""
    return path if len(path) <= keep + 1 else (*path[:keep], "…")


# --- building plain values from the node tree ---------------------------------------------


class _Builder:
    """Plain values from PyYAML's node tree, with the line of every key path."""

    def __init__(self, shown: str, loader: _Loader) -> None:
        self.shown = shown
        self.loader = loader
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[Problem] = []
        self.dropped: set[KeyPath] = set()
        self.nodes = 0

    def problem(self, node: yaml.Node, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(self.shown, node.start_mark.line + 1, _dotted(path), message))

    def refuse(self, node: yaml.Node, path: KeyPath, message: str) -> None:
        self.problem(node, path, message)
        self.dropped.add(path)

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or len(path) > MAX_DEPTH:
            # The event checks stop such documents first; this keeps the walk bounded regardless.
            if self.nodes == MAX_NODES + 1 or len(path) == MAX_DEPTH + 1:
                self.refuse(node, shortened(path), "the document is too large or too deeply nested")
            return None
        self.lines.setdefault(path, node.start_mark.line + 1)
        if node.tag not in _ALLOWED_TAGS:
            self.refuse(node, path, f"the tag {_short(node.tag)} is not allowed in a scenario file")
            return None
        written = self.loader.written_tags.get(id(node))
        if written is not None:
            self.refuse(node, path, f"the tag {_short(written)} {TAGGED_VALUE}")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node, path)

    def mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        """A mapping's keys and values; ``<<: *base`` merges keys the mapping does not give itself."""
        result: dict[str, Any] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE and id(key_node) not in self.loader.written_tags:
                merged += self.merge_pairs(value_node, path)
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            key_path = (*path, key)
            if key in result:
                self.problem(key_node, key_path, "duplicate key")
                continue
            self.lines[key_path] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, key_path)
        for key_node, value_node in merged:
            key = self.key(key_node, path)
            if key is None or key in result:
                continue  # the mapping's own keys win, and the first merged mapping over later ones
            key_path = (*path, key)
            self.lines[key_path] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, key_path)
        return result

    def merge_pairs(self, value: yaml.Node, path: KeyPath, depth: int = 0) -> list[tuple[yaml.Node, yaml.Node]]:
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode) or depth > MAX_DEPTH:
                self.problem(value, (*path, "<<"), "expected an alias of a mapping (such as *defaults) or a list of them")
                return []
            for key_node, value_node in source.value:
                if key_node.tag == _MERGE:
                    pairs += self.merge_pairs(value_node, path, depth + 1)
                else:
                    pairs.append((key_node, value_node))
        return pairs

    def key(self, node: yaml.Node, path: KeyPath) -> str | None:
        """A key as text, exactly as written: ``1.0``, ``yes`` and ``null`` are names too."""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, path, "a key must be plain text")
            return None
        if node.tag not in _KEY_TAGS:
            self.problem(node, path, f"the tag {_short(node.tag)} is not allowed in a scenario file")
            return None
        written = self.loader.written_tags.get(id(node))
        if written is not None:
            self.problem(node, path, f"the tag {_short(written)} {TAGGED_VALUE}")
            return None
        return str(node.value)

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.refuse(node, path, f"cannot read this value ({exc.problem})")
            return None
        except (ValueError, OverflowError):
            # e.g. 2024-13-01 looks like a date but is not one: keep the text, and the
            # schema reports it with the other problems of the file.
            return node.value


def _dotted(path: KeyPath) -> str:
    return ".".join(str(part) for part in path)


def dotted(path: KeyPath) -> str:
    """``allies.TUR.hold`` or ``candidates.0.request``: a key path as users write it."""
    return _dotted(path)


def _short(tag: str | None) -> str:
    return (tag or "").replace(_CORE, "!!")


def shown_path(path: Path) -> str:
    """How a file is named in messages: as written (links are not followed), from the working folder
    when it is below it, and never endless."""
    try:
        text = str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except (ValueError, OSError):  # outside the working folder, or the working folder is gone
        text = str(path)
    return text if len(text) <= MAX_FILE else "…" + text[-(MAX_FILE - 1):]
