"""Fuzzing the loader and the engine: whatever a scenario file holds, nothing crashes.

Two sources of documents: scenarios generated key by key, mixing good values,
extreme ones (probabilities 0 and 1, zero-length delays, one ally, a horizon
of one day) and wrong ones; and the shipped scenarios, mutated a few
characters or lines at a time. Loading either succeeds or raises
:class:`ScenarioError`, whose problems are lines a user can read; every
scenario that loads runs a few replications without an exception, and its
resolved form (what a run folder keeps) loads back unchanged.

Runs are derandomised and bounded, so the file gives the same verdict on
every run, within seconds.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from partnersim.engine.resume import UnlikelyHistory
from partnersim.errors import ScenarioError
from partnersim.results.rundir import resolved_yaml
from partnersim.scenario import Scenario, load_scenario
from partnersim.simulation import simulate

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p for p in (ROOT / "scenarios").rglob("*.yaml"))

FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

PROBLEM_LINE = re.compile(r"^(--set|[^:\n]+?)(:\d+)?: (\S+: )?\S.*$")
# Text that shows the message was not translated for a reader.
RAW = ("datetime.", "Traceback", "Value error", "validation error", "For further information", "\n")


# --- strategies --------------------------------------------------------------------------

UNITS = ["d", "w", "mo", "y"]

durations = st.one_of(
    st.sampled_from(["0d", "1d", "3w", "4mo", "1y", "0.5d", 0, 1, 45]),
    st.builds(lambda n, u: f"{n}{u}", st.integers(0, 400), st.sampled_from(UNITS)),
)
bad_durations = st.sampled_from(["-3w", "3m", "3 months", "", None, True, "1e400", [3], "w"])
probabilities = st.one_of(
    st.sampled_from([0, 1, 0.0, 1.0, 0.5, 1e-9, 1 - 1e-9]),
    st.floats(min_value=0, max_value=1),
)
bad_probabilities = st.sampled_from([-0.1, 1.3, "50%", "yes", True, None, "x", float("nan"), float("inf")])


def _ordered(n: int) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.integers(0, 3000), min_size=n, max_size=n).map(lambda xs: [f"{x}d" for x in sorted(xs)])


distributions = st.one_of(
    durations,
    st.builds(lambda d: {"fixed": d}, durations),
    st.builds(lambda xs: {"uniform": xs}, _ordered(2)),
    st.builds(lambda xs: {"triangular": xs}, _ordered(3)),
    st.builds(lambda xs: {"pert": xs}, _ordered(3)),
    st.builds(lambda m, s: {"normal": {"mean": f"{m}d", "sd": f"{s}d"}}, st.integers(0, 500), st.integers(1, 200)),
    st.builds(lambda m, extra: {"lognormal": {"median": f"{m}d", "p90": f"{m + extra}d"}},
              st.integers(1, 500), st.integers(0, 2000)),
    st.builds(lambda mu, s: {"lognormal": {"mu": mu, "sigma": s}},
              st.floats(-5, 8), st.floats(0, 3)),
    st.builds(lambda m, cv: {"gamma": {"mean": f"{m}d", "cv": cv}}, st.integers(1, 500), st.floats(0.01, 5)),
    st.builds(lambda k, s: {"gamma": {"shape": k, "scale": f"{s}d"}}, st.floats(0.05, 20), st.integers(1, 200)),
    st.builds(lambda m: {"exponential": {"mean": f"{m}d"}}, st.integers(1, 1000)),
    st.builds(lambda xs: {"empirical": xs}, st.lists(durations, min_size=1, max_size=5)),
)
bad_distributions = st.one_of(
    bad_durations,
    st.sampled_from([
        {"uniform": ["9mo", "3mo"]}, {"pert": ["6mo", "3mo", "12mo"]}, {"triangular": ["1w"]},
        {"lognormal": {"median": "3w", "p90": "1w"}}, {"lognormal": {"median": "0d", "p90": "1w"}},
        {"gamma": {"mean": "2mo", "cv": 0.5, "shape": 2}}, {"exponential": {"mean": "0d"}},
        {"normal": {"mean": "6w", "sd": "2w", "low": "4w", "high": "2w"}}, {"empirical": []},
        {"lognormel": {"median": "3w", "p90": "10w"}}, {"uniform": "3mo"}, ["3w", "4w"],
    ]),
)
ROSTER = ["USA", "GBR", "TUR", "HUN", "FRA", "DEU"]
STAGES = ["requested", "consensus", "expert_talks", "ipcp_drafting", "ipcp_approval"]
dates = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))
NOTHING = st.nothing()


def documents(mistakes: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Scenario documents; with ``mistakes``, one value in five or so is wrong."""

    def maybe(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(good, good, good, good, bad) if mistakes else good

    def extra(bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return bad if mistakes else NOTHING

    any_distribution = maybe(distributions, bad_distributions)
    holds = st.fixed_dictionaries({}, optional={
        "probability": maybe(probabilities, bad_probabilities),
        "duration": any_distribution,
        "lifted": maybe(probabilities, bad_probabilities),
    })
    ally_params = st.fixed_dictionaries({}, optional={"deliberation": any_distribution, "hold": holds})
    ally_tables = st.dictionaries(
        maybe(st.sampled_from(["default", *ROSTER]), st.sampled_from(["TRK", "defualt", "Turkey", "usa"])),
        ally_params, max_size=3,
    )
    alliances = maybe(
        st.one_of(st.sampled_from(["nato-2024", "nato-2020"]),
                  st.lists(st.sampled_from(ROSTER), min_size=1, max_size=3, unique=True)),
        st.sampled_from(["nato-2023", [], ["USA", "USA"], ["usa"]]),
    )
    requests = maybe(
        st.one_of(
            dates,
            st.lists(dates, min_size=2, max_size=2).map(lambda ds: {"uniform": sorted(ds)}),
            st.lists(dates, min_size=3, max_size=3).map(lambda ds: {"triangular": sorted(ds)}),
            st.lists(dates, min_size=1, max_size=4).map(lambda ds: {"empirical": ds}),
        ),
        st.sampled_from(["2024-02-30", "3w", {"uniform": ["2028-01-01", "2026-01-01"]}, None, {"normal": 1}]),
    )
    candidates = st.fixed_dictionaries(
        {
            "code": maybe(st.sampled_from(["ARG", "BRA", "CHL", "PER", "MEX"]), st.sampled_from(["arg", "AR", 3])),
            "request": requests,
        },
        optional={
            "name": st.sampled_from(["Argentina", "Brazil (hypothetical)", "", "Ñandú – «test»"]),
            "stage": maybe(st.sampled_from(STAGES), st.sampled_from(["consensos", "cooperation", 3])),
            "withdrawal": st.fixed_dictionaries({"annual_rate": maybe(
                st.sampled_from([0, 0.05, 1, 100]), st.sampled_from([-0.1, 101, "x", True]))}),
        },
    )
    stage_settings = st.fixed_dictionaries({}, optional={
        "consensus": st.fixed_dictionaries({}, optional={"allies": ally_tables}),
        "expert_talks": st.fixed_dictionaries({}, optional={
            "teams": maybe(st.integers(1, 3), st.sampled_from([0, 1.5, "two"])),
            "round": any_distribution,
            "agreement": maybe(probabilities, bad_probabilities),
            "max_rounds": maybe(st.one_of(st.none(), st.integers(1, 6)), st.sampled_from([0, -1, "x"])),
        }),
        "ipcp_drafting": st.fixed_dictionaries({}, optional={"duration": any_distribution}),
        "ipcp_approval": st.fixed_dictionaries({}, optional={"allies": ally_tables}),
        "expert_talk": extra(st.just({"teams": 1})),
    })
    return st.fixed_dictionaries(
        {
            "start": maybe(dates, st.sampled_from(["2026-02-30", 1, None, "soon"])),
            "candidates": st.lists(candidates, min_size=1, max_size=3, unique_by=lambda c: str(c["code"])),
        },
        optional={
            "name": maybe(st.sampled_from(["Fuzz", "What-if: Türkiye", "", "2027"]), st.sampled_from([True, None])),
            "horizon": maybe(
                st.one_of(st.sampled_from(["1d", "2d", "1w", "1y", "5y", "30y", "100y"]), dates),
                st.sampled_from(["0d", "-1y", "0.5d", "1000y", "2026-13-01", 0, "abc"]),
            ),
            "seed": maybe(st.integers(0, 2**63 - 1), st.sampled_from([-1, 1.5, "x"])),
            "replications": maybe(st.integers(1, 50), st.sampled_from([0, "many", 1.5])),
            "alliance": alliances,
            "allies": ally_tables,
            "stages": stage_settings,
            "process": maybe(st.just("global-partner"), st.just("global-partnr")),
            "replicatons": extra(st.just(5)),
        },
    )


# --- what must hold ----------------------------------------------------------------------


def check_problems(error: ScenarioError) -> None:
    assert error.problems, "a ScenarioError must say what is wrong"
    for problem in error.problems:
        text = str(problem)
        assert PROBLEM_LINE.match(text), text
        assert not any(marker in text for marker in RAW), text
        assert text.isprintable(), f"a problem line holds a control character: {text!r}"


def check_runs(scenario: Scenario, tmp_path: Path) -> None:
    """A few replications run, outcomes add up to one, and the resolved scenario reloads unchanged."""
    try:
        results = simulate(scenario, replications=20, jobs=1)
    except UnlikelyHistory as error:  # a case's stated history that the mutated settings rule out: said plainly
        assert "under this scenario's settings" in str(error)
        event("history ruled out")
        return
    for candidate in results.candidates:
        assert sum(e.p for e in candidate.outcomes.values()) == pytest.approx(1.0)
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(resolved_yaml(scenario), encoding="utf-8")
    assert load_scenario(resolved) == scenario


def load_or_problems(path: Path) -> Scenario | None:
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        check_problems(error)
        event("refused")
        return None
    event("loaded")
    return scenario


def write_document(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@FUZZ
@given(documents(mistakes=True))
def test_generated_documents_load_or_give_problems(tmp_path: Path, document: dict[str, Any]) -> None:
    scenario = load_or_problems(write_document(tmp_path, document))
    if scenario is not None:
        check_runs(scenario, tmp_path)


@FUZZ
@given(documents(mistakes=False))
def test_generated_scenarios_without_mistakes_run(tmp_path: Path, document: dict[str, Any]) -> None:
    """Only the cross-file checks (a request after the horizon, say) may refuse these."""
    scenario = load_or_problems(write_document(tmp_path, document))
    if scenario is not None:
        check_runs(scenario, tmp_path)


# --- mutations of the shipped scenarios ---------------------------------------------------

TOKENS = [
    "0", "-1", "1.5", "1e9", "", "yes", "no", "~", "0d", "-3w", "2024-02-30", ".inf", ".nan", "[]", "{}",
    ":", ": ", "-", "- ", "{", "}", "[", "]", "\t", "&a ", "*a", "!!python/object:os.system ", "'", '"', "#",
    "<<: *a", "\n", "\n  ", "\ufeff", "\x00", "\xff",
    # YAML 1.1 readings, explicit tags, and text a terminal would act on
    "on", "off", "1:30", "010", "0o17", "1e4", "10_000", "!!str ", "!!int ", "!!float ", "!!timestamp ",
    '"\\e[2J"', '"\\u202e"', "\x1b", "\u202e",
]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    """A shipped scenario (by its path under scenarios/) with one to three mutations."""
    chosen = draw(st.sampled_from(SHIPPED))
    text = chosen.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True) or [""]
        how = draw(st.sampled_from(["insert", "replace_number", "delete_line", "duplicate_line", "swap_lines",
                                    "truncate", "replace_value"]))
        if how == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif how == "replace_number":
            numbers = list(re.finditer(r"\d+(\.\d+)?", text))
            if numbers:
                match = draw(st.sampled_from(numbers))
                text = text[: match.start()] + draw(st.sampled_from(TOKENS[:14])) + text[match.end():]
        elif how == "replace_value":
            values = list(re.finditer(r"(?<=: )[^\s{}\[\],#]+", text))
            if values:
                match = draw(st.sampled_from(values))
                text = text[: match.start()] + draw(st.sampled_from(TOKENS)) + text[match.end():]
        elif how == "delete_line":
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "".join(lines)
        elif how == "duplicate_line":
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(at, lines[at])
            text = "".join(lines)
        elif how == "swap_lines":
            a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            text = "".join(lines)
        else:
            text = text[: draw(st.integers(0, len(text)))]
    return chosen.relative_to(ROOT / "scenarios").as_posix(), text


@pytest.fixture(scope="module")
def scenario_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of scenarios/, so that a mutated what-if still finds the file it extends."""
    tree = tmp_path_factory.mktemp("scenarios")
    shutil.copytree(ROOT / "scenarios", tree, dirs_exist_ok=True)
    return tree


@FUZZ
@given(mutated())
def test_mutated_shipped_scenarios_load_or_give_problems_and_run(
    scenario_tree: Path, tmp_path: Path, case: tuple[str, str]
) -> None:
    name, text = case
    original = (scenario_tree / name).read_bytes()
    path = scenario_tree / name
    try:
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        scenario = load_or_problems(path)
    finally:
        path.write_bytes(original)
    if scenario is not None:
        check_runs(scenario, tmp_path)


# --- the extremes, always tried ----------------------------------------------------------

EXTREMES: dict[str, dict[str, Any]] = {
    "probabilities 0": {"allies": {"default": {"hold": {"probability": 0, "lifted": 0}}},
                        "stages": {"expert_talks": {"agreement": 1}}},
    "probabilities 1": {"allies": {"default": {"hold": {"probability": 1, "lifted": 1}}},
                        "stages": {"expert_talks": {"agreement": 1}}},
    "every hold a veto": {"allies": {"default": {"hold": {"probability": 1, "lifted": 0}}}},
    "zero-length delays": {
        "allies": {"default": {"deliberation": "0d", "hold": {"probability": 1, "duration": "0d", "lifted": 1}}},
        "stages": {"expert_talks": {"round": "0d", "agreement": 1}, "ipcp_drafting": {"duration": "0d"},
                   "ipcp_approval": {"allies": {"default": {"deliberation": "0d"}}}},
    },
    "a single ally": {"alliance": ["USA"]},
    "a horizon of one day": {"horizon": "1d"},
    "a request on the last day": {"horizon": "1y", "candidates": [{"code": "ARG", "request": "2027-12-01"}]},
    "talks that never agree": {"stages": {"expert_talks": {"agreement": 0, "round": "0d"}}},
    "talks that never agree, with a limit": {"stages": {"expert_talks": {"agreement": 0, "max_rounds": 1000}}},
    "withdrawal at the highest rate": {"candidates": [{"code": "ARG", "request": "2024-04-18",
                                                       "withdrawal": {"annual_rate": 100}}]},
    "one team, many candidates": {
        "stages": {"expert_talks": {"teams": 1}},
        "candidates": [{"code": c, "request": "2026-12-01"} for c in ("ARG", "BRA", "CHL", "PER", "MEX", "URY")],
    },
    "a hundred years": {"horizon": "100y"},
    "a case in its last stage": {"candidates": [{"code": "ARG", "request": "2024-04-18", "stage": "ipcp_approval"}]},
}


@pytest.mark.parametrize("changes", EXTREMES.values(), ids=EXTREMES.keys())
def test_extreme_scenarios_run(tmp_path: Path, changes: dict[str, Any]) -> None:
    document: dict[str, Any] = {"start": "2026-12-01", "candidates": [{"code": "ARG", "request": "2024-04-18"}]}
    document.update(changes)
    path = tmp_path / "extreme.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    check_runs(load_scenario(path), tmp_path)


# --- --set values and names, as a hostile user might give them --------------------------------

SET_KEYS = ["name", "description", "start", "horizon", "seed", "replications", "allies.TUR.hold.probability",
            "allies.TUR", "candidates.ARG.name", "candidates.ARG.request", "stages.expert_talks.teams",
            "blocs", "calendar.elections", "candidates.0", "x.y.z"]
SET_VALUES = st.one_of(
    st.sampled_from(["2025-02-30", "2024-13-01", "yes", "1:30", "010", "!!str 0.5", "!!binary AAAA", "*a", "[",
                     "{a: [}", "[" * 60 + "]" * 60, "9" * 5000, "\x1b[2J", "a\u202eb", "~", "", "1e400", ".nan"]),
    st.text(max_size=30),
    st.lists(st.sampled_from(TOKENS), max_size=8).map("".join),
)


@settings(FUZZ, max_examples=100)
@given(st.sampled_from(SET_KEYS), SET_VALUES)
def test_any_set_value_loads_or_gives_problems(scenario_tree: Path, key: str, value: str) -> None:
    try:
        scenario = load_scenario(scenario_tree / "examples" / "minimal.yaml", [f"{key}={value}"])
    except ScenarioError as error:
        check_problems(error)
        return
    assert scenario.candidates


names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@settings(FUZZ, max_examples=100)
@given(names, names)
def test_a_name_that_loads_is_plain_text(tmp_path: Path, scenario_name: str, candidate_name: str) -> None:
    from partnersim.safetext import control_characters

    document = {"name": scenario_name, "start": "2026-12-01",
                "candidates": [{"code": "ARG", "name": candidate_name, "request": "2024-04-18"}]}
    scenario = load_or_problems(write_document(tmp_path, document))
    if scenario is not None:
        assert not control_characters(scenario.name) and not control_characters(scenario.candidates[0].name)

