"""Take full-page screenshots of the public pages against a running server.

One command::

    .venv/bin/python bench/screenshots.py [--base-url http://127.0.0.1:8000]
        [--out screenshots/] [--pages home,article] [--languages en]

Every page is captured in zh-hans and en, at 1280 px (desktop) and 360 px
(phone), in the light and the dark colour scheme: 7 pages × 2 × 2 × 2 = 56
PNGs named ``<page>-<language>-<width>-<scheme>.png``. The browser is
Debian's Chromium, driven by Playwright; ``playwright install`` is never
needed. The script prints one line per file, flags any page that scrolls
sideways or does not answer 200, and exits non-zero if one did.

``--docs docs/`` instead writes the two README pictures (viewport-sized, not
full-page, to stay small): ``screenshot-home-zh.png`` and
``screenshot-article-phone-en.png``.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser.chromium import CHROMIUM, launch  # noqa: E402

# Demo content slugs (content/); the verify query is a look-alike domain so
# the page shows a verdict rather than an empty form.
PAGES = {
    "home": "/{lang}/",
    "category": "/{lang}/categories/transfers/",
    "article": "/{lang}/articles/transfer-not-arrived/",
    "channels": "/{lang}/channels/",
    "verify": "/{lang}/channels/verify/?q=support%40cobalt-wallet-help.example",
    "contact": "/{lang}/contact/?category=transfers",
    "search": "/{lang}/search/?q={query}",
}
SEARCH_QUERY = {"zh-hans": "转账未到账", "en": "transfer not arrived"}
LANGUAGES = ("zh-hans", "en")
VIEWPORTS = {"1280": (1280, 900), "360": (360, 740)}
SCHEMES = ("light", "dark")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated")
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--widths", default=",".join(VIEWPORTS))
    parser.add_argument("--schemes", default=",".join(SCHEMES))
    parser.add_argument(
        "--docs", help="write only the README pictures into this folder"
    )
    args = parser.parse_args()

    if not CHROMIUM.exists():
        print(
            f"{CHROMIUM} is missing: install Debian's chromium package.",
            file=sys.stderr,
        )
        return 2
    out = Path(args.docs or args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.base_url.rstrip("/")
    problems = 0
    with sync_playwright() as playwright:
        browser = launch(playwright)
        if args.docs:
            _docs(browser, base, out)
            browser.close()
            return 0
        for width in args.widths.split(","):
            for scheme in args.schemes.split(","):
                problems += _capture(browser, base, out, width, scheme, args)
        browser.close()
    print(f"{problems} problem(s)")
    return 1 if problems else 0


def _capture(browser, base: str, out: Path, width: str, scheme: str, args) -> int:
    """Capture every page and language at one width and scheme; return the
    number of pages that failed to load or scrolled sideways."""
    w, h = VIEWPORTS[width]
    context = browser.new_context(
        viewport={"width": w, "height": h},
        color_scheme=scheme,
        device_scale_factor=1,
        is_mobile=w < 600,
        has_touch=w < 600,
    )
    page = context.new_page()
    problems = 0
    for name in args.pages.split(","):
        for lang in args.languages.split(","):
            url = base + PAGES[name].format(lang=lang, query=SEARCH_QUERY[lang])
            try:
                response = page.goto(url, wait_until="load")
            except PlaywrightError as error:
                print(f"{url}  failed: {error.message.splitlines()[0]}")
                problems += 1
                continue
            status = response.status if response else 0
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            path = out / f"{name}-{lang}-{width}-{scheme}.png"
            page.screenshot(path=str(path), full_page=True)
            flags = []
            if status != 200:
                flags.append(f"HTTP {status}")
            if scroll_width > w:
                flags.append(f"scrolls sideways ({scroll_width}px > {w}px)")
            problems += bool(flags)
            print(f"{path}  {'; '.join(flags) or 'ok'}")
    context.close()
    return problems


def _docs(browser, base: str, out: Path) -> None:
    """Write the README's two viewport screenshots into ``out``."""
    shots = [
        (
            "screenshot-home-zh.png",
            PAGES["home"].format(lang="zh-hans"),
            (1280, 800),
            1,
        ),
        (
            "screenshot-article-phone-en.png",
            PAGES["article"].format(lang="en"),
            (360, 740),
            2,
        ),
    ]
    for filename, path, (w, h), scale in shots:
        context = browser.new_context(
            viewport={"width": w, "height": h},
            device_scale_factor=scale,
            is_mobile=w < 600,
            has_touch=w < 600,
        )
        page = context.new_page()
        page.goto(base + path, wait_until="load")
        page.screenshot(path=str(out / filename))
        context.close()
        size = (out / filename).stat().st_size
        print(f"{out / filename}  {size // 1024} KB")


if __name__ == "__main__":
    sys.exit(main())
