"""Bytes a phone sends for a typical 12 MP JPEG, with and without the browser's downscaling."""

import base64
import http.server
import tempfile
import threading
from functools import partial

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import sync_playwright

from bench.bench_photo_ingest import phone_jpeg

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def run(report):
    photo = phone_jpeg()
    with tempfile.TemporaryDirectory() as static_root:
        with override_settings(STATIC_ROOT=static_root):
            call_command("collectstatic", interactive=False, verbosity=0)
        handler = partial(http.server.SimpleHTTPRequestHandler, directory=static_root)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            sent = _downscaled_size(f"http://127.0.0.1:{server.server_port}", photo)
        finally:
            server.shutdown()
    report("12 MP JPEG as taken (sent without downscaling)", len(photo) / 1024, "KB")
    report(f"after downscaling to {settings.PHOTO_CLIENT_MAX_EDGE} px (sent)", sent / 1024, "KB")
    report("saved", 100 * (1 - sent / len(photo)), "%")


def _downscaled_size(origin, photo):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{origin}/js/")
        size = page.evaluate(
            """async ([data, edge]) => {
                const { downscale } = await import("/js/article-form.js");
                const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
                const file = new File([bytes], "IMG_0001.jpg", { type: "image/jpeg" });
                return (await downscale(file, edge)).size;
            }""",
            [base64.b64encode(photo).decode(), settings.PHOTO_CLIENT_MAX_EDGE],
        )
        browser.close()
    return size
