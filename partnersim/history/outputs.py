"""What the history commands write: a fit's folder and a back-test's folder.

Each writer opens its folder with :class:`~partnersim.results.folder.RunFolder`,
writes every file, and returns what it wrote; the commands only print.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from partnersim import safetext
from partnersim._version import __version__
from partnersim.charts.history import backtest_chart, backtest_finding, fit_chart
from partnersim.charts.style import save
from partnersim.history.backtest import Case
from partnersim.history.fit import DelayFit
from partnersim.history.sample import Sample
from partnersim.results.folder import RunFolder, default_folder, input_names
from partnersim.results.rundir import provenance


def write_fit(
    out: Path | None, force: bool, result: DelayFit, sample: Sample, text: str, image_format: str
) -> Path:
    """Write a fit's folder: the allies: snippet, fit.json and its chart; the folder written."""
    started = dt.datetime.now(dt.timezone.utc)
    target = out or default_folder("+".join(sample.columns), started.astimezone(), "fit")
    with RunFolder(target, force=force, kind="fit", fresh=out is None) as folder:
        folder.write_text("allies.yaml", text)
        folder.write_json("fit.json", _fit_json(result, sample))
        save(fit_chart(result, sample), folder.path / "charts" / f"fit.{image_format}", image_format)
        return folder.commit({
            "partnersim": __version__, "data": sample.source, "columns": list(sample.columns),
            **provenance(started, dt.datetime.now(dt.timezone.utc)),
        })


def _fit_json(result: DelayFit, sample: Sample) -> dict[str, Any]:
    p = result.params
    return {
        "data": sample.source,
        "columns": list(sample.columns),
        "n": result.n,
        "rows": sample.distinct_rows,
        "excluded": list(sample.excluded),
        "body": {"family": p.family, "a": p.body_a, "b": p.body_b, "median_days": p.body_median,
                 "p90_days": p.body_p90, "mean_days": p.body_mean, "cv": p.body_cv},
        "hold": {"probability": p.hold_p, "median_days": p.hold_median, "p90_days": p.hold_p90,
                 "sigma": p.hold_sigma, "sigma_assumed": result.hold_sigma_fixed},
        "log_likelihood": result.log_likelihood,
        "log_likelihood_by_body": result.by_family,
        "ks_distance": result.ks,
        "ks_bootstrap_p": result.ks_p,
        "bootstrap": result.bootstrap,
        "intervals_90": {k: [v.low, v.high] for k, v in result.intervals.items()},
    }


def write_backtest(
    out: Path | None, force: bool, cases: Sequence[Case], image_format: str
) -> tuple[Path, list[str]]:
    """Write a back-test's folder: backtest.csv, backtest.json and a chart per case; the folder and the charts."""


    started = dt.datetime.now(dt.timezone.utc)
    target = out or default_folder("", started.astimezone(), "backtest")
    with RunFolder(target, force=force, kind="backtest", fresh=out is None) as folder:
        rows = io.StringIO()
        writer = csv.writer(rows, lineterminator="\n")
        writer.writerow(["case", "candidate", "milestone", "state", "real_date", "percentile", "percentile_low",
                         "percentile_high", "reached", "p10", "p50", "p90", "inside_p10_p90", "fitted_on", "source"])
        summary = []
        charts = []
        for case in cases:
            for p in case.placements:
                q = p.quantiles
                writer.writerow(safetext.csv_row([
                    case.path.stem, case.observed.candidate, p.milestone.label, p.milestone.state,
                    p.milestone.date.text, f"{p.percentile:.4f}", f"{p.low:.4f}", f"{p.high:.4f}",
                    f"{p.reached:.4f}", *[_iso(q[k]) for k in ("P10", "P50", "P90")],
                    p.inside, " + ".join(case.observed.fitted_on), p.milestone.source,
                ]))
            summary.append(_case_json(case))
            name = f"charts/{case.path.stem}.{image_format}"
            save(backtest_chart(case), folder.path / name, image_format)
            charts.append(name)
        paths = [case.path for case in cases]
        folder.copy_inputs(paths)
        folder.write_text("backtest.csv", rows.getvalue())
        folder.write_text("backtest.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        record = {
            "partnersim": __version__,
            "cases": [
                {"input": name, "scenario": case.results.scenario.name, "seed": case.results.seed,
                 "replications": case.results.replications}
                for name, case in zip(input_names(paths), cases, strict=True)
            ],
            **provenance(started, dt.datetime.now(dt.timezone.utc)),
        }
        return folder.commit(record), charts


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""


def _case_json(case: Case) -> dict[str, Any]:

    return {
        "case": case.path.stem,
        "scenario": case.results.scenario.name,
        "replications": case.results.replications,
        "seed": case.results.seed,
        "fitted_on": list(case.observed.fitted_on),
        "finding": backtest_finding(case),
        "milestones": [
            {"label": p.milestone.label, "state": p.milestone.state, "date": p.milestone.date.text,
             "percentile": round(p.percentile, 4), "reached": round(p.reached, 4), "inside_p10_p90": p.inside,
             "quantiles": {k: (v.isoformat() if v else None) for k, v in p.quantiles.items()}}
            for p in case.placements
        ],
    }
