"""Highlighted snippets: the text is escaped first, then the matches marked.

Matches are found on the analyzed form of the text, character by character,
so a Traditional or full-width spelling in an article is still highlighted
for a Simplified query, and ``crashes`` is marked for ``crash``.
"""

import functools
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.search import analysis

SNIPPET_CHARS = 160
MAX_SCAN_CHARS = 2000
PREFIX_CHARS = 400


# Markdown syntax to drop for an excerpt: link targets, then markup runs.
# Parsing the rendered HTML instead costs ~1 ms an article.
_MARKDOWN_RE = re.compile(r"\]\([^)\s]*\)|[#>*_`|\[\]~]+|<[^>]{0,200}>")


def plain_text(body: str) -> str:
    """Return readable text of a Markdown body: markup and link targets gone."""
    return " ".join(_MARKDOWN_RE.sub(" ", body[:MAX_SCAN_CHARS]).split())


def _fold(text: str) -> str:
    folded = analysis.normalize(text)
    if len(folded) != len(text):
        # Offsets must map back to ``text``: fold one character at a time
        # when NFKC or OpenCC changed the length (rare, and slower).
        folded = "".join(analysis.normalize(ch)[:1] or " " for ch in text)
    return folded


@functools.lru_cache(maxsize=256)
def _latin_pattern(latin: frozenset[str]) -> re.Pattern:
    # A stem is a prefix of its words except for Snowball's y -> i, so
    # only words starting with a stem (minus a final i) are candidates.
    prefixes = sorted({token[:-1] if token.endswith("i") else token for token in latin})
    alternatives = "|".join(re.escape(prefix) for prefix in prefixes if prefix)
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*")


def _latin_spans(folded: str, latin: set[str], start: int, end: int, first_only: bool):
    for match in _latin_pattern(latin).finditer(folded, start, end):
        word = match.group()
        if word in latin or analysis.stem(word) in latin:
            yield match.span()
            if first_only:
                return


def _first_match(folded: str, cjk: list[str], latin: set[str]) -> int:
    positions = [folded.find(token) for token in cjk]
    first = min((p for p in positions if p >= 0), default=-1)
    if latin:
        # Only scan up to the first CJK hit: an earlier Latin one is all
        # that could change the answer.
        limit = first if first >= 0 else len(folded)
        for span in _latin_spans(folded, latin, 0, limit, first_only=True):
            return span[0]
    return first


def _spans(folded: str, cjk: list[str], latin: set[str], start: int, end: int):
    spans = []
    for token in cjk:
        position = folded.find(token, max(0, start - len(token) + 1), end)
        while position != -1:
            spans.append((position, position + len(token)))
            position = folded.find(token, position + 1, end)
    if latin:
        spans.extend(_latin_spans(folded, latin, start, end, first_only=False))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for span_start, span_end in spans:
        if merged and span_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(span_end, merged[-1][1]))
        else:
            merged.append((span_start, span_end))
    return merged


def make_snippet(texts: list[str], tokens: set[str]) -> SafeString:
    """Return an escaped excerpt of the first text that matches, marked.

    Matches are wrapped in ``<mark>``; everything else is escaped, so the
    result is safe to render. Without any match, the start of the first
    non-blank text is returned. Only the first ``MAX_SCAN_CHARS`` of each
    text are searched, so long articles cost no more than short ones.
    """
    cjk = [token for token in tokens if not token.isascii()]
    latin = frozenset(token for token in tokens if token.isascii())
    for text in texts:
        first = -1
        # Most matches are near the top: fold a short prefix first, and the
        # longer one only when that finds nothing.
        for size in (PREFIX_CHARS, MAX_SCAN_CHARS):
            first = _first_match(_fold(text[:size]), cjk, latin)
            if first >= 0 or len(text) <= size:
                break
        if first >= 0:
            break
    else:
        fallback = next((text for text in texts if text), "")
        cut = fallback[:SNIPPET_CHARS]
        return escape(cut + ("…" if len(fallback) > SNIPPET_CHARS else ""))
    start = max(0, first - SNIPPET_CHARS // 4)
    window = text[start : start + SNIPPET_CHARS]
    parts = ["…" if start > 0 else ""]
    position = 0
    for span_start, span_end in _spans(_fold(window), cjk, latin, 0, len(window)):
        span_start = max(span_start, position)
        if span_end <= span_start:
            continue
        parts.append(escape(window[position:span_start]))
        parts.append("<mark>" + escape(window[span_start:span_end]) + "</mark>")
        position = span_end
    parts.append(escape(window[position:]))
    parts.append("…" if start + len(window) < len(text) else "")
    return mark_safe("".join(parts))
