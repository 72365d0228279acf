import json
import os
from pathlib import Path

import base58
import pytest
from hypothesis import given, strategies as st
from mnemonic import Mnemonic

from channels import ed25519
from channels.secrets import (
    CONFIRM,
    REFUSE,
    contains_secret,
    must_refuse,
    scan,
    scan_fields,
)

ARTICLES = sorted(Path(__file__).resolve().parents[2].glob("content/articles/**/*.md"))
# Fixed entropy, so each phrase is the same on every run.
ENTROPY = bytes(range(16))
ENTROPY_24 = bytes(range(32))


def phrase(language, entropy=ENTROPY):
    return Mnemonic(language).to_mnemonic(entropy)


def actions(text, **options):
    return [(finding.kind, finding.action) for finding in scan(text, **options)]


@pytest.mark.parametrize(
    "language", ["english", "chinese_simplified", "chinese_traditional"]
)
@pytest.mark.parametrize("separator", [" ", ", ", "\n", " - ", "、", "  "])
def test_phrase_with_any_separator_is_refused(language, separator):
    words = phrase(language).split(" ")
    assert actions("my words: " + separator.join(words)) == [("phrase", REFUSE)]


@pytest.mark.parametrize(
    "language", ["english", "chinese_simplified", "chinese_traditional"]
)
def test_24_word_phrase_is_refused(language):
    assert contains_secret(phrase(language, ENTROPY_24))


def test_numbered_english_phrase_is_refused():
    words = phrase("english").split(" ")
    numbered = "\n".join(f"{number}. {word}" for number, word in enumerate(words, 1))
    assert actions(numbered) == [("phrase", REFUSE)]


def test_english_phrase_in_capitals_is_refused():
    assert actions(phrase("english").upper()) == [("phrase", REFUSE)]


@pytest.mark.parametrize("language", ["chinese_simplified", "chinese_traditional"])
def test_unseparated_chinese_phrase_introduced_as_phrase_is_refused(language):
    words = phrase(language).replace(" ", "")
    assert actions(f"我的助记词是{words}，请帮我找回") == [("phrase", REFUSE)]


@pytest.mark.parametrize("language", ["chinese_simplified", "chinese_traditional"])
def test_unseparated_chinese_phrase_alone_asks_for_confirmation(language):
    words = phrase(language).replace(" ", "")
    assert actions(f"你好。{words}。") == [("phrase", CONFIRM)]


def test_eleven_english_words_pass():
    words = phrase("english").split(" ")[:11]
    assert scan(" ".join(words)) == []


def test_hex_key_in_free_text_asks_for_confirmation():
    assert actions("it is " + "ab" * 32) == [("hex64", CONFIRM)]


def test_hex_key_called_private_key_is_refused():
    assert actions("my private key is 0x" + "ab" * 32) == [("hex64", REFUSE)]


def test_hex_in_transaction_hash_field_is_accepted():
    assert scan("0x" + "ab" * 32, allow_hex64=True) == []


@pytest.mark.parametrize(
    "prefix, suffix",
    [(b"\x80", b""), (b"\x80", b"\x01"), (b"\xef", b""), (b"\xef", b"\x01")],
    ids=["mainnet", "mainnet-compressed", "testnet", "testnet-compressed"],
)
def test_wif_key_is_refused(prefix, suffix):
    wif = base58.b58encode_check(prefix + bytes(range(1, 33)) + suffix).decode()
    assert actions(f"key: {wif}") == [("wif", REFUSE)]


def test_wif_shaped_text_with_bad_checksum_passes():
    wif = base58.b58encode_check(b"\x80" + bytes(range(1, 33))).decode()
    broken = wif[:-1] + ("2" if wif[-1] != "2" else "3")
    assert scan(broken) == []


@pytest.mark.parametrize("prefix", ["xprv", "yprv", "zprv", "tprv"])
def test_extended_private_key_is_refused(prefix):
    body = base58.b58encode(os.urandom(78)).decode()[:107]
    assert actions(f"backup {prefix}{body} thanks") == [("xprv", REFUSE)]


def test_extended_public_key_passes():
    body = base58.b58encode(bytes(range(78))).decode()[:107]
    assert scan(f"xpub{body}") == []


def test_keystore_json_is_refused():
    keystore = {
        "version": 3,
        "crypto": {
            "cipher": "aes-128-ctr",
            "ciphertext": "ab" * 32,
            "kdf": "scrypt",
            "kdfparams": {"n": 262144},
            "mac": "cd" * 32,
        },
    }
    assert ("keystore", REFUSE) in actions(json.dumps(keystore))


def test_full_width_key_is_found():
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in "ab" * 32)
    assert actions(full_width) == [("hex64", CONFIRM)]


@pytest.mark.parametrize(
    "text",
    [
        "我的转账三个小时还没到账，交易哈希已经复制好了，请帮我查一下是什么原因。",
        "助记词是一组按顺序排列的单词，可以在任何设备上还原你的钱包。",
        "App 打开就闪退，已经重装过一次，还是不行。",
        "I sent 25 USDT on Ethereum about two hours ago and it has not arrived yet.",
        "Please help, I forgot my password and the reset e-mail never arrives.",
        "tx 0x" + "ab" * 31,
    ],
)
def test_ordinary_text_passes(text):
    assert scan(text) == []


@pytest.mark.parametrize(
    "path", ARTICLES, ids=lambda path: f"{path.parent.name}/{path.name}"
)
def test_demo_article_is_never_refused(path):
    findings = scan(path.read_text(encoding="utf-8"))
    assert all(finding.action != REFUSE for finding in findings)


def test_demo_articles_exist_for_the_refusal_check():
    assert len(ARTICLES) >= 10


@given(st.text(max_size=400))
def test_scan_never_raises(text):
    assert isinstance(contains_secret(text), bool)


@given(
    st.lists(st.sampled_from(["the", "a", "is", "to", "of", "was", "my"]), max_size=40)
)
def test_english_prose_words_outside_the_list_pass(words):
    assert not contains_secret(" ".join(words))


# The reproductions of issue #8 (each was stored and e-mailed) -----------------


WORDS = phrase("english").split(" ")
ZH_WORDS = phrase("chinese_simplified").split(" ")
KEYPAIR = bytes(range(32)) + ed25519.public_key(bytes(range(32)))
HEX_KEY = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b"
WIF = base58.b58encode_check(b"\x80" + bytes(range(1, 33)) + b"\x01").decode()
XPRV = "xprv" + base58.b58encode(bytes(range(78))).decode()[:107]
SOLANA_SIGNATURE = base58.b58encode(bytes(range(1, 65))).decode()


def typo(word):
    return word[:-1] + ("x" if word[-1] != "x" else "y")


REPRODUCTIONS = {
    "6 words in the subject, 6 in the message": [
        ("subject", " ".join(WORDS[:6])),
        ("message", " ".join(WORDS[6:])),
    ],
    "4 + 4 + 4 over name, subject and message": [
        ("name", " ".join(WORDS[:4])),
        ("subject", " ".join(WORDS[4:8])),
        ("message", "hi " + " ".join(WORDS[8:]) + " thanks"),
    ],
    "one misspelled word": [
        ("message", " ".join(WORDS[:5] + [typo(WORDS[5])] + WORDS[6:]))
    ],
    "first four letters": [("message", " ".join(word[:4] for word in WORDS))],
    "words run together": [("message", "mine:" + "".join(WORDS))],
    "Chinese groups of three": [
        ("message", " ".join("".join(ZH_WORDS[i : i + 3]) for i in range(0, 12, 3)))
    ],
    "Chinese groups of four": [
        ("message", "\n".join("".join(ZH_WORDS[i : i + 4]) for i in range(0, 12, 4)))
    ],
    "hex key in groups of 8 next to private key": [
        (
            "message",
            "my private key is "
            + " ".join(HEX_KEY[i : i + 8] for i in range(0, 64, 8)),
        )
    ],
    "Solana secret key, base58": [("message", base58.b58encode(KEYPAIR).decode())],
    "Solana secret key, JSON array": [("message", json.dumps(list(KEYPAIR)))],
    "WIF in tx_hash": [("tx_hash", WIF)],
    "xprv in tx_hash": [("tx_hash", XPRV)],
    "Cyrillic look-alike letters": [
        ("message", " ".join(word.replace("e", "\u0435") for word in WORDS))
    ],
    "abbreviated phrase in a search": [("q", " ".join(w[:4] for w in WORDS))],
}


@pytest.mark.parametrize("fields", REPRODUCTIONS.values(), ids=REPRODUCTIONS.keys())
def test_issue_reproduction_is_refused(fields):
    result = scan_fields(fields, hash_fields=("tx_hash",))
    assert result.refused
    assert set(result.fields) == {name for name, _text in fields}


def test_findings_name_only_the_fields_that_hold_the_secret():
    # Short Latin names next to a phrase may be taken for a misspelled word
    # and blanked with it; erring that way only costs a retyped name.
    fields = [
        ("name", "王芳"),
        ("subject", " ".join(WORDS[:6])),
        ("message", " ".join(WORDS[6:])),
        ("device", "Pixel 8"),
    ]
    assert scan_fields(fields).fields == ("subject", "message")


@pytest.mark.parametrize(
    "text",
    [
        "TxID: {h}",
        "txid {h}",
        "tx hash: {h}",
        "Transaction ID {h}",
        "transaction hash is {h}",
        "交易哈希：{h}",
        "哈希 {h}",
        "https://etherscan.io/tx/{h}",
        "I sent 25 USDT, it is 0x{h} and it never arrived.",
        "我转账了 0x{h}，还没到账",
        "I never gave anyone my private key. TxID: {h}",
        "tx hash: " + " ".join(HEX_KEY[i : i + 8] for i in range(0, 64, 8)),
    ],
)
def test_labelled_transaction_id_passes_without_question(text):
    assert scan(text.format(h=HEX_KEY)) == []


def test_solana_signature_passes_but_keypair_is_refused():
    assert scan(f"signature {SOLANA_SIGNATURE}") == []
    assert actions(base58.b58encode(KEYPAIR).decode()) == [("solana", REFUSE)]


def test_ed25519_public_key_matches_rfc_8032():
    seed = bytes.fromhex(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    )
    assert ed25519.public_key(seed).hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )


def test_64_small_numbers_that_are_not_bytes_pass():
    assert scan(", ".join(["300"] * 64)) == []


@pytest.mark.parametrize(
    "text",
    [
        "I can not access my account after the update, please help.",
        "When will this update be available? I have tried again and again "
        "but only see an error. Please help me, thank you.",
        "top left, top, top right, bottom left, bottom, bottom right, above, "
        "below, inside, outside, middle, center",
        "Version 3.2.1 on iPhone 15, iOS 18.1: the app crashes after login.",
        "我的助记词是不是只要有纸质备份就可以在新手机上恢复？",
        "转账 没到账 怎么办 急急急 在线等",
        "1a2b add bed cafe dead beef face fade",
    ],
)
def test_everyday_text_passes(text):
    assert scan(text) == []


# Property tests -------------------------------------------------------------

SEPARATORS = st.sampled_from([" ", "  ", ", ", "\n", " - ", "、", "\t", ";"])
ENTROPY_SIZES = st.sampled_from([16, 20, 24, 28, 32])
LANGUAGES = st.sampled_from(["english", "chinese_simplified", "chinese_traditional"])
CYRILLIC = str.maketrans("aeopcxy", "\u0430\u0435\u043e\u0440\u0441\u0445\u0443")


@st.composite
def random_phrase(draw, language=None):
    size = draw(ENTROPY_SIZES)
    entropy = draw(st.binary(min_size=size, max_size=size))
    return Mnemonic(language or draw(LANGUAGES)).to_mnemonic(entropy).split(" ")


@given(words=random_phrase(), separator=SEPARATORS)
def test_any_valid_phrase_with_any_separator_is_refused(words, separator):
    assert must_refuse(scan(separator.join(words)))


@given(words=random_phrase(), data=st.data())
def test_phrase_split_over_random_fields_is_refused(words, data):
    cuts = sorted(
        data.draw(st.lists(st.integers(1, len(words) - 1), max_size=4, unique=True))
    )
    pieces = [words[a:b] for a, b in zip([0, *cuts], [*cuts, len(words)], strict=True)]
    separator = data.draw(SEPARATORS)
    fields = [(f"f{n}", separator.join(piece)) for n, piece in enumerate(pieces)]
    result = scan_fields(fields)
    assert result.refused and set(result.fields) == {name for name, _t in fields}


@given(words=random_phrase("english"), data=st.data())
def test_english_phrase_variants_are_refused(words, data):
    position = data.draw(st.integers(0, len(words) - 1))
    variant = data.draw(st.sampled_from(["prefix", "typo", "homoglyph", "joined"]))
    if variant == "prefix":
        words = [word[:4] for word in words]
    elif variant == "typo":
        words = [*words[:position], typo(words[position]), *words[position + 1 :]]
    elif variant == "homoglyph":
        words = [word.translate(CYRILLIC) for word in words]
    separator = "" if variant == "joined" else data.draw(SEPARATORS)
    assert must_refuse(scan(separator.join(words)))


PIECES = st.sampled_from(
    [*WORDS, *ZH_WORDS, "the", "I", "0x", HEX_KEY, "private key", "TxID:"]
    + [" ", " ", "\n", "，", ". "]
)


@given(fields=st.lists(st.lists(PIECES, max_size=40).map("".join), max_size=4))
def test_a_field_refused_alone_is_refused_with_the_others(fields):
    named = [(f"f{n}", text) for n, text in enumerate(fields)]
    together = scan_fields(named)
    for name, text in named:
        if must_refuse(scan(text)):
            assert together.refused and name in together.fields


@given(text=st.text(max_size=300))
def test_scan_returns_a_list_for_any_text(text):
    assert isinstance(scan(text), list)


def test_generated_support_messages_are_never_refused_nor_questioned():
    from bench.secrets_bench import ordinary_messages

    flagged = [fields for fields in ordinary_messages(2000, 1) if scan_fields(fields)]
    assert flagged == []
