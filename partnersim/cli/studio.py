"""``partnersim studio``: what-ifs in the browser (``pip install 'partnersim[studio]'``)."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from pathlib import Path

import click

from partnersim.cli.common import friendly_errors
from partnersim.errors import PartnersimError

DEFAULT_SCENARIO = Path("scenarios") / "latam.yaml"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@click.command(epilog="""\b
Examples:
  partnersim studio scenarios/latam.yaml
  partnersim studio my-scenario.yaml --port 8765 --no-browser
  partnersim studio scenarios/latam.yaml --host 0.0.0.0 --token "$(openssl rand -hex 16)"

\b
Opens a local web page where a what-if is a few clicks: an ally's chance to
hold, a bloc, a candidate's request date, stage settings, the horizon. Each
change runs on the same simulated futures as the base and says whether it is
beyond noise; a what-if is saved as a YAML file beside the base (it `extends:`
it) and can be briefed as PPTX, PDF or HTML. The studio reads and writes only
in the scenario's folder. Ctrl-C stops it. See docs/studio.md.""")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path),
                metavar="[SCENARIO.yaml]")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on. Any but this machine's own needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Port to serve on (default: a free one).")
@click.option("--token", default=None, metavar="TOKEN",
              help="The token every request must carry (default: a new random one, printed in the address).")
@click.option("--no-browser", is_flag=True, help="Print the address without opening a browser.")
@friendly_errors
def studio(scenario: Path | None, host: str, port: int, token: str | None, no_browser: bool) -> None:
    """Run what-ifs in the browser, each with its paired difference from the base."""
    try:
        import uvicorn

        from partnersim.studio.app import make_app
    except ImportError:
        raise PartnersimError("the studio needs its extra: pip install 'partnersim[studio]'") from None
    path = scenario or DEFAULT_SCENARIO
    if not path.is_file():
        raise PartnersimError(f"no scenario file at {path}; give one: partnersim studio SCENARIO.yaml")
    if not _loopback(host) and not token:
        raise PartnersimError(f"serving on {host} lets other machines reach the studio: give --token TOKEN "
                              "(a long random string) that every request must carry")
    if token is not None and len(token) < 16:
        raise PartnersimError("--token: use at least 16 characters")
    key = token or secrets.token_urlsafe(24)
    port = port or _free_port(host)
    shown = f"[{host}]" if ":" in host else host
    hosts = (f"{shown}:{port}", f"localhost:{port}", f"127.0.0.1:{port}") if _loopback(host) else ()
    app = make_app(path, token=key, hosts=hosts)
    address = f"http://{shown if _loopback(host) else shown}:{port}/?token={key}"
    click.echo(f"partnersim studio: {path} at {address}")
    click.echo("Ctrl-C stops it.")
    if not no_browser:
        import webbrowser

        webbrowser.open(address)
    import asyncio
    import contextlib

    # A second Ctrl-C while the server stops: it is stopped all the same. The app has nothing to start or
    # stop with the server (no lifespan), so nothing is cut short.
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="off")
    click.echo("Studio stopped.")


COMMANDS = [studio]
