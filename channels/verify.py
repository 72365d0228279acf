"""Normalise a contact and judge it against the official channels.

Pure functions, no database access: the selectors fetch the official
identifiers and the known scams, and ``judge`` compares.

A contact is normalised to ``<kind>:<value>``: ``phone:+86…``,
``email:local@host``, ``domain:host`` (a web address, judged by the host a
browser would open), ``handle:name`` (an account, on the platform it was
seen on when known), ``name:…`` (a display name, never official) or
``url:<scheme>`` (a link that is not a web page: ``javascript:``, ``data:``).
Web addresses are parsed as browsers parse them (the WHATWG URL standard,
through ada-url): a backslash is a slash, ``user@`` before the host is
dropped, percent-escapes, trailing dots, IDNA and ports are read as a
browser reads them. Normalising folds what is the same contact written
differently (case, spaces, ``+86``/``0086``, punycode, full-width letters,
"defanged" ``hxxp`` and ``[.]``); look-alike characters (Cyrillic "а" for
Latin "a") are *not* folded, because they make a different contact: the
skeleton, where they are folded, only serves to warn that a contact
imitates an official one.
"""

import dataclasses
import re
import unicodedata
import urllib.parse

import ada_url
import idna
import phonenumbers
from confusable_homoglyphs import confusables
from rapidfuzz import fuzz

from channels import addresses
from channels.platforms import Platform, profile_account, profile_platform

MAX_INPUT = 300
OFFICIAL = "official"
NOT_OFFICIAL = "not-official"
KNOWN_SCAM = "known-scam"

# Why a contact that looks like ours is still not official (Verdict.reason).
REASON_NOT_WEB = "not-web"  # javascript:, data:… links are never a contact of ours
REASON_USER_CONTENT = "user-content"  # our forum, but a page any user writes
REASON_DISPLAY_NAME = "display-name"  # a name, which anyone can copy
REASON_WRONG_PLATFORM = "wrong-platform"  # our handle, on a platform we are not
REASON_PLATFORM_UNKNOWN = "platform-unknown"  # our handle, platform not given
REASON_CRYPTO_ADDRESS = "crypto-address"  # support never asks for funds anywhere
REASON_DRAINER = "drainer"  # a known-scam contract or approval address

WEB_SCHEMES = {"http", "https"}
# Schemes recognised without "//" after them; anything else followed by ":"
# and a port (cobaltwallet.example:443) is read as a host, as address bars do.
KNOWN_SCHEMES = WEB_SCHEMES | {
    "javascript",
    "data",
    "vbscript",
    "file",
    "blob",
    "about",
    "ftp",
    "ws",
    "wss",
    "intent",
    "weixin",
    "tg",
    "sms",
    "tel",
}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# "Defanged" dots, and the ideographic full stops browsers read as dots.
DEFANGED_DOTS = re.compile(r"\[\.\]|\(\.\)|\[dot\]|[。｡]")
IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?:[:/\\?#].*)?")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]{5,30}$")
# A host as typed without a scheme: a dot, and a last label with a letter.
HOST_LIKE = re.compile(r"^[^\s@:]+\.[^\s@:.]*[^\W\d_][^\s@:.]*\.?$")
HANDLE = re.compile(r"[\w.\-]+")
HANDLE_PUNCTUATION = re.compile(r"[\W_]+")
# Quotes, brackets and sentence punctuation around a pasted contact.
WRAPPING = " \t\r\n\"'`“”‘’()[]<>《》「」【】,，。.;；:：!！?？"
# Digits and letter pairs that read as letters in a quick glance.
ASCII_LOOKALIKES = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("3", "e"))
SIMILARITY = 85
MIN_BRAND = 5
RELATIVE_BASE = "https://relative.invalid/"


@dataclasses.dataclass(frozen=True)
class Contact:
    kind: str  # "phone", "email", "domain", "handle", "name", "url" or "address"
    value: str  # normalised, e.g. "cobaltwallet.example"
    host: str = ""  # for e-mail and domains: the host a browser or mailer uses
    platform: str = ""  # for handles: where the account lives, "" if unknown
    path: str = ""  # for domains: the page's path, decoded and lower-cased

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclasses.dataclass(frozen=True)
class Official:
    """One official identifier of a channel, as the judge compares it."""

    contact: Contact
    channel: object
    includes_subdomains: bool = False  # every host under contact.host is ours
    user_content_paths: tuple[str, ...] = ()  # pages any user can publish

    @property
    def platform(self) -> str:
        return self.contact.platform


@dataclasses.dataclass(frozen=True)
class Verdict:
    verdict: str  # OFFICIAL, NOT_OFFICIAL or KNOWN_SCAM
    contact: Contact
    channel: object = None  # the official channel matched or imitated
    imitates: bool = False
    scam_note: str = ""  # written by staff (KnownScamContact.note)
    reason: str = ""  # one of the REASON_… values, why it is not official
    platforms: tuple[str, ...] = ()  # where our account of that name lives
    raw: str = ""  # the contact as written, when found in free text


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw[:MAX_INPUT]).translate(INVISIBLE)
    # Control characters (NUL above all, which PostgreSQL refuses in text)
    # are never part of a contact.
    text = CONTROL.sub("", text)
    return text.strip(WRAPPING).casefold()


def _host(raw_host: str) -> str:
    """Return a host in Unicode, lower case, punycode decoded, no port or dot."""
    host = raw_host.rsplit("@", 1)[-1]
    if not host.startswith("["):  # an IPv6 literal keeps its colons
        host = host.split(":", 1)[0]
    host = host.rstrip(".")
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


def _undefang(text: str) -> str:
    """Read "hxxps://evil[.]example" as the link it stands for."""
    if text.startswith("hxxp"):
        text = "http" + text[4:]
    return DEFANGED_DOTS.sub(".", text)


def _url_text(text: str) -> str | None:
    """Return ``text`` as a URL a browser would open, or None if it is not one.

    A scheme is kept as written; a bare host (``evil.example\\x``), a
    protocol-relative link (``//evil.example``, ``/\\evil.example``) or a
    host after ``user:password@`` gets ``https://`` as browsers add it.
    """
    scheme = SCHEME.match(text)
    if scheme and (
        scheme.group(1) in KNOWN_SCHEMES or text[scheme.end() :][:1] in ("/", "\\")
    ):
        return text
    if any(char.isspace() for char in text):
        return None
    if IPV4.fullmatch(text):
        return "http://" + text
    if text[:2] in ("//", "\\\\", "/\\", "\\/"):
        return "https:" + text
    authority = re.split(r"[/\\?#]", text, maxsplit=1)[0]
    userinfo, at, host = authority.rpartition("@")
    if at and not userinfo:
        return None  # @handle
    if at and ":" not in userinfo and authority == text:
        return None  # an e-mail address
    host = re.sub(r":\d*$", "", host)
    if HOST_LIKE.match(host) or text.startswith("www."):
        return "https://" + text
    return None


def _web(url: str, *, platform: str) -> Contact:
    """The contact a browser would reach at ``url``."""
    try:
        parsed = ada_url.parse_url(url, attributes=("protocol", "hostname", "pathname"))
    except ValueError:
        return Contact("url", "invalid")
    scheme = parsed["protocol"].rstrip(":")
    host = _host(parsed["hostname"])
    if scheme not in WEB_SCHEMES or not host:
        return Contact("url", scheme)
    path = re.sub(r"/{2,}", "/", urllib.parse.unquote(parsed["pathname"]).casefold())
    on = profile_platform(host)
    account = profile_account(on, parsed["pathname"]) if on else ""
    if account and on == Platform.WHATSAPP:
        return Contact("phone", _phone(account))
    if account:
        return _handle(account.casefold(), platform=str(on))
    if host.startswith("www."):
        host = host[len("www.") :]
    return Contact("domain", host, host=host, path=path or "/")


def _handle(text: str, *, platform: str) -> Contact | None:
    name = text.lstrip("@")
    if HANDLE.fullmatch(name):
        # Underscores, dots and hyphens are kept: on most platforms
        # @cobalt_wallet and @cobaltwallet are different accounts.
        return Contact("handle", name, platform=platform)
    # Spaces, emoji or symbols: no platform allows them in an account ID,
    # so this is a display name, which anyone can choose.
    folded = HANDLE_PUNCTUATION.sub("", name)
    return Contact("name", folded) if folded else None


def normalize(raw: str, *, platform: str = "") -> Contact | None:
    """Return the normalised contact, or None for blank or unusable input.

    ``platform`` says where a handle was seen (a ``Platform`` value); a
    profile URL (``https://t.me/name``) carries its own platform. A crypto
    address is ``address:<network>:<value>`` (``channels.addresses``).
    """
    # Before case folding: base58 addresses are case-sensitive.
    address = addresses.parse(raw)
    if address is not None:
        return Contact("address", address.key)
    text = _clean(raw)
    if not text:
        return None
    text = _undefang(text)
    if text.startswith("mailto:"):
        text = text[len("mailto:") :].lstrip("/")
    if (
        PHONE_CHARS.match(text)
        and sum(ch.isdigit() for ch in text) >= 5
        and not IPV4.fullmatch(text)
    ):
        return Contact("phone", _phone(text))
    url = _url_text(text)
    if url is not None:
        return _web(url, platform=platform)
    if "@" in text and not text.startswith("@"):
        local, _at, domain = text.rpartition("@")
        host = _host(domain)
        local = re.sub(r"\s+", "", local)
        return Contact("email", f"{local}@{host}", host=host)
    return _handle(text, platform=platform)


def scam_value(raw: str) -> str:
    """Return the key a known scam is stored under for ``raw`` as pasted.

    A key already normalised (``domain:…``) is kept; ``address:<network>:…``
    is normalised again (EVM addresses in lower case), so staff may paste
    either form.
    """
    raw = raw.strip()
    kind, _sep, rest = raw.partition(":")
    if kind == "address":
        address = addresses.parse(rest.partition(":")[2])
        return f"address:{address.key}" if address else raw
    if kind in {"phone", "email", "domain", "handle"} and rest:
        return raw
    contact = normalize(raw)
    return contact.key if contact else raw


def official(
    value: str,
    *,
    platform: str,
    channel: object = None,
    includes_subdomains: bool = False,
    user_content_paths: str | tuple[str, ...] = (),
) -> Official | None:
    """Return an official identifier as the judge compares it, or None.

    None when ``value`` is not a contact of the kind ``platform`` holds
    (a handle listed under "Website", say): such a line never makes
    anything official.
    """
    contact = normalize(value, platform=platform)
    if contact is None:
        return None
    expected = {
        Platform.WEB: "domain",
        Platform.EMAIL: "email",
        Platform.PHONE: "phone",
    }.get(platform, "handle")
    if contact.kind != expected or (
        expected == "handle" and contact.platform != platform
    ):
        return None
    if isinstance(user_content_paths, str):
        user_content_paths = tuple(user_content_paths.split())
    paths = tuple(_path_prefix(path) for path in user_content_paths if path.strip())
    return Official(
        contact,
        channel,
        includes_subdomains=includes_subdomains and expected == "domain",
        user_content_paths=paths if expected == "domain" else (),
    )


def _path_prefix(path: str) -> str:
    path = urllib.parse.unquote(path.strip()).casefold()
    return "/" + path.lstrip("/")


def _under(path: str, prefix: str) -> bool:
    """True when ``path`` is the page ``prefix`` or below it."""
    if prefix.endswith("/"):
        return path.startswith(prefix) or path == prefix[:-1]
    return path == prefix or path.startswith(prefix + "/")


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


def _web_match(contact: Contact, official: list[Official]) -> Official | None:
    """The identifier that makes a host ours, the most specific first.

    The same host wins over a parent domain marked "all sub-domains are
    ours", and among same-host identifiers the longest matching path names
    the channel (/support/request is the form, /support the live chat).
    """
    web = [item for item in official if item.contact.kind == "domain"]
    same_host = [item for item in web if item.contact.host == contact.host]
    if same_host:
        under = [item for item in same_host if _under(contact.path, item.contact.path)]
        if under:
            return max(under, key=lambda item: len(item.contact.path))
        return min(same_host, key=lambda item: len(item.contact.path))
    parents = [
        item
        for item in web
        if item.includes_subdomains and contact.host.endswith("." + item.contact.host)
    ]
    return max(parents, key=lambda item: len(item.contact.host), default=None)


def _judge_web(contact: Contact, official: list[Official]) -> Verdict | None:
    match = _web_match(contact, official)
    if match is None:
        return None
    same_host = [
        item
        for item in official
        if item.contact.kind == "domain" and item.contact.host == match.contact.host
    ]
    paths = {path for item in same_host for path in item.user_content_paths}
    if any(_under(contact.path, path) for path in paths):
        return Verdict(
            NOT_OFFICIAL, contact, channel=match.channel, reason=REASON_USER_CONTENT
        )
    return Verdict(OFFICIAL, contact, channel=match.channel)


def _judge_handle(contact: Contact, official: list[Official]) -> Verdict | None:
    same = [
        item
        for item in official
        if item.contact.kind == "handle" and item.contact.value == contact.value
    ]
    if not same:
        return None
    for item in same:
        # "Another platform" is kept for look-alike warnings only: the
        # checker cannot tell which network such an account is on.
        if item.platform == contact.platform and item.platform != Platform.OTHER:
            return Verdict(OFFICIAL, contact, channel=item.channel)
    reason = REASON_WRONG_PLATFORM if contact.platform else REASON_PLATFORM_UNKNOWN
    platforms = tuple(
        dict.fromkeys(item.platform for item in same if item.platform != Platform.OTHER)
    )
    return Verdict(
        NOT_OFFICIAL,
        contact,
        channel=same[0].channel,
        reason=reason,
        platforms=platforms,
    )


def _imitated(contact: Contact, official: list[Official]) -> Official | None:
    # Name the imitated channel of the same kind first: a fake domain is
    # more likely a copy of the website than of the mailbox.
    kind = "handle" if contact.kind == "name" else contact.kind
    same_kind_first = sorted(official, key=lambda item: item.contact.kind != kind)
    for item in same_kind_first:
        if _imitates(contact, item.contact):
            return item
    return None


def judge(
    contact: Contact,
    *,
    official: list[Official],
    scams: dict[str, str],
    drainers: frozenset[str] | set[str] = frozenset(),
) -> Verdict:
    """Return the verdict on ``contact``.

    ``official`` lists the official identifiers; ``scams`` maps known-scam
    keys to staff notes. A known scam wins over everything. A web address
    is official when a browser would open it on an official host (or under
    a domain whose sub-domains are all ours), except on a user-content
    path; an e-mail address or phone number when listed; a handle only on
    the platform it is listed for. Display names, crypto addresses and links
    that are not web pages never are (``drainers``: the known-scam keys
    staff marked as draining contracts). Anything not official is flagged as an imitation
    when it resembles an official identifier.
    """
    for key in scam_keys(contact):
        if key in scams:
            reason = REASON_DRAINER if key in drainers else ""
            return Verdict(KNOWN_SCAM, contact, scam_note=scams[key], reason=reason)
    if contact.kind == "address":
        return Verdict(NOT_OFFICIAL, contact, reason=REASON_CRYPTO_ADDRESS)
    if contact.kind == "url":
        return Verdict(NOT_OFFICIAL, contact, reason=REASON_NOT_WEB)
    verdict = None
    if contact.kind == "domain":
        verdict = _judge_web(contact, official)
    elif contact.kind == "handle":
        verdict = _judge_handle(contact, official)
    elif contact.kind in ("email", "phone"):
        # An address is official only when listed; owning the domain is not
        # enough to vouch for every mailbox a scammer might claim.
        for item in official:
            if item.contact.key == contact.key:
                verdict = Verdict(OFFICIAL, contact, channel=item.channel)
                break
    if verdict is not None:
        return verdict
    imitated = _imitated(contact, official)
    if contact.kind == "name":
        platforms = tuple(
            dict.fromkeys(
                item.platform
                for item in official
                if item.contact.kind == "handle" and item.platform != Platform.OTHER
            )
        )
        return Verdict(
            NOT_OFFICIAL,
            contact,
            channel=imitated.channel if imitated else None,
            imitates=imitated is not None,
            reason=REASON_DISPLAY_NAME,
            platforms=platforms,
        )
    if imitated is not None:
        return Verdict(NOT_OFFICIAL, contact, channel=imitated.channel, imitates=True)
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
    r"[^\s<>\"'`“”‘’\u2e80-\u9fff\uac00-\ud7af"
    r"\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f]+"
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
    ordered = [raw for _span, raw in sorted(zip(spans, found, strict=True))]
    return list(dict.fromkeys(raw for raw in ordered if raw))
