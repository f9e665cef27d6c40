"""Probabilities, whole numbers and the frozen model every part of a scenario is made of."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


def _whole_number(value: Any) -> Any:
    """``1e4`` (a float in YAML) and ``"10_000"`` (text, as the API may give it) are whole numbers too."""
    if isinstance(value, str):
        try:
            number = float(value.replace("_", ""))
        except ValueError:
            return value
        return int(number) if number.is_integer() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Count = Annotated[int, BeforeValidator(_whole_number), Field(strict=True)]


def finite(text: str) -> float:
    """The number written in ``text``; ValueError if it is not one, or not finite."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


class Frozen(BaseModel):
    """A part of a scenario: immutable, and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")
