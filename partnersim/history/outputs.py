"""What the history commands write: a fit's folder, a back-test's folder and a scoreboard's folder.

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
from typing import TYPE_CHECKING, Any

from partnersim import safetext
from partnersim._version import __version__
from partnersim.charts.history import backtest_chart, backtest_finding, fit_chart
from partnersim.charts.style import save
from partnersim.history.backtest import Case
from partnersim.history.board import to_data
from partnersim.history.fit import DelayFit
from partnersim.history.sample import Sample
from partnersim.results.folder import RunFolder, default_folder, input_names
from partnersim.results.rundir import provenance
from partnersim.values.durations import add_days

if TYPE_CHECKING:
    from partnersim.history.board import Board


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


# --- the scoreboard ------------------------------------------------------------------------------

SCOREBOARD_CHARTS = ("skill", "pit", "reliability", "forecasts")


def write_scoreboard(out: Path | None, force: bool, board: Board, image_format: str) -> tuple[Path, list[str]]:
    """Write a scoreboard's folder: forecasts.csv, skill.csv, crowd.csv, scoreboard.json and four charts."""
    from partnersim.charts import record as charts
    from partnersim.history.scores import HORIZONS

    started = dt.datetime.now(dt.timezone.utc)
    target = out or default_folder("", started.astimezone(), "scoreboard")
    with RunFolder(target, force=force, kind="scoreboard", fresh=out is None) as folder:
        rows = io.StringIO()
        writer = csv.writer(rows, lineterminator="\n")
        writer.writerow(["case", "round", "as_of", "point", "stage", "since", "allies_consented", "fitted_on_rounds",
                         "consents_to_the_day", "consents_in_a_range", "real_date", "p10", "p50", "p90",
                         "share_member_by_horizon", "pit", "crps_partnersim", "crps_climatology", "crps_naive",
                         "log_score", *[f"p_within_{m}m" for m in HORIZONS],
                         *[f"within_{m}m" for m in HORIZONS], "note"])
        for s in board.scored:
            f = s.forecast
            assert f is not None  # a scoreboard is written as it is made
            quantiles = [add_days(s.as_of, q).isoformat() if q < s.horizon else "after the horizon"
                         for q in s.quantiles]
            writer.writerow(safetext.csv_row([
                f.case, s.round, f.as_of.isoformat(), f.point, f.stand.stage, f.stand.since.isoformat(),
                len(f.stand.consented), " ".join(f.fitted.rounds), f.fitted.delays, f.fitted.ranged,
                add_days(s.as_of, s.real).isoformat(), *quantiles, f"{1 - s.never:.4f}",
                f"{s.pit:.4f}", *[f"{s.crps[k]:.1f}" for k in ("partnersim", "climatology", "naive")],
                f"{s.log:.3f}", *[f"{s.brier[m]['partnersim'][0]:.4f}" for m in HORIZONS],
                *[str(s.brier[m]["partnersim"][1]).lower() for m in HORIZONS], f.note,
            ]))
        folder.write_text("forecasts.csv", rows.getvalue())
        skills = io.StringIO()
        writer = csv.writer(skills, lineterminator="\n")
        writer.writerow(["score", "baseline", "skill", "low_95", "high_95", "beyond_noise"])
        for key, found in board.skills.items():
            measure, baseline = key.split("/")
            writer.writerow([measure, baseline, f"{found.value:.4f}", f"{found.low:.4f}", f"{found.high:.4f}",
                             str(found.beyond_noise).lower()])
        folder.write_text("skill.csv", skills.getvalue())
        crowd = io.StringIO()
        writer = csv.writer(crowd, lineterminator="\n")
        writer.writerow(["platform", "question", "as_of", "by", "crowd", "partnersim", "happened", "at_close",
                         "brier_difference", "source"])
        for c in board.crowd:
            writer.writerow(safetext.csv_row([
                c.crowd.platform, c.crowd.question, c.crowd.as_of.isoformat(), c.crowd.by.isoformat(),
                f"{c.crowd.probability:.4f}", f"{c.partnersim:.4f}", str(c.crowd.happened).lower(),
                str(c.crowd.at_close).lower(), f"{c.difference:.4f}", c.crowd.source]))
        folder.write_text("crowd.csv", crowd.getvalue())
        folder.write_text("scoreboard.json", json.dumps(to_data(board), indent=2, ensure_ascii=False) + "\n")
        drawn = []
        for name in SCOREBOARD_CHARTS:
            figure = getattr(charts, f"{name}_chart")(board)
            path = f"charts/{name}.{image_format}"
            save(figure, folder.path / path, image_format)
            drawn.append(path)
        started_record = {"partnersim": __version__, "record": board.record.name, **provenance(
            started, dt.datetime.now(dt.timezone.utc))}
        return folder.commit(started_record), drawn
