"""``schema``: the scenario format for editors and other tools."""

from __future__ import annotations

import json
from pathlib import Path

import click

from partnersim import files
from partnersim.cli.common import friendly_errors, out_file_option
from partnersim.errors import PartnersimError


@click.command(epilog="""\b
Examples:
  partnersim schema > scenario.schema.json
  partnersim schema -o docs/scenario.schema.json
  partnersim schema --process -o docs/process.schema.json

\b
Editors that use yaml-language-server (VS Code's YAML extension, for one)
complete and check keys when a scenario file starts with:
  # yaml-language-server: $schema=../docs/scenario.schema.json""")
@out_file_option("Write to a file instead of standard output.")
@click.option("--process", "of_process", is_flag=True, help="The schema of process files instead.")
@friendly_errors
def schema(out: Path | None, of_process: bool) -> None:
    """Print the JSON Schema of scenario files (or, with --process, of process files)."""
    from partnersim.scenario.jsonschema import process_schema, scenario_schema

    text = json.dumps(process_schema() if of_process else scenario_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        if out.suffix.lower() != ".json":
            raise PartnersimError(f"--out: the schema is JSON; give a file ending in .json, got {out.name}")
        files.write_text(out, text)
        click.echo(f"Wrote {out}")


COMMANDS: list[click.Command] = [schema]
