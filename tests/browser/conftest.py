"""Browser fixtures: Debian's Chromium driven by Playwright's sync API.

The browser is never downloaded (no ``playwright install``): the tests use
``/usr/bin/chromium`` and skip with a reason when it is missing, except under
CI (``CI`` set), where a missing browser is a failure.
"""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.importing import import_categories
from tests.browser.chromium import CHROMIUM, launch

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="package")
def browser():
    """Yield a headless Chromium shared by the package's tests."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop registered as running on
    # this thread for as long as it is started, which makes Django refuse
    # database access from the test (fixture set-up, flushes, assertions).
    # Nothing here is truly async, so the guard is lifted only while the
    # browser lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = launch(playwright)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo_content(live_server):
    """Load the demo channels and articles into the test database that the
    live server reads, in load_demo's order: an article may only name
    contacts that are official channels, so the channels come first."""
    content = Path(settings.BASE_DIR) / "content"
    import_categories(content / "categories.yaml")
    call_command("load_channels", str(content / "channels.yaml"), stdout=io.StringIO())
    call_command("import_articles", str(content), stdout=io.StringIO())
    return live_server


@pytest.fixture
def new_page(browser):
    """Return a factory of pages in fresh contexts, closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
