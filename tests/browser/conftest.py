"""Browser fixtures: Debian's Chromium driven by Playwright's sync API.

The browser is never downloaded (no ``playwright install``): the tests use
``/usr/bin/chromium`` and skip with a reason when it is missing, except under
CI (``CI`` set), where a missing browser is a failure.
"""

import io
import os
import re
from base64 import b32decode
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_otp.oath import totp

from articles.importing import import_categories
from tests.browser.chromium import CHROMIUM, launch
from tests.browser.served import served_demo_site

PHONE = {"width": 360, "height": 740}
# The journeys' and axe-core's phone: a common phone width today.
PHONE_390 = {"width": 390, "height": 844}
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


@pytest.fixture(scope="session")
def served_site(tmp_path_factory, django_db_blocker):
    """The demo help center served by gunicorn with the production settings,
    loaded once for the whole session (see ``served.py``)."""
    with served_demo_site(tmp_path_factory.mktemp("served"), django_db_blocker) as site:
        yield site


SCREENSHOTS = Path(settings.BASE_DIR) / "build" / "screenshots"


@pytest.fixture
def shoot(request):
    """Return ``shoot(page, step)``, which saves a full-page screenshot as
    build/screenshots/<test>-<step>.png (git-ignored) for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^\w.-]+", "-", request.node.originalname.removeprefix("test_"))

    def save(page, step: str):
        page.screenshot(path=SCREENSHOTS / f"{test}-{step}.png", full_page=True)

    return save


@pytest.fixture(scope="package")
def staff_state(browser, served_site):
    """Sign the served site's staff member in once, the real way: password,
    then the two-factor set-up with a code computed from the key the page
    shows, as an authenticator app would. Returns the browser storage state
    (the signed-in, verified session) for the staff contexts.

    Once per run: a TOTP code is accepted once, so signing in again within
    the same 30 seconds would rightly be refused.
    """
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(served_site.url + "/admin/")
    page.get_by_label("Username").fill(served_site.staff_username)
    page.get_by_label("Password").fill(served_site.staff_password)
    page.get_by_role("button", name="Log in").click()
    secret = page.locator(".totp-secret").inner_text()
    code = totp(b32decode("".join(secret.split())))
    page.get_by_label("Enter the 6-digit code").fill(f"{code:06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_text("Two-factor sign-in is now on.").wait_for()
    state = context.storage_state()
    context.close()
    return state
