"""DKIM public keys as the e-mail checker reads them, without DNS.

Staff paste a key as published (the bare ``p=`` value, or the whole TXT
record, possibly split in quoted strings as zone files write it); the site's
own signing key is turned into the same record from its private half, so it
is trusted without being entered twice. Pure functions, no database.
"""

import base64
import re

import dkim
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

MIN_KEY_BITS = 1024
QUOTED_PARTS = re.compile(r'"\s*"')


def dkim_record(text: str) -> bytes | None:
    """Return ``text`` as a DKIM TXT record, or None when it holds no usable
    RSA key of ``MIN_KEY_BITS`` or more. Never raises."""
    value = QUOTED_PARTS.sub("", (text or "").strip()).strip('"').strip()
    if not value:
        return None
    if "p=" not in value:
        # A bare key, perhaps wrapped over several lines.
        value = "v=DKIM1; k=rsa; p=" + re.sub(r"\s+", "", value)
    record = " ".join(value.split()).encode("ascii", "replace")
    try:
        _pk, bits, kind, _tlsrpt = dkim.evaluate_pk(b"key", record)
    except Exception:  # noqa: BLE001 - dkimpy raises many kinds on bad input
        return None
    if kind != b"rsa" or not bits or bits < MIN_KEY_BITS:
        return None
    return record


def _der_integer(number: int) -> bytes:
    body = number.to_bytes(number.bit_length() // 8 + 1, "big")
    return b"\x02" + _der_length(len(body)) + body


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def record_from_private_key(pem: bytes) -> bytes:
    """Return the DKIM TXT record of the public half of a PEM RSA key.

    The key is written as a PKCS#1 ``RSAPublicKey``, which dkimpy reads as
    well as the usual SubjectPublicKeyInfo. Raises ``ValueError`` when the
    PEM holds no RSA private key.
    """
    try:
        key = parse_pem_private_key(pem)
    except (UnparsableKeyError, ValueError, IndexError, TypeError) as error:
        raise ValueError("not an RSA private key in PEM") from error
    body = _der_integer(key["modulus"]) + _der_integer(key["publicExponent"])
    der = b"\x30" + _der_length(len(body)) + body
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
