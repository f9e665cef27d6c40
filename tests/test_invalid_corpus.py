"""The corpus of broken scenarios: each gives its exact messages, exit code 2, and writes nothing.

Every ``tests/data/invalid/NAME.yaml`` has a sibling ``NAME.expected`` holding
the exact lines ``partnersim run NAME.yaml`` prints on stderr. The command runs
in a copy of the corpus folder, with the default run folder, so that anything
written by mistake (``runs/``, a ``.partial`` folder) is seen.

Files too large to commit (10 MB, 100,000 values) are generated here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.errors import ScenarioError
from partnersim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "invalid"
CASES = sorted(CORPUS.glob("*.yaml"))
PAYLOAD = "created-by-a-tag.txt"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, copy, dirs_exist_ok=True)
    return copy


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def expected_lines(case: Path) -> list[str]:
    return case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()


def run_in(folder: Path, *args: str) -> tuple[int, str, str]:
    """``partnersim ARGS`` through click's runner, from ``folder``; nothing may be written there."""
    before = files_in(folder)
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(cwd)
    assert files_in(folder) == before, "a refused scenario must leave nothing behind"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_corpus_has_thirty_cases_each_with_its_expected_lines() -> None:
    assert len(CASES) >= 30
    expected = {p.stem for p in CORPUS.glob("*.expected")}
    assert expected == {p.stem for p in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_a_broken_scenario_gives_its_exact_lines_and_exit_code_2(corpus: Path, case: Path) -> None:
    code, stdout, stderr = run_in(corpus, "run", case.name, "--jobs", "1")
    lines = expected_lines(case)
    assert (code, stdout) == (2, "")
    assert stderr.splitlines() == lines
    count = len(lines) - 1
    assert lines[-1] == f"{count} problem{'s' if count != 1 else ''} found; nothing was run."
    assert all(line.split(":", 1)[0].endswith(".yaml") for line in lines[:-1]), "each line names its file"
    assert "Traceback" not in stderr


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_validate_gives_the_same_lines(corpus: Path, case: Path) -> None:
    code, _, stderr = run_in(corpus, "validate", case.name)
    assert code == 2
    assert stderr.splitlines() == expected_lines(case)[:-1]


def test_the_outputs_shown_in_the_robustness_page_are_the_corpus_outputs() -> None:
    page = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    shown = re.findall(r"<!-- output of tests/data/invalid/(\S+\.yaml) -->\n```text\n(.*?)```", page, re.S)
    assert shown, "the page shows the output of some corpus files"
    for name, text in shown:
        assert text.splitlines() == expected_lines(CORPUS / name), name


def test_a_10_mb_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w", encoding="utf-8") as out:
        out.write("start: 2026-12-01\ndescription: ")
        out.write("x" * (10_000_000 - 32))
        out.write("\n")
    assert big.stat().st_size == 10_000_000
    code, _, stderr = run_in(tmp_path, "run", "big.yaml")
    assert code == 2
    assert stderr.splitlines() == [
        "big.yaml: the file is 10.0 MB; scenario files are limited to 1 MB",
        "1 problem found; nothing was run.",
    ]


def test_a_file_of_a_hundred_thousand_values_is_refused(tmp_path: Path) -> None:
    (tmp_path / "many.yaml").write_text("start: 2026-12-01\nname: [" + ",".join(["0"] * 120_000) + "]\n")
    code, _, stderr = run_in(tmp_path, "run", "many.yaml")
    assert code == 2
    assert stderr.splitlines() == [
        "many.yaml:2: name.99995: the document holds more than 100,000 values; a scenario file needs far fewer",
        "1 problem found; nothing was run.",
    ]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused_before_it_is_read(tmp_path: Path) -> None:
    code, _, stderr = run_in(tmp_path, "run", "/dev/zero")
    assert code == 2
    assert stderr.splitlines()[0] == "/dev/zero: a device, not a scenario file"


def test_the_tag_payload_is_live_yet_never_runs(corpus: Path, tmp_path: Path) -> None:
    """The payload creates a file when loaded unsafely; partnersim, in a real process, refuses it."""
    control = tmp_path / "control"
    control.mkdir()
    cwd = Path.cwd()
    os.chdir(control)
    try:
        yaml.unsafe_load(f'!!python/object/apply:os.system ["touch {PAYLOAD}"]')
    finally:
        os.chdir(cwd)
    assert (control / PAYLOAD).exists(), "the payload should work when YAML is loaded unsafely"

    for command in (["run", "tag-python-apply.yaml"], ["validate", "tag-python-apply.yaml"]):
        completed = subprocess.run(
            [sys.executable, "-m", "partnersim", *command], cwd=corpus, capture_output=True, text=True, timeout=60
        )
        assert completed.returncode == 2
        assert "Traceback" not in completed.stderr
        assert "the tag !!python/object/apply:os.system is not allowed" in completed.stderr
        assert not (corpus / PAYLOAD).exists()
    with pytest.raises(ScenarioError):
        load_scenario(corpus / "tag-python-apply.yaml")
    assert not (corpus / PAYLOAD).exists() and not Path(PAYLOAD).exists()
