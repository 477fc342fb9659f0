"""Retake the README's screenshots against a running demo (`make run`), in both languages:

.venv/bin/python docs/screenshots.py [http://127.0.0.1:8000]
"""

import os
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

DOCS = Path(__file__).parent
SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
SHOTS = [("desktop", "/reports/"), ("phone", "/reports/rankings/")]  # as the office director
LANGUAGES = {"en": "en-US", "zh": "zh-CN"}


def fontconfig_with_cjk():
    """A CJK font from the virtualenv (the one the project installs for PDFs), for machines without one:
    users' phones and desktops draw Chinese with their own."""
    fonts = [*Path(sys.prefix).rglob("*SansSC*.[ot]tf"), *Path(sys.prefix).rglob("*CJK*.[ot]tf")]
    if not fonts:
        return {}
    config = Path(tempfile.mkdtemp()) / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{fonts[0].parent}</dir></fontconfig>"
    )
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


def take(browser, site, size, path, language):
    context = browser.new_context(locale=LANGUAGES[language], **SIZES[size])
    page = context.new_page()
    page.goto(f"{site}/accounts/login/")
    page.locator("#id_username").fill("director")
    page.locator("#id_password").fill("publicity-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{site}/")
    page.goto(site + path)
    target = DOCS / f"{size}-{language}.png"
    page.screenshot(path=target)
    context.close()
    # 256 colours keep the files small; the pages are flat colours and text.
    Image.open(target).convert("RGB").quantize(256).save(target, optimize=True)


def main(site="http://127.0.0.1:8000"):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"], env=fontconfig_with_cjk() or None
        )
        for size, path in SHOTS:
            for language in LANGUAGES:
                take(browser, site.rstrip("/"), size, path, language)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
