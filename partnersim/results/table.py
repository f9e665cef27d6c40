"""One row per candidate per replication: the table behind replications.csv, event logs and DataFrames.

Built chunk by chunk from the engine's records with array operations; the
columns are plain lists and arrays, so writing CSV or building a DataFrame is
the caller's choice.
"""

from __future__ import annotations

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
        "end_date": [add_days(start, day).isoformat() for day in end.tolist()],
        "end_day": end,
        "stage_at_end": np.array(model.states, dtype=object)[records.last_state.reshape(flat)],
    }
    for stage in model.stages:
        result[f"days_{stage.name}"] = spent[:, :, model.stage_column(stage.index)].reshape(flat)
    for stage, allies in zip(model.consensus_stages, records.allies, strict=True):
        result[f"{stage.name}_last"] = codes[allies.last.reshape(flat)]
        result[f"{stage.name}_veto"] = codes[allies.veto.reshape(flat)]
        held = allies.held.reshape(flat, -1)
        text = np.full(flat, "", dtype=object)
        for row in np.flatnonzero(held.any(axis=1)).tolist():
            text[row] = ";".join(codes[np.flatnonzero(held[row])])
        result[f"{stage.name}_held"] = text
    return result


def text_rows(model: Model, records: Records) -> list[list[str]]:
    """The chunk's rows as text, days to two decimals and empty cells for stages not entered."""
    data = columns(model, records)
    out: list[list[str]] = []
    names = header(model)
    formatted: list[list[str]] = []
    for name in names:
        values = data[name]
        if name in ("opened_day", "end_day") or name.startswith("days_"):
            formatted.append(["" if v != v else f"{v:.2f}" for v in np.asarray(values, dtype=float).tolist()])
        else:
            formatted.append([str(v) for v in (values.tolist() if isinstance(values, np.ndarray) else values)])
    out = [list(row) for row in zip(*formatted, strict=True)]
    return out
