"""Read a pasted e-mail's full source: its sender, DKIM signatures and body.

Pure functions, no database and no network: the selectors pass in the keys
of our sending domains (DNS TXT records keyed by selector and domain), and
``signatures`` answers dkimpy's key lookups from them alone. The e-mail is
parsed with the standard library (``email.policy.default``); its HTML is
never rendered, only read as text for the links and requests it holds.
"""

import dataclasses
import html.parser
import logging
import re
from email import message_from_bytes, policy
from email.headerregistry import Address

import dkim

MAX_BYTES = 1_000_000
MAX_TEXT = 200_000
# A header line at the very start: what every full source begins with.
HEADER_START = re.compile(rb"^[!-9;-~]{1,76}:")
# Link targets in HTML, read as text: a regular expression is enough to list
# them, and far faster than a parser on a long e-mail.
LINK_ATTRIBUTE = re.compile(
    r"""\b(href|src|action)\s*=\s*["']?([^"'\s>]{1,2000})""", re.IGNORECASE
)

# Why a signature does not make the e-mail ours (SignatureCheck.problem).
SIG_OK = ""
SIG_OTHER_DOMAIN = "other-domain"  # signed, by a domain that is not ours
SIG_UNKNOWN_KEY = "unknown-key"  # our domain, a key staff never listed
SIG_BODY_CHANGED = "body-changed"  # the body hash no longer matches
SIG_HEADERS_CHANGED = "headers-changed"  # From, Subject… altered after signing
SIG_PARTIAL_BODY = "partial-body"  # l=: text may be added after the signed part
SIG_FROM_UNSIGNED = "from-unsigned"  # h= leaves From out
SIG_BROKEN = "broken"  # a signature header dkimpy cannot read

# dkimpy logs the reasons of failures; they hold no content, but a pasted
# e-mail must leave no trace, so its logger goes nowhere.
_SILENT = logging.getLogger("channels.emailcheck.dkim")
_SILENT.addHandler(logging.NullHandler())
_SILENT.propagate = False


class MalformedEmail(ValueError):
    """The input is not an e-mail's full source (no headers, no From)."""


@dataclasses.dataclass(frozen=True)
class SignatureCheck:
    domain: str  # d=, lower-case
    problem: str  # SIG_OK or one of the SIG_… values


@dataclasses.dataclass(frozen=True)
class Parsed:
    """What the checker reads of an e-mail; every string is plain text."""

    from_address: str  # addr-spec, lower-case
    from_name: str  # the display name, as written
    reply_to: tuple[str, ...]  # addr-specs
    subject: str
    text: str  # the text/plain parts, then the text of the HTML parts
    links: str  # every href/src of the HTML parts, one a line


class _HtmlText(html.parser.HTMLParser):
    """Collects the text of HTML without rendering it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _part_text(part) -> str:
    try:
        return part.get_content()
    except (LookupError, ValueError, AssertionError, TypeError):
        # An unknown charset or a broken transfer encoding: read what bytes
        # there are rather than refuse the whole e-mail.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def _one_address(value) -> Address | None:
    addresses = getattr(value, "addresses", ()) if value is not None else ()
    return addresses[0] if len(addresses) == 1 else None


def parse(raw: bytes) -> Parsed:
    """Return what the checker reads of the e-mail source ``raw``.

    Raises ``MalformedEmail`` when ``raw`` does not start with headers or
    has not exactly one From address. Never raises anything else.
    """
    if not HEADER_START.match(raw.lstrip()[:80]):
        raise MalformedEmail("no headers")
    try:
        message = message_from_bytes(raw.lstrip(), policy=policy.default)
        froms = message.get_all("From") or []
        sender = _one_address(froms[0]) if len(froms) == 1 else None
        if sender is None or "@" not in sender.addr_spec:
            raise MalformedEmail("no single From address")
        reply_to = tuple(
            address.addr_spec.lower()
            for value in message.get_all("Reply-To") or []
            for address in getattr(value, "addresses", ())
        )
        texts, htmls = [], []
        for part in message.walk():
            if part.is_multipart() or part.get_content_disposition() == "attachment":
                continue
            kind = part.get_content_type()
            if kind == "text/plain":
                texts.append(_part_text(part))
            elif kind == "text/html":
                htmls.append(_part_text(part)[:MAX_TEXT])
        links = [m.group(2) for html in htmls for m in LINK_ATTRIBUTE.finditer(html)]
        if not texts:
            # The HTML is the only text: read it (never render it).
            for html in htmls:
                reader = _HtmlText()
                reader.feed(html)
                reader.close()
                texts.append(" ".join(reader.text))
        return Parsed(
            from_address=sender.addr_spec.lower(),
            from_name=str(sender.display_name or ""),
            reply_to=reply_to,
            subject=str(message.get("Subject") or ""),
            text="\n".join(texts)[:MAX_TEXT],
            links="\n".join(links)[:MAX_TEXT],
        )
    except MalformedEmail:
        raise
    except Exception as error:  # noqa: BLE001 - the parser's bugs are not ours
        raise MalformedEmail("unreadable") from error


def signatures(
    raw: bytes, *, keys: dict[tuple[str, str], bytes], domains: set[str]
) -> list[SignatureCheck]:
    """Check every DKIM-Signature of ``raw``, top first.

    ``keys`` maps ``(selector, domain)`` to a TXT record; ``domains`` are our
    sending domains. A signature counts (``SIG_OK``) only when its domain is
    ours, its key is listed, it covers From and the whole body (no ``l=``),
    and the body hash and the signature both verify. Signatures of other
    domains are not verified at all: whatever they prove, it is not us.
    """
    checker = dkim.DKIM(raw.lstrip(), logger=_SILENT, minkey=1024)

    def lookup(name, timeout=5):
        selector, _sep, domain = name.decode("ascii", "replace").partition(
            "._domainkey."
        )
        return keys.get((selector.lower(), domain.rstrip(".").lower()))

    count = sum(
        1 for name, _value in checker.headers if name.lower() == b"dkim-signature"
    )
    results = []
    for index in range(count):
        try:
            prepared = checker.verify_headerprep(index)
        except Exception:  # noqa: BLE001 - dkimpy rejects bad tags in many ways
            results.append(SignatureCheck("", SIG_BROKEN))
            continue
        sig, include_headers, _headers = prepared
        domain = sig[b"d"].decode("ascii", "replace").lower().rstrip(".")
        results.append(
            SignatureCheck(
                domain,
                _problem(
                    checker, index, sig, include_headers, domain, keys, domains, lookup
                ),
            )
        )
    return results


def _problem(checker, index, sig, include_headers, domain, keys, domains, lookup):
    if domain not in domains:
        return SIG_OTHER_DOMAIN
    if b"from" not in include_headers:
        return SIG_FROM_UNSIGNED
    if b"l" in sig:
        return SIG_PARTIAL_BODY
    selector = sig[b"s"].decode("ascii", "replace").lower()
    if (selector, domain) not in keys:
        return SIG_UNKNOWN_KEY
    try:
        valid = checker.verify(idx=index, dnsfunc=lookup)
    except dkim.ValidationError as error:
        if "body hash mismatch" in str(error):
            return SIG_BODY_CHANGED
        return SIG_BROKEN
    except Exception:  # noqa: BLE001 - malformed b=, bh=, c= values
        return SIG_BROKEN
    return SIG_OK if valid else SIG_HEADERS_CHANGED


# Requests support never makes ----------------------------------------------

ASK_PHRASE = "phrase"
ASK_KEY = "key"
ASK_CODE = "code"
ASK_PAYMENT = "payment"

_EN_VERB = (
    r"(?:enter|send|provide|share|confirm|verify|validate|type|submit|give|"
    r"reply|upload|import|sync|synchroni[sz]e|fill|input|tell|paste|pay|"
    r"transfer|deposit)"
)
_ASKS = (
    (
        ASK_PHRASE,
        re.compile(
            _EN_VERB + r"\b[^.!?\n]{0,60}\b(?:recovery|seed|secret|backup|mnemonic)"
            r"[\s-]*(?:phrase|words?)|\b(?:12|24)[\s-]words?\b|"
            r"(?:提供|输入|发送|填写|告诉|提交|验证|导入|同步|回复|上传|粘贴)"
            r"[^。！？\n]{0,20}(?:助记词|恢复短语|种子短语)",
            re.IGNORECASE,
        ),
    ),
    (
        ASK_KEY,
        re.compile(
            _EN_VERB + r"\b[^.!?\n]{0,60}\bprivate[\s-]*key|"
            r"(?:提供|输入|发送|填写|告诉|提交|验证|导入|回复|上传|粘贴)"
            r"[^。！？\n]{0,20}(?:私钥|密钥|keystore)",
            re.IGNORECASE,
        ),
    ),
    (
        ASK_CODE,
        re.compile(
            _EN_VERB + r"\b[^.!?\n]{0,60}\b(?:2fa|verification|security|"
            r"one[\s-]time|sms|authenticator|login)[\s-]*(?:code|pin)|"
            r"(?:提供|输入|发送|填写|告诉|提交|回复|报|念)"
            r"[^。！？\n]{0,20}(?:验证码|动态码|短信码|谷歌验证)",
            re.IGNORECASE,
        ),
    ),
    (
        ASK_PAYMENT,
        re.compile(
            r"\b(?:pay|send|transfer|deposit)\b[^.!?\n]{0,60}\b(?:fee|fees|usdt|"
            r"btc|eth|crypto|funds|deposit|tax|payment|money)\b|"
            r"(?:转账|付款|支付|汇款|手续费|保证金|解冻费|激活费|充值|打款)",
            re.IGNORECASE,
        ),
    ),
)
# A sentence that says what support never does is advice, not a request.
_NEGATION = re.compile(
    r"\b(?:never|not|don't|doesn't|won't|no one|nobody)\b|"
    r"绝不|不会|切勿|不要|请勿|永远不|从不|从来不|不得",
    re.IGNORECASE,
)
# Every request pattern ends on one of these words: only the sentences that
# hold one are read, which keeps a long e-mail fast.
_KEYWORDS = tuple(
    "phrase word private code pin fee usdt btc eth crypto funds deposit tax "
    "payment money 助记词 短语 私钥 密钥 keystore 验证码 动态码 短信码 谷歌验证 "
    "转账 付款 支付 汇款 手续费 保证金 解冻费 激活费 充值 打款".split()
)
MAX_SENTENCES = 500
_STOPS = ".!?。！？\n"


def _sentence_at(text: str, position: int) -> tuple[int, int]:
    start = max(text.rfind(stop, 0, position) for stop in _STOPS) + 1
    ends = [end for stop in _STOPS if (end := text.find(stop, position)) != -1]
    return start, min(ends, default=len(text))


def requests_in(text: str) -> tuple[str, ...]:
    """Return what ``text`` asks for, among ``ASK_PHRASE``, ``ASK_KEY``,
    ``ASK_CODE`` and ``ASK_PAYMENT``, each once, in that order.

    Read sentence by sentence, in English and Chinese; a sentence with a
    negation ("we never ask…", "切勿…") asks for nothing. Never raises.
    """
    text = text[:MAX_TEXT].lower()
    found: set[str] = set()
    starts: set[int] = set()
    for keyword in _KEYWORDS:
        position = text.find(keyword)
        while position != -1 and len(starts) < MAX_SENTENCES:
            start, end = _sentence_at(text, position)
            starts.add(start)
            position = text.find(keyword, end)
    for start in sorted(starts):
        sentence = text[start : _sentence_at(text, start)[1]]
        if _NEGATION.search(sentence):
            continue
        found.update(kind for kind, pattern in _ASKS if pattern.search(sentence))
    return tuple(kind for kind, _pattern in _ASKS if kind in found)
