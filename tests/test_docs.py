"""The examples in docs/scenario.md are true: they load, fail as shown, and quote real code.

Conventions in the document (stated there for readers too). A ```yaml block
starts with one of:

- ``# scenario file: NAME.yaml`` — a whole file; all such blocks are written
  into one folder under their names (so one may ``extends:`` another), then
  each is loaded;
- ``# part of a scenario`` — a few keys; loaded after adding ``start:`` and a
  candidate when the block gives none;
- ``# wrong on purpose: NAME.yaml`` — must fail to load, with exactly the lines
  of the ```text block that follows it;
- ``# process file: NAME.yaml`` — a whole process file, which must be valid;
- ``# wrong process file: NAME.yaml`` — a process file that must fail, with
  exactly the lines of the ```text block that follows it.

A ```python block preceded by ``<!-- quoted from PATH -->`` must match lines of
that file, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from partnersim.errors import ScenarioError
from partnersim.kinds.consensus import AllyParams, Hold
from partnersim.kinds.talks import TalksStage
from partnersim.kinds.task import TaskStage
from partnersim.process.library import TEMPLATES
from partnersim.scenario import load_scenario
from partnersim.scenario.schema import Candidate, Scenario, Withdrawal
from partnersim.values.distributions import DATE_KINDS, DURATION_KINDS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scenario.md"

FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
QUOTE = re.compile(r"<!--\s*quoted from (?P<path>\S+)\s*-->")
WHOLE = re.compile(r"^# scenario file: (?P<name>\S+\.yaml)\s*$")
WRONG = re.compile(r"^# wrong on purpose: (?P<name>\S+\.yaml)\s*$")
PROCESS = re.compile(r"^# process file: (?P<name>\S+\.yaml)\s*$")
WRONG_PROCESS = re.compile(r"^# wrong process file: (?P<name>\S+\.yaml)\s*$")
PART = "# part of a scenario"


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int  # line of the opening fence in the document
    before: str  # the last non-blank line before the fence

    @property
    def first(self) -> str:
        return self.text.splitlines()[0] if self.text else ""

    def __str__(self) -> str:
        return f"docs/scenario.md:{self.line}"


def blocks(path: Path = DOC) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None or not opening["lang"]:
            index += 1
            continue
        indent = len(opening["indent"])
        before = next((ln.strip() for ln in reversed(lines[:index]) if ln.strip()), "")
        body: list[str] = []
        index += 1
        while not re.match(r"^\s*```\s*$", lines[index]):
            line = lines[index]
            body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip(" "))
            index += 1
        found.append(Block(opening["lang"], "\n".join(body) + "\n", index - len(body), before))
        index += 1
    return found


ALL = blocks()
YAML_BLOCKS = [b for b in ALL if b.lang == "yaml"]
WHOLE_FILES = [b for b in YAML_BLOCKS if WHOLE.match(b.first)]
PARTS = [b for b in YAML_BLOCKS if b.first.strip() == PART]
WRONG_FILES = [b for b in YAML_BLOCKS if WRONG.match(b.first)]
PROCESS_FILES = [b for b in YAML_BLOCKS if PROCESS.match(b.first)]
WRONG_PROCESS_FILES = [b for b in YAML_BLOCKS if WRONG_PROCESS.match(b.first)]
QUOTES = [b for b in ALL if QUOTE.search(b.before)]  # code or a shipped YAML file, quoted as it stands


def test_the_document_has_examples_of_each_kind() -> None:
    assert len(WHOLE_FILES) >= 5 and len(PARTS) >= 10 and len(WRONG_FILES) >= 3 and len(QUOTES) >= 3


def test_every_yaml_example_is_marked() -> None:
    marked = WHOLE_FILES + PARTS + WRONG_FILES + QUOTES + PROCESS_FILES + WRONG_PROCESS_FILES
    unmarked = [str(b) for b in YAML_BLOCKS if b not in marked]
    assert not unmarked, f"yaml blocks without a marker: {unmarked}"


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every whole-file example, written under its name into the working folder."""
    monkeypatch.chdir(tmp_path)
    names = [WHOLE.match(b.first)["name"] for b in WHOLE_FILES]  # type: ignore[index]
    assert len(names) == len(set(names)), "two examples share a file name"
    for block, name in zip(WHOLE_FILES, names, strict=True):
        (tmp_path / name).write_text(block.text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("block", WHOLE_FILES, ids=str)
def test_whole_scenario_examples_load(examples: Path, block: Block) -> None:
    name = WHOLE.match(block.first)["name"]  # type: ignore[index]
    scenario = load_scenario(examples / name)
    assert scenario.candidates


def complete(part: dict) -> dict:
    """A part of a scenario with what it needs to stand alone."""
    whole = dict(part)
    whole.setdefault("start", "2026-12-01")
    whole.setdefault("candidates", [{"code": "ARG", "request": "2024-04-18"}])
    return whole


@pytest.mark.parametrize("block", PARTS, ids=str)
def test_parts_of_scenarios_load(tmp_path: Path, block: Block) -> None:
    part = yaml.safe_load(block.text)
    assert isinstance(part, dict), "a part of a scenario is a mapping of top-level keys"
    path = tmp_path / "part.yaml"
    path.write_text(yaml.safe_dump(complete(part), allow_unicode=True), encoding="utf-8")
    load_scenario(path)


def expected_after(block: Block) -> list[str]:
    following = ALL[ALL.index(block) + 1]
    assert following.lang == "text", f"{block}: a wrong example must be followed by a ```text block"
    return following.text.strip().splitlines()


@pytest.mark.parametrize("block", WRONG_FILES, ids=str)
def test_wrong_examples_fail_exactly_as_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: Block) -> None:
    monkeypatch.chdir(tmp_path)
    name = WRONG.match(block.first)["name"]  # type: ignore[index]
    # Written as shown, marker comment included, so a reader who copies the box sees these lines.
    (tmp_path / name).write_text(block.text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / name)
    assert [str(p) for p in caught.value.problems] == expected_after(block)


@pytest.mark.parametrize("block", PROCESS_FILES + WRONG_PROCESS_FILES, ids=str)
def test_process_files_are_valid_or_fail_exactly_as_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: Block
) -> None:
    from partnersim.scenario.processes import read_file

    monkeypatch.chdir(tmp_path)
    wrong = WRONG_PROCESS.match(block.first)
    name = (wrong or PROCESS.match(block.first))["name"]  # type: ignore[index]
    (tmp_path / name).write_text(block.text, encoding="utf-8")
    template, problems = read_file(Path(name))
    if wrong is None:
        assert template is not None and problems == []
    else:
        assert template is None and [str(p) for p in problems] == expected_after(block)


@pytest.mark.parametrize("block", QUOTES, ids=str)
def test_quoted_code_matches_the_source(block: Block) -> None:
    source = ROOT / QUOTE.search(block.before)["path"]  # type: ignore[index]
    lines = [ln.rstrip() for ln in source.read_text(encoding="utf-8").splitlines()]
    position = 0
    for quoted in block.text.splitlines():
        if not quoted.strip():
            continue
        try:
            position = lines.index(quoted.rstrip(), position) + 1
        except ValueError:
            pytest.fail(f"{block}: not found in {source.name} (in this order): {quoted.strip()!r}")


def mentioned(key: str) -> bool:
    """``key`` appears in code style, alone or in a key path such as `hold.probability`."""
    return re.search(rf"`(?:[\w.]+\.)?{re.escape(key)}(?:[`:.])", DOC.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize(
    "model", [Scenario, Candidate, Withdrawal, AllyParams, Hold, TalksStage, TaskStage], ids=lambda m: m.__name__
)
def test_every_key_is_documented(model) -> None:
    missing = [key for key in model.model_fields if key != "kind" and not mentioned(key)]
    assert not missing, f"{model.__name__} keys missing from docs/scenario.md: {missing}"


def test_every_distribution_stage_and_roster_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind in set(DURATION_KINDS) | set(DATE_KINDS):
        assert f"### {kind}" in text or f"| {kind} |" in text, kind
    for template in TEMPLATES.values():
        assert f"`{template.name}`" in text
        for stage in template.stage_names:
            assert f"`{stage}`" in text, stage
    for roster in ("nato-2020", "nato-2024"):
        assert f"`{roster}`" in text
    assert "`extends`" in text and "exit code 2" in text
