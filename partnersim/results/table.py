"""One row per candidate per replication: the table behind replications.csv, event logs and DataFrames.

Built chunk by chunk from the engine's records with array operations; the
columns are plain lists and arrays, so writing CSV or building a DataFrame is
the caller's choice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from partnersim.engine.model import Model
from partnersim.engine.records import Records
from partnersim.values.durations import add_days


def header(model: Model) -> list[str]:
    """The column names, in order."""
    names = ["replication", "candidate", "outcome", "opened_day", "end_date", "end_day", "stage_at_end"]
    names += [f"days_{stage.name}" for stage in model.stages]
    for stage in model.consensus_stages:
        names += [f"{stage.name}_last", f"{stage.name}_veto", f"{stage.name}_held"]
    return names


def columns(model: Model, records: Records) -> dict[str, Any]:
    """The chunk's rows as columns: replication-major, candidates in scenario order."""
    n_rep, n_cand = records.outcome.shape
    flat = n_rep * n_cand
    codes = np.array(model.ally_codes + [""], dtype=object)  # index -1 → ""
    spent = np.where(np.isnan(records.entry), np.nan, records.spent)
    start = model.scenario.start
    end = records.end.reshape(flat)
    result: dict[str, Any] = {
        "replication": np.repeat(np.arange(records.first, records.first + n_rep), n_cand),
        "candidate": np.tile(np.array(model.candidate_codes, dtype=object), n_rep),
        "outcome": np.array(model.outcomes, dtype=object)[records.outcome.reshape(flat)],
        "opened_day": records.opened.reshape(flat),
        "end_date": _dates(start, end),
        "end_day": end,
        "stage_at_end": np.array(model.states, dtype=object)[records.last_state.reshape(flat)],
    }
    for stage in model.stages:
        result[f"days_{stage.name}"] = spent[:, :, model.stage_column(stage.index)].reshape(flat)
    for stage, allies in zip(model.consensus_stages, records.allies, strict=True):
        result[f"{stage.name}_last"] = codes[allies.last.reshape(flat)]
        result[f"{stage.name}_veto"] = codes[allies.veto.reshape(flat)]
        result[f"{stage.name}_held"] = _held(allies.held.reshape(flat, -1), codes)
    return result


def _dates(start: dt.date, days: np.ndarray) -> list[str]:
    """The date ``add_days(start, day)`` of each day, written ISO: worked out once per whole day."""
    whole = np.floor(days)
    found, inverse = np.unique(whole, return_inverse=True)
    written = [add_days(start, day).isoformat() for day in found.tolist()]
    return [written[k] for k in inverse.ravel().tolist()]


def _held(held: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per row, the codes of the allies holding, joined by ``;`` ("" for none): worked out once per set of allies."""
    text = np.full(len(held), "", dtype=object)
    rows = np.flatnonzero(held.any(axis=1))
    if not len(rows):
        return text
    found, inverse = np.unique(np.packbits(held[rows], axis=1), axis=0, return_inverse=True)
    bits = np.unpackbits(found, axis=1, count=held.shape[1]).astype(bool)
    written = np.array([";".join(codes[np.flatnonzero(pattern)]) for pattern in bits], dtype=object)
    text[rows] = written[inverse.ravel()]
    return text


def text_rows(model: Model, records: Records) -> list[list[str]]:
    """The chunk's rows as text, days to two decimals and empty cells for stages not entered."""
    return list(map(list, zip(*text_columns(model, records), strict=True)))


def text_columns(model: Model, records: Records) -> list[list[str]]:
    """The cells of :func:`text_rows`, column by column in the order of :func:`header`."""
    data = columns(model, records)
    formatted: list[list[str]] = []
    for name in header(model):
        values = data[name]
        if name in ("opened_day", "end_day") or name.startswith("days_"):
            formatted.append(_two_places(np.asarray(values, dtype=float)))
        elif isinstance(values, np.ndarray) and values.dtype != object:
            formatted.append(list(map(str, values.tolist())))
        else:
            cells = values.tolist() if isinstance(values, np.ndarray) else list(values)
            if set(map(type, cells)) - {str}:
                cells = list(map(str, cells))
            formatted.append(cells)
    return formatted


def _two_places(values: np.ndarray) -> list[str]:
    """Each value with two decimals, "" for NaN (a stage not entered)."""
    missing = np.isnan(values)
    if not missing.any():
        return list(map(_TWO_PLACES, values.tolist()))
    cells = np.full(len(values), "", dtype=object)
    present = np.flatnonzero(~missing)
    cells[present] = list(map(_TWO_PLACES, values[present].tolist()))
    return cells.tolist()  # type: ignore[no-any-return]


_TWO_PLACES = "{:.2f}".format  # as f"{value:.2f}" writes it
