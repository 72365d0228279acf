"""Every public page, the API docs and the admin, opened in Chromium under the
site's Content-Security-Policy, are reported for no violation at all, and
the scripts that enhance them still work.

A violation is caught twice: the ``securitypolicyviolation`` event, recorded
by a script added before any page script runs, and Chromium's console error
("... violates the following Content Security Policy directive ...").
"""

import io
import re
import urllib.request
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Category
from channels.tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    # Data migrations (e.g. default search synonyms) survive the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("zh-hans", "en")
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push([
    event.violatedDirective, event.blockedURI, event.sourceFile, event.lineNumber,
  ]);
});
"""
DEMO_LOGIN = {"username": "demo", "password": "demo-staff-2026"}
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def demo(live_server):
    """Everything ``make run`` shows: articles, channels, topics, the desk's
    canned replies and notices, demo tickets and the demo staff login.
    Returns the live server and the demo ticket's status path."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    [status_url] = re.findall(r"https?://\S+/contact/tickets/\S+/", out.getvalue())
    return live_server, urlsplit(status_url).path


class Watched:
    """A browser page whose CSP violations are collected, by page URL, from
    the moment it is made until the test reads ``found``."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self._console = []
        self._found: dict[str, list] = {}
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and self._console.append(message.text)
            ),
        )

    def _collect(self):
        # The event list lives in the page: read it before each navigation.
        events = self.page.evaluate("(window.__cspViolations || []).splice(0)")
        if events or self._console:
            self._found.setdefault(self.page.url, []).extend(events + self._console)
        self._console = []

    @property
    def found(self) -> dict[str, list]:
        """Every violation so far, by the URL of the page that caused it."""
        self._collect()
        return self._found

    def visit(self, path: str) -> int:
        """Open ``path`` and let it render; return the status."""
        self._collect()
        response = self.page.goto(self.base_url + path)
        # After the load event, one frame drawn and one task run: styles are
        # applied (a refused image is reported then) and queued violation
        # events delivered.
        self.page.evaluate(
            "new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))"
        )
        self._collect()
        return response.status


def _public_paths(demo_server, status_path) -> list[str]:
    """Every URL of the sitemap, plus the pages it does not list, in both
    languages: search, checker, contact form, status link, lookup, 404."""
    article = Article.objects.published().filter(language="en").first()
    sitemap = ElementTree.fromstring(
        urllib.request.urlopen(demo_server.url + reverse("sitemap")).read()
    )
    paths = [
        urlsplit(loc.text).path for loc in sitemap.iterfind(".//sm:loc", SITEMAP_NS)
    ]
    for language in LANGUAGES:
        with translation.override(language):
            paths += [
                reverse("articles:search") + "?q=" + quote("转账 transfer"),
                reverse("articles:search") + "?q=zzqqxxjj",
                reverse("channels:list"),
                reverse("channels:verify"),
                reverse("channels:verify") + "?q=" + quote("+86 400 123 4567"),
                reverse("channels:verify") + "?q=" + quote("https://evil.example/"),
                reverse("channels:verify_email"),
                reverse("channels:contact"),
                reverse("channels:contact") + f"?article={article.slug}",
                reverse("channels:contact") + "?category=transfers",
                reverse("channels:ticket_lookup"),
                f"/{language}/no-such-page/",
            ]
    return [*dict.fromkeys(paths), status_path]


def test_public_pages_in_both_languages_break_no_rule(demo, new_page):
    server, status_path = demo
    watched = Watched(new_page(), server.url)
    paths = _public_paths(server, status_path)
    assert len(paths) > 100
    assert any("/zh-hans/articles/" in p for p in paths)
    assert any("/en/articles/" in p for p in paths)
    assert any(
        f"/categories/{c.slug}/" in p for p in paths for c in Category.objects.all()
    )

    statuses = {path: watched.visit(path) for path in paths}
    assert watched.found == {}
    assert {
        path: status
        for path, status in statuses.items()
        if status != (404 if "no-such-page" in path else 200)
    } == {}


def test_api_docs_load_swagger_ui_under_the_policy(live_server, new_page):
    watched = Watched(new_page(), live_server.url)
    assert watched.visit("/api/v1/docs") == 200
    watched.page.get_by_text("/api/v1/search").first.wait_for()
    assert watched.found == {}


def test_page_scripts_still_work_under_the_policy(demo, new_page):
    server, _status_path = demo
    page = new_page()
    watched = Watched(page, server.url)
    # A fake clock: the typing debounces run when told, not by sleeping.
    page.clock.install()

    # Instant search: typing in the header's box lists matching articles.
    watched.visit("/en/")
    box = page.locator('.search-form input[type="search"]').first
    page.keyboard.press("/")  # site.js: "/" jumps to the search box
    assert box.evaluate("el => el === document.activeElement")
    page.keyboard.type("transfer")
    page.clock.run_for(1000)
    page.get_by_role("option").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"

    # Contact form: a topic shows its fields and its incident notice, and the
    # subject suggests articles.
    watched.visit("/en/contact/")
    notice = page.get_by_text("Ethereum withdrawals delayed")
    assert notice.is_hidden()
    page.locator("#id_category").select_option("transfers")
    assert notice.is_visible()
    assert page.locator("#id_tx_hash").is_visible()
    page.locator("#id_subject").press_sequentially("withdrawal pending")
    page.clock.run_for(1000)
    page.locator("#subject-suggestions").get_by_role("link").first.wait_for()

    assert watched.found == {}


def test_admin_pages_and_their_scripts_break_no_rule(demo, new_page):
    server, _status_path = demo
    page = new_page()
    watched = Watched(page, server.url)
    assert watched.visit(reverse("admin:login")) == 200
    page.locator("#id_username").fill(DEMO_LOGIN["username"])
    page.locator("#id_password").fill(DEMO_LOGIN["password"])
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(server.url + reverse("admin:index"))

    ticket = Ticket.objects.order_by("pk").first()
    article = Article.objects.order_by("pk").first()
    paths = [
        reverse("admin:index"),
        reverse("dashboard"),
        reverse("admin:channels_ticket_changelist"),
        reverse("admin:channels_ticket_change", args=[ticket.pk]),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_history", args=[article.pk]),
        reverse("admin:articles_searchquery_changelist"),
        reverse("admin:channels_cannedreply_changelist"),
        reverse("admin:channels_topic_changelist"),
        reverse("accounts:recent_actions"),
        reverse("accounts:two_factor"),
        reverse("admin:password_change"),
    ]
    statuses = {path: watched.visit(path) for path in paths}
    assert {path: status for path, status in statuses.items() if status != 200} == {}

    # Canned replies: choosing one fills the reply box at once.
    watched.visit(reverse("admin:channels_ticket_change", args=[ticket.pk]))
    select = page.locator("#id_canned_reply")
    canned_text = select.locator("option").nth(1).get_attribute("data-text")
    select.select_option(index=1)
    assert page.locator("#id_reply").input_value() == canned_text

    # Live Markdown preview on the article form.
    watched.visit(reverse("admin:articles_article_change", args=[article.pk]))
    page.locator("#id_body").fill("## Checked under the policy\n\nPlain text.")
    page.get_by_role("button", name=re.compile("Preview|预览")).click()
    page.get_by_role("heading", name="Checked under the policy").wait_for()

    assert watched.found == {}
