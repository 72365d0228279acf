"""DKIM signing of the help center's own e-mail.

``DkimSigningBackend`` wraps the configured backend (SMTP in production):
each message is built once, signed, and handed on frozen, so the bytes that
leave are exactly the bytes that were signed (a second ``message()`` call
would draw a new Message-ID, Date and MIME boundary and break the
signature). The checker trusts the same key for its domain through
``site_signing_key()``, so it is configured once.
"""

import copy
import dataclasses
import email
import email.message
import functools
import pathlib
from email.utils import parseaddr

import dkim
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from channels.dkimkeys import record_from_private_key

# Over-signing headers a message lacks (Reply-To, Cc) stops anyone from adding
# them later without breaking the signature.
SIGNED_HEADERS = (
    "from",
    "to",
    "cc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
)


@dataclasses.dataclass(frozen=True)
class SigningKey:
    domain: str
    selector: str
    private_pem: bytes = dataclasses.field(repr=False)
    record: bytes  # the public half, as its DNS TXT record


def site_signing_key() -> SigningKey | None:
    """Return the site's DKIM signing key, or None when none is configured.

    The key comes from ``HELPCENTER_DKIM_PRIVATE_KEY`` (PEM text) or the file
    ``HELPCENTER_DKIM_KEY_FILE``; the domain defaults to the one of
    ``DEFAULT_FROM_EMAIL``. Raises ``ImproperlyConfigured`` on a key that
    cannot be read, so a bad key fails loudly instead of sending unsigned.
    """
    return _load_key(
        settings.HELPCENTER_DKIM_PRIVATE_KEY,
        settings.HELPCENTER_DKIM_KEY_FILE,
        settings.HELPCENTER_DKIM_SELECTOR,
        settings.HELPCENTER_DKIM_DOMAIN
        or parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2],
    )


@functools.lru_cache(maxsize=4)
def _load_key(text: str, path: str, selector: str, domain: str) -> SigningKey | None:
    if not (text or path):
        return None
    try:
        pem = pathlib.Path(path).read_bytes() if path else text.encode("ascii")
        # An environment variable often carries the PEM's line breaks as \n.
        pem = pem.replace(b"\\n", b"\n").replace(b"\r\n", b"\n")
        record = record_from_private_key(pem)
    except (OSError, UnicodeEncodeError, ValueError) as error:
        raise ImproperlyConfigured(f"DKIM signing key unusable: {error}") from None
    if not domain or not selector:
        raise ImproperlyConfigured("DKIM signing needs a domain and a selector.")
    return SigningKey(domain.lower(), selector.lower(), pem, record)


class SignedMessage(email.message.Message):
    """A sent message that writes back exactly the bytes that were signed."""

    signed_bytes = b""

    def as_bytes(self, unixfrom=False, linesep="\n", policy=None):
        return self.signed_bytes.replace(b"\r\n", linesep.encode("ascii"))

    def as_string(self, unixfrom=False, maxheaderlen=0, policy=None, linesep="\n"):
        return self.as_bytes(linesep=linesep).decode("utf-8", "surrogateescape")

    __bytes__ = as_bytes


def sign_message(message, key: SigningKey):
    """Return a copy of the ``EmailMessage`` whose ``message()`` is signed.

    The signature uses relaxed/relaxed canonicalisation and covers the
    headers in ``SIGNED_HEADERS``, the body whole (no ``l=``).
    """
    raw = message.message().as_bytes(linesep="\r\n")
    signature = dkim.sign(
        raw,
        key.selector.encode("ascii"),
        key.domain.encode("ascii"),
        key.private_pem,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=[name.encode("ascii") for name in SIGNED_HEADERS],
    )
    signed_bytes = signature + raw
    frozen = email.message_from_bytes(signed_bytes, _class=SignedMessage)
    frozen.signed_bytes = signed_bytes
    signed = copy.copy(message)
    signed.message = lambda: frozen
    return signed


class DkimSigningBackend(BaseEmailBackend):
    """Sign each message with the site's key, then send it with the backend
    named by ``HELPCENTER_DKIM_INNER_BACKEND`` (or ``inner=``)."""

    def __init__(self, fail_silently=False, *, inner=None, **kwargs):
        super().__init__(fail_silently=fail_silently)
        self.inner = get_connection(
            inner or settings.HELPCENTER_DKIM_INNER_BACKEND,
            fail_silently=fail_silently,
            **kwargs,
        )
        self.key = site_signing_key()

    def open(self):
        return self.inner.open()

    def close(self):
        return self.inner.close()

    def send_messages(self, email_messages):
        if self.key is None:
            return self.inner.send_messages(email_messages)
        return self.inner.send_messages(
            [sign_message(message, self.key) for message in email_messages]
        )
