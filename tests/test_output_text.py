"""User text in every output: shown as written, never read as markup, never breaking a file.

Names come from scenario files and from run folders, and anyone may write
either. Scenario files refuse control characters in names, so the names given
to the commands here hold only markup (Rich's, HTML's, Markdown's, a
spreadsheet's formulas, matplotlib's ``$``); control characters, terminal
escapes and names far beyond the schema's lengths reach the outputs through a
run folder edited after its run, which ``chart`` and ``report`` read back.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

from partnersim.charts import CHART_NAMES, CHARTS, render_all, style
from partnersim.cli import cli
from partnersim.errors import RunFolderError
from partnersim.report.content import build
from partnersim.results import csvtext
from partnersim.results.load import Rows, SavedRun, load_run, read_rows
from partnersim.results.markdown import summary_markdown
from partnersim.results.summary import Results
from partnersim.runs import execute, prepare
from partnersim.whatif.diff import Difference
from partnersim.whatif.text import csv_text

ROOT = Path(__file__).resolve().parents[1]
N = 120

TITLE = r"Test [/x] [bold] <b>bold</b> $\frac{ & *x*"
CHILE = "[red]Chile"
PERU = '=HYPERLINK("http://example.com","Peru")'
SCENARIO = f"""\
name: '{TITLE}'
question: Is [/x] <i>read</i> as markup?
start: 2025-01-01
horizon: 3y
seed: 5
allies:
  TUR: {{hold: {{probability: 0.3}}}}
candidates:
  - {{code: CHL, name: '{CHILE}', request: 2025-01-01}}
  - {{code: PER, name: '{PERU}', request: 2025-03-01}}
  - {{code: MEX, name: '- 1. **Mexico** | <script>alert(1)</script>', request: 2025-06-01}}
"""

# Only a run folder can bring these: a terminal escape that clears the screen, a bell, a NUL,
# a right-to-left override, a line break.
EVIL = "Evil\x00\x07\x1b[2J\u202e\nname [/x] <script>alert(1)</script>"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _control(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(text)})


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "markup.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def _invoke(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


# ---- markup in names, through the commands --------------------------------------------


@pytest.fixture(scope="module")
def markup_run(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("runs") / "markup"
    result = _invoke(["run", str(scenario_file), "-n", str(N), "-j", "1", "--events", "--out", str(out)])
    return out, result.output


def test_run_prints_names_as_written_and_writes_its_folder(markup_run: tuple[Path, str]) -> None:
    folder, output = markup_run
    assert TITLE in output
    assert "Is [/x] <i>read</i> as markup?" in output
    assert CHILE in output and PERU in output
    assert (folder / "summary.json").is_file() and (folder / "charts" / "outcomes.png").is_file()


@pytest.mark.parametrize("command", [
    ["compare", "{file}", "--set", "allies.TUR.hold.probability=0.6", "-n", "60"],
    ["sweep", "{file}", "--param", "allies.TUR.hold.probability=0:0.5:2", "-n", "30"],
    ["sensitivity", "{file}", "-n", "20", "--candidate", "CHL", "--top", "3"],
])
def test_what_if_commands_print_names_as_written(command: list[str], scenario_file: Path, tmp_path: Path) -> None:
    args = [part.format(file=scenario_file) for part in command] + ["-j", "1", "--out", str(tmp_path / "out")]
    output = _invoke(args).output
    assert TITLE in output
    assert CHILE in output


def test_fit_prints_a_file_name_as_written(tmp_path: Path) -> None:
    data = tmp_path / "[bold]delays.csv"
    shutil.copy(ROOT / "partnersim" / "data" / "ratification_finland_sweden.csv", data)
    output = _invoke(["fit", str(data), "--bootstrap", "0", "--out", str(tmp_path / "fit")]).output
    assert "Ally delays fitted to finland_days of [bold]delays.csv (your file)" in output


# ---- CSV cells a spreadsheet would run ----------------------------------------------------


