"""The scored record of past accessions: the record's checks, forecasts without peeking, scores, the command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.errors import ScenarioError
from partnersim.history import fit as fitting
from partnersim.history.asof import as_of_days, fitted, forecast, stand, training_rounds
from partnersim.history.record import COLUMNS, Record, read_record
from partnersim.history.scores import round_share, stage_lengths

HEADER = ",".join(COLUMNS)
ROOT_RECORD = Path(__file__).resolve().parents[1] / "partnersim" / "data" / "accessions.csv"


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "record.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_shipped_record_covers_at_least_15_cases_every_row_sourced() -> None:
    record = read_record()
    assert len(record.cases) >= 15
    assert all(row.source for row in record.rows)
    # Every case has the dates a forecast is scored on.
    for case in record.cases:
        assert record.event(case, "signature") is not None
        assert record.event(case, "entry_into_force") is not None
    # Cases signed the same day are one round: what a forecast leaves out and what a bootstrap resamples.
    assert record.rounds["2003-03-26"] == ("BGR", "EST", "LTU", "LVA", "ROU", "SVK", "SVN")


def test_every_problem_of_a_record_is_one_line_naming_file_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "XYZ,invitation,,2010-01-10,https://example.org/a,",
        "XYZ,signature,,2009-12-01,https://example.org/b,",  # 3: before the case began
        "XYZ,consent,DEU,2011-05-01,https://example.org/c,",  # 4: after the entry into force
        "XYZ,entry_into_force,,2011-01-01,https://example.org/d,",
        "XYZ,consent,FRA,2010-06-01,,",  # 6: no source
        "XYZ,consent,ITA,2010-06-02,https://example.org/e,",
        "XYZ,consent,ITA,2010-06-02,https://example.org/e,",  # 8: duplicates line 7
        "XYZ,consent,ITA,2010-06-09,https://example.org/f,",  # 9: a second date, not marked DISPUTED
        "XYZ,approval,,2010-06-09,https://example.org/g,",  # 10: unknown event
    )
    with pytest.raises(ScenarioError) as caught:
        read_record(path)
    lines = caught.value.lines()
    expected = {3: "date", 4: "date", 6: "source", 8: "", 9: "date", 10: "event"}
    assert len(lines) == len(expected)
    for line, column in expected.items():
        where = f"{path}:{line}: {column}:" if column else f"{path}:{line}: duplicates"
        assert any(text.startswith(where) for text in lines), (where, lines)
    assert all("\n" not in text for text in lines)


def test_disputed_dates_are_kept_and_the_first_is_used(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "XYZ,invitation,,2010-01-10,https://example.org/a,",
        "XYZ,consent,ITA,2010-06-02,https://example.org/e,DISPUTED: the other says 9 June",
        "XYZ,consent,ITA,2010-06-09,https://example.org/f,DISPUTED: the other says 2 June",
    )
    record = read_record(path)
    assert len(record.rows) == 3
    assert record.by_ally("XYZ", "consent")["ITA"].date.text == "2010-06-02"


def test_a_bad_record_on_the_command_line_is_one_line_per_problem_exit_2_nothing_written(tmp_path: Path) -> None:
    path = _write(tmp_path, "XYZ,invitation,,2010-01-10,,", "XYZ,signature,,2010-13-01,https://example.org/b,")
    out = tmp_path / "board"
    result = CliRunner().invoke(cli, ["backtest", "--record", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    problems = [line for line in result.output.splitlines() if str(path) in line]
    assert len(problems) == 2
    assert not out.exists()


def _truncated(record: Record, day: dt.date, cases: set[str] | None = None) -> Record:
    """``record`` with every row dated after ``day`` deleted (of ``cases`` only, if given)."""
    return Record(tuple(row for row in record.rows
                        if row.date.first <= day or (cases is not None and row.case not in cases)), record.name)


@pytest.mark.parametrize(("case", "index"), [("SWE", 2), ("MKD", 1), ("BGR", 0)])
def test_a_forecast_is_unchanged_when_later_rows_of_the_record_are_deleted(case: str, index: int) -> None:
    record = read_record()
    day, point = as_of_days(record, case)[index]
    # Fitted only on rounds ended by then: deleting every later row of the whole record changes nothing.
    earlier = forecast(record, case, day, point, rule="earlier", replications=300)
    cut = forecast(_truncated(record, day), case, day, point, rule="earlier", replications=300)
    if earlier is None:
        assert cut is None
    else:
        assert cut is not None
        assert np.array_equal(earlier.member, cut.member)
        assert earlier.fitted.rounds == cut.fitted.rounds
    # Fitted on the other rounds: deleting the case's own round's later rows changes nothing.
    own = set(record.rounds[record.round_of(case)])
    others = forecast(record, case, day, point, rule="others", replications=300)
    cut = forecast(_truncated(record, day, own), case, day, point, rule="others", replications=300)
    assert others is not None and cut is not None
    assert np.array_equal(others.member, cut.member)
    assert record.round_of(case) not in others.fitted.rounds


def test_where_a_case_stood_is_read_from_the_record_as_known_that_day() -> None:
    record = read_record()
    assert stand(record, "SWE", dt.date(2022, 6, 30)).stage == "protocol_signing"  # type: ignore[union-attr]
    signed = stand(record, "SWE", dt.date(2023, 7, 5))
    assert signed is not None and signed.stage == "ratification"
    assert set(record.by_ally("SWE", "consent")) - set(signed.consented) == {"HUN", "TUR"}
    finished = stand(record, "FIN", dt.date(2023, 4, 1))
    assert finished is not None and finished.stage == "deposit" and finished.since == dt.date(2023, 3, 30)
    assert stand(record, "FIN", dt.date(2023, 4, 4)) is None  # a member: nothing to forecast


def test_a_delay_known_only_within_a_range_counts_with_the_probability_of_its_range() -> None:
    params = fitting.Params("gamma", 0.8, 30.0, 0.1, np.log(300.0), 0.5)
    theta = fitting._pack(params)
    exact = np.array([3.0, 10.0, 40.0])
    counts = np.ones(3)
    spans = np.array([[0.0, 200.0], [31.0, 60.0]])
    with_ranges = fitting._negative_log_likelihood(theta, exact, counts, "gamma", 0.5, spans)
    without = fitting._negative_log_likelihood(theta, exact, counts, "gamma", 0.5, np.zeros((0, 2)))
    inside = params.cdf(np.array([200.5, 60.5])) - params.cdf(np.array([0.0, 30.5]))
    assert with_ranges == pytest.approx(without - np.log(inside).sum(), rel=1e-12)


def test_the_fit_of_a_round_without_per_ally_dates_uses_the_last_consent_as_a_bound() -> None:
    record = read_record()
    rounds = training_rounds(record, "FIN", dt.date(2022, 7, 5), "others")
    fit = fitted(record, rounds)
    assert "2022-07-05" not in rounds
    assert fit.ratification is not None
    # Most allies of the earlier rounds have no dated consent: they count as a range, not as missing.
    assert fit.ranged > fit.delays


def test_climatology_counts_each_round_once_and_conditions_on_time_spent() -> None:
    record = read_record()
    lengths = stage_lengths(record, ["2003-03-26", "2022-07-05"], "ratification")
    # The seven cases of 2003 share one length; Finland and Sweden have two.
    assert sorted(lengths) == [(dt.date(2023, 4, 4) - dt.date(2022, 7, 5)).days,
                               (dt.date(2004, 3, 29) - dt.date(2003, 3, 26)).days,
                               (dt.date(2024, 3, 7) - dt.date(2022, 7, 5)).days]


def test_a_share_over_rounds_weighs_each_round_alike() -> None:
    class Fake:
        def __init__(self, key: str) -> None:
            self.round = key

    scored = [Fake("a")] * 9 + [Fake("b")]
    share = round_share(scored, [True] * 9 + [False])  # type: ignore[arg-type]
    assert share.value == pytest.approx(0.5)  # not 0.9: round a's nine forecasts count once
    assert share.low == pytest.approx(0.0) and share.high == pytest.approx(1.0)


def test_the_scoreboard_command_end_to_end(tmp_path: Path) -> None:
    # The record's last three rounds (the full record is scored by the track-record test below).
    shipped = read_record()
    kept = [row for row in shipped.rows if row.case in {"MNE", "MKD", "FIN", "SWE"}]
    record = tmp_path / "record.csv"
    lines = (ROOT_RECORD.read_text(encoding="utf-8").splitlines())
    record.write_text("\n".join([lines[0]] + [lines[row.line - 1] for row in kept]) + "\n", encoding="utf-8")
    out = tmp_path / "board"
    args = ["backtest", "--record", str(record), "-n", "100", "--format", "png"]
    result = CliRunner().invoke(cli, [*args, "-j", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Scoreboard:" in result.output and "vs climatology" in result.output
    assert "Too few rounds" in result.output  # three rounds: no interval is quoted
    summary = json.loads((out / "scoreboard.json").read_text(encoding="utf-8"))
    assert summary["cases"] == ["MNE", "MKD", "FIN", "SWE"]
    assert len(summary["forecasts"]) == len((out / "forecasts.csv").read_text(encoding="utf-8").splitlines()) - 1
    for name in ("skill", "pit", "reliability", "forecasts"):
        assert (out / "charts" / f"{name}.png").stat().st_size > 10_000
    skill = summary["skill"]["crps/climatology"]
    assert skill["low"] <= skill["value"] <= skill["high"]
    # The briefing reads the folder back and says what the charts say.
    briefed = CliRunner().invoke(cli, ["report", str(out), "--format", "html"])
    assert briefed.exit_code == 0, briefed.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "How good are partnersim" in page and "climatology" in page
    from partnersim.history.board import read_scoreboard
    from partnersim.report.record import scoreboard_briefing

    briefing = scoreboard_briefing(out, read_scoreboard(out), "page")
    assert all(finding.strip(" .") for finding in briefing.findings) and briefing.bottom_line.strip(" .")
    # The same seed gives the same scoreboard, on two processes or one.
    again = tmp_path / "again"
    CliRunner().invoke(cli, [*args, "-j", "1", "--out", str(again)])
    assert (again / "forecasts.csv").read_bytes() == (out / "forecasts.csv").read_bytes()


@pytest.mark.slow
def test_the_track_record_a_briefing_cites_is_todays_scoreboard() -> None:
    """The figures every run's briefing quotes are those the shipped record and engine give now."""
    from partnersim.data import text_of
    from partnersim.history.board import scoreboard, track_record

    shipped = json.loads(text_of("track_record.json"))
    board = scoreboard(read_record(), rule=shipped["rule"], replications=shipped["replications"],
                       seed=shipped["seed"], lifted=shipped["lifted"], jobs=2)
    again = track_record(board)
    # Counts and settings exactly; the cited figures to the whole percent the briefing prints (an optimiser of
    # another SciPy may move the fourth decimal).
    kept = ("partnersim", "skill", "never_member_share")
    assert {k: v for k, v in again.items() if k not in kept} == {k: v for k, v in shipped.items() if k not in kept}
    assert again["never_member_share"] == pytest.approx(shipped["never_member_share"], abs=0.005)
    for key, parts in shipped["skill"].items():
        for part, value in parts.items():
            assert again["skill"][key][part] == pytest.approx(value, abs=0.005), (key, part)
