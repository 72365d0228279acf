import pytest
from hypothesis import given, strategies as st

from articles.search import analysis


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("转账未到账", ["转账", "账未", "未到", "到账"]),
        ("钱", ["钱"]),
        ("轉帳", ["转账"]),
        ("USDT TRC20 2FA", ["usdt", "trc20", "2fa"]),
        ("The app crashes", ["the", "app", "crash"]),
        ("ＵＳＤＴ，转账！", ["usdt", "转账"]),
        ("Café résumé", ["cafe", "resum"]),
        ("转账USDT到账", ["转账", "usdt", "到账"]),
        ("a_b-c", ["a", "b", "c"]),
        ("\x00转\x00账", ["转账"]),
        ("😀 🔥", []),
        ("", []),
    ],
)
def test_analyze_returns_expected_tokens(text, tokens):
    assert analysis.analyze(text) == tokens


def test_query_chunks_split_at_fillers():
    assert analysis.query_chunks("转账了怎么办") == [["转账"]]
    assert analysis.query_chunks("钱转出去了对方说没收到") == [
        ["钱转", "转出", "出去"],
        ["对方", "方说", "说没", "没收", "收到"],
    ]


def test_query_chunks_cap_length_and_tokens():
    chunks = analysis.query_chunks("转" * 10_000)
    assert sum(len(chunk) for chunk in chunks) == analysis.MAX_QUERY_TOKENS


def test_clean_query_strips_nul_and_cuts():
    assert analysis.clean_query("  a\x00b   c ") == "ab c"
    assert len(analysis.clean_query("x" * 10_000)) == analysis.MAX_QUERY_CHARS


def _holds(node, present: set[str]) -> bool:
    if isinstance(node, str):
        return node in present
    operator, children = node
    results = [_holds(child, present) for child in children]
    return all(results) if operator == "and" else any(results)


def _occurrences(node) -> int:
    if isinstance(node, str):
        return 1
    return sum(_occurrences(child) for child in node[1])


_TOKENS = st.sampled_from(["到账", "未到", "没到", "gas", "fee", "send", "a"])


@given(
    alternatives=st.lists(
        st.lists(_TOKENS, min_size=1, max_size=3).map(tuple), min_size=1, max_size=6
    ),
    present=st.sets(_TOKENS),
)
def test_factored_alternatives_match_exactly_what_the_alternatives_match(
    alternatives, present
):
    from articles.search.query import factor

    tree = factor(alternatives)
    expected = any(all(token in present for token in one) for one in alternatives)
    assert _holds(tree, present) == expected
    assert _occurrences(tree) <= sum(len(set(one)) for one in set(alternatives))


def test_factoring_takes_a_shared_token_out_once():
    from articles.search.query import factor

    tree = factor([("未到", "到账"), ("没到", "到账"), ("不到", "到账"), ("miss",)])
    assert tree == ("or", [("and", ["到账", ("or", ["未到", "没到", "不到"])]), "miss"])


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("sent", "send"),
        ("stolen", "steal"),
        ("forgotten", "forget"),
        ("frozen", "freeze"),
    ],
)
def test_analyze_folds_irregular_english_forms(text, same_as):
    assert analysis.analyze(text) == analysis.analyze(same_as)


def test_query_chunks_drop_where_and_how_much_fillers():
    assert analysis.query_chunks("交易哈希在哪里看") == [
        ["交易", "易哈", "哈希"],
        ["看"],
    ]
    assert analysis.query_chunks("手续费是多少") == [["手续", "续费"]]
