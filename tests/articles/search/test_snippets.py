import re

import pytest
from hypothesis import given, strategies as st

from articles.markdown import render_markdown
from articles.search.snippets import make_snippet, plain_text


def rendered(markdown: str) -> str:
    return render_markdown(markdown)[0]


def test_plain_text_of_rendered_list_has_no_markdown_residue():
    body = (
        "## 第一步\n\n1. 打开 **钱包**\n2. 点击 [更换](https://x.example/a)。\n3. 完成"
    )
    assert plain_text(rendered(body)) == "第一步 打开 钱包 点击 更换。 完成"


def test_plain_text_keeps_escaped_text_as_text():
    assert plain_text(rendered("use `<b>` & *stars*")) == "use <b> & stars"


def test_plain_text_drops_a_tag_cut_at_the_end():
    assert plain_text('<p>钱包</p><a href="https://x.exa') == "钱包"


def test_plain_text_of_table_separates_cells():
    body = "| 币种 | 网络 |\n|---|---|\n| USDT | TRC20 |"
    assert plain_text(rendered(body)) == "币种 网络 USDT TRC20"


def test_snippet_from_rendered_text_marks_match_without_residue():
    text = plain_text(rendered("1. 打开钱包\n2. 点击 **更换** 。\n3. 确认"))
    assert make_snippet([text], {"更换"}) == "打开钱包 点击 <mark>更换</mark> 。 确认"


def test_snippet_never_marks_a_lone_stop_word():
    text = "Open the app in your settings"
    assert make_snippet([text], {"in", "set"}) == (
        "Open the app in your <mark>settings</mark>"
    )
    assert make_snippet([text], {"in", "the"}) == "Open the app in your settings"


def test_snippet_marks_stop_word_next_to_a_content_word():
    text = "Sign in to the app, then go in"
    assert make_snippet([text], {"sign", "in"}) == (
        "<mark>Sign</mark> <mark>in</mark> to the app, then go in"
    )


def test_snippet_never_marks_a_lone_chinese_filler():
    assert make_snippet(["到账的时间"], {"的"}) == "到账的时间"


def test_snippet_window_starts_at_content_word_not_stop_word():
    text = "in " * 100 + "wallet"
    snippet = make_snippet([text], {"in", "wallet"})
    assert snippet == "… " + "in " * 12 + "<mark>in</mark> <mark>wallet</mark>"


@given(st.text(max_size=300))
def test_plain_text_never_leaves_a_tag(html):
    # Only an escaped "&lt;" in the text may come out as "<".
    assert "<" not in plain_text(html.replace("&", ""))


@pytest.mark.parametrize("shift", range(12))
def test_snippet_never_starts_or_ends_inside_an_english_word(shift):
    words = [f"word{n:03d}" for n in range(120)]
    text = "x" * shift + " " + " ".join(words[:60] + ["wallet"] + words[60:])
    snippet = re.sub(r"</?mark>", "", str(make_snippet([text], {"wallet"})))
    assert snippet.startswith("…") and snippet.endswith("…")
    inner = snippet.strip("…").split(" ")
    assert inner[0] in words and inner[-1] in words
    assert "wallet" in inner
