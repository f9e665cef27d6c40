"""What the studio knows and does, without a browser: the base, the what-ifs, their runs and their files.

A *change* is one setting as ``--set`` writes it (``allies.TUR.hold.probability=0.3``), checked by the
scenario loader exactly as the command line checks it. A what-if is a list of changes to the base; it runs
with :func:`partnersim.whatif.compare.compare` on the base's seed, so every difference is paired and has its
95% interval. A run gives a first answer on few replications and refines it (:data:`FIRST`), up to the base's own number.

Files, not state: a saved what-if is a YAML file beside the base that ``extends:`` it and holds only the
changes; it runs the same from the command line. The studio reads and writes only inside the base's folder:
a file name from the browser is a bare name, checked (:func:`safe_name`), never a path.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from partnersim.errors import PartnersimError, ScenarioError

FIRST = (1_000, 4_000)  # replications of a run's first answers; the last is the base's own number, as a briefing's
FIXED = ("start", "seed", "replications")  # what a what-if keeps: its futures are the base's
# A what-if that moves the horizon moves the base's too: both are then counted to the same date, and the paired
# change is the other changes' doing (a chance by one date set against a chance by another would not be).
SHARED = ("horizon",)


class Cancelled(Exception):
    """A newer what-if replaced this one: its run stops at the next batch of replications."""
CURVE_STEP = 14  # days between the points of an S-curve sent to the browser
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,79}")
CHANGE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,199}")


class StudioError(PartnersimError):
    """A request the studio refuses, with the reason a user can act on (one line each)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("; ".join(self.lines))


@dataclass(frozen=True)
class Change:
    """One setting changed: its key path and its value, as ``--set PATH=VALUE`` writes them."""

    path: str
    value: str

    @property
    def text(self) -> str:
        return f"{self.path}={self.value}"

    @classmethod
    def parse(cls, data: Any) -> Change:
        if not isinstance(data, dict) or not isinstance(data.get("path"), str) or "value" not in data:
            raise StudioError(["a change is a setting's key path and a value"])
        path, value = data["path"].strip(), str(data["value"]).strip()
        if not CHANGE.fullmatch(path):
            raise StudioError([f"{path!r} is not a key path such as allies.TUR.hold.probability"])
        if not value or len(value) > 500 or "\n" in value:
            raise StudioError([f"{path}: give a value on one line"])
        return cls(path, value)


def safe_name(name: str) -> str:
    """A what-if's file name from the browser: a bare name (letters, digits, space, ``_.-``), ``.yaml`` added.

    Never a path: no separator, no ``..``, nothing hidden; so it cannot leave the base's folder.
    """
    stem = name.strip().removesuffix(".yaml")
    if not NAME.fullmatch(stem) or ".." in stem:
        raise StudioError(["a what-if's name is letters, digits, spaces, '_', '.' or '-' (at most 80), "
                           "and starts with a letter or digit"])
    return stem + ".yaml"


@dataclass
class Job:
    """One what-if's run: its answers so far, the latest the most precise."""

    changes: tuple[Change, ...]
    answers: list[dict[str, Any]] = field(default_factory=list)
    error: list[str] = field(default_factory=list)
    done: bool = False
    started: float = field(default_factory=time.perf_counter)
    cancelled: bool = False


class Studio:
    """The base scenario, its folder, and the what-ifs being run, saved and briefed."""

    def __init__(self, base: Path, *, levels: Sequence[int] | None = None) -> None:
        from partnersim.whatif.compare import load_input

        self.base_path = base.resolve()
        self.folder = self.base_path.parent
        self.problems: list[str] = []
        self.base = None
        try:
            self.base = load_input(self.base_path)
        except ScenarioError as exc:
            self.problems = exc.lines()
        # First answers on few futures, then the base's own number, the one its briefing and `compare` use.
        own = self.base.scenario.replications if self.base is not None else FIRST[-1]
        self.levels = tuple(levels) if levels else tuple(n for n in FIRST if n < own) + (own,)
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._files = threading.Lock()  # one writer at a time, whatever the number of tabs
        self._made: set[Path] = set()  # files the studio wrote, the only ones it serves

    # --- what the page shows first ---------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """The base as the page shows it: its names, its candidates, allies and stages, or its problems."""
        if self.base is None:
            return {"file": self.base_path.name, "problems": self.problems}
        scenario = self.base.scenario
        stages = [{"name": s.name, "kind": s.kind, "label": s.label} for s in scenario.template.stages]
        return {
            "file": self.base_path.name,
            "problems": [],
            "warnings": list(self.base.warnings),
            "name": scenario.name,
            "question": " ".join(scenario.question.split()),
            "start": scenario.start.isoformat(),
            "horizon": scenario.end_date.isoformat(),
            "replications": scenario.replications,
            "success": scenario.template.success_label,
            "candidates": [{"code": c.code, "name": c.name} for c in scenario.candidates],
            "allies": [{"code": code, "name": name} for code, name in scenario.roster.items()],
            "stages": stages,
            "files": self.files(),
        }

    def files(self) -> list[str]:
        """The what-ifs saved beside the base: YAML files of its folder that extend it."""
        found = []
        for path in sorted(self.folder.glob("*.yaml")):
            if path.resolve() == self.base_path or not path.is_file():
                continue
            try:
                head = path.read_text(encoding="utf-8")[:4000]
            except (OSError, UnicodeDecodeError):
                continue
            if re.search(rf"^extends:\s*['\"]?{re.escape(self.base_path.name)}['\"]?\s*$", head, re.M):
                found.append(path.name)
        return found

    # --- a what-if ----------------------------------------------------------------------------------

    def check(self, changes: Sequence[Change]) -> Any:
        """The what-if as the loader reads it (an Input); its problems, one line each, if it has any."""
        from partnersim.whatif.compare import load_input

        if self.base is None:
            raise StudioError(self.problems)
        fixed = [c.path for c in changes if c.path.split(".")[0] in FIXED]
        if fixed:
            raise StudioError([f"{path}: a what-if keeps the base's {path}, so that both play out the same futures; "
                               "open a scenario with another one as the base" for path in fixed])
        try:
            return load_input(self.base_path, [c.text for c in changes])
        except ScenarioError as exc:
            raise StudioError(exc.lines()) from None

    def start(self, changes: Sequence[Change]) -> str:
        """Run the what-if in the background, first on few replications; its job's id."""
        variant = self.check(changes)
        base = self.base_for(changes)
        key = str(next(self._ids))
        job = Job(tuple(changes))
        for other in self._jobs.values():
            other.cancelled = True  # one what-if at a time: the newest; its run stops at its next batch
        self._jobs.clear()  # the page asks only for the newest: the others are not kept
        self._jobs[key] = job
        threading.Thread(target=self._run, args=(job, base, variant), daemon=True,
                         name=f"studio-job-{key}").start()
        return key

    def job(self, key: str) -> dict[str, Any]:
        found = self._jobs.get(key)
        if found is None:
            raise StudioError([f"run {key} was replaced by a newer what-if (one runs at a time, whichever tab "
                               "asked for it)"])
        return {"done": found.done, "error": found.error, "answers": found.answers,
                "changes": [c.__dict__ for c in found.changes]}

    def wait(self, key: str, timeout: float = 120.0) -> dict[str, Any]:
        """The job's state once it is done (for tests and scripts)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            state = self.job(key)
            if state["done"]:
                return state
            time.sleep(0.02)
        raise StudioError([f"run {key} did not finish in {timeout:.0f} s"])

    def base_for(self, changes: Sequence[Change]) -> Any:
        """The base a what-if is set against: the base, with the what-if's horizon where it moves it."""
        from partnersim.whatif.compare import load_input

        shared = [c.text for c in changes if c.path in SHARED]
        if not shared:
            return self.base
        try:
            return load_input(self.base_path, shared)
        except ScenarioError as exc:
            raise StudioError(exc.lines()) from None

    def _run(self, job: Job, base: Any, variant: Any) -> None:
        from partnersim.whatif.compare import compare

        def stop_if_replaced(_: int) -> None:
            if job.cancelled:
                raise Cancelled

        try:
            for n in self.levels:
                if job.cancelled:
                    break
                comparison = compare(base, [variant], replications=n, progress=stop_if_replaced)
                job.answers.append(answer(comparison, time.perf_counter() - job.started))
        except Cancelled:
            pass
        except PartnersimError as exc:
            job.error = [str(exc)]
        except Exception as exc:  # noqa: BLE001 - a failed run says why and leaves the studio working
            job.error = [f"the run failed: {type(exc).__name__}: {exc}"]
        finally:
            job.done = True

    # --- files ----------------------------------------------------------------------------------------

    def save(self, name: str, changes: Sequence[Change], *, overwrite: bool = False) -> str:
        """Write the what-if as ``NAME.yaml`` beside the base, extending it with only the changes; checked
        by loading it back before it replaces anything."""
        from partnersim.scenario.loader import load_checked

        if not changes:
            raise StudioError(["nothing to save: the what-if changes no setting"])
        self.check(changes)
        file = safe_name(name)
        target = self.folder / file
        if target.resolve().parent != self.folder or target.resolve() == self.base_path:
            raise StudioError([f"{file} cannot be written: it is not a new file beside {self.base_path.name}"])
        text = variant_yaml(self.base_path.name, changes, file.removesuffix(".yaml"))
        with self._files:
            if target.exists() and file not in self.files():
                raise StudioError([f"{file} is a file of its own in this folder, not a what-if of "
                                   f"{self.base_path.name}: choose another name"])
            if target.exists() and not overwrite:
                raise StudioError([f"{file} is already a what-if of {self.base_path.name}: replace it, or choose "
                                   "another name"])
            # Written beside the base under a hidden name, read back by the loader, then moved into place in
            # one step: another tab, or a reader, sees the old file or the new one, never half of one.
            handle, temporary = tempfile.mkstemp(prefix=f".{file}.", suffix=".yaml", dir=self.folder)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                try:
                    load_checked(Path(temporary), ())
                except ScenarioError as exc:
                    raise StudioError(exc.lines()) from None
                os.replace(temporary, target)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        return file

    def open(self, name: str) -> list[Change]:
        """The changes a saved what-if makes to the base (its keys other than ``extends``)."""
        file = safe_name(name)
        path = self.folder / file
        if file not in self.files():
            raise StudioError([f"{file} is not a what-if of {self.base_path.name} in its folder"])
        from partnersim.scenario.yamlio import read_yaml

        try:
            document, _ = read_yaml(path, file)
        except ScenarioError as exc:
            raise StudioError(exc.lines()) from None
        if not isinstance(document, dict):
            raise StudioError([f"{file} is not a scenario"])
        changes = [Change(p, v) for p, v in flatten({k: v for k, v in document.items() if k != "extends"})]
        changes = [c for c in changes if c.path not in ("name", "question", "description")]
        self.check(changes)
        return changes

    def briefing(self, names: Sequence[str], fmt: str) -> Path:
        """Compare the saved what-ifs ``names`` with the base and write the comparison's briefing as ``fmt``;
        the briefing's path, inside ``runs/`` of the base's folder."""
        from partnersim.report import FORMATS, write_report
        from partnersim.results.folder import RunFolder
        from partnersim.whatif.compare import compare, load_input
        from partnersim.whatif.outputs import write_comparison

        if fmt not in FORMATS:
            raise StudioError([f"a briefing is one of {', '.join(FORMATS)}, not {fmt!r}"])
        if not names:
            raise StudioError(["save the what-if first: a briefing is made from saved files"])
        assert self.base is not None
        files = [safe_name(n) for n in names]
        known = self.files()
        missing = [f for f in files if f not in known]
        if missing:
            raise StudioError([f"{', '.join(missing)}: not a saved what-if of {self.base_path.name}"])
        variants = [load_input(self.folder / f) for f in files]
        horizons = {v.scenario.end_date for v in variants}
        if len(horizons) > 1:
            raise StudioError(["brief together only what-ifs with the same horizon: each is set against the base "
                               "counted to its horizon"])
        (horizon,) = horizons
        base = self.base if horizon == self.base.scenario.end_date else self.base_for(
            [Change("horizon", horizon.isoformat())])
        started = dt.datetime.now(dt.timezone.utc)
        comparison = compare(base, variants)
        out = self.folder / "runs" / f"studio-{started.astimezone():%Y%m%d-%H%M%S-%f}"
        with self._files, RunFolder(out, kind="compare", fresh=True) as folder:
            written = write_comparison(folder, comparison, [base, *variants], [], 1, "png", started)
        with self._files:
            report = write_report(written, fmt)
        self._made.add(report.resolve())
        return report

    def made(self, relative: str) -> Path:
        """A file the studio wrote, by its path relative to the base's folder; refused otherwise."""
        path = (self.folder / relative).resolve()
        if path not in self._made or not path.is_file():
            raise StudioError(["no such file made by the studio"])
        return path


def variant_yaml(base: str, changes: Sequence[Change], title: str) -> str:
    """The YAML of a what-if: ``extends`` the base, a name, then each change nested as its key path says."""
    document: dict[str, Any] = {}
    candidates: dict[str, dict[str, Any]] = {}  # a file lists its candidates; ``extends`` matches them by code
    for change in changes:
        node = document
        *parents, leaf = change.path.split(".")
        if parents[:1] == ["candidates"] and len(parents) >= 2:
            node = candidates.setdefault(parents[1], {"code": parents[1]})
            parents = parents[2:]
        for key in parents:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise StudioError([f"{change.path}: {key} is set to a value and cannot hold other keys"])
        node[leaf] = yaml.safe_load(change.value) if change.value else change.value
    if candidates:
        document["candidates"] = list(candidates.values())
    lines = [f"# What-if on {base}, made in partnersim studio: {len(changes)} change(s), each an analyst's "
             "judgement (no source)."]
    body = yaml.safe_dump({"extends": base, "name": f"What-if: {title}", **document}, sort_keys=False,
                          allow_unicode=True, default_flow_style=False)
    # Each changed value says where it comes from, as every setting of a shipped scenario does.
    marked = [line + ("  # what-if: an assumption of the analyst, no source" if _leaf(line) else "")
              for line in body.splitlines()]
    return "\n".join(lines + marked) + "\n"


def _leaf(line: str) -> bool:
    """A YAML line that sets a value (not a key that opens a mapping, nor the file's own keys)."""
    key, colon, value = line.strip().removeprefix("- ").partition(":")
    return bool(colon and value.strip()) and key not in ("extends", "name", "code")


def flatten(document: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Every leaf of a nested mapping as (key path, value as ``--set`` writes it); a list of candidates by code."""
    found = []
    for key, value in document.items():
        path = f"{prefix}{key}"
        if not prefix and key == "candidates" and isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict) and isinstance(entry.get("code"), str):
                    found += flatten({k: v for k, v in entry.items() if k != "code"}, f"candidates.{entry['code']}.")
            continue
        if isinstance(value, dict) and value and not _distribution(value):
            found += flatten(value, path + ".")
        else:
            text = yaml.safe_dump(value, default_flow_style=True, width=1_000).strip()
            found.append((path, text.removesuffix("\n...").removesuffix("...").strip()))
    return found


def _distribution(value: dict[str, Any]) -> bool:
    """A mapping that is one value (a distribution such as ``{lognormal: {median: 1y, p90: 2y}}``)."""
    from partnersim.values.distributions import DURATION_KINDS

    return len(value) == 1 and next(iter(value)) in DURATION_KINDS


def answer(comparison: Any, seconds: float) -> dict[str, Any]:
    """What the page shows of one refinement: each candidate's chance in the base and the what-if, the
    paired change with its 95% interval, the median dates, and the S-curves."""
    variant = comparison.variants[0]
    base, result = comparison.base, variant.results
    success = base.success
    rows, curves = [], {}
    for change in variant.candidates:
        before = next(c for c in base.candidates if c.code == change.code)
        after = next(c for c in result.candidates if c.code == change.code)
        s = change.success
        rows.append({
            "code": change.code, "name": change.name,
            "base": _estimate(before.outcomes[success]), "variant": _estimate(after.outcomes[success]),
            "change": {"diff": s.diff, "low": s.low, "high": s.high, "verdict": s.verdict,
                       "beyond": s.distinguishable},
            "p50": {"base": _day(change.dates["P50"].base), "variant": _day(change.dates["P50"].variant),
                    "months": change.dates["P50"].months},
        })
        curves[change.code] = {"base": _curve(before.cdf), "variant": _curve(after.cdf)}
    return {"n": comparison.replications, "seconds": round(seconds, 3), "rows": rows, "curves": curves,
            "start": base.start.isoformat(), "step": CURVE_STEP, "horizon": base.end_date.isoformat(),
            "differences": [str(d) for d in variant.differences], "notes": comparison.notes,
            "base": told(base), "variant": told(result)}


def told(results: Any) -> dict[str, Any]:
    """A run as the command line tells it: each candidate's finding (its chance, its dates, the allies in the way)
    and the table of how the cases end, each with its 95% interval."""
    from partnersim.report.findings import summary_tables
    from partnersim.results.text import finding

    outcomes = summary_tables(results)[0]
    return {"findings": [finding(results, c) for c in results.candidates],
            "outcomes": {"title": outcomes.title, "header": outcomes.header, "rows": outcomes.rows,
                         "note": outcomes.note}}


def _estimate(estimate: Any) -> dict[str, float]:
    return {"p": float(estimate.p), "low": float(estimate.low), "high": float(estimate.high)}


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _curve(cdf: Any) -> list[float]:
    values = list(cdf)
    return [round(float(values[i]), 4) for i in range(0, len(values), CURVE_STEP)] + (
        [round(float(values[-1]), 4)] if values else [])


__all__ = ["FIRST", "FIXED", "SHARED", "Change", "Studio", "StudioError", "answer", "flatten", "safe_name", "told", "variant_yaml"]
