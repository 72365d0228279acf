"""Debian's Chromium, as every browser-driving script here launches it.

Used by the browser tests (``conftest.py``) and ``bench/screenshots.py``.
Playwright never downloads a browser: it drives ``/usr/bin/chromium``.
"""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    """Return a headless Chromium started by a sync Playwright instance."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
