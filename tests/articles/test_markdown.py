import threading
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings, strategies as st

from articles.markdown import ALLOWED_TAGS, render_markdown


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("**bold**", "<p><strong>bold</strong></p>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        (
            '<div onclick="x()">hi</div>',
            '<p>&lt;div onclick="x()"&gt;hi&lt;/div&gt;</p>',
        ),
        ("[click](javascript:alert(1))", "<p><a>click</a></p>"),
        ("[click](JaVaScRiPt:alert(1))", "<p><a>click</a></p>"),
        ("[img](data:text/html;base64,PHNjcmlwdD4=)", "<p><a>img</a></p>"),
        ("![x](javascript:alert(1))", "<p></p>"),
        (
            "[site](https://example.com/a)",
            '<p><a href="https://example.com/a" rel="nofollow noopener">site</a></p>',
        ),
        (
            "[other](../forgot-password/)",
            '<p><a href="../forgot-password/">other</a></p>',
        ),
        (
            "[mail](mailto:support@example.com)",
            '<p><a href="mailto:support@example.com">mail</a></p>',
        ),
        # attr_list is not enabled, so "{: onclick=...}" stays literal text.
        (
            '## Title {: onclick="x()" }',
            '<h2 id="title-onclickx">Title {: onclick="x()" }</h2>',
        ),
        # Python-Markdown reads this as a link with a broken URL; nh3 drops
        # the URL and nothing of the handler survives.
        (
            '[a](https://x.test "t" onmouseover=alert(1))',
            '<p><a rel="nofollow noopener">a</a>)</p>',
        ),
    ],
)
def test_render_markdown_escapes_and_sanitises(source, expected):
    html, _toc = render_markdown(source)
    assert html == expected


EVIL = (
    '<p><a href="https://evil.example/" rel="nofollow noopener">{}</a>'
    " (evil.example)</p>"
)


# Markdown reads a backslash pair in the source as one backslash.
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"[官网](/\evil.example)", EVIL.format("官网")),
        (r"[a](\\\\evil.example)", EVIL.format("a")),  # href \\evil.example
        (r"[a](https:\\evil.example)", EVIL.format("a")),  # href https:\evil.example
        ("[a](http:evil.example)", EVIL.format("a").replace("https", "http", 1)),
        ("[a](//evil.example)", EVIL.format("a")),
        ("[a](https://cobaltwallet.example@evil.example/)", EVIL.format("a")),
        (
            r"[a](https://evil.example\\.cobaltwallet.example)",
            '<p><a href="https://evil.example/.cobaltwallet.example" '
            'rel="nofollow noopener">a</a> (evil.example)</p>',
        ),
        (
            "[a](https://例子.example/x)",
            '<p><a href="https://xn--fsqu00a.example/x" rel="nofollow noopener">a</a>'
            " (xn--fsqu00a.example)</p>",
        ),
        # href \evil.example: a path on this site, as browsers resolve it.
        (r"[a](\\evil.example)", r'<p><a href="\evil.example">a</a></p>'),
        (
            "[fees](https://cobaltwallet.example/fees)",
            '<p><a href="https://cobaltwallet.example/fees" rel="nofollow noopener">'
            "fees</a></p>",
        ),
    ],
)
def test_render_markdown_shows_the_host_of_links_disguised_as_ours(source, expected):
    html, _toc = render_markdown(source)
    assert html == expected


def test_render_markdown_builds_toc_with_unicode_anchors():
    html, toc = render_markdown("## 第一步\n\ntext\n\n## Second step\n\nmore")
    assert '<h2 id="第一步">第一步</h2>' in html
    assert '<a href="#第一步">第一步</a>' in toc
    assert '<a href="#second-step">Second step</a>' in toc


def test_render_markdown_single_heading_has_no_toc():
    _html, toc = render_markdown("## Only one\n\ntext")
    assert toc == ""


def test_render_markdown_table_keeps_alignment_without_style():
    html, _toc = render_markdown("|a|b|\n|:-|-:|\n|1|2|")
    assert '<th align="left">a</th>' in html
    assert "style=" not in html


@pytest.mark.parametrize(
    "source", ["[" * 10_000, "[![" * 5_000, "[](" * 5_000, "*a" * 10_000]
)
def test_render_markdown_pathological_body_does_not_hang(source):
    result = {}
    worker = threading.Thread(
        target=lambda: result.update(html=render_markdown(source)[0])
    )
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "rendering took more than 10 seconds"
    assert result["html"].startswith("<p>")


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>\"'=[]()!:/ {}#ajvscriptonerrorhfdtml&;x\n")),
        max_size=200,
    )
)
def test_render_markdown_output_has_only_allowed_tags_and_urls(source):
    html, toc = render_markdown(source)
    collector = _TagCollector()
    collector.feed(html + toc)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") for name in attrs)
        href = (attrs.get("href") or "").strip().lower()
        scheme = href.split(":", 1)[0] if ":" in href else ""
        assert (
            scheme in {"", "http", "https", "mailto"} or "/" in scheme or "#" in scheme
        )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("/\\:.@?#ehtpsvil")), max_size=30))
def test_every_link_a_browser_would_follow_off_site_is_marked(href):
    import ada_url

    html, _toc = render_markdown(f"[a]({href})")
    collector = _TagCollector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        if tag != "a" or "href" not in attrs:
            continue
        for base in ("https://this.site.invalid/p/", "http://this.site.invalid/p/"):
            try:
                target = ada_url.URL(attrs["href"], base)
            except ValueError:
                continue
            if target.hostname != "this.site.invalid":
                assert attrs.get("rel") == "nofollow noopener"
