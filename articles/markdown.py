"""Markdown to safe HTML: the only caller of the ``markdown`` library.

Python-Markdown does not sanitise, so the pipeline is:

1. Raw HTML in the source is escaped: the ``html_block`` preprocessor and the
   inline ``html`` pattern are removed, so ``<script>`` renders as text.
2. Headings get ids (Unicode-aware, so Chinese headings keep their text) and
   a table of contents is collected.
3. Links that leave the site, as a browser resolves them (``/\\evil.example``
   and ``https:\\\\evil.example`` do), get ``rel="nofollow noopener"``; one
   not written as a plain ``https://host/…`` URL points at what a browser
   would open and is followed by that host, in brackets.
4. The HTML is cleaned by nh3 against an allow-list of tags, attributes and
   URL schemes (``http``, ``https``, ``mailto`` and relative links), which
   drops event handlers, ``javascript:`` and ``data:`` URLs whatever route
   they took into the output.

The extensions in use are listed here and nowhere else. ``attr_list`` is
deliberately absent: it would let an author attach arbitrary attributes.
"""

import re
import xml.etree.ElementTree as etree

import ada_url
import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, slugify_unicode
from markdown.treeprocessors import Treeprocessor

# Bodies longer than this are cut before rendering: an article is never this
# long, and the cap bounds the work a pathological body can cause.
MAX_SOURCE_LENGTH = 100_000
# Python-Markdown's link parser rescans the rest of a block from every "[",
# so a block of 10,000 "[" takes seconds. A block with more brackets than any
# real paragraph or table holds has them escaped, which keeps the work linear.
MAX_BRACKETS_PER_BLOCK = 100

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
HEADING_ATTRIBUTES = {"id"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    **{f"h{level}": HEADING_ATTRIBUTES for level in range(1, 7)},
}
ALLOWED_CLASSES = {"div": {"toc"}}
URL_SCHEMES = {"http", "https", "mailto"}
EXTERNAL_REL = "nofollow noopener"
# Stands for this site when resolving a link; .invalid is never a real host.
SITE_HOST = "this-site.invalid"
PARTS = ("protocol", "host", "hostname", "pathname", "search", "hash")
SITE_BASES = (f"https://{SITE_HOST}/page/", f"http://{SITE_HOST}/page/")
# An absolute link that shows its host plainly: scheme, //, host, then the
# path, query, fragment or end (no user info, no backslash).
PLAIN_LINK = re.compile(r"(?i)https?://([a-z0-9.\-]+)(?::\d+)?(?=[/?#]|$)[^\\]*$")


class _ExternalLinks(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for link in root.iter("a"):
            href = (link.get("href") or "").strip()
            target = _off_site(href)
            if target is None:
                # Not a URL a browser would follow (nh3 drops it), but marked
                # all the same if it was meant to leave the site.
                if href.lower().startswith(("http://", "https://", "//")):
                    link.set("rel", EXTERNAL_REL)
                continue
            if not target:
                continue
            link.set("rel", EXTERNAL_REL)
            url, host = target
            if not PLAIN_LINK.match(href) or _written_host(href) != host:
                # Written so that it reads like a page of ours (/\\evil.example,
                # https:\\evil.example, ours@evil.example): link to what a
                # browser would open, and say where that is.
                link.set("href", url)
                link.tail = f" ({host})" + (link.tail or "")


def _off_site(href: str) -> tuple[str, str] | tuple[()] | None:
    """``(url, host)`` a browser would open for ``href`` on our page if off-site.

    ``()`` when it stays on the site, None when it is no URL at all. Parsed
    as browsers parse it (WHATWG URL, through ada-url), against our page on
    https and on http, as the two differ (``https:\\evil.example`` stays on
    an https page but leaves an http one); off-site on either is off-site.
    """
    found = None
    for base in SITE_BASES:
        try:
            parsed = ada_url.parse_url(ada_url.join_url(base, href), attributes=PARTS)
        except ValueError:
            continue
        found = found or ()
        host = parsed["hostname"]
        if parsed["protocol"] in ("http:", "https:") and host != SITE_HOST:
            url = f"{parsed['protocol']}//{parsed['host']}{parsed['pathname']}"
            return url + parsed["search"] + parsed["hash"], host.rstrip(".")
    return found


def _written_host(href: str) -> str:
    match = PLAIN_LINK.match(href)
    return match.group(1).lower().rstrip(".") if match else ""


class _SafeDefaults(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # After "unescape" (priority 0): judge the href a browser will get.
        md.treeprocessors.register(_ExternalLinks(md), "external_links", -1)


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def render_markdown(text: str) -> tuple[SafeString, SafeString]:
    """Return ``(body_html, toc_html)`` for Markdown source, both sanitised.

    ``toc_html`` is empty unless the body has at least two headings. The
    output never contains raw HTML from the source, event-handler attributes
    or URLs outside the allowed schemes.
    """
    md = markdown.Markdown(
        extensions=[
            TocExtension(slugify=slugify_unicode, toc_depth="2-3"),
            TableExtension(use_align_attribute=True),
            "fenced_code",
            "sane_lists",
            _SafeDefaults(),
        ],
        output_format="html",
    )
    source = _defuse_brackets((text or "")[:MAX_SOURCE_LENGTH].replace("\x00", ""))
    body = _clean(md.convert(source))
    toc = _clean(md.toc) if _count_entries(md.toc_tokens) >= 2 else ""
    return mark_safe(body), mark_safe(toc)


def _defuse_brackets(text: str) -> str:
    blocks = text.split("\n\n")
    return "\n\n".join(
        (
            block.replace("[", "\\[")
            if block.count("[") > MAX_BRACKETS_PER_BLOCK
            else block
        )
        for block in blocks
    )


def _count_entries(tokens: list[dict]) -> int:
    return sum(1 + _count_entries(token.get("children", [])) for token in tokens)
