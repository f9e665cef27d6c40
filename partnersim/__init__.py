"""partnersim: Monte Carlo simulation of NATO partnership accession for briefings."""

from __future__ import annotations

__version__ = "0.1.0"
