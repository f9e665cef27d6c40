"""How long partnersim studio takes to show the first answer after a change, measured in a browser.

    python benchmarks/studio.py            # 9 changes to scenarios/latam.yaml, the median and the spread

Starts the studio on a copy of latam.yaml, opens it in headless Chromium (Debian's ``chromium``, or
``PARTNERSIM_CHROMIUM``) through Playwright, and makes one change after another, each once the previous
what-if has finished: the time from the click to the first answer on the page (the page keeps it in
``window.studioFirstAnswers``). The answer comes from 1,000 simulated futures for the base and the what-if.
Needs the studio and test extras (``pip install '.[studio,test]'``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
TOKEN = "benchmark-token-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=9, help="changes to time (default 9)")
    args = parser.parse_args()

    import uvicorn
    from playwright.sync_api import sync_playwright

    from partnersim.studio.app import make_app

    chromium = os.environ.get("PARTNERSIM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("no Chromium: install Debian's chromium, or name one with PARTNERSIM_CHROMIUM")
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(ROOT / "scenarios" / "latam.yaml", Path(folder) / "latam.yaml")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        app = make_app(Path(folder) / "latam.yaml", token=TOKEN, hosts=(f"127.0.0.1:{port}",))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/?token={TOKEN}")
            page.wait_for_function("document.body.dataset.done === 'yes'", timeout=120_000)
            page.select_option("#ally", "TUR")
            for k in range(args.changes):
                page.fill("#ally-value", f"{0.2 + 0.05 * k:.2f}")
                page.click("#ally-add")
                page.wait_for_function(f"(window.studioFirstAnswers || []).length === {k + 1}")
                page.wait_for_function("document.body.dataset.done === 'yes'", timeout=120_000)
            times = page.evaluate("window.studioFirstAnswers")
            browser.close()
        server.should_exit = True
    print(f"first answer after a change, latam.yaml, {len(times)} changes: median {statistics.median(times):.0f} ms "
          f"(min {min(times)}, max {max(times)}); {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
