"""Recognise a pasted crypto address by its shape and checksum.

Pure functions, no database access. ``parse`` returns the address with its
network and normalised value (the key under which staff list a scam
address: ``address:<network>:<value>``), or None. Formats:

- ``btc``: base58check P2PKH (``1…``) and P2SH (``3…``) with their 4-byte
  checksum, and bech32/bech32m segwit addresses (``bc1…``, BIP 173/350),
  stored in lower case;
- ``evm``: ``0x`` and 40 hex digits (Ethereum and every EVM chain share the
  format), stored in lower case; a mixed-case address must carry a valid
  EIP-55 checksum (Keccak-256 of the lower-case hex);
- ``tron``: base58check with version byte 0x41 (``T…``);
- ``sol``: base58 of 32 bytes, which has no checksum, so only the shape is
  checked.

Text that merely looks like an address but fails its checksum is not an
address: it is mistyped or altered, and the contact check judges it as any
other text.
"""

import dataclasses
import hashlib
import re

import base58

BTC = "btc"
EVM = "evm"
TRON = "tron"
SOL = "sol"
NETWORK_NAMES = {BTC: "Bitcoin", EVM: "Ethereum/EVM", TRON: "TRON", SOL: "Solana"}

MAX_INPUT = 120
WRAPPING = " \t\r\n\"'`“”‘’()[]<>《》「」【】,，。.;；:：!！?？"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
EVM_SHAPE = re.compile(r"0[xX]([0-9a-fA-F]{40})")
B58_SHAPE = re.compile(rf"[{B58}]{{25,44}}")
BECH32_SHAPE = re.compile(r"(?i:bc1[02-9ac-hj-np-z]{6,87})")
# Candidates in free text: whole words of the shapes above.
FOUND = re.compile(
    rf"(?<![0-9A-Za-z])(?:0[xX][0-9a-fA-F]{{40}}|(?i:bc1[02-9ac-hj-np-z]{{6,87}})"
    rf"|[{B58}]{{25,44}})(?![0-9A-Za-z])"
)
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


@dataclasses.dataclass(frozen=True)
class Address:
    network: str  # BTC, EVM, TRON or SOL
    value: str  # normalised: lower case for bech32 and EVM, as written otherwise

    @property
    def key(self) -> str:
        return f"{self.network}:{self.value}"


def parse(raw: str) -> Address | None:
    """Return the address ``raw`` holds (quotes and spaces around it
    ignored), or None. Never raises."""
    if not isinstance(raw, str):
        return None
    text = raw[:MAX_INPUT].strip(WRAPPING)
    if match := EVM_SHAPE.fullmatch(text):
        return _evm(match.group(1))
    if BECH32_SHAPE.fullmatch(text):
        return _bech32(text)
    if B58_SHAPE.fullmatch(text):
        return _base58(text)
    return None


def network_name(contact) -> str:
    """The network's name for a checker contact of kind "address", else ""."""
    if getattr(contact, "kind", "") != "address":
        return ""
    return NETWORK_NAMES.get(contact.value.partition(":")[0], "")


def find_addresses(text: str) -> list[str]:
    """Return the crypto addresses in free ``text``, as written, in order."""
    return [m.group(0) for m in FOUND.finditer(text[:200_000]) if parse(m.group(0))]


# EVM -----------------------------------------------------------------------


def _evm(digits: str) -> Address | None:
    letters = [char for char in digits if char.isalpha()]
    mixed = any(c.islower() for c in letters) and any(c.isupper() for c in letters)
    if mixed and digits != eip55(digits):
        return None
    return Address(EVM, "0x" + digits.lower())


def eip55(digits: str) -> str:
    """Return the 40 hex ``digits`` with the EIP-55 checksum capitals."""
    lower = digits.lower()
    digest = keccak256(lower.encode("ascii")).hex()
    return "".join(
        char.upper() if char.isalpha() and int(digest[i], 16) >= 8 else char
        for i, char in enumerate(lower)
    )


_MASK = (1 << 64) - 1
_ROUND_CONSTANTS = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A,
    0x8000000080008000, 0x000000000000808B, 0x0000000080000001,
    0x8000000080008081, 0x8000000000008009, 0x000000000000008A,
    0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
    0x000000000000800A, 0x800000008000000A, 0x8000000080008081,
    0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
# Rotation of lane x + 5 * y.
_ROTATIONS = (
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39,
    41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
)  # fmt: skip


def _rotate(lane: int, shift: int) -> int:
    return ((lane << shift) | (lane >> (64 - shift))) & _MASK if shift else lane


def _keccak_f(state: list[int]) -> None:
    for constant in _ROUND_CONSTANTS:
        column = [
            state[x] ^ state[x + 5] ^ state[x + 10] ^ state[x + 15] ^ state[x + 20]
            for x in range(5)
        ]
        for x in range(5):
            d = column[(x - 1) % 5] ^ _rotate(column[(x + 1) % 5], 1)
            for y in range(0, 25, 5):
                state[x + y] ^= d
        moved = [0] * 25
        for x in range(5):
            for y in range(5):
                moved[y + 5 * ((2 * x + 3 * y) % 5)] = _rotate(
                    state[x + 5 * y], _ROTATIONS[x + 5 * y]
                )
        for y in range(0, 25, 5):
            row = moved[y : y + 5]
            for x in range(5):
                state[x + y] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        state[0] ^= constant


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (the padding before SHA-3's).

    ``hashlib.sha3_256`` pads differently and OpenSSL 3.0 has no Keccak, so
    this small version serves the 40-character EIP-55 checksum only.
    """
    rate = 136
    padded = bytearray(data)
    padded.append(0x01)
    padded.extend(b"\0" * (-len(padded) % rate))
    padded[-1] |= 0x80
    state = [0] * 25
    for start in range(0, len(padded), rate):
        block = padded[start : start + rate]
        for i in range(rate // 8):
            state[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(state)
    return b"".join(lane.to_bytes(8, "little") for lane in state[:4])


# Bitcoin bech32 ------------------------------------------------------------


def _polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _bech32(text: str) -> Address | None:
    if text.lower() != text and text.upper() != text:
        return None  # BIP 173 forbids mixed case
    text = text.lower()
    hrp, _sep, data = text.rpartition("1")
    if hrp != "bc" or len(data) < 6:
        return None
    values = [BECH32_CHARSET.index(char) for char in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = _polymod(expanded + values)
    if not values[:-6]:
        return None
    version = values[0]
    program = _convert_bits(values[1:-6])
    if program is None or version > 16 or not 2 <= len(program) <= 40:
        return None
    if version == 0 and (constant != BECH32_CONST or len(program) not in (20, 32)):
        return None
    if version > 0 and constant != BECH32M_CONST:
        return None
    return Address(BTC, text)


def _convert_bits(values: list[int]) -> list[int] | None:
    """Regroup 5-bit values into bytes; None when the padding is not zero."""
    accumulator, bits, result = 0, 0, []
    for value in values:
        accumulator = (accumulator << 5) | value
        bits += 5
        while bits >= 8:
            bits -= 8
            result.append((accumulator >> bits) & 0xFF)
    if bits >= 5 or (accumulator << (8 - bits)) & 0xFF:
        return None
    return result


# Base58: Bitcoin legacy, TRON, Solana -----------------------------------------


def _base58(text: str) -> Address | None:
    raw = base58.b58decode(text)
    if len(raw) == 25:
        payload, checksum = raw[:-4], raw[-4:]
        if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
            return None
        if payload[0] in (0x00, 0x05) and text[0] in "13":
            return Address(BTC, text)
        if payload[0] == 0x41 and text[0] == "T":
            return Address(TRON, text)
        return None
    if len(raw) == 32 and 32 <= len(text) <= 44:
        return Address(SOL, text)
    return None
