"""Every command turns errors into lines and exit codes the same way: ``friendly_errors``.

``validate`` lists each file's problems itself, but an interruption or an
error of the system (a file that cannot be read) must read as it does for
every other command: one line and the usual exit code, never "Aborted!" or a
traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.cli.common import friendly_errors

ROOT = Path(__file__).resolve().parents[1]
LATAM = ROOT / "scenarios" / "latam.yaml"
WRAPPER = friendly_errors(lambda: None).__code__


def commands(group: click.Group = cli, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(commands(command, f"{prefix}{name} "))
        else:
            found[f"{prefix}{name}"] = command
    return found


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_goes_through_friendly_errors(name: str) -> None:
    callback = commands()[name].callback
    assert callback is not None and callback.__code__ is WRAPPER, f"{name} is not wrapped by friendly_errors"


def test_validate_interrupted_says_so_and_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    def leave(code: int) -> None:  # friendly_errors leaves with os._exit; inside a test, a SystemExit will do
        raise SystemExit(code)

    monkeypatch.setattr("partnersim.scenario.loader.load_checked", interrupted)
    monkeypatch.setattr(os, "_exit", leave)
    result = CliRunner().invoke(cli, ["validate", str(LATAM)])
    assert result.exit_code == 130
    assert "Aborted!" not in result.output
    assert "Interrupted" in result.stderr


def test_validate_reports_an_error_of_the_system_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "latam.yaml")

    monkeypatch.setattr("partnersim.scenario.loader.load_checked", unreadable)
    result = CliRunner().invoke(cli, ["validate", str(LATAM)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == ["error: cannot use latam.yaml: Permission denied"]


def test_validate_keeps_its_own_listing_and_exit_codes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("start: 2026-12-01\nnmae: x\ncandidates:\n  - {code: ARG, request: 2024-04-18}\n")
    result = CliRunner().invoke(cli, ["validate", str(LATAM), str(broken)])
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{LATAM}: ok — ")
    assert result.stderr.splitlines() == [f"{broken}:2: nmae: unknown key 'nmae' (did you mean 'name'?)"]
    assert CliRunner().invoke(cli, ["validate", str(LATAM)]).exit_code == 0
