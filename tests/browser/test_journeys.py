"""Readers' and staff's journeys through the demo site served by gunicorn.

Each journey runs four times: on a 1280 px desktop and a 390 px phone, each
with JavaScript on and off. The server is the production configuration
(``served_site``); what it stored is read from its own database. Each step
leaves a screenshot under build/screenshots/.
"""

import io
import re
import time

import pytest
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import expect

from channels.tickets.forms import MIN_FILL_SECONDS
from channels.tickets.models import Topic
from channels.verify import NOT_OFFICIAL
from tests.browser.conftest import DESKTOP, PHONE_390

pytestmark = pytest.mark.browser

MODES = {
    "desktop": {"viewport": DESKTOP},
    "desktop-nojs": {"viewport": DESKTOP, "java_script_enabled": False},
    "phone": {"viewport": PHONE_390, "is_mobile": True, "has_touch": True},
    "phone-nojs": {
        "viewport": PHONE_390,
        "is_mobile": True,
        "has_touch": True,
        "java_script_enabled": False,
    },
}
ARTICLE_SLUG = "transfer-not-arrived"
CATEGORY_SLUG = "transfers"
# BIP-39's first test vector: a valid 12-word recovery phrase.
RECOVERY_PHRASE = (
    "legal winner thank year wave sausage worth useful legal winner thank yellow"
)
SECRET_REFUSED = (
    "Your request seems to contain a recovery phrase or a private "
    "key, so it was not sent and the text was removed. Support "
    "never needs them: anyone who has them controls your wallet. "
    "If you have shared them anywhere, move your assets to a "
    "new wallet now. Please describe your problem without them."
)


def _(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


class Journey:
    """One browser context in one mode, with the pages' script errors."""

    def __init__(self, site, new_page, shoot, mode):
        self.site = site
        self.mode = mode
        self.js = MODES[mode].get("java_script_enabled", True)
        self.errors = []
        self._new_page = new_page
        self._shoot = shoot
        self.page = self.new_page()

    def new_page(self, **options):
        """Return a page in a new context of this journey's mode."""
        page = self._new_page(**MODES[self.mode], **options)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def goto(self, path: str):
        return self.page.goto(self.site.url + path)

    def shoot(self, step: str, page=None):
        self._shoot(page or self.page, f"{self.mode}-{step}")


@pytest.fixture(params=list(MODES))
def journey(request, served_site, new_page, shoot):
    journey = Journey(served_site, new_page, shoot, request.param)
    yield journey
    assert journey.errors == []


def _png(width=320, height=200) -> bytes:
    image = Image.new("RGB", (width, height), (40, 90, 160))
    image.paste((250, 250, 250), (20, 20, width - 20, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _wait_like_a_person(page, loaded_at: float):
    # The contact form refuses what is sent sooner than a person could fill
    # it in (MIN_FILL_SECONDS after it was shown, a trap for bots); a person
    # takes longer than a script, so let what remains of that time pass.
    remaining = MIN_FILL_SECONDS + 0.2 - (time.monotonic() - loaded_at)
    if remaining > 0:
        page.wait_for_timeout(remaining * 1000)


def _general_topic(site) -> str:
    rows = site.rows(
        "SELECT slug FROM channels_topic WHERE kind = %s AND is_active ORDER BY slug",
        (Topic.Kind.GENERAL,),
    )
    return rows[0][0]


def test_reader_opens_an_article_in_chinese_then_its_english_translation(journey):
    site, page = journey.site, journey.page
    (category_name,) = site.rows(
        "SELECT name_zh_hans FROM articles_category WHERE slug = %s", (CATEGORY_SLUG,)
    )[0]
    titles = dict(
        site.rows(
            "SELECT language, title FROM articles_article WHERE slug = %s",
            (ARTICLE_SLUG,),
        )
    )

    journey.goto("/zh-hans/")
    journey.shoot("home")
    page.get_by_role("link", name=category_name).click()
    page.get_by_role("link", name=titles["zh-hans"], exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(titles["zh-hans"])
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    journey.shoot("article-zh")

    switcher = page.get_by_role("navigation", name=_("zh-hans", "Language"))
    switcher.get_by_role("link", name="English").click()

    expect(page).to_have_url(f"{site.url}/en/articles/{ARTICLE_SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(titles["en"])
    assert page.locator("html").get_attribute("lang") == "en"
    journey.shoot("article-en")


def test_reader_searches_and_opens_a_result_from_the_keyboard(journey):
    site, page = journey.site, journey.page
    journey.goto("/zh-hans/")
    box = page.get_by_label(_("zh-hans", "Search the help center")).first
    box.click()
    page.keyboard.type("转账")

    if journey.js:
        # Instant results: the first one is chosen with the arrow key.
        first = page.get_by_role("listbox").get_by_role("option").first
        first.wait_for()
        journey.shoot("instant-results")
        title = first.locator(".instant-search-title").inner_text()
        page.keyboard.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/zh-hans/articles/[^/]+/$"))
    else:
        # Without script Enter submits the form to the results page.
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/zh-hans/search/\?q="))
        results = page.locator(".search-results").get_by_role("link")
        assert results.count() >= 3
        journey.shoot("results")
        title = results.first.inner_text()
        results.first.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/zh-hans/articles/[^/]+/$"))

    slug = page.url.rstrip("/").rsplit("/", 1)[1]
    stored = site.rows(
        "SELECT title FROM articles_article WHERE slug = %s AND language = %s",
        (slug, "zh-hans"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert stored == [(title,)]
    journey.shoot("opened")


def _fill_contact_form(page, *, language, topic, email, subject, message):
    page.get_by_label(_(language, "What is it about?")).select_option(topic)
    page.get_by_label(_(language, "Your name")).fill("Lin")
    page.get_by_label(_(language, "Your e-mail address")).fill(email)
    page.get_by_label(_(language, "Subject")).fill(subject)
    page.get_by_label(_(language, "Message"), exact=True).fill(message)


def test_recovery_phrase_is_refused_and_nothing_is_stored(journey):
    site, page = journey.site, journey.page
    email = f"phrase-{journey.mode}@example.com"
    journey.goto("/zh-hans/contact/")
    loaded_at = time.monotonic()
    _fill_contact_form(
        page,
        language="zh-hans",
        topic=_general_topic(site),
        email=email,
        subject="客服让我验证钱包",
        message="客服让我把这个发过来：" + RECOVERY_PHRASE,
    )
    _wait_like_a_person(page, loaded_at)
    page.get_by_role("button", name=_("zh-hans", "Send request")).click()

    refused = page.get_by_text(_("zh-hans", SECRET_REFUSED))
    expect(refused).to_be_visible()
    expect(page).to_have_url(f"{site.url}/zh-hans/contact/")
    assert "sausage" not in page.content()
    journey.shoot("refused")
    assert site.rows(
        "SELECT count(*) FROM channels_ticket WHERE email = %s", (email,)
    ) == [(0,)]
    assert site.rows(
        'SELECT count(*) FROM channels_outboundemail WHERE "to" = %s', (email,)
    ) == [(0,)]


def test_fake_phone_number_is_not_official_in_the_checker(journey):
    page = journey.page
    journey.goto("/zh-hans/channels/verify/")
    page.get_by_label(_("zh-hans", "Contact to check")).fill("+86 400 820 8820")
    page.get_by_role("button", name=_("zh-hans", "Check"), exact=True).click()

    verdict = page.locator(".verdict")
    assert verdict.get_attribute("data-verdict") == NOT_OFFICIAL
    assert (
        verdict.get_by_role("heading", level=2)
        .inner_text()
        .endswith(_("zh-hans", "This is not one of our official contacts."))
    )
    expect(
        verdict.get_by_text(_("zh-hans", "We have no phone support."))
    ).to_be_visible()
    journey.shoot("verdict")


def test_request_with_a_screenshot_answered_by_staff_and_rated_once(
    journey, staff_state
):
    site, page = journey.site, journey.page
    email = f"reader-{journey.mode}@example.com"
    journey.goto("/en/contact/")
    loaded_at = time.monotonic()
    _fill_contact_form(
        page,
        language="en",
        topic=_general_topic(site),
        email=email,
        subject="Where do I find my transaction history?",
        message="I cannot find the list of my past transfers in the app.",
    )
    page.get_by_label(_("en", "Screenshots")).set_input_files(
        {"name": "history.png", "mimeType": "image/png", "buffer": _png()}
    )
    journey.shoot("contact-filled")
    _wait_like_a_person(page, loaded_at)
    page.get_by_role("button", name=_("en", "Send request")).click()

    # The acknowledgement: the status page, behind its private link.
    page.wait_for_url(re.compile(r"/en/contact/tickets/[^/]+/[^/]+/$"))
    thanks = _(
        "en",
        "Thank you, we received your request. A confirmation is on its way "
        "to your e-mail.",
    )
    expect(page.get_by_text(thanks)).to_be_visible()
    reference = page.locator(".ticket-reference").inner_text()
    status_url = page.url
    assert reference in status_url
    screenshot = page.get_by_role("img", name=_("en", "Your screenshot 1"))
    screenshot.scroll_into_view_if_needed()
    # Loaded and decoded, at its stored width: naturalWidth stays 0 until
    # then (a lazy image starts loading only once scrolled into view).
    expect(screenshot).to_have_js_property("naturalWidth", 320)
    journey.shoot("acknowledged")
    ((ticket_id, stored_email, status),) = site.rows(
        "SELECT id, email, status FROM channels_ticket WHERE reference = %s",
        (reference,),
    )
    assert (stored_email, status) == (email, "new")
    assert site.rows(
        "SELECT count(*) FROM channels_ticketattachment WHERE ticket_id = %s",
        (ticket_id,),
    ) == [(1,)]

    # Staff answer in the admin and mark the request resolved.
    staff = journey.new_page(storage_state=staff_state, locale="en-US")
    staff.goto(f"{site.url}/admin/channels/ticket/?q={reference}")
    staff.get_by_role("link", name=reference, exact=True).click()
    answer = "Open Assets, then History: every transfer is listed there."
    staff.locator("#id_reply").fill(answer)
    staff.locator("#id_reply_status").select_option("resolved")
    staff.get_by_role("button", name="Save", exact=True).click()
    staff.locator(".messagelist").wait_for()
    journey.shoot("admin-saved", staff)
    assert site.rows(
        "SELECT status FROM channels_ticket WHERE id = %s", (ticket_id,)
    ) == [("resolved",)]

    # The requester sees the reply, and rates it once; a second tab still
    # showing the form cannot add another rating.
    second_tab = page.context.new_page()
    second_tab.goto(status_url)
    page.goto(status_url)
    reply = page.get_by_role("article", name=re.compile("^Reply from "))
    assert reply.locator(".reply-body").inner_text() == answer
    rate = page.get_by_role("region", name=_("en", "Rate our answer"))
    rate.get_by_label("5", exact=True).check()
    journey.shoot("reply-seen")
    rate.get_by_role("button", name=_("en", "Send rating")).click()
    expect(page.get_by_text(_("en", "Thank you for your rating."))).to_be_visible()
    expect(rate.get_by_role("button")).to_have_count(0)
    journey.shoot("rated")

    second = second_tab.get_by_role("region", name=_("en", "Rate our answer"))
    second.get_by_label("1", exact=True).check()
    second.get_by_role("button", name=_("en", "Send rating")).click()
    refused = _("en", "This request has already been rated.")
    expect(second_tab.get_by_text(refused)).to_be_visible()
    assert site.rows(
        "SELECT rating FROM channels_ticketrating WHERE ticket_id = %s", (ticket_id,)
    ) == [(5,)]
