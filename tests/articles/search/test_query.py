"""Query compilation: what the engines are given for what the user typed."""

from hypothesis import given, settings, strategies as st

from articles.search import analysis, query as query_module

SYNONYMS = {
    "log": [(("log", "in"), (("log", "in"), ("login",), ("登录",)))],
    "转账": [(("转账",), (("转账",), ("transfer",)))],
}
STATE = query_module._State("test", 0.0, SYNONYMS, {"wallet": "wallet"})
TEXT = st.lists(
    st.sampled_from(
        list("转账丢了失钱包的 ") + ["log in", "wallet", "walet", '"', "*"]
    ),
    max_size=12,
).map("".join)


@settings(deadline=None)
@given(text=TEXT)
def test_every_lone_chinese_character_is_a_word_start(text):
    for term in query_module.parse(text, synonyms=SYNONYMS):
        (alternative, *others) = term.alternatives
        if not others and len(alternative) == 1 and len(alternative[0]) == 1:
            assert term.prefix == (not alternative[0].isascii())


@settings(deadline=None)
@given(text=TEXT, prefix=st.booleans())
def test_compiled_query_terms_are_what_parse_returns(text, prefix):
    compiled = query_module.compile_query(
        text, language="zh-hans", prefix=prefix, state=STATE
    )
    if not analysis.clean_query(text):
        assert compiled.terms == ()
        return
    parsed = query_module.parse_query(text, state=STATE, prefix=prefix)
    assert (compiled.text, list(compiled.terms)) == (parsed.text, parsed.terms)
    match = compiled.match(compiled.terms)
    assert (match.language, match.category_id, match.now) == (
        "zh-hans",
        None,
        compiled.now,
    )


def test_a_typed_phrase_with_a_stop_word_is_not_ranked_first():
    (term,) = query_module.parse("log in", synonyms=SYNONYMS)
    assert not term.has_synonyms
    (term,) = query_module.parse("转账", synonyms=SYNONYMS)
    assert term.has_synonyms
    assert term.as_typed().alternatives == (("转账",),)


def test_spelled_out_numbers_are_dropped_unless_nothing_else_is_left():
    terms = query_module.parse("sent usdt two hours ago", synonyms={})
    assert [term.literal for term in terms] == [("send",), ("usdt",), ("hour",)]
    # Digits stay, and a query of numbers alone is still searched.
    assert [t.literal for t in query_module.parse("2 hours", synonyms={})] == [
        ("2",),
        ("hour",),
    ]
    assert [t.literal for t in query_module.parse("two", synonyms={})] == [("two",)]
