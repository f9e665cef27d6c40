"""The ``partnersim`` command: parse options, call the library, render. Nothing else.

Each module of this package holds the commands of one concern and lists them
in ``COMMANDS``. Heavy modules (NumPy, SciPy, SimPy, matplotlib) are imported
inside the commands, so ``partnersim --help`` answers at once. A mistake in
the user's input is one line per problem and exit code 2; never a traceback.
"""

from __future__ import annotations

import click

from partnersim._version import __version__
from partnersim.cli import history, report, reproduce, run, show, studio, tools, whatif
from partnersim.cli.common import stop_on_signals


@click.group(
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
