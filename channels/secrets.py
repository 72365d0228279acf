"""Detect wallet secrets in free text before anything is stored or logged.

``scan(text)`` returns findings, each with an action:

- ``refuse``: the text almost certainly holds a secret (a recovery phrase
  written as separated words, an extended private key, a WIF key with a valid
  checksum, keystore JSON, a 64-hex value called a private key). The caller
  must refuse the submission and drop the text.
- ``confirm``: the text holds something shaped like a secret that is usually
  harmless: a bare 64-hex value (transaction hashes look the same) or a run
  of Chinese characters that could be an unseparated recovery phrase. The
  caller asks the user what it is before storing it.

Ordinary Chinese prose consists almost entirely of characters from the
BIP39 Chinese word lists, so an unseparated run is only suspicious when the
whole run has a phrase's length and a valid BIP39 checksum; it is refused
outright only when it is introduced as a recovery phrase.

``contains_secret(text)`` is the one-call form for code that must not log
a secret (search analytics): True for any finding.
"""

import dataclasses
import functools
import re
import unicodedata

import base58
from mnemonic import Mnemonic

PHRASE_LENGTHS = (12, 15, 18, 21, 24)
MIN_PHRASE_WORDS = PHRASE_LENGTHS[0]
WORD_LISTS = ("english", "chinese_simplified", "chinese_traditional")

REFUSE = "refuse"
CONFIRM = "confirm"

# A recovery phrase introduced as such ("我的助记词是：..."); the words that
# follow are checked against the BIP39 checksum and refused if it holds.
PHRASE_INTRO = re.compile(
    r"(?:(?:recovery|seed|secret|backup)\s*(?:phrase|words)|mnemonic|"
    r"助记词|助記詞|种子词|種子詞|恢复短语|恢復短語|恢复词|恢復詞)"
    r"[\s:：,，是為为如下]{0,4}",
    re.IGNORECASE,
)
PRIVATE_KEY_TALK = re.compile(r"private\s*key|私钥|私鑰|秘钥|密钥", re.IGNORECASE)

HEX64 = re.compile(r"(?<![0-9A-Za-z])(?:0x)?[0-9a-fA-F]{64}(?![0-9A-Za-z])")
EXTENDED_PRIVATE_KEY = re.compile(
    r"(?<![0-9A-Za-z])[xyztuvXYZ]prv[1-9A-HJ-NP-Za-km-z]{100,112}(?![0-9A-Za-z])"
)
# Mainnet (5, K, L) and testnet (9, c) WIF keys; the checksum decides.
WIF_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])[5KL9c][1-9A-HJ-NP-Za-km-z]{50,51}(?![0-9A-Za-z])"
)
WIF_VERSIONS = (0x80, 0xEF)
KEYSTORE_KEYS = ("ciphertext", "kdf", "mac")
LATIN_WORD = re.compile(r"[a-z]+")
# Anything that is neither a letter nor an ideograph separates words:
# spaces, commas, numbering such as "1." and line breaks alike.
SEPARATOR = r"[^A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


@dataclasses.dataclass(frozen=True)
class Finding:
    kind: str  # "phrase", "hex64", "wif", "xprv" or "keystore"
    action: str  # REFUSE or CONFIRM


@functools.cache
def _mnemonic(language: str) -> Mnemonic:
    return Mnemonic(language)


@functools.cache
def _word_set(language: str) -> frozenset[str]:
    return frozenset(_mnemonic(language).wordlist)


@functools.cache
def _cjk_patterns(language: str) -> tuple[re.Pattern, re.Pattern]:
    """Return (separated run, unseparated run) patterns for a Chinese list."""
    chars = "".join(sorted(_word_set(language)))
    char = f"[{re.escape(chars)}]"
    lone = f"(?<![{CJK}]){char}(?![{CJK}])"
    separated = re.compile(f"{lone}(?:{SEPARATOR}{lone}){{{MIN_PHRASE_WORDS - 1},}}")
    unseparated = re.compile(f"{char}{{{MIN_PHRASE_WORDS},}}")
    return separated, unseparated


def normalize(text: str) -> str:
    """Return ``text`` in NFKC with invisible characters removed.

    NFKC turns full-width letters and digits into ASCII, so a key or phrase
    pasted from a full-width input method is still recognised.
    """
    return unicodedata.normalize("NFKC", text).translate(INVISIBLE)


def _has_checksum(words: list[str], language: str) -> bool:
    return len(words) in PHRASE_LENGTHS and _mnemonic(language).check(" ".join(words))


def _english_phrase(text: str) -> bool:
    """True when 12 or more consecutive words all come from the English list."""
    words = _word_set("english")
    run = 0
    for word in LATIN_WORD.findall(text.lower()):
        run = run + 1 if word in words else 0
        if run >= MIN_PHRASE_WORDS:
            return True
    return False


def _chinese_phrase(text: str) -> str | None:
    """Return REFUSE, CONFIRM or None for Chinese recovery phrases.

    Refused: list characters separated from each other (by spaces, commas,
    numbering...), or a run with a valid checksum introduced as a recovery
    phrase ("助记词是：..."). Confirmed: any other whole run of a phrase's
    length with a valid checksum. Prose runs pass, bar a 1-in-16 chance
    for a run that happens to have exactly a phrase's length.
    """
    action = None
    for language in ("chinese_simplified", "chinese_traditional"):
        separated, unseparated = _cjk_patterns(language)
        if separated.search(text):
            return REFUSE
        for match in PHRASE_INTRO.finditer(text):
            following = unseparated.match(text, match.end())
            run = list(following.group()) if following else []
            if any(_has_checksum(run[:size], language) for size in PHRASE_LENGTHS):
                return REFUSE
        for match in unseparated.finditer(text):
            if _has_checksum(list(match.group()), language):
                action = CONFIRM
    return action


def _is_wif(candidate: str) -> bool:
    try:
        payload = base58.b58decode_check(candidate)
    except ValueError:
        return False
    # 32 key bytes, plus a 0x01 flag byte for a compressed public key.
    compressed = len(payload) == 34 and payload[-1] == 0x01
    return payload[0] in WIF_VERSIONS and (len(payload) == 33 or compressed)


def _is_keystore(text: str) -> bool:
    lowered = text.lower()
    return all(f'"{key}"' in lowered for key in KEYSTORE_KEYS)


def scan(text: str, *, allow_hex64: bool = False) -> list[Finding]:
    """Return every secret-like finding in ``text``, refusals first.

    ``allow_hex64`` is for the transaction-hash field, where a 64-hex value
    is expected and accepted without question.
    """
    if not text:
        return []
    text = normalize(text)
    findings = []
    if _english_phrase(text):
        findings.append(Finding("phrase", REFUSE))
    chinese = _chinese_phrase(text)
    if chinese:
        findings.append(Finding("phrase", chinese))
    if EXTENDED_PRIVATE_KEY.search(text):
        findings.append(Finding("xprv", REFUSE))
    if any(_is_wif(m.group()) for m in WIF_CANDIDATE.finditer(text)):
        findings.append(Finding("wif", REFUSE))
    if _is_keystore(text):
        findings.append(Finding("keystore", REFUSE))
    if not allow_hex64 and HEX64.search(text):
        action = REFUSE if PRIVATE_KEY_TALK.search(text) else CONFIRM
        findings.append(Finding("hex64", action))
    return sorted(findings, key=lambda finding: finding.action != REFUSE)


def must_refuse(findings: list[Finding]) -> bool:
    """True when any finding requires refusing the submission."""
    return any(finding.action == REFUSE for finding in findings)


def contains_secret(text: str) -> bool:
    """Return True when ``text`` may hold a wallet secret and must not be kept.

    Covers recovery phrases (English and Chinese word lists), 64-hex keys
    (including ones that are only perhaps transaction hashes), WIF keys,
    extended private keys and keystore JSON. Safe on any string; never
    raises.
    """
    return bool(scan(text))
