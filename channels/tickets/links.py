"""The secret status link of a ticket.

The link's token is ``HMAC(SECRET_KEY, reference + status_key)``: the
per-ticket ``status_key`` is stored, the token never is (only its SHA-256, in
``token_hash``, for tickets made before the key existed and for the token
given at creation). So support's later e-mails can carry the link again,
while a copy of the database without ``SECRET_KEY`` opens no status page.
Rotating ``SECRET_KEY`` keeps old links working as long as the old key stays
in ``SECRET_KEY_FALLBACKS``; links given at creation keep working anyway.
"""

import hmac
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac

SALT = "channels.tickets.status-link"
TOKEN_LENGTH = 32
MAILBOX_SALT = "channels.tickets.mailbox-proof"


def new_status_key() -> str:
    return secrets.token_hex(16)


def status_token(*, reference: str, status_key: str, secret: str | None = None) -> str:
    """Return the status-link token of a ticket (32 URL-safe characters)."""
    digest = salted_hmac(
        SALT, f"{reference}:{status_key}", secret=secret, algorithm="sha256"
    )
    return digest.hexdigest()[:TOKEN_LENGTH]


def status_token_matches(*, reference: str, status_key: str, token: str) -> bool:
    """True when ``token`` derives from ``status_key`` under any current or
    fallback secret key, compared in constant time."""
    if not status_key:
        return False
    # Bytes: a token from the URL may hold any character, and compare_digest
    # refuses non-ASCII strings.
    given = token.encode()
    secrets_in_use = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return any(
        hmac.compare_digest(
            given,
            status_token(
                reference=reference, status_key=status_key, secret=secret
            ).encode(),
        )
        for secret in secrets_in_use
    )


def status_path(*, reference: str, token: str, language: str) -> str:
    """Return the status link's path in ``language``."""
    with translation.override(language):
        return reverse(
            "channels:ticket_status", kwargs={"reference": reference, "token": token}
        )


def absolute(path: str) -> str:
    """Return ``path`` on the public site (``HELPCENTER_SITE_URL``)."""
    return settings.HELPCENTER_SITE_URL.rstrip("/") + path


def mailbox_proof(*, reference: str, status_key: str) -> str:
    """Return the proof that a status page was opened from our e-mail.

    Only the links we e-mail carry it (``?m=``), never the link shown on
    screen after submitting: whoever sets the anti-phishing phrase, which
    our e-mails then repeat, has shown they read the requester's mailbox.
    Without it a scammer could file a request in a victim's name and have
    the official mailbox send the victim words of the scammer's choosing.
    """
    digest = salted_hmac(MAILBOX_SALT, f"{reference}:{status_key}", algorithm="sha256")
    return digest.hexdigest()[:16]


def mailbox_proof_matches(*, reference: str, status_key: str, proof: str) -> bool:
    """True when ``proof`` is the ticket's mailbox proof (constant time)."""
    if not status_key or not proof:
        return False
    expected = mailbox_proof(reference=reference, status_key=status_key)
    return hmac.compare_digest(expected, proof)
