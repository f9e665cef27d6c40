"""Briefings: ``chart`` rebuilds charts from a run folder, ``report`` writes a briefing."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
