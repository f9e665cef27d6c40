"""What a run folder holds: the resolved scenario, the manifest, the rows as they stream in, Parquet copies.

How the folder is written (hidden until complete, locked, replaced only when
ours) is :mod:`partnersim.results.folder`'s concern.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

from partnersim._version import __version__
from partnersim.engine.model import Model
from partnersim.engine.records import Records
from partnersim.errors import RunFolderError
from partnersim.results import table
from partnersim.results.folder import input_names
from partnersim.scenario.schema import Scenario
from partnersim.scenario.yamlio import dump_yaml

PARTNERSHIP_AREAS = "partnership_areas.csv"  # written only for a run with a ``partnership`` block
DEPENDENCIES = ("numpy", "scipy", "simpy", "transitions", "pydantic", "PyYAML", "matplotlib", "click")


def resolved_yaml(scenario: Scenario) -> str:
    """The scenario with every default filled in, as YAML."""
    # Read back by the scenario reader (YAML 1.2): text such as "1e4" must stay quoted.
    return dump_yaml(scenario.model_dump(mode="json", exclude_none=True))


def scenario_hash(scenario: Scenario) -> str:
    return hashlib.sha256(resolved_yaml(scenario).encode()).hexdigest()


def manifest(
    scenario: Scenario, sources: list[Path], started: dt.datetime, finished: dt.datetime, jobs: int,
    *, overrides: list[str] | None = None, precision: float | None = None, executor: str = "local",
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "partnersim": __version__,
        "scenario": scenario.name,
        "scenario_sha256": scenario_hash(scenario),
        "inputs": {
            name: hashlib.sha256(p.read_bytes()).hexdigest()
            for name, p in zip(input_names(sources), sources, strict=True)
        },
        "overrides": list(overrides or []),
        "warnings": list(warnings or []),
        "precision": precision,
        "seed": scenario.seed,
        "replications": scenario.replications,
        "jobs": jobs,
        "executor": executor,
        **provenance(started, finished),
    }


def provenance(started: dt.datetime, finished: dt.datetime) -> dict[str, Any]:
    """When and how a folder was made: the times, Python, the platform, the command (for any manifest)."""
    return {
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "dependencies": dependency_versions(),
        "command": " ".join(["partnersim", *sys.argv[1:]]),
    }


def dependency_versions() -> dict[str, str | None]:
    """The installed version of each of partnersim's main dependencies (None: not installed)."""
    versions: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


STREAMED = ("replications.csv", "events.csv")  # millions of rows in a large run: converted block by block
ROW_GROUP = 100_000


def parquet_copies(folder: Path) -> list[str]:
    """Parquet next to each table of the folder, when pyarrow is installed (names written).

    The long tables are read and written block by block, so memory does not
    grow with the number of replications.
    """
    try:
        from pyarrow import csv as arrow_csv
        from pyarrow import parquet
    except ImportError:
        return []
    import pyarrow

    written = []
    for name in ("results.csv", "replications.csv", "cooperation_by_date.csv", PARTNERSHIP_AREAS, "events.csv"):
        source = folder / name
        if source.exists():
            target = source.with_suffix(".parquet")
            if name in STREAMED:
                _stream_to_parquet(source, target)
            else:
                parquet.write_table(arrow_csv.read_csv(source), target)
            written.append(target.name)
    # Arrow keeps the blocks it used for later; give them back, as the charts come next.
    getattr(pyarrow.default_memory_pool(), "release_unused", lambda: None)()
    return written


def _stream_to_parquet(source: Path, target: Path) -> None:
    import pyarrow as pa
    from pyarrow import csv as arrow_csv
    from pyarrow import parquet

    with source.open(encoding="utf-8", newline="") as stream:
        header = next(csv.reader(stream), [])
    # Types by column name, so that a column empty in the first block is not read as empty throughout.
    types = {name: _arrow_type(pa, name) for name in header}
    reader = arrow_csv.open_csv(source, convert_options=arrow_csv.ConvertOptions(column_types=types))
    with parquet.ParquetWriter(target, reader.schema) as writer:
        pending: list[Any] = []
        rows = 0
        for batch in reader:
            pending.append(batch)
            rows += batch.num_rows
            if rows >= ROW_GROUP:
                writer.write_table(pa.Table.from_batches(pending, reader.schema))
                pending, rows = [], 0
        if pending:
            writer.write_table(pa.Table.from_batches(pending, reader.schema))


def _arrow_type(pa: Any, name: str) -> Any:
    if name == "replication":
        return pa.int64()
    if name == "timestamp":
        return pa.timestamp("ns", tz="UTC")
    if name.endswith("_date"):
        return pa.date32()
    if name.endswith("_day") or name.startswith("days_"):
        return pa.float64()
    return pa.string()


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
        self._writer.writerows(zip(*table.text_columns(model, records), strict=True))
