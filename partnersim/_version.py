"""The version of partnersim, in one place (read by the build, the CLI and every file it writes)."""

__version__ = "0.1.0"
