"""Normalise a contact and judge it against the official channels.

Pure functions, no database access: the selectors fetch the official
identifiers and the known scams, and ``judge`` compares.

A contact is normalised to ``<kind>:<value>``, one of ``phone:+86…``,
``email:local@host``, ``domain:host`` or ``handle:name``. Normalising folds
what is the same contact written differently (case, spaces and punctuation,
``+86``/``0086``, a URL around a host, punycode, full-width letters);
look-alike characters (Cyrillic "а" for Latin "a") are *not* folded, because
they make a different contact: the skeleton, where they are folded, only
serves to warn that a contact imitates an official one.
"""

import dataclasses
import re
import unicodedata
from urllib.parse import urlsplit

import idna
import phonenumbers
from confusable_homoglyphs import confusables
from rapidfuzz import fuzz

MAX_INPUT = 300
OFFICIAL = "official"
NOT_OFFICIAL = "not-official"
KNOWN_SCAM = "known-scam"

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]{5,30}$")
DOMAIN = re.compile(r"^[^\s@/:]+\.[^\s@/:.]{2,}\.?(?:[/:?#]\S*)?$")
HANDLE_PUNCTUATION = re.compile(r"[\W_]+")
# Quotes, brackets and sentence punctuation around a pasted contact.
WRAPPING = " \t\r\n\"'`“”‘’()[]<>《》「」【】,，。.;；:：!！?？"
# Digits and letter pairs that read as letters in a quick glance.
ASCII_LOOKALIKES = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("3", "e"))
SIMILARITY = 85
MIN_BRAND = 5


@dataclasses.dataclass(frozen=True)
class Contact:
    kind: str  # "phone", "email", "domain" or "handle"
    value: str  # normalised, e.g. "domain:cobaltwallet.example"
    host: str = ""  # for e-mail and domains

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclasses.dataclass(frozen=True)
class Verdict:
    verdict: str  # OFFICIAL, NOT_OFFICIAL or KNOWN_SCAM
    contact: Contact
    channel: object = None  # the official channel matched or imitated
    imitates: bool = False
    scam_note: str = ""


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw[:MAX_INPUT]).translate(INVISIBLE)
    # Control characters (NUL above all, which PostgreSQL refuses in text)
    # are never part of a contact.
    text = CONTROL.sub("", text)
    return text.strip(WRAPPING).casefold()


def _host(raw_host: str) -> str:
    """Return a host in Unicode, lower case, punycode decoded, no port or dot."""
    host = raw_host.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = idna.decode(label)
            except idna.IDNAError:
                # Invalid under IDNA 2008 (mixed scripts, say) yet still
                # what a browser may show: decode the raw punycode.
                try:
                    label = label[4:].encode("ascii").decode("punycode")
                except UnicodeError:
                    pass
        labels.append(label)
    return ".".join(labels)


def _phone(text: str) -> str:
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize(raw: str) -> Contact | None:
    """Return the normalised contact, or None for blank or unusable input."""
    text = _clean(raw)
    if not text:
        return None
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    if PHONE_CHARS.match(text) and sum(ch.isdigit() for ch in text) >= 5:
        return Contact("phone", _phone(text))
    if "@" in text and not text.startswith("@"):
        local, _at, domain = text.rpartition("@")
        host = _host(domain)
        local = re.sub(r"\s+", "", local)
        return Contact("email", f"{local}@{host}", host=host)
    if "://" in text or text.startswith("www.") or DOMAIN.match(text):
        host = _host(_url_host(text))
        if host.startswith("www."):
            host = host[len("www.") :]
        if host:
            return Contact("domain", host, host=host)
    # Underscores, dots and hyphens are kept: on most platforms
    # @cobalt_wallet and @cobaltwallet are different accounts.
    handle = re.sub(r"[^\w.\-]+", "", text.lstrip("@"))
    return Contact("handle", handle) if handle else None


def _url_host(text: str) -> str:
    """Return the host part of a URL or bare domain; "" when it cannot parse."""
    try:
        return urlsplit(text if "://" in text else f"//{text}").hostname or ""
    except ValueError:  # e.g. an unbalanced "[" read as an IPv6 literal
        return ""


def skeleton(text: str) -> str:
    """Fold look-alike characters to the Latin letters they imitate."""
    folded = []
    for char in text:
        if char.isascii():
            folded.append(char)
            continue
        homoglyphs = confusables.confusables_data.get(char, [])
        latin = [glyph["c"] for glyph in homoglyphs if glyph["c"].isascii()]
        folded.append(latin[0].lower() if latin else char)
    result = "".join(folded)
    for pair, letter in ASCII_LOOKALIKES:
        result = result.replace(pair, letter)
    return result


def _brand(contact: Contact) -> str:
    """The part of a contact a scammer copies: the domain name or the handle."""
    if contact.host:
        labels = contact.host.split(".")
        core = labels[-2] if len(labels) >= 2 else labels[0]
        return HANDLE_PUNCTUATION.sub("", skeleton(core))
    return HANDLE_PUNCTUATION.sub("", skeleton(contact.value))


def _is_official(contact: Contact, official: Contact) -> bool:
    if contact.kind == "domain" and official.kind == "domain":
        return contact.host == official.host or contact.host.endswith(
            "." + official.host
        )
    if contact.kind == "email" and official.kind == "domain":
        # An address is official only when listed; owning the domain is not
        # enough to vouch for every mailbox a scammer might claim.
        return False
    return contact.key == official.key


def _imitates(contact: Contact, official: Contact) -> bool:
    mine, theirs = _brand(contact), _brand(official)
    if len(theirs) < MIN_BRAND or not mine:
        return False
    whole = HANDLE_PUNCTUATION.sub("", skeleton(contact.value))
    return theirs in whole or fuzz.ratio(mine, theirs) >= SIMILARITY


def scam_keys(contact: Contact) -> list[str]:
    """Keys under which a known scam would match: a domain's parents too."""
    keys = [contact.key]
    if contact.kind == "domain":
        labels = contact.host.split(".")
        keys += [f"domain:{'.'.join(labels[i:])}" for i in range(1, len(labels) - 1)]
    if contact.kind == "email":
        keys.append(f"domain:{contact.host}")
    return keys


def judge(
    contact: Contact,
    *,
    official: list[tuple[Contact, object]],
    scams: dict[str, str],
) -> Verdict:
    """Return the verdict on ``contact``.

    ``official`` pairs each official identifier with its channel; ``scams``
    maps known-scam keys to staff notes. A known scam wins over everything,
    then an exact official match; anything else is not official, flagged as
    an imitation when it resembles an official identifier.
    """
    for key in scam_keys(contact):
        if key in scams:
            return Verdict(KNOWN_SCAM, contact, scam_note=scams[key])
    for identifier, channel in official:
        if _is_official(contact, identifier):
            return Verdict(OFFICIAL, contact, channel=channel)
    # Name the imitated channel of the same kind first: a fake domain is
    # more likely a copy of the website than of the mailbox.
    same_kind_first = sorted(official, key=lambda pair: pair[0].kind != contact.kind)
    for identifier, channel in same_kind_first:
        if _imitates(contact, identifier):
            return Verdict(NOT_OFFICIAL, contact, channel=channel, imitates=True)
    return Verdict(NOT_OFFICIAL, contact)


# Finding contacts in free text ------------------------------------------------

# Dots as written in the wild: full-width and ideographic, and the "defanged"
# forms ([.], (.)) that scam reports and security write-ups use.
_DOT = r"(?:[.．。｡]|\[\.\]|\(\.\)|\[dot\])"
# Letters of a host label: ASCII, full-width ASCII, Latin with accents,
# Greek and Cyrillic (the look-alike alphabets). Chinese characters are left
# out on purpose: Chinese text runs into a domain without a space.
_LABEL_CHAR = (
    r"[0-9a-z\-\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
    r"\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
)
_LABEL = _LABEL_CHAR + "{1,63}"
_TLD = (
    r"(?:xn--[0-9a-z\-]{1,59}|[a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
    r"\uff21-\uff3a\uff41-\uff5a]{2,24})"
)
# What may follow a host: a port, then a path, query or fragment. A backslash
# starts a path, as it does for browsers.
_REST = r"(?::\d{1,5})?(?:[/\\?#][!-~]{0,2000})?"
# A URL runs to the first space, quote or Chinese character or punctuation.
_URL = (
    r"(?:h(?:tt|xx)ps?|ftp|wss?)\s?[:：]"
    r"[^\s<>\"'`“”‘’\u2e80-\u9fff\uac00-\ud7af\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f]+"
)
_HOST = rf"{_LABEL}(?:{_DOT}{_LABEL}){{0,8}}{_DOT}{_TLD}"
_EMAIL = rf"(?<![0-9a-z_.%+\-])[0-9a-z._%+\-]{{1,64}}\s?(?:@|＠|\[at\])\s?{_HOST}"
_DOMAIN = rf"(?<!{_LABEL_CHAR})(?<![_@.．]){_HOST}(?!{_LABEL_CHAR}|_){_REST}"
_HANDLE = r"(?<![0-9a-z_.@+\-])[@＠][\w.\-]{2,64}"
# A phone number: optional + or 00 and country code, then digits in groups.
# At least seven digits, and never part of a longer run of letters or
# digits (a transaction hash, an address).
_PHONE = r"(?<![0-9a-z_+.\-/])(?:\+|＋|00)?\(?\d[\d\s\-().]{5,22}\d(?![0-9a-z_\-])"
FOUND = re.compile(
    "|".join(
        f"(?P<{name}>{pattern})"
        for name, pattern in (
            ("url", _URL),
            ("email", _EMAIL),
            ("domain", _DOMAIN),
            ("handle", _HANDLE),
            ("phone", _PHONE),
        )
    ),
    re.IGNORECASE,
)
DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")
LABELLED_ID = re.compile(
    r"(?:微信号?|wechat(?:\s?id)?|weixin|vx|telegram|tg|whatsapp|qq|line|skype)"
    r"\s?(?:号|id)?\s?[:：]\s?(?P<id>[A-Za-z][\w\-.]{3,40})",
    re.IGNORECASE,
)
# Names like settings.json or Node.js read as domains; a bare name with one
# dot and one of these endings is taken for a file (with a scheme, it counts).
FILE_ENDINGS = frozenset(
    "js json py txt md html htm php css png jpg jpeg gif webp svg pdf apk ipa exe "
    "dmg yaml yml xml csv log ts sh zip rar gz mp4 mov doc docx xls xlsx ppt pptx "
    "cfg ini conf bak tmp dat db sqlite".split()
)
MAX_TEXT = 200_000
TRAILING = ".,;:!?)]}'\"。，；：！？）】」》"


def _phone_like(raw: str) -> bool:
    digits = sum(char.isdigit() for char in raw)
    if not 7 <= digits <= 16 or DATE.match(raw.strip()):
        return False
    # A decimal number (1,000.50) or a bare count is not a phone number:
    # without a + or 00 prefix, ask for a shape phone numbers have.
    compact = re.sub(r"[\s\-().]", "", unicodedata.normalize("NFKC", raw))
    if compact.startswith(("+", "00")):
        return True
    phone_shape = r"1[3-9]\d{9}|0\d{9,11}|[48]00\d{7}"
    return "." not in raw and bool(re.fullmatch(phone_shape, compact))


def _file_name(raw: str) -> bool:
    name, dot, ending = raw.casefold().rpartition(".")
    return bool(dot) and "." not in name and ending in FILE_ENDINGS


def find_contacts(text: str) -> list[str]:
    """Return the contacts in free ``text``, as written, in order, once each.

    Phone numbers, e-mail addresses, URLs (with or without a scheme, with
    backslashes, ``hxxp`` or full-width dots), bare domains, @handles and IDs
    written after a label ("微信: …", "Telegram: …"). Pure and linear in the
    length of the text; never raises.
    """
    if not isinstance(text, str) or not text:
        return []
    text = CONTROL.sub(" ", text[:MAX_TEXT].translate(INVISIBLE))
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in FOUND.finditer(text):
        raw = match.group().rstrip(TRAILING)
        if match.lastgroup == "phone" and not _phone_like(raw):
            continue
        if match.lastgroup == "handle" and raw.strip("@＠.-_").isdigit():
            continue
        if match.lastgroup == "domain" and _file_name(raw):
            continue
        found.append(raw)
        spans.append(match.span())
    for match in LABELLED_ID.finditer(text):
        start = match.start("id")
        if not any(a <= start < b for a, b in spans):
            found.append(match.group("id").rstrip(TRAILING))
            spans.append(match.span("id"))
    ordered = [raw for _span, raw in sorted(zip(spans, found))]
    return list(dict.fromkeys(raw for raw in ordered if raw))
