"""Run folders: everything a run produced, written so that a half-written run never looks finished.

A run is written into a hidden sibling folder (``.NAME.partial``) and renamed
into place only when complete; a run stopped midway leaves no folder that
looks like a finished run. An existing run folder is replaced only when asked.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import yaml

from partnersim import __version__
from partnersim.engine.model import Model
from partnersim.engine.records import Records
from partnersim.errors import RunFolderError
from partnersim.results import table
from partnersim.scenario.schema import Scenario

PARTNERSHIP_AREAS = "partnership_areas.csv"  # written only for a run with a ``partnership`` block
DEPENDENCIES = ("numpy", "scipy", "simpy", "transitions", "pydantic", "PyYAML", "matplotlib", "click")


def default_folder(scenario: Scenario, source: Path, when: dt.datetime) -> Path:
    return Path("runs") / f"{source.stem}-{when.strftime('%Y%m%d-%H%M%S')}"


def resolved_yaml(scenario: Scenario) -> str:
    """The scenario with every default filled in, as YAML."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def scenario_hash(scenario: Scenario) -> str:
    return hashlib.sha256(resolved_yaml(scenario).encode()).hexdigest()


class RunFolder:
    """A run folder being written; ``commit`` moves it into place."""

    def __init__(self, final: Path, *, force: bool = False) -> None:
        self.final = final
        if final.exists() and not force:
            raise RunFolderError(f"{final} already exists; choose another --out or add --force to replace it")
        self.force = force
        self.path = final.parent / f".{final.name}.partial"
        try:
            if self.path.exists():
                shutil.rmtree(self.path)
            (self.path / "charts").mkdir(parents=True)
        except OSError as exc:
            raise RunFolderError(f"cannot write the run folder {final}: {exc.strerror}") from None

    def write_text(self, name: str, text: str) -> Path:
        target = self.path / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise RunFolderError(f"cannot write {self.final / name}: {exc.strerror}") from None
        return target

    def write_json(self, name: str, data: Any) -> Path:
        return self.write_text(name, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def copy_inputs(self, files: list[Path]) -> None:
        for source in files:
            self.write_text(f"inputs/{source.name}", source.read_text(encoding="utf-8"))

    def commit(self) -> Path:
        # A run replaced with --force is set aside, not deleted, until the new one is in place.
        old = self.final.parent / f".{self.final.name}.replaced"
        try:
            if old.exists():
                shutil.rmtree(old)
            if self.final.exists():
                os.replace(self.final, old)
            try:
                os.replace(self.path, self.final)
            except OSError:
                if old.exists():
                    os.replace(old, self.final)
                raise
        except OSError as exc:
            raise RunFolderError(f"cannot finish the run folder {self.final}: {exc.strerror}") from None
        shutil.rmtree(old, ignore_errors=True)
        return self.final

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def manifest(
    scenario: Scenario, sources: list[Path], started: dt.datetime, finished: dt.datetime, jobs: int,
    *, overrides: list[str] | None = None, precision: float | None = None, executor: str = "local",
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "partnersim": __version__,
        "scenario": scenario.name,
        "scenario_sha256": scenario_hash(scenario),
        "inputs": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sources},
        "overrides": list(overrides or []),
        "warnings": list(warnings or []),
        "precision": precision,
        "seed": scenario.seed,
        "replications": scenario.replications,
        "jobs": jobs,
        "executor": executor,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "dependencies": versions,
        "command": " ".join(["partnersim", *sys.argv[1:]]),
    }


def parquet_copies(folder: Path) -> list[str]:
    """Parquet next to each table of the folder, when pyarrow is installed (names written)."""
    try:
        from pyarrow import csv as arrow_csv
        from pyarrow import parquet
    except ImportError:
        return []
    written = []
    for name in ("results.csv", "replications.csv", "cooperation_by_date.csv", PARTNERSHIP_AREAS, "events.csv"):
        source = folder / name
        if source.exists():
            target = source.with_suffix(".parquet")
            parquet.write_table(arrow_csv.read_csv(source), target)
            written.append(target.name)
    return written


class ReplicationRows:
    """Writes one CSV row per candidate per replication, chunk by chunk, as results stream in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stream: TextIO | None = None
        self._writer: Any = None

    def close(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            try:
                stream.close()
            except OSError as exc:
                raise self._error(exc) from None

    def _error(self, exc: OSError) -> RunFolderError:
        return RunFolderError(f"cannot write {self.path.name} in the run folder: {exc.strerror}")

    def __call__(self, model: Model, records: Records) -> None:
        try:
            self._write(model, records)
        except OSError as exc:
            raise self._error(exc) from None

    def _write(self, model: Model, records: Records) -> None:
        if self._stream is None:
            self._stream = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._stream, lineterminator="\n")
            self._writer.writerow(table.header(model))
        self._writer.writerows(table.text_rows(model, records))
