"""partnersim studio in a real browser: headless Chromium driven by Playwright through the main flows.

Open latam, change Türkiye's hold, a candidate's request and the expert teams, read the paired differences,
save the what-if, make its briefing, open it again. Needs Chromium (Debian's ``chromium`` package, or
``PARTNERSIM_CHROMIUM`` naming a binary) and Playwright; the CI installs both and sets
``PARTNERSIM_BROWSER_TESTS=1``, under which a missing browser fails instead of skipping.
``PARTNERSIM_SCREENSHOT=PATH`` saves the page as README shows it. The time to the first answer after a change
is printed: a benchmark figure, not an assertion.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
TOKEN = "browser-test-token-0123456789"


def _chromium() -> str | None:
    given = os.environ.get("PARTNERSIM_CHROMIUM")
    if given:
        return given
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _need(thing: object, what: str) -> None:
    if thing:
        return
    if os.environ.get("PARTNERSIM_BROWSER_TESTS") == "1":
        pytest.fail(f"{what} is missing, and PARTNERSIM_BROWSER_TESTS=1 asks for the browser tests")
    pytest.skip(f"{what} is not installed")


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    try:
        import uvicorn

        from partnersim.studio.app import make_app
    except ImportError:
        _need(None, "the studio extra (starlette, uvicorn)")
        raise
    shutil.copy(ROOT / "scenarios" / "latam.yaml", tmp_path / "latam.yaml")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hosts = (f"127.0.0.1:{port}", f"localhost:{port}")
    app = make_app(tmp_path / "latam.yaml", token=TOKEN, hosts=hosts, levels=(1_000, 4_000))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/?token={TOKEN}", tmp_path
    server.should_exit = True
    thread.join(timeout=10)


def test_a_newcomer_makes_saves_briefs_and_reopens_a_what_if(served: tuple[str, Path]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api") if os.environ.get("PARTNERSIM_BROWSER_TESTS") != "1" else \
        __import__("playwright.sync_api", fromlist=["sync_playwright"])
    chromium = _chromium()
    _need(chromium, "Chromium")
    url, folder = served
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.wait_for_selector("#table tr[data-code='ARG']")

        # A value out of range is refused at the control, with the loader's own message.
        page.select_option("#ally", "TUR")
        page.fill("#ally-value", "1.5")
        page.click("#ally-add")
        page.wait_for_function("document.getElementById('ally-error').textContent.length > 0")
        assert "must be a probability between 0 and 1, got 1.5" in page.inner_text("#ally-error")

        # Three changes: Türkiye's hold, Brazil's request, the expert teams.
        page.fill("#ally-value", "0.6")
        page.click("#ally-add")
        page.wait_for_function("document.body.dataset.firstAnswerMs !== undefined")
        first = int(page.evaluate("document.body.dataset.firstAnswerMs"))
        print(f"\nfirst answer after a change on latam: {first} ms (1,000 futures; a benchmark figure)")
        page.select_option("#candidate", "BRA")
        page.fill("#candidate-value", "2027-06-01")
        page.click("#candidate-add")
        page.wait_for_function("document.querySelectorAll('#changes li code').length === 2")
        page.fill("#path", "stages.expert_talks.teams")
        page.fill("#path-value", "3")
        page.click("#path-add")
        page.wait_for_function("document.querySelectorAll('#changes li code').length === 3")
        page.wait_for_function("document.body.dataset.done === 'yes' && document.body.dataset.replications === '4000'",
                               timeout=120_000)
        verdicts = page.locator("#table td[data-verdict]").evaluate_all("cells => cells.map(c => c.dataset.verdict)")
        assert len(verdicts) == 5 and "beyond" in verdicts  # a hold of 0.6 moves the hypothetical requests
        assert "paired" in page.inner_text("#table")

        # Save: a YAML file beside the base that extends it with the three changes only.
        page.fill("#name", "turkey brazil teams")
        page.click("#save")
        page.wait_for_function("document.getElementById('file-message').textContent.includes('Saved')")
        saved = folder / "turkey brazil teams.yaml"
        text = saved.read_text(encoding="utf-8")
        assert "extends: latam.yaml" in text and "TUR" in text and "BRA" in text and "teams: 3" in text
        if os.environ.get("PARTNERSIM_SCREENSHOT"):
            page.screenshot(path=os.environ["PARTNERSIM_SCREENSHOT"])  # the first screen, as README shows it

        # A PowerPoint briefing of the saved what-if, downloaded from the page.
        page.select_option("#format", "pptx")
        page.click("#briefing")
        page.wait_for_selector("#briefing-link", timeout=120_000)
        with page.expect_download() as download:
            page.click("#briefing-link")
        target = folder / "briefing.pptx"
        download.value.save_as(target)
        assert target.stat().st_size > 20_000 and target.read_bytes()[:2] == b"PK"

        # Reopen: a new page opens the saved what-if and runs it again.
        page.goto(url)
        page.wait_for_selector("#table tr[data-code='ARG']")
        page.select_option("#open", "turkey brazil teams.yaml")
        page.wait_for_function("document.querySelectorAll('#changes li code').length === 3")
        page.wait_for_function("document.body.dataset.done === 'yes'", timeout=120_000)
        assert errors == []
        browser.close()
