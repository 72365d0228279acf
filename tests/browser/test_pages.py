"""What a reader sees in a real browser: pages, language switch, phone
layout, the feedback widget without JavaScript, focus and dark mode."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from articles.models import Article, ArticleVote, Category
from tests.browser.conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    # Data migrations (e.g. default search synonyms) survive the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTICLE_SLUG = "transfer-not-arrived"
CATEGORY_SLUG = "transfers"


def _url(server, name, language, *args, query=""):
    with translation.override(language):
        path = reverse(name, args=args)
    return f"{server.url}{path}{query}"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_home_shows_categories_and_safety_notice(demo_content, new_page, language):
    page = new_page()
    page.goto(_url(demo_content, "articles:home", language))

    with translation.override(language):
        names = [category.name for category in Category.objects.all()]
        notice_label = gettext("Safety notice")
        heading = gettext("Browse by topic")
    topics = page.get_by_role("region", name=heading)
    assert len(names) >= 5
    for name in names:
        assert topics.get_by_role("link", name=name).is_visible()
    notice = page.get_by_role("complementary", name=notice_label)
    assert notice.is_visible()
    assert "2FA" in notice.inner_text()


def test_language_switcher_opens_the_english_translation(demo_content, new_page):
    english = Article.objects.get(slug=ARTICLE_SLUG, language="en")
    page = new_page()
    page.goto(_url(demo_content, "articles:detail", "zh-hans", ARTICLE_SLUG))

    with translation.override("zh-hans"):
        switcher = page.get_by_role("navigation", name=gettext("Language"))
    switcher.get_by_role("link", name="English").click()

    assert page.url == _url(demo_content, "articles:detail", "en", ARTICLE_SLUG)
    assert page.get_by_role("heading", level=1).inner_text() == english.title
    assert page.locator("html").get_attribute("lang") == "en"


def test_no_page_scrolls_sideways_on_a_phone(demo_content, new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    pages = [
        ("articles:home", (), ""),
        ("articles:category", (CATEGORY_SLUG,), ""),
        ("articles:detail", (ARTICLE_SLUG,), ""),
        ("channels:list", (), ""),
        ("channels:verify", (), "?q=" + quote("support@cobalt-wallet-help.example")),
        ("channels:verify", (), "?q=" + quote("+86 400 123 4567")),
        ("channels:contact", (), "?category=" + CATEGORY_SLUG),
        ("articles:search", (), "?q=" + quote("转账 transfer")),
    ]
    too_wide = []
    for language in ("zh-hans", "en"):
        for name, args, query in pages:
            url = _url(demo_content, name, language, *args, query=query)
            response = page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            if response.status != 200 or width > PHONE["width"]:
                too_wide.append((url, response.status, width))
    assert too_wide == []


def test_pages_make_no_request_outside_the_site(demo_content, new_page):
    page = new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for name, args, query in [
        ("articles:home", (), ""),
        ("articles:detail", (ARTICLE_SLUG,), ""),
        ("channels:contact", (), ""),
        ("articles:search", (), "?q=transfer"),
    ]:
        page.goto(_url(demo_content, name, "en", *args, query=query))
        page.wait_for_load_state("networkidle")
    outside = [url for url in requested if not url.startswith(demo_content.url + "/")]
    assert len(requested) > 4
    assert outside == []


def test_voting_no_without_javascript_records_the_reason(demo_content, new_page):
    article = Article.objects.get(slug=ARTICLE_SLUG, language="en")
    page = new_page(java_script_enabled=False)
    page.goto(_url(demo_content, "articles:detail", "en", ARTICLE_SLUG))

    with translation.override("en"):
        feedback = page.get_by_role("region", name=gettext("Was this article helpful?"))
        feedback.get_by_role("button", name=gettext("No"), exact=True).click()
        feedback = page.get_by_role("region", name=gettext("Sorry this did not help."))
        feedback.get_by_label(str(ArticleVote.Reason.UNCLEAR.label)).check()
        feedback.get_by_role("button", name=gettext("Send")).click()
        thanks = gettext("Thank you, your feedback helps us improve this article.")
        ask = gettext("Ask support about this")

    assert page.get_by_text(thanks).is_visible()
    vote = ArticleVote.objects.get(article=article)
    assert (vote.is_helpful, vote.reason) == (False, ArticleVote.Reason.UNCLEAR)

    page.get_by_role("link", name=ask).click()
    assert f"article={ARTICLE_SLUG}" in page.url
    assert page.get_by_role("link", name=article.title).is_visible()


def test_search_box_shows_a_visible_focus_ring(demo_content, new_page):
    page = new_page()
    page.goto(_url(demo_content, "articles:home", "en"))

    with translation.override("en"):
        box = page.get_by_label(gettext("Search the help center")).first
    # Reach the box from the keyboard, as a reader would (skip link first).
    for _ in range(20):
        page.keyboard.press("Tab")
        if box.evaluate("el => el === document.activeElement"):
            break
    assert box.evaluate("el => el === document.activeElement")
    outline = box.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none"
    assert outline[1] >= 2


def test_dark_mode_follows_the_system_setting(demo_content, new_page):
    luminance = (
        "el => { const [r, g, b] = getComputedStyle(el)[PROP]"
        ".match(/\\d+/g).map(Number);"
        " return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; }"
    )
    levels = {}
    for scheme in ("light", "dark"):
        page = new_page(color_scheme=scheme)
        page.goto(_url(demo_content, "articles:home", "en"))
        body = page.locator("body")
        levels[scheme] = (
            body.evaluate(luminance.replace("PROP", "'backgroundColor'")),
            body.evaluate(luminance.replace("PROP", "'color'")),
        )
    assert levels["light"][0] > 0.9 > 0.2 > levels["light"][1]
    assert levels["dark"][0] < 0.1 < 0.8 < levels["dark"][1]


def test_contact_suggestions_are_posted_and_never_sent_for_a_phrase(
    demo_content, new_page
):
    page = new_page()
    sent = []
    page.on(
        "request",
        lambda request: (
            "/api/search" in request.url
            and sent.append((request.method, request.url, request.post_data or ""))
        ),
    )
    # A fake clock: the 250 ms typing debounce runs when told, not by sleeping.
    page.clock.install()
    page.goto(_url(demo_content, "channels:contact", "en"))
    subject = page.locator("#id_subject")
    subject.press_sequentially("transfer not arrived")
    page.clock.run_for(1000)
    suggestions = page.locator("#subject-suggestions")
    suggestions.get_by_role("link").first.wait_for()
    assert sent and all(method == "POST" for method, _url, _body in sent)
    assert all("transfer" not in url for _method, url, _body in sent)
    assert "transfer" in sent[-1][2]

    sent.clear()
    subject.fill("")
    phrase = "legal winner thank year wave sausage worth useful"
    subject.press_sequentially(phrase)
    page.clock.run_for(1000)
    page.evaluate("1")  # a round trip, so any request made is reported
    assert all("sausage" not in body for _method, _url, body in sent)
    assert suggestions.is_hidden()
