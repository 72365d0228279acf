import pytest

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
