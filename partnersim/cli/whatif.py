"""What-if analysis: ``compare``, ``sweep`` and ``sensitivity``."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
