"""Article page weight on a first visit, measured in Chromium.

    .venv/bin/python bench/page_weight.py            # prints each file and the total
    .venv/bin/python bench/page_weight.py --limit 40  # exits 1 above 40 KB

Serves the demo content with the production settings (gunicorn from
gunicorn.conf.py, whitenoise's compressed manifest storage after
collectstatic, in a temporary directory), opens a demo article in a fresh
Chromium context (empty cache) and adds up what travelled for the HTML, CSS
and JavaScript: response headers plus the body as sent (compressed when the
server compressed it), as Chromium reports them.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.chromium import launch  # noqa: E402
from tests.servers import gunicorn_server, manage, server_env  # noqa: E402

COUNTED = {"document", "stylesheet", "script"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, help="fail above this many KB")
    parser.add_argument("--path", help="page to weigh (default: first demo article)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # The production storage writes STATIC_ROOT; keep it out of the tree.
        (Path(tmp) / "weight_settings.py").write_text(
            "from helpcenter.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(Path(tmp) / 'static')!r}\n"
        )
        env = server_env(
            DATABASE_URL=f"sqlite:///{tmp}/weight.sqlite3",
            HELPCENTER_STATIC_MANIFEST="1",
            HELPCENTER_MEDIA_ROOT=f"{tmp}/media",
            PYTHONPATH=f"{tmp}:{ROOT}",
        )
        env["DJANGO_SETTINGS_MODULE"] = "weight_settings"
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input")
        manage(env, "load_demo")
        from playwright.sync_api import sync_playwright

        with gunicorn_server(env) as (base, _process), sync_playwright() as playwright:
            browser = launch(playwright)
            path = args.path
            if not path:
                page = browser.new_page()
                page.goto(base + "/zh-hans/")
                path = page.locator("main a[href*='/articles/']").first.get_attribute(
                    "href"
                )
                page.close()
            context = browser.new_context()  # a first visit: nothing cached
            page = context.new_page()
            responses = []
            page.on("response", lambda response: responses.append(response))
            page.goto(base + path, wait_until="load")
            total = 0
            for response in responses:
                request = response.request
                if request.resource_type not in COUNTED:
                    continue
                sizes = request.sizes()
                size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                encoding = response.headers.get("content-encoding", "identity")
                total += size
                name = response.url.removeprefix(base)
                print(f"{size / 1024:7.1f} KB  {encoding:8} {name}")
            print(f"{total / 1024:7.1f} KB  total (HTML + CSS + JS) for {path}")
            browser.close()
    if args.limit is not None and total / 1024 > args.limit:
        print(f"over the limit of {args.limit} KB")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
