"""What a problem with a scenario (or a process file) is called: pydantic's errors in words, located.

Every message names the file, the line and the key path; unknown keys get a
"did you mean"; a value of the wrong shape is told what is expected.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import typing
from collections.abc import Mapping
from inspect import isclass
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from partnersim import kinds
from partnersim.errors import Problem
from partnersim.scenario.overrides import EXPECTED_TEXT, QUOTE_TEXT
from partnersim.scenario.yamlio import KeyPath, dotted
from partnersim.text import suggest
from partnersim.values.distributions import DATE_KINDS, DURATION_KINDS

# The type of the validation error that lists every rule a scenario broke (see scenario.rules).
BROKEN_RULES = "scenario_rules"
Origin = tuple[str, int]
Origins = dict[KeyPath, Origin]

PROBABILITY_KEYS = {*kinds.PROBABILITY_KEYS, "strength"}  # a stage kind's, and a bloc's strength
# Keys whose value is a plain number; pydantic would quietly take true and false for 1 and 0.
NUMBER_KEYS = PROBABILITY_KEYS | {"annual_rate", "cv", "shape", "mu", "sigma", "added_per_year"}
DISTRIBUTION_KINDS = set(DURATION_KINDS) | set(DATE_KINDS)
DATE_HINT = (
    "expected a date (such as 2026-01-31) or a one-key mapping such as "
    "{uniform: [2026-01-01, 2028-01-01]}"
)
DISTRIBUTION_HINT = (
    "expected a duration (such as 3w) or a one-key mapping naming a distribution, "
    "such as {lognormal: {median: 3w, p90: 10w}}"
)



class Locator:
    """Finds the file and line of a key path, falling back to its nearest parent."""

    def __init__(self, origins: Origins, fallback: str) -> None:
        self.origins = origins
        self.fallback = fallback

    def problem(self, path: KeyPath, message: str) -> Problem:
        for end in range(len(path), -1, -1):
            origin = self.origins.get(path[:end])
            if origin is not None:
                return Problem(origin[0], origin[1] or None, dotted(path), message)
        return Problem(self.fallback, None, dotted(path), message)


def problems(
    exc: ValidationError, prefix: KeyPath, model: type[BaseModel], data: Any, where: Locator
) -> list[Problem]:
    """Each of pydantic's errors, and each rule a scenario broke, as a located problem."""
    found = []
    for error in exc.errors(include_url=False):
        if error["type"] == BROKEN_RULES:
            found += [where.problem((*prefix, *path), message) for path, message in error["ctx"]["found"]]
            continue
        loc = clean_loc(error["loc"], data)
        found.append(where.problem((*prefix, *loc), _message(error, loc, model)))
    return found


def option_problems(exc: ValidationError, data: Mapping[str, Any], model: type[BaseModel]) -> list[Problem]:
    """Pydantic's errors about a scenario's top-level values given as options (``-n``), each named ``--KEY``."""
    found = problems(exc, (), model, data, Locator({}, "--"))
    return [Problem(f"--{p.path.split('.')[0]}", None, "", p.message) for p in found]


def clean_loc(loc: tuple[Any, ...], data: Any) -> KeyPath:
    """Drop pydantic's internal steps (union tags, validator names) from an error path."""
    cleaned: list[str | int] = []
    node = data
    for part in loc:
        is_key = isinstance(node, dict) and part in node  # a key of the file may hold a [ too
        if isinstance(part, str) and ("[" in part or part.startswith("function-")) and not is_key:
            continue
        if cleaned and part == cleaned[-1] and not (isinstance(node, dict) and part in node):
            continue
        if part == "fixed" and not (isinstance(node, dict) and "fixed" in node):
            continue
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
        cleaned.append(part)
    return tuple(cleaned)


# --- pydantic's errors in words: one handler per error type -----------------------------------

Error = Mapping[str, Any]


_UNKNOWN = "unknown key "


def _unknown_key(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    key = str(loc[-1]) if loc else "?"
    allowed = _keys_at(model, loc[:-1])
    hint = suggest(key, allowed)
    listing = f"; expected one of: {', '.join(allowed)}" if allowed and not hint else ""
    return f"{_UNKNOWN}{key!r}{hint}{listing}"


def is_unknown_key(message: str) -> bool:
    """Whether a problem's message says that a key path names no setting."""
    return message.startswith(_UNKNOWN)


def _missing(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    if loc and isinstance(loc[-1], int):
        shape = _LIST_SHAPES.get(str(loc[-2]) if len(loc) > 1 else "")
        return f"expected {shape}" if shape else "this list is too short"
    return "required key is missing"


def _text_too_long(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    most = error.get("ctx", {}).get("max_length", 0)
    return f"expected at most {most:,} characters, got {len(error.get('input') or ''):,}"


def _length(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    parent = str(loc[-1]) if loc else ""
    if parent in _LIST_SHAPES:
        return f"expected {_LIST_SHAPES[parent]}"
    ctx = error.get("ctx", {})
    if error["type"] == "too_short":
        least = ctx.get("min_length", 1)
        return f"expected at least {least} item{'s' if least != 1 else ''}, got {ctx.get('actual_length', 0)}"
    if isinstance(error.get("input"), str):
        return f"expected at most {ctx.get('max_length', 0):,} characters, got {len(error['input']):,}"
    items = "candidates" if parent == "candidates" else "items"
    return f"expected at most {ctx.get('max_length')} {items}, got {ctx.get('actual_length')}"


def _unknown_distribution(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    tag = str(error.get("ctx", {}).get("tag", ""))
    expected = str(error.get("ctx", {}).get("expected_tags", "")).replace("'", "")
    return f"unknown distribution {tag!r}{suggest(tag, expected.split(', '))}; expected one of: {expected}"


def _no_distribution(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    return DATE_HINT if "request" in loc else DISTRIBUTION_HINT


def _bound(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    if error["type"] in ("less_than_equal", "greater_than_equal") and _is_probability(loc):
        return f"must be a probability between 0 and 1, got {_as_yaml(error.get('input'))}"
    text = str(error["msg"])
    return f"{text[0].lower()}{text[1:]}, got {_as_yaml(error.get('input'))}"


def _pattern(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    if loc and loc[-1] == "code":
        return f"expected a three-letter ISO 3166 code in capitals, such as ARG, got {_as_yaml(error.get('input'))}"
    return _plain_text(error, loc, model)


def _not_mapping(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    return f"expected a mapping of keys, got {_as_yaml(error.get('input'))}"


def _not_whole(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    return f"expected a whole number, got {_as_yaml(error.get('input'))}"


def _not_number(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    return number_message(loc, error.get("input"), finite=error["type"] == "finite_number")


def _not_text(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    given = error.get("input")
    # YAML read a plain value as a number, a boolean or a date; written in quotes it is the text.
    quote = f"; {QUOTE_TEXT}" if isinstance(given, (bool, int, float, dt.date)) else ""
    return f"{EXPECTED_TEXT}{_as_yaml(given)}{quote}"


def _not_list(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    return f"expected a list (items on lines that start with '- ', or in [ ]), got {_as_yaml(error.get('input'))}"


def _not_allowed(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    expected = str(error.get("ctx", {}).get("expected", ""))
    given = error.get("input")
    hint = suggest(given, re.findall(r"'([^']*)'", expected)) if isinstance(given, str) else ""
    return f"expected {expected}, got {_as_yaml(given)}{hint}"


def _plain_text(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    """Our own validators' messages (``Value error, …``), and pydantic's own for the rest."""
    text = str(error["msg"])
    if text.startswith("Value error, "):
        return _value_error(text[len("Value error, "):], error.get("input"))
    if text.startswith("Assertion failed, "):
        text = text[len("Assertion failed, "):]
    return text[0].lower() + text[1:] if text else str(error["type"])


_HANDLERS = {
    "extra_forbidden": _unknown_key,
    "missing": _missing,
    "string_too_long": _text_too_long,
    "too_short": _length,
    "too_long": _length,
    "union_tag_invalid": _unknown_distribution,
    "union_tag_not_found": _no_distribution,
    "less_than_equal": _bound,
    "greater_than_equal": _bound,
    "less_than": _bound,
    "greater_than": _bound,
    "string_pattern_mismatch": _pattern,
    "model_type": _not_mapping,
    "dict_type": _not_mapping,
    "model_attributes_type": _not_mapping,
    "int_type": _not_whole,
    "int_parsing": _not_whole,
    "int_from_float": _not_whole,
    "float_type": _not_number,
    "float_parsing": _not_number,
    "finite_number": _not_number,
    "string_type": _not_text,
    "list_type": _not_list,
    "tuple_type": _not_list,
    "literal_error": _not_allowed,
}


def _message(error: Error, loc: KeyPath, model: type[BaseModel]) -> str:
    return _HANDLERS.get(error["type"], _plain_text)(error, loc, model)


def _is_probability(loc: KeyPath) -> bool:
    """A probability key, or a value that is one by where it sits (a summit wait, an election's hold)."""
    if not loc:
        return False
    return (loc[-1] in PROBABILITY_KEYS or "wait" in loc[-2:-1]
            or ("elections" in loc and "hold" in loc[-2:]))


def number_message(loc: KeyPath, value: Any, *, finite: bool = False) -> str:
    """A number was expected: say so, and help with ``50%`` or ``yes``."""
    written = _as_yaml(value)
    if _is_probability(loc):
        text = f"must be a probability between 0 and 1, got {written}"
        if isinstance(value, str) and value.strip().endswith("%"):
            try:
                share = float(value.strip()[:-1]) / 100
            except ValueError:
                return text
            return f"{text}; write {share:g} for {value.strip()}"
        return text
    return f"expected a{' finite' if finite else ''} number, got {written}"


_LIST_SHAPES = {
    "uniform": "two values: [low, high]",
    "triangular": "three values: [low, most likely, high]",
    "pert": "three values: [low, most likely, high]",
}


def _as_yaml(value: Any) -> str:
    """A value as the user wrote it in YAML, for messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, (dict, list, tuple)):
        text = yaml.safe_dump(_plain(value), default_flow_style=True, width=10_000, allow_unicode=True).strip()
        return text if len(text) <= 60 else text[:57] + "..."
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:50] + '…'!r} ({len(value):,} characters)"
    return repr(value)


def _plain(value: Any) -> Any:
    """Lists and mappings with text keys, so that they print as the YAML the user wrote."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _value_error(text: str, value: Any) -> str:
    """Our validators' messages end in ``got <repr>``; show the value as YAML has it."""
    marker = ", got "
    if text.endswith(marker + repr(value)) and not isinstance(value, (dict, list, tuple)):
        text = text[: text.rindex(marker)] + marker + _as_yaml(value)
    return text[0].lower() + text[1:] if text else text


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        return tp


@functools.cache
def _model_hints(model: type[BaseModel]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(model, include_extras=True)
    except Exception:  # pragma: no cover - defensive: hints are only for suggestions
        return {}


def _keys_at(tp: Any, path: KeyPath) -> list[str]:
    """The keys a user may write at ``path`` below type ``tp`` (for "did you mean")."""
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        options = [_unwrap(arg) for arg in typing.get_args(tp)]
        for option in options:
            if path and isclass(option) and issubclass(option, BaseModel) and path[0] in option.model_fields:
                return _keys_at(option, path)
        merged: list[str] = []
        for option in options:
            merged += [key for key in _keys_at(option, path) if key not in merged]
        return merged
    if origin in (list, tuple):
        args = typing.get_args(tp)
        return _keys_at(args[0], path[1:]) if args and path else []
    if origin is dict:
        args = typing.get_args(tp)
        return _keys_at(args[1], path[1:]) if args and path else []
    if not (isclass(tp) and issubclass(tp, BaseModel)):
        return []
    hints = _model_hints(tp)
    if not path:
        return [name for name in tp.model_fields if name != "kind"]
    head = path[0]
    if head in tp.model_fields:
        return _keys_at(hints.get(str(head), tp.model_fields[str(head)].annotation), path[1:])
    extra = hints.get("__pydantic_extra__")
    if extra is not None:
        return _keys_at(extra, path)
    return []
