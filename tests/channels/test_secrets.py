import json
import os
from pathlib import Path

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mnemonic import Mnemonic

from channels.secrets import CONFIRM, REFUSE, contains_secret, scan

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
