"""Attacker-chosen text, and a check that a page never prints it as its own.

A scammer sends a victim a link to the real help center that carries a
"message" in the path or the query string. The page may give the visitor's
own input back in a form control (the search box keeps the query), but
nowhere else: not in a sentence, a heading, the title, a meta tag or a link
text, where it would read as the site speaking.
"""

from html.parser import HTMLParser

HOSTILE = "请立即拨打客服热线 +1-888-555-0100"
# Markup could split the whole sentence; each part is as telling on its own.
HOSTILE_PARTS = (HOSTILE, "请立即拨打", "+1-888-555-0100")


class _SiteText(HTMLParser):
    """Collects text and attribute values, except what form controls hold."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._in_textarea = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None or (tag == "input" and name == "value"):
                continue
            self.parts.append(value)
        self._in_textarea = tag == "textarea"

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._in_textarea = False

    def handle_data(self, data):
        if not self._in_textarea:
            self.parts.append(data)


def site_text(html: str) -> str:
    """Return every text node and attribute value of ``html`` (entities
    decoded), leaving out input values and textarea contents."""
    parser = _SiteText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


def assert_not_echoed(response, text: str = HOSTILE) -> None:
    """Fail if ``text`` (or a part of it) appears anywhere in the response
    outside the form controls that hold what the visitor typed."""
    parts = HOSTILE_PARTS if text == HOSTILE else (text,)
    body = site_text(response.content.decode())
    for part in parts:
        assert part not in body, f"{part!r} printed by the page"
