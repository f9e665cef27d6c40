"""The ``partnersim`` command: parse options, call the library, render. Nothing else.

Each module of this package holds the commands of one concern and lists them
in ``COMMANDS``. Heavy modules (NumPy, SciPy, SimPy, matplotlib) are imported
inside the commands, so ``partnersim --help`` answers at once. A mistake in
the user's input is one line per problem and exit code 2; never a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from partnersim._version import __version__
from partnersim.cli import history, report, reproduce, run, show, studio, tools, whatif
from partnersim.cli.common import stop_on_signals


class _Commands(click.Group):
    """partnersim's commands. A command called the wrong way (an unknown option, a value out of range, a missing
    argument) is one line and exit code 2, like every other mistake, not click's usage block."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            where = f" (see {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
            click.echo(f"error: {exc.format_message()}{where}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        # Without standalone mode click returns a command's result or an exit code (--help, --version): the
        # commands return nothing, so a number is an exit code.
        sys.exit(code if isinstance(code, int) else 0)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  partnersim run scenarios/latam.yaml
  partnersim run scenarios/latam.yaml -n 2000 --seed 7 --out runs/quick
  partnersim validate scenarios/*.yaml
  partnersim show runs/quick --xlsx quick.xlsx
  partnersim diagram -o process.png

The scenario reference is docs/scenario.md.""",
)
@click.version_option(__version__, prog_name="partnersim")
def cli() -> None:
    """Simulate NATO partnership accession and brief the results.

    A scenario file (YAML) describes the allies, the process and the candidate
    nations; partnersim runs it many times and reports how likely each
    candidate is to reach cooperation, by when, and which allies stand in the way.
    """


for _module in (run, show, report, whatif, history, reproduce, studio, tools):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    stop_on_signals()
    cli(prog_name="partnersim")
