"""Ed25519 public keys from private seeds (RFC 8032), for the secret detector.

A Solana secret key is 64 bytes: a 32-byte seed followed by the public key
derived from it, so a 64-byte base58 value is a secret key exactly when its
second half is the public key of its first half. A transaction signature has
the same length and alphabet but never that property. Only derivation is
needed (no signing or verification), so a few lines of integer arithmetic
replace a cryptography dependency. This is not constant time: it only ever
sees text that users were about to submit, never the site's own keys.
"""

import functools
import hashlib

P = 2**255 - 19
D = (-121665 * pow(121666, P - 2, P)) % P
BASE_Y = (4 * pow(5, P - 2, P)) % P
NIBBLES = 64  # a clamped scalar is below 2**255, so 64 hexadecimal digits


def _recover_x(y: int, sign: int) -> int:
    xx = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P:
        x = x * pow(2, (P - 1) // 4, P) % P
    return P - x if x & 1 != sign else x


def _add(a: tuple, b: tuple) -> tuple:
    """Add two points in extended coordinates (add-2008-hwcd-3)."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


@functools.cache
def _base_table() -> tuple:
    """``table[i][j]`` is ``j * 16**i * B``: a fixed-base comb, so deriving a
    key costs 64 additions instead of 255 doublings and additions."""
    x = _recover_x(BASE_Y, 0)
    point = (x, BASE_Y, 1, x * BASE_Y % P)
    zero = (0, 1, 1, 0)
    table = []
    for _digit in range(NIBBLES):
        row = [zero]
        for _j in range(15):
            row.append(_add(row[-1], point))
        table.append(tuple(row))
        point = _add(row[-1], point)
    return tuple(table)


def public_key(seed: bytes) -> bytes:
    """Return the 32-byte Ed25519 public key of a 32-byte private seed."""
    digest = bytearray(hashlib.sha512(seed).digest()[:32])
    digest[0] &= 248
    digest[31] &= 127
    digest[31] |= 64
    scalar = int.from_bytes(digest, "little")
    table = _base_table()
    point = (0, 1, 1, 0)
    for index in range(NIBBLES):
        nibble = (scalar >> (4 * index)) & 15
        if nibble:
            point = _add(point, table[index][nibble])
    x, y, z, _t = point
    inverse = pow(z, P - 2, P)
    x, y = x * inverse % P, y * inverse % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")
