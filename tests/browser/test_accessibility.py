"""axe-core on every public page of the served demo site, in both languages,
on a desktop and a phone: no violation of any impact (minor included, and
the best-practice rules as well as WCAG's).

axe-core comes from axe-playwright-python, which bundles it; each page is
also saved as a screenshot under build/screenshots/.
"""

from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from django.utils.translation import gettext

from tests.browser.conftest import DESKTOP, PHONE_390

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"viewport": DESKTOP},
    "phone": {"viewport": PHONE_390, "is_mobile": True, "has_touch": True},
}
SEARCH = {"zh-hans": "转账", "en": "transfer"}
PAGES = {
    "home": "/{lang}/",
    "category": "/{lang}/categories/transfers/",
    "article": "/{lang}/articles/transfer-not-arrived/",
    "tag": None,  # the article's first tag, read from the article page
    "search": "/{lang}/search/?q={search}",
    "channels": "/{lang}/channels/",
    "contact": "/{lang}/contact/",
    "checker": "/{lang}/channels/verify/",
    "checker-answered": "/{lang}/channels/verify/?q=" + quote("+86 400 820 8820"),
    "email-check": "/{lang}/channels/verify/email/",
    "ticket-status": None,  # the demo request's private link
    "lookup": "/{lang}/contact/lookup/",
    "not-found": "/{lang}/no-such-page/",
}
AXE = Axe()
TAG_PATHS: dict[str, str] = {}


def _(message: str, lang: str) -> str:
    with translation.override(lang):
        return gettext(message)


def _path(page, site, name: str, lang: str) -> str:
    if name == "ticket-status":
        path = site.demo_status_path
        return "/" + lang + path[path.index("/", 1) :]
    if name == "tag":
        if lang not in TAG_PATHS:
            page.goto(site.url + PAGES["article"].format(lang=lang))
            tags = page.get_by_role("list", name=_("Tags", lang)).get_by_role("link")
            TAG_PATHS[lang] = tags.first.get_attribute("href")
        return TAG_PATHS[lang]
    return PAGES[name].format(lang=lang, search=quote(SEARCH[lang]))


def _report(violations: list[dict]) -> list[str]:
    return [
        f"{item['id']} ({item['impact']}): {item['help']} at "
        + ", ".join(" ".join(node["target"]) for node in item["nodes"][:5])
        for item in violations
    ]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_has_no_axe_violations(
    served_site, new_page, shoot, name, lang, viewport
):
    page = new_page(**VIEWPORTS[viewport])
    path = _path(page, served_site, name, lang)
    response = page.goto(served_site.url + path)

    assert response.status == (404 if name == "not-found" else 200)
    assert page.locator("html").get_attribute("lang") == (
        "zh-Hans" if lang == "zh-hans" else "en"
    )
    results = AXE.run(page)
    shoot(page, f"{name}-{lang}-{viewport}")
    assert _report(results.response["violations"]) == []
