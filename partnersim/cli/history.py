"""Grounded in history: ``fit`` delay models to data and ``backtest`` past cases."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
