"""Refresh the README's screenshots: demo data; the lookup result in English and Arabic; the home
page and the demo applicant's access log in English, Arabic, Simplified Chinese and Amharic (Latin,
right-to-left, CJK and Ethiopic scripts: a missing font shows as boxes); the public statistics.

    .venv/bin/python docs/screenshots.py   (needs Debian's chromium)
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from portal import create_app, migrate
from portal.db import get_session
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.settings import Settings

OUT = Path(__file__).resolve().parent / "screenshots"
LOCALES = ("en", "ar", "zh_Hans", "am")  # Latin, right to left, CJK and Ethiopic scripts


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'shots.db'}"
    migrate.upgrade(url)
    app = create_app(Settings(instance_dir=tmp, database_url=url, secret_key="screenshots",  # noqa: S106 (a throwaway app)
                              secure_cookies=False))
    with app.app_context():
        summary = seed_demo(get_session())
    receipt = summary.examples["transferred to a field office"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for lang in ("en", "ar"):
            page = browser.new_page(viewport={"width": 900, "height": 1400})
            page.goto(f"{base}/{lang}/")
            page.fill("#receipt_number", receipt)
            page.click("button[type=submit]")
            page.wait_for_selector(".portal-case")
            page.wait_for_timeout(300)
            assert page.evaluate("document.documentElement.scrollWidth") <= 900, "page scrolls sideways"
            page.screenshot(path=str(OUT / f"lookup-{lang}.png"), full_page=False)
        for lang in LOCALES:
            page = browser.new_page(viewport={"width": 900, "height": 640})
            page.goto(f"{base}/{lang}/")
            page.evaluate("document.fonts.ready")
            assert page.evaluate("document.documentElement.scrollWidth") <= 900, "page scrolls sideways"
            page.screenshot(path=str(OUT / f"home-{lang}.png"), full_page=False)
        context = browser.new_context(viewport={"width": 900, "height": 1600})
        page = context.new_page()
        page.goto(f"{base}/en/account/login")
        page.fill("#email", "applicant@example.org")
        page.fill("#password", DEMO_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/en/cases/")
        for lang in LOCALES:
            page.goto(f"{base}/{lang}/log/")
            page.wait_for_selector(".portal-log-entry")
            page.wait_for_function("() => document.querySelector('.portal-chart').naturalWidth > 0")
            page.locator(".portal-withheld").scroll_into_view_if_needed()
            assert page.evaluate("document.documentElement.scrollWidth") <= 900, "page scrolls sideways"
            page.screenshot(path=str(OUT / f"log-{lang}.png"), full_page=False)
        page.goto(f"{base}/en/statistics/")
        page.wait_for_function("() => [...document.images].every(i => i.naturalWidth > 0)")
        page.screenshot(path=str(OUT / "statistics-en.png"), full_page=False)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
