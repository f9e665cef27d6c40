"""Results for analysts' own tools: pandas DataFrames and chart methods.

pandas is imported only here, when a DataFrame is asked for; charts are
looked up in the chart registry when one is drawn. Dates are pandas
datetimes (``datetime64[s]``, which reaches past the year 2262), a date not
reached by the horizon ``NaT``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from partnersim.errors import PartnersimError

if TYPE_CHECKING:
    from partnersim.results.summary import Results


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise PartnersimError("DataFrames need pandas: pip install 'partnersim[frames]'") from None
    return pandas


def to_frame(results: Results, per: str = "candidate") -> Any:
    """A tidy DataFrame of ``results``; see :meth:`Results.to_frame`."""
    pandas = _pandas()
    if per == "candidate":
        rows = [_candidate_row(results, c) for c in results.candidates]
        dates = [f"{key.lower()}_date" for key in results.candidates[0].dates] if results.candidates else []
        return rows_frame(rows, dates)
    if per == "replication":
        if results.rows is None:
            raise PartnersimError(
                "these results kept no per-replication rows: run simulate(..., keep_rows=True), "
                "or read replications.csv from a run folder"
            )
        frame = pandas.DataFrame(results.rows)
        frame["end_date"] = datetimes(frame["end_date"])
        return frame
    raise PartnersimError(f"per must be 'candidate' or 'replication', got {per!r}")


def rows_frame(rows: Sequence[dict[str, Any]], dates: Iterable[str] = (), numbers: Iterable[str] = ()) -> Any:
    """A DataFrame of ``rows``; the columns ``dates`` as datetimes (a date, an ISO text, or None or "" for
    none) and the columns ``numbers`` as floats ("" for none)."""
    pandas = _pandas()
    frame = pandas.DataFrame(list(rows))
    for column in dates:
        if column in frame:
            frame[column] = datetimes(frame[column])
    for column in numbers:
        if column in frame:
            frame[column] = [math.nan if value in ("", None) else float(value) for value in frame[column]]
    return frame


def datetimes(values: Iterable[Any]) -> Any:
    """Dates (``datetime.date``, ISO text, or None or "" for none) as a NumPy ``datetime64[s]`` array."""
    import numpy as np

    texts = [value.isoformat() if isinstance(value, dt.date) else value or "NaT" for value in values]
    return np.array(texts, dtype="datetime64[D]").astype("datetime64[s]")


def _candidate_row(results: Results, candidate: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"code": candidate.code, "name": candidate.name, "replications": results.replications}
    for outcome in results.outcome_names:
        estimate = candidate.outcomes[outcome]
        row[f"p_{outcome}"] = estimate.p
        row[f"p_{outcome}_low"] = estimate.low
        row[f"p_{outcome}_high"] = estimate.high
    for key, date in candidate.dates.items():
        row[f"{key.lower()}_date"] = date
    for day, estimate in candidate.by_year_end:
        row[f"p_{results.success}_by_{day.year}"] = estimate.p
    for stage in candidate.stages:
        row[f"mean_days_{stage.stage}"] = stage.mean_days
    from partnersim.results.text import standing

    for kind in ("last_to_consent", "holding", "vetoing"):
        picked = standing(getattr(candidate, kind), results.replications)  # only allies that stand out
        row[f"top_{kind}"] = ";".join(s.code for s in picked) or None
    life = candidate.partnership
    if life is not None:
        for name, estimate in (("partnership_active", life.active), ("suspended", life.suspended),
                               ("lapsed", life.lapsed)):
            row[f"p_{name}"], row[f"p_{name}_low"], row[f"p_{name}_high"] = estimate.p, estimate.low, estimate.high
        row["mean_renewals"] = life.mean_renewals
        row["expected_areas"] = life.expected_areas
    return row


class PlotAccessor:
    """``results.plot.<chart>()`` returns that chart's matplotlib Figure."""

    def __init__(self, results: Results) -> None:
        self._results = results

    def __dir__(self) -> list[str]:
        from partnersim.charts import CHARTS

        return sorted(CHARTS)

    def __getattr__(self, name: str) -> Any:
        from partnersim.charts import CHARTS

        if name.startswith("_") or name not in CHARTS:
            raise AttributeError(f"no chart {name!r}; charts: {', '.join(sorted(CHARTS))}")
        chart = CHARTS[name]

        def draw(**options: Any) -> Any:
            if (chart.needs_rows or chart.takes_rows) and "rows" not in options and self._results.rows:
                options["rows"] = _rows_of(self._results)
            return chart(self._results, **options)

        return draw


def _rows_of(results: Results) -> Any:
    """The kept rows, read as the charts read a run's replications.csv."""
    from partnersim.results.rows import rows_from_columns

    assert results.rows is not None
    return rows_from_columns(results.rows, results)
