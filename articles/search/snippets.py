"""Highlighted snippets: the text is escaped first, then the matches marked.

Matches are found on the analyzed form of the text, character by character,
so a Traditional or full-width spelling in an article is still highlighted
for a Simplified query, and ``crashes`` is marked for ``crash``.
"""

import functools
import html
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.search import analysis

SNIPPET_CHARS = 160
MAX_SCAN_CHARS = 2000
PREFIX_CHARS = 400


# The rendered HTML is our own renderer's output (nh3-cleaned, no comments,
# no raw HTML), so tags can be cut with a regex, which costs a few µs where
# an HTML parser costs ~1 ms an article. Inline tags vanish ("点击<a>更换</a>。"
# reads "点击更换。"); block tags separate words. A tag cut off at the end of
# the scanned prefix is dropped too.
_INLINE_TAG_RE = re.compile(r"</?(?:a|code|del|em|strong)\b[^>]*>")
_TAG_RE = re.compile(r"<[^>]*(?:>|$)")
# HTML is longer than its text: scan this much of it for MAX_SCAN_CHARS.
HTML_SCAN_CHARS = 3 * MAX_SCAN_CHARS


def plain_text(body_html: str) -> str:
    """Return the readable text of an article's rendered HTML (``body_html``).

    Snippets come from what readers see, never from the Markdown source, so
    no ``**``, ``##``, list numbers or link targets show up in them.
    """
    text = _TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", str(body_html)[:HTML_SCAN_CHARS]))
    return " ".join(html.unescape(text).split())[:MAX_SCAN_CHARS]


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
    # A stop word ("in", "the", 的) alone marks nothing and places nothing:
    # it is only marked next to a marked content word ("sign in").
    content = {token for token in tokens if token not in analysis.STOP_TOKENS}
    stop = set(tokens) - content
    cjk = [token for token in content if not token.isascii()]
    latin = frozenset(token for token in content if token.isascii())
    for text in texts if content else ():
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
    start, end = _bounds(text, first)
    window = text[start:end]
    folded = _fold(window)
    spans = _spans(folded, cjk, latin, 0, len(window))
    if stop:
        spans = _with_adjacent_stop_words(window, folded, spans, stop)
    parts = ["…" if start > 0 else ""]
    position = 0
    for span_start, span_end in spans:
        span_start = max(span_start, position)
        if span_end <= span_start:
            continue
        parts.append(escape(window[position:span_start]))
        parts.append("<mark>" + escape(window[span_start:span_end]) + "</mark>")
        position = span_end
    parts.append(escape(window[position:]))
    parts.append("…" if start + len(window) < len(text) else "")
    return mark_safe("".join(parts))


def _latin_letter(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _bounds(text: str, first: int) -> tuple[int, int]:
    """Return where the excerpt around ``first`` starts and ends: a quarter
    of it before the first match, never starting or ending inside a Latin
    word ("…ity cases", "immediately an…"); Chinese has no spaces to cut at
    and is cut anywhere."""
    start = max(0, first - SNIPPET_CHARS // 4)
    if start > 0 and _latin_letter(text[start - 1]) and _latin_letter(text[start]):
        space = text.find(" ", start, first)
        if space >= 0:
            start = space + 1
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text) and _latin_letter(text[end - 1]) and _latin_letter(text[end]):
        space = text.rfind(" ", first, end)
        if space > first:
            end = space
    return start, end


def _with_adjacent_stop_words(window, folded, spans, stop: set[str]):
    # Keep a stop word's span only where just whitespace separates it from a
    # content word's span, so "sign in" is marked whole and a lone "in" not.
    stop_spans = _spans(
        folded,
        [token for token in stop if not token.isascii()],
        frozenset(token for token in stop if token.isascii()),
        0,
        len(window),
    )

    def touches(left, right):
        return left[1] <= right[0] and not window[left[1] : right[0]].strip()

    adjacent = [
        span
        for span in stop_spans
        if any(touches(span, other) or touches(other, span) for other in spans)
    ]
    return sorted(spans + adjacent)
