"""Detect wallet secrets in user text before anything is stored, sent or logged.

Every place that keeps or logs user text calls ``scan_fields`` with the
submission's free-text fields in form order. The fields are scanned joined
(a phrase split 6 + 6 over the subject and the message is still a phrase)
and one by one. Each finding has an action:

- ``refuse``: almost certainly a secret. The caller refuses the submission,
  stores nothing and never shows the text back.
- ``confirm``: shaped like a secret but usually harmless, such as a bare
  64-hex value (transaction hashes look the same). The contact form asks
  the user what it is; places without that question refuse.

What is found:

- BIP39 recovery phrases, English and Chinese (both lists): 12 or more list
  words in a row, whatever separates them; a word may be given by its
  unique first four letters, one word in twelve may be one edit off, words
  may be run together, and look-alike letters (Cyrillic ``е``) count as
  Latin. Ordinary English uses many list words ("can", "help", "update"),
  but articles and pronouns ("I", "my", "the") are not list words, so
  prose rarely has twelve in a row; a run that has more than
  ``MAX_COMMON_WORDS`` everyday words in every window of twelve is refused
  only when it carries a valid BIP39 checksum. Chinese prose is almost all
  list characters, so separated characters and short groups need a
  checksum, and an unseparated run is only asked about when the whole run
  has one (refused when introduced as a recovery phrase).
- Private keys: 64-hex values (also in groups such as ``1a2b3c4d 5e6f…``)
  refused next to "private key" and asked about otherwise, except when
  labelled as a transaction ("TxID:", "交易哈希", an explorer link, or a
  ``0x`` value in a sentence about a transfer); WIF keys with a valid
  checksum; extended private keys (``xprv``…); Solana secret keys (base58
  of 64 bytes whose second half is the public key of the first, or the JSON
  array of 64 numbers); keystore JSON.
"""

import dataclasses
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable

import base58
from confusable_homoglyphs import confusables
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from mnemonic import Mnemonic

from channels import ed25519

PHRASE_LENGTHS = (12, 15, 18, 21, 24)
MIN_PHRASE_WORDS = PHRASE_LENGTHS[0]
# In any 12 words of a random phrase, expect about one word from
# COMMON_WORDS (187 of the 2,048 list words); more than four happens to
# about one phrase in 200, and then the checksum still catches it.
MAX_COMMON_WORDS = 4
MAX_TYPOS = 1
# Prose repeats words ("top, top-left"); a random phrase has a repeated
# word in one case in 30 and two in one in 2,000.
MAX_REPEATS = 1
WORD_LISTS = ("english", "chinese_simplified", "chinese_traditional")
CHINESE_LISTS = WORD_LISTS[1:]
# Longest English list word is 8 letters; a letter run this long that is
# not a word may be words typed without separators.
MIN_RUN_TOGETHER = 16
MAX_RUN_TOGETHER = 24 * 8
MIN_TYPO_LENGTH = 3
MAX_GAP_TOKENS = 2
MIN_BRIDGED_WORDS = 4

REFUSE = "refuse"
CONFIRM = "confirm"

# Everyday English words that are also BIP39 words (and a few that are one
# letter off or a prefix of one). Used only to tell prose from a phrase.
COMMON_WORDS = frozenset(
    """a about above access account across actual add after again age all
    also always am an and any anyone app are area around as ask at away
    back bad balance be because been before best better between big both
    but buy by call came can cancel card case cause change check close code
    come could course cover crypto day did do does done down during each
    early either else email empty end enough error even ever every exact
    exchange fail fee few file find fine first for found from fund get give
    go good got great had has have he hello help her here high him his hold
    home how however i if in inside into is issue it its just keep key kind
    know last later least left let like line little long look lost made make
    many may me message method minute miss money more most move much must
    my name need network never new next no normal not note now number of off
    office often ok okay on once one only open or order other our out over
    own page pass password people phone please point possible pretty price
    problem process put question quick quite rather real really reason
    receive recent record remember report request right run same save say
    screen second see seem send sent service set setting several she should
    show sign simple since so some someone something soon sorry start still
    stock stop such suggest support sure system take team tell than thank
    thanks that the their them then there these they thing think this those
    though three through time to today together token too total transfer
    try trying turn two under until up update upon us use used user very
    wait want wallet was way we week well were what when where whether which
    while who why will wish with without word work would wrong year yes yet
    you your""".split()
)

PHRASE_INTRO = re.compile(
    r"(?:(?:recovery|seed|secret|backup)\s*(?:phrase|words)|mnemonic|"
    r"助记词|助記詞|种子词|種子詞|恢复短语|恢復短語|恢复词|恢復詞)"
    r"[\s:：,，是為为如下]{0,4}",
    re.IGNORECASE,
)
PRIVATE_KEY_TALK = re.compile(
    r"priv(?:ate)?\s*key|secret\s*key|私钥|私鑰|秘钥|密钥|密鑰", re.IGNORECASE
)
# A hex value right after one of these is a transaction, not a key.
TX_LABEL = re.compile(
    r"(?:\btx\s*id|\btxn?\s*hash|\btxn?\b|transaction\s*(?:id|hash)|"
    r"交易\s*(?:哈希|hash|id|ID|号|編號|编号)|哈希|hash)[^\n]{0,24}$",
    re.IGNORECASE,
)
TRANSFER_TALK = re.compile(
    r"\b(?:sen[dt]|sending|transfer\w*|withdr[ae]w\w*|deposit\w*|receiv\w*|"
    r"arriv\w*|paid|pay(?:ment)?|swap\w*|bridg\w*|refund\w*)\b|"
    r"转账|轉帳|转出|转入|提现|提幣|提币|充值|到账|到帳|汇款|發送|发送|交易|付款",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？\n]")

HEX_RUN = re.compile(
    r"(?<![0-9A-Za-z])(?:0[xX])?[0-9a-fA-F]{2,64}"
    r"(?:[ \t:\-_,.]{1,2}[0-9a-fA-F]{2,64})*(?![0-9A-Za-z])"
)
HEX_GROUP = re.compile(r"[0-9a-fA-F]+")
HAS_DIGIT = re.compile("[0-9]")
HAS_HEX_LETTER = re.compile("[a-fA-F]")
HEX_KEY_LENGTH = 64
EXTENDED_PRIVATE_KEY = re.compile(
    r"(?<![0-9A-Za-z])[xyztuvXYZ]prv[1-9A-HJ-NP-Za-km-z]{100,112}(?![0-9A-Za-z])"
)
# Mainnet (5, K, L) and testnet (9, c) WIF keys; the checksum decides.
WIF_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])[5KL9c][1-9A-HJ-NP-Za-km-z]{50,51}(?![0-9A-Za-z])"
)
WIF_VERSIONS = (0x80, 0xEF)
BASE58_64_BYTES = re.compile(
    r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{85,90}(?![0-9A-Za-z])"
)
BYTE_ARRAY = re.compile(r"\[?\s*(?:\d{1,3}\s*,\s*){63}\d{1,3}\s*\]?")
SOLANA_KEY_BYTES = 64
KEYSTORE_KEYS = ("ciphertext", "kdf", "mac")

LATIN_WORD = re.compile(r"[A-Za-z]+")
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
LETTER_OR_IDEOGRAPH = re.compile(f"[A-Za-z{CJK}]")
HAS_IDEOGRAPH = re.compile(f"[{CJK}]")
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
FIELD_SEPARATOR = "\n"
# Chinese words copied in groups, e.g. "的一是在 不了有和 人这中大".
GROUP_SIZES = (3, 4)
MIN_GROUPED_CHUNKS = 3
GROUP_GAP = re.compile(r"[\s\d.,;:、()\[\]\-]+")


@dataclasses.dataclass(frozen=True)
class Finding:
    """One secret-like value: what it is, what to do, and where it was."""

    kind: str  # phrase, hex64, wif, xprv, solana or keystore
    action: str  # REFUSE or CONFIRM
    fields: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Scan:
    """The result of ``scan_fields``: findings, refusals first."""

    findings: tuple[Finding, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.findings)

    @property
    def refused(self) -> bool:
        """True when the submission must be refused outright."""
        return must_refuse(self.findings)

    @property
    def fields(self) -> tuple[str, ...]:
        """Names of the fields holding any finding, each once, in order."""
        names = (name for finding in self.findings for name in finding.fields)
        return tuple(dict.fromkeys(names))


class SecretFound(ValueError):
    """Raised by ``ensure_no_secret``; the message never holds the text."""


@dataclasses.dataclass(frozen=True)
class _Hit:
    kind: str
    action: str
    start: int
    end: int


# Word lists ------------------------------------------------------------------


@functools.cache
def _mnemonic(language: str) -> Mnemonic:
    return Mnemonic(language)


@functools.cache
def _index(language: str) -> dict[str, int]:
    return {word: index for index, word in enumerate(_mnemonic(language).wordlist)}


@functools.cache
def _english_prefixes() -> dict[str, int]:
    """First four letters → index: BIP39 makes them unique in English."""
    return {word[:4]: index for word, index in _index("english").items()}


@functools.cache
def _english_deletes() -> dict[str, tuple[int, ...]]:
    """Each list word with one letter removed → the words it came from."""
    deletes: dict[str, list[int]] = {}
    for word, index in _index("english").items():
        for position in range(len(word)):
            deletes.setdefault(word[:position] + word[position + 1 :], []).append(index)
    return {key: tuple(value) for key, value in deletes.items()}


@functools.cache
def _chinese_chunk(language: str) -> re.Pattern:
    chars = "".join(sorted(_index(language)))
    return re.compile(f"[{re.escape(chars)}]+")


@functools.cache
def _homoglyphs() -> dict[int, str]:
    """Look-alike letters of other scripts → the Latin letter they imitate.

    Built once from the Unicode confusables data. Ideographs are left alone
    (they are matched against the Chinese lists as they are), and so are
    ASCII characters (digits must stay digits in keys).
    """
    chinese = set().union(*(_index(language) for language in CHINESE_LISTS))
    table = dict.fromkeys(map(ord, INVISIBLE))
    for char, entries in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii() or char in chinese:
            continue
        if re.match(f"[{CJK}]", char):
            continue
        for entry in entries:
            latin = entry["c"]
            if len(latin) == 1 and latin.isascii() and latin.isalpha():
                table[ord(char)] = latin
                break
    return table


def normalize(text: str) -> str:
    """Return ``text`` in NFKC, without invisible characters, with look-alike
    letters replaced by the Latin letters they imitate.

    NFKC turns full-width letters and digits into ASCII, so a key or phrase
    pasted from a full-width input method is still recognised.
    """
    if text.isascii():
        # ASCII is its own NFKC form, and no ASCII character is replaced.
        return text
    return unicodedata.normalize("NFKC", text).translate(_homoglyphs())


def _checksum_ok(indexes: list[int]) -> bool:
    """True when the word indexes form a phrase with a valid BIP39 checksum."""
    if len(indexes) not in PHRASE_LENGTHS:
        return False
    bits = 0
    for index in indexes:
        bits = (bits << 11) | index
    checksum_bits = len(indexes) * 11 // 33
    entropy = (bits >> checksum_bits).to_bytes(checksum_bits * 4, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    return expected == bits & ((1 << checksum_bits) - 1)


# English phrases ---------------------------------------------------------------


@dataclasses.dataclass
class _Word:
    candidates: tuple[int, ...]
    common: bool = False
    typo: bool = False


def _typo_candidates(token: str) -> tuple[int, ...]:
    """List words one edit (insertion, deletion, substitution or swap of two
    neighbours) away from ``token``."""
    index, deletes = _index("english"), _english_deletes()
    found = set(deletes.get(token, ()))
    for position in range(len(token)):
        shorter = token[:position] + token[position + 1 :]
        if shorter in index:
            found.add(index[shorter])
        for candidate in deletes.get(shorter, ()):
            word = _mnemonic("english").wordlist[candidate]
            if len(word) == len(token) and _one_swap_or_change(token, word):
                found.add(candidate)
    return tuple(sorted(found))


def _one_swap_or_change(token: str, word: str) -> bool:
    diff = [i for i, (a, b) in enumerate(zip(token, word, strict=True)) if a != b]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and token[diff[0]] == word[diff[1]]
        and token[diff[1]] == word[diff[0]]
    )


def _run_together(token: str) -> list[int] | None:
    """Split a long letter run into list words or four-letter prefixes."""
    index, prefixes = _index("english"), _english_prefixes()
    token = token[:MAX_RUN_TOGETHER]
    back: list[tuple[int, int] | None] = [None] * (len(token) + 1)
    reached = [False] * (len(token) + 1)
    reached[0] = True
    for end in range(3, len(token) + 1):
        # Longest piece first: "sausage", not "saus" (a prefix) + "age".
        for size in range(min(8, end), 2, -1):
            if not reached[end - size]:
                continue
            piece = token[end - size : end]
            word = index.get(piece)
            if word is None and size == 4:
                word = prefixes.get(piece)
            if word is not None:
                reached[end], back[end] = True, (size, word)
                break
    if not reached[len(token)]:
        return None
    words, position = [], len(token)
    while position:
        size, word = back[position]
        words.append(word)
        position -= size
    return words[::-1]


def _classify(token: str) -> list[_Word] | None:
    """Return the list words a token stands for, or None for a non-word."""
    lowered = token.lower()
    common = lowered in COMMON_WORDS
    index = _index("english").get(lowered)
    if index is not None:
        return [_Word((index,), common=common)]
    if len(lowered) >= 4:
        index = _english_prefixes().get(lowered[:4])
        if index is not None:
            word = _mnemonic("english").wordlist[index]
            if word.startswith(lowered):
                return [_Word((index,), common=common)]
    if len(lowered) >= MIN_RUN_TOGETHER:
        words = _run_together(lowered)
        if words and len(words) > 1:
            return [_Word((word,)) for word in words]
    return None


def _phrase_in_run(words: list[_Word]) -> bool:
    """True when a run of list words reads as a phrase rather than prose."""
    for start in range(len(words) - MIN_PHRASE_WORDS + 1):
        window = words[start : start + MIN_PHRASE_WORDS]
        typos = sum(word.typo for word in window)
        common = sum(word.common for word in window)
        distinct = len({word.candidates for word in window})
        if (
            typos <= MAX_TYPOS
            and common <= MAX_COMMON_WORDS
            and distinct >= MIN_PHRASE_WORDS - MAX_REPEATS
        ):
            return True
    for size in PHRASE_LENGTHS:
        for start in range(len(words) - size + 1):
            if _checksum_in(words[start : start + size]):
                return True
    return False


def _checksum_in(words: list[_Word]) -> bool:
    # A typo's candidates each get a 1-in-16 chance of a valid checksum, so
    # a typo is only tried in a run that does not read as prose.
    typos = sum(word.typo for word in words)
    common = sum(word.common for word in words)
    if typos > MAX_TYPOS or (typos and common > MAX_COMMON_WORDS):
        return False
    fixed = [word.candidates[0] for word in words]
    for position, word in enumerate(words):
        if word.typo:
            return any(
                _checksum_ok(fixed[:position] + [option] + fixed[position + 1 :])
                for option in word.candidates
            )
    return _checksum_ok(fixed)


def _english_hits(text: str) -> list[_Hit]:
    tokens = [(m.start(), m.end(), m.group()) for m in LATIN_WORD.finditer(text)]
    classes = [_classify(token) for _s, _e, token in tokens]
    # Words matched on each side, to look for a typo only where it could
    # complete a phrase (the costly part, skipped for nearly all prose).
    left = [0] * len(tokens)
    for i in range(1, len(tokens)):
        left[i] = left[i - 1] + len(classes[i - 1]) if classes[i - 1] else 0
    right = [0] * len(tokens)
    for i in range(len(tokens) - 2, -1, -1):
        right[i] = right[i + 1] + len(classes[i + 1]) if classes[i + 1] else 0
    for i, (_start, _end, token) in enumerate(tokens):
        if classes[i] or len(token) < MIN_TYPO_LENGTH:
            continue
        if left[i] + right[i] + 1 < MIN_PHRASE_WORDS:
            continue
        candidates = _typo_candidates(token.lower())
        if candidates:
            common = token.lower() in COMMON_WORDS
            classes[i] = [_Word(candidates, common=common, typo=True)]
    segments = []  # (first token, last token, words) of matched tokens in a row
    for i, found in enumerate(classes):
        if not found:
            continue
        if segments and segments[-1][1] == i - 1:
            segments[-1][1] = i
            segments[-1][2].extend(found)
        else:
            segments.append([i, i, list(found)])
    hits = []
    for first, last, words in _bridged(segments):
        if len(words) >= MIN_PHRASE_WORDS and _phrase_in_run(words):
            hits.append(_Hit("phrase", REFUSE, tokens[first][0], tokens[last][1]))
    return hits


def _bridged(segments: list) -> list:
    """Join runs of at least ``MIN_BRIDGED_WORDS`` list words separated by at
    most ``MAX_GAP_TOKENS`` other words, so "w1 … w6 hi w7 … w12" and a
    phrase spread over fields with a greeting in between are still one."""
    runs: list = []
    for first, last, words in segments:
        if runs:
            previous = runs[-1]
            gap = first - previous[1] - 1
            if (
                gap <= MAX_GAP_TOKENS
                and previous[3] >= MIN_BRIDGED_WORDS
                and len(words) >= MIN_BRIDGED_WORDS
            ):
                previous[1] = last
                previous[2] = previous[2] + words
                previous[3] = len(words)
                continue
        runs.append([first, last, list(words), len(words)])
    return [(first, last, words) for first, last, words, _size in runs]


# Chinese phrases -----------------------------------------------------------------


def _chinese_hits(text: str) -> list[_Hit]:
    if not HAS_IDEOGRAPH.search(text):
        return []
    return _chinese_phrase_hits(text)


def _chinese_phrase_hits(text: str) -> list[_Hit]:
    """Refused: characters or short groups of them, separated (by spaces,
    commas, numbering, field boundaries...), that are 12 or more lone
    characters or hold a phrase with a valid checksum; a run with a valid
    checksum introduced as a recovery phrase. Confirmed: any other whole run
    of a phrase's length with a valid checksum. Prose passes, bar a 1-in-16
    chance for a run that happens to have exactly a phrase's length.
    """
    hits = []
    for language in CHINESE_LISTS:
        index = _index(language)
        chunks = list(_chunks(text, language))
        hits.extend(_grouped_hits(text, chunks, index))
        for match in PHRASE_INTRO.finditer(text):
            following = _chinese_chunk(language).match(text, match.end())
            # The whole run, not its first 12 characters: prose such as
            # "助记词是不是只要有纸质备份就可以…" is a long run.
            run = [index[char] for char in following.group()] if following else []
            if _checksum_ok(run):
                hits.append(_Hit("phrase", REFUSE, match.start(), following.end()))
        for start, end in chunks:
            # Only a run of a phrase's length can carry a checksum.
            if end - start in PHRASE_LENGTHS and _checksum_ok(
                [index[char] for char in text[start:end]]
            ):
                hits.append(_Hit("phrase", CONFIRM, start, end))
    return hits


def _chunks(text: str, language: str):
    for match in _chinese_chunk(language).finditer(text):
        yield match.start(), match.end()


def _grouped_hits(text: str, chunks: list, index: dict) -> list[_Hit]:
    hits, group = [], []
    for chunk in [*chunks, None]:
        if chunk and (
            not group or not LETTER_OR_IDEOGRAPH.search(text[group[-1][1] : chunk[0]])
        ):
            group.append(chunk)
            continue
        # Fewer than three chunks hold neither 12 lone characters nor
        # groups adding up to a phrase's length (two groups of 3 or 4 do not).
        if len(group) >= MIN_GROUPED_CHUNKS and _grouped_phrase(text, group, index):
            hits.append(_Hit("phrase", REFUSE, group[0][0], group[-1][1]))
        group = [chunk] if chunk else []
    return hits


def _grouped_phrase(text: str, group: list, index: dict) -> bool:
    """True for separated chunks that hold a phrase: 12 lone characters in a
    row, or groups of three or of four characters (as copied from a grid)
    split only by spaces, ASCII punctuation, numbering or field boundaries,
    whose whole groups carry a phrase with a valid checksum. Chinese prose
    splits clauses with full-width punctuation, which ends a sequence, and
    its words are mostly two characters long, so a checksum that holds by
    chance (1 in 16) rarely gets a chance to."""
    lone = 0
    for start, end in group:
        lone = lone + 1 if end - start == 1 else 0
        if lone >= MIN_PHRASE_WORDS:
            return True
    sequence: list = []
    for chunk in [*group, None]:
        size = chunk[1] - chunk[0] if chunk else 0
        if (
            chunk
            and sequence
            and size == sequence[0][1] - sequence[0][0]
            and GROUP_GAP.fullmatch(text, sequence[-1][1], chunk[0])
        ):
            sequence.append(chunk)
            continue
        if _grouped_checksum(text, sequence, index):
            return True
        sequence = [chunk] if size in GROUP_SIZES else []
    return False


def _grouped_checksum(text: str, sequence: list, index: dict) -> bool:
    if len(sequence) < 2:
        return False
    for first in range(len(sequence)):
        chars: list[int] = []
        for start, end in sequence[first:]:
            chars.extend(index[char] for char in text[start:end])
            if len(chars) > PHRASE_LENGTHS[-1]:
                break
            if _checksum_ok(chars):
                return True
    return False


# Keys ----------------------------------------------------------------------------


def _hex_hits(text: str) -> list[_Hit]:
    hits = []
    for match in HEX_RUN.finditer(text):
        for start, end in _hex_keys(match):
            action = _hex_action(text, start, end)
            if action:
                hits.append(_Hit("hex64", action, start, end))
    return hits


def _hex_keys(match: re.Match):
    """Yield spans of 64 hex digits: one run, or equal groups (``1a2b3c4d
    5e6f…``) with both digits and letters, as people copy keys in groups."""
    value, base = match.group(), match.start()
    skip = 2 if value[:2] in ("0x", "0X") else 0
    groups = [
        (m.start() + skip, m.end() + skip) for m in HEX_GROUP.finditer(value[skip:])
    ]
    for i, (start, end) in enumerate(groups):
        if end - start == HEX_KEY_LENGTH:
            yield base + (0 if i == 0 else start), base + end
            continue
        total, j = 0, i
        while j < len(groups) and total < HEX_KEY_LENGTH:
            total += groups[j][1] - groups[j][0]
            j += 1
        if total != HEX_KEY_LENGTH or j - i < 2:
            continue
        sizes = {g_end - g_start for g_start, g_end in groups[i : j - 1]}
        joined = "".join(value[g_start:g_end] for g_start, g_end in groups[i:j])
        if (
            len(sizes) == 1
            and HAS_DIGIT.search(joined)
            and HAS_HEX_LETTER.search(joined)
        ):
            yield base + start, base + groups[j - 1][1]


def _hex_action(text: str, start: int, end: int) -> str | None:
    """REFUSE, CONFIRM or None (a labelled transaction) for a hex value."""
    line_start = text.rfind("\n", 0, start) + 1
    if TX_LABEL.search(text, max(line_start, start - 40), start):
        return None
    word_start = max(text.rfind(" ", 0, start), line_start - 1) + 1
    if "://" in text[word_start:start] or "/tx/" in text[word_start:start]:
        return None
    if PRIVATE_KEY_TALK.search(text, max(0, start - 80), end + 40):
        return REFUSE
    if text[start : start + 2] in ("0x", "0X"):
        sentence_start = max(0, start - 300)
        for stop in SENTENCE_END.finditer(text, sentence_start, start):
            sentence_start = stop.end()
        following = SENTENCE_END.search(text, end)
        sentence_end = following.start() if following else len(text)
        if TRANSFER_TALK.search(text, sentence_start, sentence_end):
            return None
    return CONFIRM


def _is_wif(candidate: str) -> bool:
    try:
        payload = base58.b58decode_check(candidate)
    except ValueError:
        return False
    # 32 key bytes, plus a 0x01 flag byte for a compressed public key.
    compressed = len(payload) == 34 and payload[-1] == 0x01
    return payload[0] in WIF_VERSIONS and (len(payload) == 33 or compressed)


def _is_solana_key(candidate: str) -> bool:
    """True for base58 of a 64-byte keypair (seed, then its public key);
    a transaction signature has the same shape but not this property."""
    try:
        raw = base58.b58decode(candidate)
    except ValueError:
        return False
    return len(raw) == SOLANA_KEY_BYTES and ed25519.public_key(raw[:32]) == raw[32:]


def _is_byte_array(candidate: str) -> bool:
    return all(int(number) <= 255 for number in re.findall(r"\d+", candidate))


def _key_hits(text: str) -> list[_Hit]:
    hits = [
        _Hit("xprv", REFUSE, m.start(), m.end())
        for m in EXTENDED_PRIVATE_KEY.finditer(text)
    ]
    hits += [
        _Hit("wif", REFUSE, m.start(), m.end())
        for m in WIF_CANDIDATE.finditer(text)
        if _is_wif(m.group())
    ]
    hits += [
        _Hit("solana", REFUSE, m.start(), m.end())
        for m in BASE58_64_BYTES.finditer(text)
        if _is_solana_key(m.group())
    ]
    if "," in text:
        hits += [
            _Hit("solana", REFUSE, m.start(), m.end())
            for m in BYTE_ARRAY.finditer(text)
            if _is_byte_array(m.group())
        ]
    lowered = text.lower()
    if all(f'"{key}"' in lowered for key in KEYSTORE_KEYS):
        hits.append(_Hit("keystore", REFUSE, 0, len(text)))
    return hits


# Public interface ----------------------------------------------------------------


def _hits(text: str) -> list[_Hit]:
    if not text:
        return []
    return _english_hits(text) + _chinese_hits(text) + _hex_hits(text) + _key_hits(text)


def scan_fields(
    fields: Iterable[tuple[str, str | None]], *, hash_fields: Iterable[str] = ()
) -> Scan:
    """Scan a submission's free-text fields, given as ``(name, text)`` pairs
    in form order; return a ``Scan`` (falsy when nothing was found).

    The texts are scanned joined, one line each, so a phrase or key split
    over several fields is found. This also scans each field on its own:
    every detector only gains from context (a longer run of words, a
    "private key" nearby) and labels count on their own line only, so
    whatever one field alone would show is found in the joined text too (a
    property test holds this). A finding names every field it touches.
    In ``hash_fields`` (a transaction-hash field) a 64-hex value is
    expected and passes; every other kind is still found there. Safe on any
    input; never raises.
    """
    names, texts = [], []
    for name, text in fields:
        if text:
            names.append(name)
            texts.append(normalize(str(text)))
    hash_fields = set(hash_fields)
    spans, position = [], 0
    for text in texts:
        spans.append((position, position + len(text)))
        position += len(text) + len(FIELD_SEPARATOR)
    found: dict[tuple[str, tuple[str, ...]], str] = {}

    def add(hits):
        for hit in hits:
            touched = tuple(
                name
                for name, (start, end) in zip(names, spans, strict=True)
                if hit.start < end and hit.end > start
            )
            if hit.kind == "hex64" and set(touched) <= hash_fields:
                continue
            key = (hit.kind, touched)
            if found.get(key) != REFUSE:
                found[key] = hit.action

    add(_hits(FIELD_SEPARATOR.join(texts)))
    findings = [
        Finding(kind, action, touched) for (kind, touched), action in found.items()
    ]
    return Scan(tuple(sorted(findings, key=lambda f: f.action != REFUSE)))


def scan(text: str, *, allow_hex64: bool = False) -> list[Finding]:
    """Return every secret-like finding in one text, refusals first.

    ``allow_hex64`` is for a transaction-hash field, where a 64-hex value is
    expected and accepted without question.
    """
    hash_fields = ("text",) if allow_hex64 else ()
    findings = scan_fields([("text", text)], hash_fields=hash_fields).findings
    return [dataclasses.replace(finding, fields=()) for finding in findings]


def must_refuse(findings: Iterable[Finding]) -> bool:
    """True when any finding requires refusing the submission."""
    return any(finding.action == REFUSE for finding in findings)


def contains_secret(*texts: str) -> bool:
    """Return True when the texts, read together, may hold a wallet secret
    and must not be kept or logged (any finding, refused or to confirm).

    Safe on any string; never raises.
    """
    return bool(scan_fields([(str(i), text) for i, text in enumerate(texts)]))


def ensure_no_secret(fields: Iterable[tuple[str, str | None]]) -> None:
    """Raise ``SecretFound`` when the fields must be refused.

    The last line of defence in services that store text built from user
    input (checker reports, vote comments): forms refuse first, with a
    message, so this only fires on a bug or on a caller that skipped the
    form. The exception names the fields, never the text.
    """
    result = scan_fields(fields)
    if result.refused:
        raise SecretFound("secret in " + ", ".join(result.fields))


SECRET_REFUSED = _(
    "This seems to contain a recovery phrase or a private key, so it was not "
    "sent and the text was removed. Support never needs them: anyone who has "
    'them controls your wallet. If it is a transaction hash, write "TxID:" '
    "in front of it."
)


SECRET_IN_CHECKER = _(
    "This looks like a recovery phrase or a private key, so it was not "
    "checked or kept. Support never needs them: anyone who has them controls "
    "your wallet. If you have shared them, move your assets to a new wallet now."
)


def refuse_in_form(form: forms.Form, names: tuple[str, ...]) -> None:
    """Raise the ``secret`` error when the named fields of ``form``, read as
    submitted, hold anything secret-like, after blanking the fields concerned
    so the page does not show the text back.

    For forms without the contact form's "it is a transaction hash" box
    (checker reports, vote comments, ticket replies): a bare 64-hex value is
    refused too, with a hint to label it. Call it from ``clean()``.
    """
    result = scan_fields([(name, form.data.get(name)) for name in names])
    if not result:
        return
    form.data = form.data.copy()
    for name in result.fields:
        form.data[name] = ""
        getattr(form, "cleaned_data", {}).pop(name, None)
    raise ValidationError(SECRET_REFUSED, code="secret")
