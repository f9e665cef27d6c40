"""partnersim studio without a browser: its state, its files and its API (Starlette's test client)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from starlette.testclient import TestClient  # noqa: E402

from partnersim.studio.app import HEADER, make_app  # noqa: E402
from partnersim.studio.state import Change, Studio, StudioError, safe_name  # noqa: E402
from partnersim.whatif.compare import compare, load_input  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEVELS = (200, 400)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "scenarios" / "latam.yaml", tmp_path / "latam.yaml")
    return tmp_path


def test_a_what_if_runs_on_the_bases_random_numbers_and_refines(folder: Path) -> None:
    studio = Studio(folder / "latam.yaml", levels=LEVELS)
    key = studio.start([Change("allies.TUR.hold.probability", "0.6")])
    state = studio.wait(key)
    assert state["error"] == [] and [a["n"] for a in state["answers"]] == list(LEVELS)
    last = state["answers"][-1]
    # The same numbers as `partnersim compare` with the same change: paired on the base's seed.
    variant = load_input(folder / "latam.yaml", ["allies.TUR.hold.probability=0.6"])
    expected = compare(load_input(folder / "latam.yaml"), [variant], replications=LEVELS[-1])
    for row in last["rows"]:
        change = expected.variants[0].candidate(row["code"]).success
        assert row["change"]["diff"] == pytest.approx(change.diff)
        assert row["change"]["low"] == pytest.approx(change.low) and row["change"]["high"] == pytest.approx(change.high)
        assert row["change"]["beyond"] == change.distinguishable
    assert any(row["change"]["beyond"] for row in last["rows"])  # a hold of 0.6 moves the hypothetical requests
    assert set(last["curves"]) == {row["code"] for row in last["rows"]}


def test_a_value_out_of_range_is_refused_with_the_loaders_message(folder: Path) -> None:
    studio = Studio(folder / "latam.yaml", levels=LEVELS)
    with pytest.raises(StudioError) as caught:
        studio.check([Change("allies.TUR.hold.probability", "1.5")])
    assert caught.value.lines == ["--set: allies.TUR.hold.probability: must be a probability between 0 and 1, got 1.5"]


def test_a_saved_what_if_extends_its_base_holds_only_the_changes_and_opens_again(folder: Path) -> None:
    studio = Studio(folder / "latam.yaml", levels=LEVELS)
    changes = [Change("allies.TUR.hold.probability", "0.6"), Change("allies.HUN.hold.lifted", "0.5"),
               Change("candidates.BRA.request", "2027-06-01"), Change("stages.expert_talks.teams", "3")]
    file = studio.save("turkey and hungary", changes)
    assert file == "turkey and hungary.yaml"
    document = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
    assert document["extends"] == "latam.yaml"
    assert document["allies"] == {"TUR": {"hold": {"probability": 0.6}}, "HUN": {"hold": {"lifted": 0.5}}}
    assert studio.files() == [file]
    assert sorted(studio.open(file), key=lambda c: c.path) == sorted(changes, key=lambda c: c.path)
    # It runs the same from the command line: the file is the what-if.
    from_file = load_input(folder / file).scenario
    from_changes = studio.check(changes).scenario
    assert from_file.model_dump(exclude={"name"}) == from_changes.model_dump(exclude={"name"})
    # A second save under the same name is refused unless asked to replace it.
    with pytest.raises(StudioError, match="already a what-if"):
        studio.save("turkey and hungary", changes[:1])
    studio.save("turkey and hungary", changes[:1], overwrite=True)
    assert studio.open(file) == changes[:1]
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_save_never_replaces_a_file_that_is_not_a_what_if_of_the_base(folder: Path) -> None:
    shutil.copy(ROOT / "scenarios" / "colombia.yaml", folder / "colombia.yaml")
    before = (folder / "colombia.yaml").read_bytes()
    studio = Studio(folder / "latam.yaml", levels=LEVELS)
    for overwrite in (False, True):
        with pytest.raises(StudioError, match="not a what-if of latam.yaml"):
            studio.save("colombia", [Change("allies.TUR.hold.probability", "0.6")], overwrite=overwrite)
    assert (folder / "colombia.yaml").read_bytes() == before


@pytest.mark.parametrize("path", ["start", "seed", "replications"])
def test_a_what_if_keeps_the_bases_start_seed_and_futures(folder: Path, path: str) -> None:
    studio = Studio(folder / "latam.yaml", levels=LEVELS)
    with pytest.raises(StudioError, match="keeps the base's"):
        studio.check([Change(path, "2027-01-01" if path == "start" else "7")])


def test_a_horizon_moves_for_the_base_and_the_what_if_alike(folder: Path) -> None:
    studio = Studio(folder / "latam.yaml", levels=LEVELS)
    # The horizon alone: both counted to 2035, so nothing changes in any future.
    alone = studio.wait(studio.start([Change("horizon", "2035-12-31")]))["answers"][-1]
    assert alone["horizon"] == "2035-12-31"
    assert all(row["change"]["verdict"] == "no change in any replication" for row in alone["rows"])
    # With another change: the same numbers as comparing the two files both moved to 2035.
    both = [Change("horizon", "2035-12-31"), Change("allies.TUR.hold.probability", "0.6")]
    found = studio.wait(studio.start(both))["answers"][-1]
    base = load_input(folder / "latam.yaml", ["horizon=2035-12-31"])
    variant = load_input(folder / "latam.yaml", [c.text for c in both])
    expected = compare(base, [variant], replications=LEVELS[-1])
    for row in found["rows"]:
        assert row["change"]["diff"] == pytest.approx(expected.variants[0].candidate(row["code"]).success.diff)


def test_a_run_refines_up_to_the_bases_own_number_of_futures(folder: Path) -> None:
    assert Studio(folder / "latam.yaml").levels == (1_000, 4_000, 10_000)  # latam.yaml: 10,000


@pytest.mark.parametrize("name", ["../escape", "/etc/passwd", "sub/dir", ".hidden", "a" * 90, "", "x..y"])
def test_a_file_name_from_the_browser_never_leaves_the_folder(name: str) -> None:
    with pytest.raises(StudioError):
        safe_name(name)


def test_a_scenario_with_mistakes_opens_with_its_problem_list(folder: Path) -> None:
    broken = folder / "broken.yaml"
    broken.write_text("name: x\nhorizon: 2020-01-01\nstart: 2026-01-01\ncandidates: []\n", encoding="utf-8")
    studio = Studio(broken)
    info = studio.info()
    assert info["problems"] and all("broken.yaml" in line for line in info["problems"])
    with pytest.raises(StudioError):
        studio.start([])


def test_the_api_needs_the_token_and_the_address_it_printed(folder: Path) -> None:
    app = make_app(folder / "latam.yaml", token="t" * 20, hosts=("testserver",), levels=LEVELS)
    client = TestClient(app)
    assert client.get("/api/info").status_code == 401
    assert client.get("/api/info", headers={HEADER: "wrong"}).status_code == 401
    assert client.get("/").status_code == 401
    assert client.get("/?token=" + "t" * 20).status_code == 200
    good = {HEADER: "t" * 20}
    assert client.get("/api/info", headers=good).json()["name"].startswith("Latin American")
    rebound = TestClient(app, base_url="http://attacker.example")
    assert rebound.get("/api/info", headers=good).status_code == 403


def test_the_api_runs_saves_and_refuses_in_one_line_each(folder: Path) -> None:
    app = make_app(folder / "latam.yaml", token="t" * 20, levels=LEVELS)
    client = TestClient(app)
    good = {HEADER: "t" * 20}
    change = {"path": "allies.TUR.hold.probability", "value": "0.6"}
    refused = client.post("/api/check", headers=good, json={"changes": [{**change, "value": "2"}]})
    assert refused.status_code == 400 and len(refused.json()["problems"]) == 1
    job = client.post("/api/run", headers=good, json={"changes": [change]}).json()["job"]
    app.state.studio["studio"].wait(job)
    state = client.get(f"/api/run/{job}", headers=good).json()
    assert state["done"] and state["answers"][-1]["n"] == LEVELS[-1]
    saved = client.post("/api/save", headers=good, json={"name": "t1", "changes": [change]}).json()
    assert saved["file"] == "t1.yaml" and (folder / "t1.yaml").is_file()
    escape = client.post("/api/save", headers=good, json={"name": "../t2", "changes": [change]})
    assert escape.status_code == 400 and not (folder.parent / "t2.yaml").exists()
    assert client.post("/api/open", headers=good, json={"name": "t1"}).json()["changes"] == [change]
    assert client.post("/api/run", headers=good, content=b"not json").status_code == 400
    # Only files the studio made can be downloaded.
    assert client.get("/api/file?path=latam.yaml", headers=good).status_code == 404


def test_a_briefing_of_saved_what_ifs_is_written_inside_the_folder(folder: Path) -> None:
    pytest.importorskip("pptx")
    studio = Studio(folder / "latam.yaml", levels=LEVELS)
    studio.save("t1", [Change("allies.TUR.hold.probability", "0.6")])
    made = studio.briefing(["t1"], "html")
    assert made.is_file() and made.parent.parent == folder / "runs"
    assert "t1" in made.read_text(encoding="utf-8") or "What-if" in made.read_text(encoding="utf-8")
    assert studio.made(made.relative_to(folder).as_posix()) == made
