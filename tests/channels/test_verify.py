import pytest
from hypothesis import given, strategies as st

from channels import verify
from channels.platforms import HANDLE_PLATFORMS
from channels.verify import (
    KNOWN_SCAM,
    NOT_OFFICIAL,
    OFFICIAL,
    find_contacts,
    judge,
    normalize,
)

# (platform, value, sub-domains are ours, user-content paths), each its own
# channel named after the value.
OFFICIAL_IDS = [
    ("web", "https://cobaltwallet.example/support", False, ""),
    ("web", "https://cobaltwallet.example/support/request", False, ""),
    ("web", "community.cobaltwallet.example", False, "/u/\n/t/"),
    ("web", "apps.cobaltwallet.example", True, ""),
    ("email", "support@cobaltwallet.example", False, ""),
    ("wechat", "CobaltWallet", False, ""),
    ("x", "@CobaltWallet", False, ""),
    ("other", "CobaltLegacy", False, ""),
]
OFFICIAL_LIST = [
    verify.official(
        value,
        platform=platform,
        channel=value,
        includes_subdomains=subdomains,
        user_content_paths=paths,
    )
    for platform, value, subdomains, paths in OFFICIAL_IDS
]
STATUSES = {OFFICIAL, NOT_OFFICIAL, KNOWN_SCAM}


def check(raw, scams=None, platform=""):
    return judge(
        normalize(raw, platform=platform), official=OFFICIAL_LIST, scams=scams or {}
    )


def test_every_test_identifier_is_usable():
    assert None not in OFFICIAL_LIST


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
        ("cobaltwallet。example", "domain:cobaltwallet.example"),
        ("xn--cbaltwallet-rnj.example", "domain:cоbaltwallet.example"),
        ("hxxps://evil[.]example/login", "domain:evil.example"),
        ("127.0.0.1", "domain:127.0.0.1"),
        ("@Cobalt_Wallet", "handle:cobalt_wallet"),
        ("@Cobalt Wallet", "name:cobaltwallet"),
        ("Cobalt💎Wallet", "name:cobaltwallet"),
        ("https://wa.me/8613800000000", "phone:+8613800000000"),
        ("javascript:alert(1)", "url:javascript"),
        ("data:text/html,<b>hi</b>", "url:data"),
    ],
)
def test_normalize_folds_spelling_variants(raw, key):
    assert normalize(raw).key == key


def test_normalize_blank_returns_none():
    assert normalize("  ，。 ") is None


# The web, parsed as a browser parses it (WHATWG URL) ----------------------


@pytest.mark.parametrize(
    "raw, host",
    [
        ("https://evil.example\\.cobaltwallet.example", "evil.example"),
        ("evil.example\\.cobaltwallet.example", "evil.example"),
        ("https:\\\\evil.example\\cobaltwallet.example", "evil.example"),
        ("//evil.example/cobaltwallet.example", "evil.example"),
        ("/\\evil.example", "evil.example"),
        ("https://cobaltwallet.example@evil.example/", "evil.example"),
        ("https://cobaltwallet.example:443@evil.example/", "evil.example"),
        ("cobaltwallet.example:pw@evil.example/support", "evil.example"),
        ("https://%65vil.example./", "evil.example"),
        ("https://EVIL.example.:8443/x", "evil.example"),
        ("https://cobaltwallet.example.evil.test/", "cobaltwallet.example.evil.test"),
    ],
)
def test_web_address_is_judged_by_the_host_a_browser_opens(raw, host):
    verdict = check(raw)
    assert (verdict.verdict, verdict.contact.host) == (NOT_OFFICIAL, host)


@pytest.mark.parametrize(
    "raw",
    [
        "javascript://cobaltwallet.example/%0aalert(1)",
        "javascript:alert('cobaltwallet.example')",
        "data:text/html,https://cobaltwallet.example",
        "vbscript://cobaltwallet.example",
        "file://cobaltwallet.example/support",
        "ftp://cobaltwallet.example/support",
        "weixin://cobaltwallet.example",
    ],
)
def test_links_that_are_not_web_pages_are_never_official(raw):
    verdict = check(raw)
    assert (verdict.verdict, verdict.reason) == (NOT_OFFICIAL, verify.REASON_NOT_WEB)


@pytest.mark.parametrize(
    "raw, channel",
    [
        ("cobaltwallet.example", "https://cobaltwallet.example/support"),
        (
            "https://cobaltwallet.example/support",
            "https://cobaltwallet.example/support",
        ),
        (
            "https://cobaltwallet.example/support/request?x=1",
            "https://cobaltwallet.example/support/request",
        ),
        ("https://www.cobaltwallet.example/", "https://cobaltwallet.example/support"),
        ("ｃｏｂａｌｔwallet.example", "https://cobaltwallet.example/support"),
        (
            "https://community.cobaltwallet.example/latest",
            "community.cobaltwallet.example",
        ),
        ("https://apps.cobaltwallet.example", "apps.cobaltwallet.example"),
        ("https://eu.apps.cobaltwallet.example/x", "apps.cobaltwallet.example"),
        ("SUPPORT@cobaltwallet.example", "support@cobaltwallet.example"),
        ("@cobaltwallet", "@CobaltWallet"),  # judged on X, below
    ],
)
def test_official_contacts_are_official_and_name_their_channel(raw, channel):
    platform = "x" if raw.startswith("@") else ""
    verdict = check(raw, platform=platform)
    assert (verdict.verdict, verdict.channel) == (OFFICIAL, channel)


@pytest.mark.parametrize(
    "raw",
    [
        "help.cobaltwallet.example",  # sub-domains are not all ours
        "https://evil.community.cobaltwallet.example/",
        "cobaltwallet.example.evil.test",
    ],
)
def test_host_under_an_official_domain_is_not_official_unless_marked(raw):
    assert check(raw).verdict == NOT_OFFICIAL


@pytest.mark.parametrize(
    "raw",
    [
        "community.cobaltwallet.example/u/admin",
        "https://community.cobaltwallet.example/u/admin",
        "https://community.cobaltwallet.example/U/Admin/summary",
        "https://community.cobaltwallet.example/%75/admin",
        "https://community.cobaltwallet.example//u/admin",
        "https://community.cobaltwallet.example/x/../u/admin",
        "https://community.cobaltwallet.example/t/official-support/42",
        "https://community.cobaltwallet.example/u",
    ],
)
def test_user_content_page_on_our_forum_is_not_official(raw):
    verdict = check(raw)
    assert (verdict.verdict, verdict.reason, verdict.channel) == (
        NOT_OFFICIAL,
        verify.REASON_USER_CONTENT,
        "community.cobaltwallet.example",
    )


def test_user_content_prefix_does_not_cover_other_pages():
    assert check("https://community.cobaltwallet.example/users").verdict == OFFICIAL


# Handles and display names -------------------------------------------------


@pytest.mark.parametrize(
    "raw, platform",
    [
        ("@CobaltWallet", "x"),
        ("CobaltWallet", "wechat"),
        ("https://x.com/CobaltWallet", ""),
        ("https://twitter.com/cobaltwallet/status/1", "telegram"),
        ("mobile.twitter.com/CobaltWallet", ""),
    ],
)
def test_handle_is_official_on_its_own_platform(raw, platform):
    assert check(raw, platform=platform).verdict == OFFICIAL


@pytest.mark.parametrize(
    "raw, platform",
    [
        ("@CobaltWallet", "telegram"),
        ("@CobaltWallet", "weibo"),
        ("CobaltWallet", "other"),
        ("https://t.me/CobaltWallet", ""),
        ("https://t.me/CobaltWallet", "x"),
        ("https://www.instagram.com/cobaltwallet/", ""),
        ("CobaltLegacy", "other"),
    ],
)
def test_official_handle_on_another_platform_is_not_official(raw, platform):
    verdict = check(raw, platform=platform)
    assert (verdict.verdict, verdict.reason) == (
        NOT_OFFICIAL,
        verify.REASON_WRONG_PLATFORM,
    )


def test_official_handle_without_platform_asks_where_it_was_seen():
    verdict = check("@CobaltWallet")
    assert (verdict.verdict, verdict.reason, verdict.platforms) == (
        NOT_OFFICIAL,
        verify.REASON_PLATFORM_UNKNOWN,
        ("wechat", "x"),
    )


@pytest.mark.parametrize(
    "raw",
    [
        "Cobalt Wallet",
        "Cobalt💎Wallet",
        "Cobalt  Wallet ✅",
        "Cоbalt Wallet",  # Cyrillic о
        "COBALT WALLET 官方客服",
        "@Cobalt Wallet",
        "Cobalt\u200bWallet 🔒",
    ],
)
@pytest.mark.parametrize("platform", ["", "wechat", "x"])
def test_display_name_is_never_official(raw, platform):
    verdict = check(raw, platform=platform)
    assert (verdict.verdict, verdict.reason, verdict.imitates) == (
        NOT_OFFICIAL,
        verify.REASON_DISPLAY_NAME,
        True,
    )
    assert verdict.platforms == ("wechat", "x")


# Look-alikes, known scams ---------------------------------------------------


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
    verdict = check(raw, platform="x")
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


def test_known_scam_handle_matches_on_any_platform():
    scams = {"handle:cobaltwallet_support": "impostor"}
    assert check("https://t.me/CobaltWallet_Support", scams).verdict == KNOWN_SCAM


@pytest.mark.parametrize(
    "value, platform",
    [
        ("@CobaltWallet", "web"),
        ("support@cobaltwallet.example", "web"),
        ("cobaltwallet.example", "email"),
        ("Cobalt Wallet", "wechat"),
        ("https://t.me/CobaltWallet", "x"),
        ("javascript://cobaltwallet.example", "web"),
    ],
)
def test_identifier_of_the_wrong_kind_for_its_platform_is_unusable(value, platform):
    assert verify.official(value, platform=platform) is None


# Properties -----------------------------------------------------------------

host_label = st.from_regex(r"[a-z0-9]([a-z0-9\-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.lists(host_label, min_size=2, max_size=4).map(".".join)
# Characters that move where a host starts or ends; no letter of "cobalt"
# beyond a, b and c, so they cannot spell an official host by themselves.
junk = st.text(alphabet="abc/\\@:.%?#-_ 0123456789", max_size=20)


@given(st.text(max_size=300))
def test_normalize_never_raises_and_keys_are_typed(raw):
    contact = normalize(raw)
    kinds = {"phone", "email", "domain", "handle", "name", "url"}
    assert contact is None or contact.kind in kinds


@given(st.text(max_size=100), st.sampled_from(["", *HANDLE_PLATFORMS]))
def test_checking_any_input_never_raises(raw, platform):
    contact = normalize(raw, platform=platform)
    assert contact is None or check(raw, platform=platform).verdict in STATUSES


@given(hosts, junk, junk, st.sampled_from(["https://", "http://", "//", ""]))
def test_url_on_a_host_not_official_is_never_official(host, before, after, scheme):
    # Whatever surrounds the host (user info, backslashes, ports, paths),
    # a URL a browser opens on a host that is not ours is never official.
    raw = f"{scheme}{before}@{host}/{after}"
    assert check(raw).verdict != OFFICIAL
    assert check(f"{scheme}{host}\\.cobaltwallet.example/{after}").verdict != OFFICIAL


@given(
    st.from_regex(r"[a-z][a-z0-9+.\-]{0,10}", fullmatch=True).filter(
        lambda scheme: scheme not in {"http", "https"}
    ),
    junk,
)
def test_nothing_but_http_and_https_is_ever_official(scheme, rest):
    assert check(f"{scheme}://cobaltwallet.example/{rest}").verdict != OFFICIAL
    assert check(f"{scheme}:cobaltwallet.example").verdict != OFFICIAL


@given(st.text(max_size=40))
def test_display_names_with_spaces_or_symbols_are_never_official(name):
    raw = f"Cobalt {name} Wallet"
    for platform in ["", *HANDLE_PLATFORMS]:
        assert check(raw, platform=platform).verdict != OFFICIAL


@pytest.mark.parametrize("raw", ["0.[0", "http://[::1", "www.[x]"])
def test_normalize_survives_unparseable_urls(raw):
    contact = normalize(raw)
    assert contact is None or contact.kind in {"domain", "handle", "name", "url"}


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
        (
            "evil.example\\.cobaltwallet.example",
            ["evil.example\\.cobaltwallet.example"],
        ),
        ("see hxxps://evil[.]example/x ok", ["hxxps://evil[.]example/x"]),
        (
            "cobaltwallet．example 和 support@cobaltwallet.example。",
            ["cobaltwallet．example", "support@cobaltwallet.example"],
        ),
        ("访问cobaltwallet.example获取", ["cobaltwallet.example"]),
        (
            "关注@CobaltWallet 或 微信：cobalt_kefu888",
            ["@CobaltWallet", "cobalt_kefu888"],
        ),
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
