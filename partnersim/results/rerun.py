"""Replaying a run: what a run folder recorded, and whether a replay gives the same files.

A run folder holds everything needed to run it again: ``scenario.yaml`` (the
scenario as run, every default and every ``--set`` filled in, with its seed
and number of replications) and ``manifest.json`` (the versions it ran with).
The same scenario and seed give the same numbers whatever the number of
workers, so a replay must give byte-identical results; if it does not, the
versions are the first suspect, and this module says which differ.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partnersim import safetext
from partnersim._version import __version__
from partnersim.errors import RunFolderError
from partnersim.results.folder import check_finished, is_partial, read_manifest
from partnersim.results.rundir import dependency_versions, scenario_hash
from partnersim.scenario.schema import Scenario

REQUIRED = ("manifest.json", "scenario.yaml", "summary.json")
# The files whose bytes a replay must reproduce (replications.csv and partnership_areas.csv when
# the run wrote them).
COMPARED = ("summary.json", "results.csv", "cooperation_by_date.csv", "partnership_areas.csv", "replications.csv")
SHOWN = 10  # differences listed per file
BLOCK = 1 << 20


@dataclass(frozen=True)
class Recorded:
    """A finished run folder, as far as a replay needs it."""

    folder: Path
    manifest: dict[str, Any]
    rows: bool  # the run wrote replications.csv
    image_format: str

    @property
    def scenario_file(self) -> Path:
        return self.folder / "scenario.yaml"


def read_run(folder: Path) -> Recorded:
    """The record of the finished run in ``folder``; :class:`RunFolderError` if it is not one."""
    manifest = read_manifest(folder) if folder.is_dir() and not is_partial(folder) else None
    if manifest is not None and manifest.get("kind", "run") != "run":
        raise RunFolderError(f"{folder} is a {manifest['kind']} folder, not a run folder, so it cannot be replayed; "
                             f"to do it again, run its command: {manifest.get('command', 'partnersim ' + str(manifest['kind']))}")
    check_finished(folder, REQUIRED, "it cannot be replayed")
    if manifest is None:
        raise RunFolderError(f"cannot read {folder / 'manifest.json'}: it is not a manifest that partnersim wrote")
    listed = _listed(manifest)
    charts = sorted((folder / "charts").glob("*.*")) if (folder / "charts").is_dir() else []
    image_format = charts[0].suffix.lstrip(".") if charts else "png"
    rows = "replications.csv" in listed if listed else (folder / "replications.csv").is_file()
    return Recorded(folder, manifest, rows, image_format)


def _listed(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The files the manifest lists with their size and SHA-256 (none for a folder written before it did)."""
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        return {}
    return {name: entry for name, entry in listed.items() if isinstance(name, str) and isinstance(entry, dict)}


def installed_versions() -> dict[str, str | None]:
    """partnersim's version and those of its main dependencies, as installed now."""
    return {"partnersim": __version__, **dependency_versions()}


def version_differences(manifest: dict[str, Any]) -> list[str]:
    """One line per package whose recorded version is not the installed one."""
    recorded: dict[str, Any] = {"partnersim": manifest.get("partnersim")}
    dependencies = manifest.get("dependencies")
    recorded.update(dependencies if isinstance(dependencies, dict) else {})
    installed = installed_versions()
    lines = []
    for name, version in recorded.items():
        now = installed.get(name)
        if name in installed and version != now:
            lines.append(f"{name} {version or 'not installed'} when the run was made, {now or 'not installed'} now")
    return lines


def same_scenario(scenario: Scenario, manifest: dict[str, Any]) -> bool:
    """Whether ``scenario`` is the one whose SHA-256 the manifest recorded."""
    return scenario_hash(scenario) == manifest.get("scenario_sha256")


def compare(original: Path, replay: Path, manifest: dict[str, Any] | None = None) -> list[str]:
    """What differs between two run folders' result files; empty when every byte matches.

    Every file of ``COMPARED`` that the run wrote is compared: those its
    manifest lists (a listed file that is gone is a difference, not a file to
    skip), or those present in a folder written before manifests listed files.
    A recorded file whose SHA-256 is not the one its manifest holds was changed
    after the run, and is said to be.
    """
    listed = _listed(manifest or {})
    differences: list[str] = []
    for name in COMPARED:
        before, after = original / name, replay / name
        if name in listed and not before.is_file():
            differences.append(f"{name}: missing from the run folder, though the run wrote it")
            continue
        if not before.is_file():
            continue
        if not after.is_file():
            differences.append(f"{name}: the replay did not write it")
            continue
        recorded = listed.get(name, {}).get("sha256")
        if isinstance(recorded, str) and _sha256(before) != recorded:
            differences.append(f"{name}: changed since the run wrote it (its SHA-256 is not the one in manifest.json)")
        if _same_bytes(before, after):
            continue
        if name.endswith(".json"):
            differences += _json_differences(name, before.read_bytes(), after.read_bytes())
        else:
            differences += _line_differences(name, before, after)
    return differences


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as one, b.open("rb") as two:
        while True:
            block = one.read(BLOCK)
            if block != two.read(BLOCK):
                return False
            if not block:
                return True


def _json_differences(name: str, old: bytes, new: bytes) -> list[str]:
    found: list[tuple[str, str, str]] = []
    try:
        _walk(json.loads(old), json.loads(new), (), found)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return [f"{name}: the files differ (the recorded one is not JSON as a run writes it)"]
    if not found:
        return [f"{name}: the same values, written differently"]
    # Keys and values come from a file anyone may have edited: one line each, no control characters.
    listed = [safetext.line(f"{name}: {path}: {a} → {b}") for path, a, b in found[:SHOWN]]
    if len(found) > SHOWN:
        listed.append(f"{name}: … and {len(found) - SHOWN} more values")
    return listed


def _walk(before: Any, after: Any, path: tuple[str, ...], found: list[tuple[str, str, str]]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *[k for k in after if k not in before]]:
            _walk(before.get(key, _MISSING), after.get(key, _MISSING), (*path, str(key)), found)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (a, b) in enumerate(zip(before, after, strict=True)):
            _walk(a, b, (*path, str(index)), found)
    elif before != after or type(before) is not type(after):
        found.append((".".join(path) or "(the whole file)", _show(before), _show(after)))


_MISSING = object()


def _show(value: Any) -> str:
    if value is _MISSING:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _line_differences(name: str, before: Path, after: Path) -> list[str]:
    """How many lines differ and the first that does, reading both files line by line."""
    count = differing = 0
    first = None
    endings = False
    with before.open("rb") as one, after.open("rb") as two:
        for old, new in itertools.zip_longest(one, two):
            count += 1
            if old == new:
                continue
            if old is not None and new is not None and old.rstrip(b"\r\n") == new.rstrip(b"\r\n"):
                endings = True
                continue
            differing += 1
            first = count if first is None else first
    if not differing:
        return [f"{name}: the same lines, with different line endings" if endings else f"{name}: the files differ"]
    return [f"{name}: {differing:,} of {count:,} lines differ, the first is line {first}"]
