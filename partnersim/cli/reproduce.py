"""Reproducibility: ``rerun`` replays a run from its folder and says whether it matches."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
