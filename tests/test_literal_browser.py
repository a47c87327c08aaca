"""What people typed is text, never a link, on the web chat page (headless Chromium)."""

import re
import shutil
from pathlib import Path

import pytest

from tests.fakes.served import dtlbot_serve

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and shutil.which("chromium") is None,
    reason="no Chromium installed (apt-get install -y chromium); .ci/run installs it",
)
expect = sync_api.expect


def test_a_typed_link_shows_as_text_in_an_organisers_unanswered_list(tmp_path):
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    typed = "[Session expired](https://evil.example/login) **now** `x`"
    with dtlbot_serve(tmp_path) as served, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(10_000)
            page.goto(served.url)
            page.get_by_label("Your name").fill("Olu Organiser")
            page.get_by_label("Your name").press("Enter")
            expect(page.get_by_text("Hello, I'm the DTL Forum Bot")).to_be_visible()
            box = page.get_by_label("Message to the bot")
            box.fill(typed)
            box.press("Enter")
            # Unanswered either way: "I don't know" or a near miss's "Did you mean".
            not_answered = re.compile("I don't know|Did you mean")
            expect(page.locator(".msg.bot").filter(has_text=not_answered)).to_have_count(1)
            box.fill("unanswered")
            box.press("Enter")
            listing = page.locator(".msg.bot").filter(has_text="could not answer")
            expect(listing).to_contain_text(typed.lower())
            assert listing.locator("a").count() == 0
            # The bot's own words may use code (`answer N`); nothing the person typed does.
            formatted = listing.locator("strong, code").all_inner_texts()
            assert not {"now", "x", "session expired"} & {t.lower() for t in formatted}
        finally:
            browser.close()
