import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.verify import (
    KNOWN_SCAM,
    NOT_OFFICIAL,
    OFFICIAL,
    find_contacts,
    judge,
    normalize,
)

OFFICIAL_IDS = [
    "https://cobaltwallet.example/support",
    "support@cobaltwallet.example",
    "@CobaltWallet",
]


def check(raw, scams=None):
    official = [(normalize(identifier), identifier) for identifier in OFFICIAL_IDS]
    return judge(normalize(raw), official=official, scams=scams or {})


@pytest.mark.parametrize(
    "raw, key",
    [
        ("+86 138-0000-0000", "phone:+8613800000000"),
        ("0086 13800000000", "phone:+8613800000000"),
        ("138 0000 0000", "phone:+8613800000000"),
        ("(400) 888-0123", "phone:+864008880123"),
        ("Support@CobaltWallet.EXAMPLE", "email:support@cobaltwallet.example"),
        ("mailto:support@cobaltwallet.example", "email:support@cobaltwallet.example"),
        (
            "HTTPS://WWW.CobaltWallet.example:443/help?x=1",
            "domain:cobaltwallet.example",
        ),
        ("cobaltwallet.example/", "domain:cobaltwallet.example"),
        ("「cobaltwallet.example」。", "domain:cobaltwallet.example"),
        ("ｃｏｂａｌｔｗａｌｌｅｔ．ｅｘａｍｐｌｅ", "domain:cobaltwallet.example"),
        ("xn--cbaltwallet-rnj.example", "domain:cоbaltwallet.example"),
        ("@Cobalt Wallet", "handle:cobaltwallet"),
        ("@Cobalt_Wallet", "handle:cobalt_wallet"),
    ],
)
def test_normalize_folds_spelling_variants(raw, key):
    assert normalize(raw).key == key


def test_normalize_blank_returns_none():
    assert normalize("  ，。 ") is None


@pytest.mark.parametrize(
    "raw",
    [
        "cobaltwallet.example",
        "https://cobaltwallet.example/support/request",
        "help.cobaltwallet.example",
        "SUPPORT@cobaltwallet.example",
        "@cobaltwallet",
        "ｃｏｂａｌｔwallet.example",
    ],
)
def test_official_contacts_are_official(raw):
    assert check(raw).verdict == OFFICIAL


@pytest.mark.parametrize(
    "raw",
    [
        "cоbaltwallet.example",  # Cyrillic о
        "xn--cbaltwallet-rnj.example",  # the same, as punycode
        "cobaltwallet.example.evil.test",
        "cobalt-wallet-support.test",
        "cobaltwa1let.example",
        "support@cobaltwallet-help.test",
        "@cobalt_wallet",
    ],
)
def test_look_alikes_are_not_official_and_flagged(raw):
    verdict = check(raw)
    assert (verdict.verdict, verdict.imitates) == (NOT_OFFICIAL, True)


def test_unlisted_mailbox_on_official_domain_is_not_official():
    assert check("refunds@cobaltwallet.example").verdict == NOT_OFFICIAL


def test_unknown_contact_is_not_official_without_imitation():
    verdict = check("random-shop.test")
    assert (verdict.verdict, verdict.imitates) == (NOT_OFFICIAL, False)


def test_any_phone_number_is_not_official():
    verdict = check("+86 400 000 0000")
    assert (verdict.verdict, verdict.contact.kind) == (NOT_OFFICIAL, "phone")


def test_known_scam_wins_and_covers_sub_domains():
    verdict = check(
        "https://login.fake-cobalt.test", {"domain:fake-cobalt.test": "fake"}
    )
    assert (verdict.verdict, verdict.scam_note) == (KNOWN_SCAM, "fake")


def test_known_scam_phone_matches_any_spelling():
    assert check("0086-400-888-0123", {"phone:+864008880123": ""}).verdict == KNOWN_SCAM


@given(st.text(max_size=300))
def test_normalize_never_raises_and_keys_are_typed(raw):
    contact = normalize(raw)
    assert contact is None or contact.kind in {"phone", "email", "domain", "handle"}


@given(st.text(max_size=100))
def test_checking_any_input_never_raises(raw):
    contact = normalize(raw)
    assert contact is None or check(raw).verdict in {OFFICIAL, NOT_OFFICIAL, KNOWN_SCAM}


@pytest.mark.parametrize("raw", ["0.[0", "http://[::1", "www.[x]"])
def test_normalize_survives_unparseable_urls(raw):
    contact = normalize(raw)
    assert contact is None or contact.kind in {"domain", "handle", "phone", "email"}


# Finding contacts in free text ----------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "请拨打 +86 400-888-0123 或 13800138000 联系客服",
            ["+86 400-888-0123", "13800138000"],
        ),
        ("请拨打4008880123咨询", ["4008880123"]),
        ("Call +1-888-555-0100 now", ["+1-888-555-0100"]),
        ("电话：010-12345678。", ["010-12345678"]),
        ("拨打１３８００１３８０００", ["１３８００１３８０００"]),
        (
            "访问https://evil.example\\.cobaltwallet.example获取",
            ["https://evil.example\\.cobaltwallet.example"],
        ),
        ("evil.example\\.cobaltwallet.example", ["evil.example\\.cobaltwallet.example"]),
        ("see hxxps://evil[.]example/x ok", ["hxxps://evil[.]example/x"]),
        (
            "cobaltwallet．example 和 support@cobaltwallet.example。",
            ["cobaltwallet．example", "support@cobaltwallet.example"],
        ),
        ("访问cobaltwallet.example获取", ["cobaltwallet.example"]),
        ("关注@CobaltWallet 或 微信：cobalt_kefu888", ["@CobaltWallet", "cobalt_kefu888"]),
        (
            "a.example, b.example and a.example again",
            ["a.example", "b.example"],
        ),
        (
            "https://community.cobaltwallet.example/u/admin.",
            ["https://community.cobaltwallet.example/u/admin"],
        ),
    ],
)
def test_find_contacts_finds_each_contact_once_in_order(text, expected):
    assert find_contacts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "日期 2026-11-29，金额 1,000.50 USDT，版本 3.2.1",
        "TxID: 0x" + "ab" * 32,
        "Open settings.json, e.g. with Node.js, i.e. any editor.",
        "订单号 20261129103000123",
        "a@b @@@ 12345",
    ],
)
def test_find_contacts_ignores_ordinary_support_text(text):
    assert find_contacts(text) == []


@given(st.text(max_size=400))
def test_find_contacts_never_raises_and_finds_no_blanks(text):
    found = find_contacts(text)
    assert all(raw.strip() for raw in found) and len(set(found)) == len(found)


def test_find_contacts_is_linear_on_hostile_input():
    hostile = ["a" * 200_000, "a." * 100_000, "1 " * 100_000, ("a" * 60 + "@") * 3000]
    assert all(find_contacts(text) == [] for text in hostile)
