"""Crypto addresses: recognised by shape and checksum, judged by the checker."""

import hashlib

import base58
import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, strategies as st
from pytest_django.asserts import assertContains

from channels import addresses, services, verify
from channels.models import ContactReport, KnownScamContact

EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


@pytest.mark.parametrize(
    "raw, key",
    [
        (EVM, "evm:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
        (EVM.lower(), "evm:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
        ("0x" + EVM[2:].upper(), "evm:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
        (
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
            "evm:0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb",
        ),
        (
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        ),
        (
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        ),
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        ),
        (
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            "tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        ),
        (
            "“So11111111111111111111111111111111111111112”",
            "sol:So11111111111111111111111111111111111111112",
        ),
    ],
)
def test_address_recognised_with_its_network(raw, key):
    assert addresses.parse(raw).key == key


@pytest.mark.parametrize(
    "raw",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # EIP-55 capital wrong
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",  # base58check checksum wrong
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # bech32 checksum wrong
        "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # mixed case
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",
        "cobaltsupport",
        "0x123",
        "",
    ],
)
def test_mistyped_or_other_text_is_not_an_address(raw):
    assert addresses.parse(raw) is None


def test_keccak256_matches_ethereum():
    assert addresses.keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


@given(st.text(max_size=200))
def test_parse_and_find_never_raise(text):
    result = addresses.parse(text)
    assert result is None or result.network in addresses.NETWORK_NAMES
    assert all(addresses.parse(found) for found in addresses.find_addresses(text))


def _base58check(version: int, payload: bytes) -> str:
    body = bytes([version]) + payload
    checksum = hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4]
    return base58.b58encode(body + checksum).decode()


@given(st.binary(min_size=20, max_size=20), st.sampled_from([0x00, 0x05, 0x41]))
def test_generated_base58check_addresses_recognised(payload, version):
    text = _base58check(version, payload)
    expected = addresses.TRON if version == 0x41 else addresses.BTC
    assert addresses.parse(text) == addresses.Address(expected, text)


@given(st.binary(min_size=20, max_size=20))
def test_generated_evm_addresses_recognised_in_every_case(payload):
    lower = payload.hex()
    for digits in (lower, lower.upper(), addresses.eip55(lower)):
        assert addresses.parse("0x" + digits).key == "evm:0x" + lower


@given(st.binary(min_size=32, max_size=32))
def test_generated_solana_addresses_recognised(payload):
    text = base58.b58encode(payload).decode()
    if len(text) >= 32:
        assert addresses.parse(text) == addresses.Address(addresses.SOL, text)
    else:
        assert addresses.parse(text) is None or addresses.parse(text).network != "sol"


def test_normalize_keeps_base58_case_and_lowers_evm():
    assert verify.normalize(EVM).key == "address:evm:" + EVM.lower()
    assert verify.normalize("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").key == (
        "address:tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    )


def test_checker_says_support_never_asks_for_funds(client, official_channels):
    with translation.override("en"):
        url = reverse("channels:verify")
    response = client.post(url, {"q": EVM})
    assertContains(response, 'data-verdict="not-official"')
    assertContains(response, 'data-reason="crypto-address"')
    assertContains(response, "Support never asks you to send funds to any address.")
    assertContains(response, "This is an address on Ethereum/EVM.")


def test_checker_answers_a_listed_address_as_known_scam(client, official_channels):
    services.known_scam_add(contact="address:evm:" + EVM, note="Fake refund wallet")
    assert KnownScamContact.objects.get().value == "address:evm:" + EVM.lower()
    response = client.post(reverse("channels:verify"), {"q": EVM.lower()})
    assertContains(response, 'data-verdict="known-scam"')
    assertContains(response, "Fake refund wallet")
    assert "revoke" not in response.content.decode().lower()


def test_checker_explains_revoking_a_known_drainer(client, official_channels):
    services.known_scam_add(
        contact=EVM, kind=KnownScamContact.Kind.DRAINER, note="Permit drainer"
    )
    with translation.override("zh-hans"):
        url = reverse("channels:verify")
    response = client.post(url, {"q": EVM})
    assertContains(response, 'data-verdict="known-scam"')
    assertContains(response, 'data-reason="drainer"')
    assertContains(response, "撤销")


def test_reported_address_confirmed_becomes_known_scam(client, official_channels):
    response = client.post(
        reverse("channels:report"),
        {"contact": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "description": "refund"},
    )
    assert response.status_code == 302
    report = ContactReport.objects.get()
    assert report.value == "address:btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
    services.contact_report_confirm(report=report)
    checked = client.post(
        reverse("channels:verify"), {"q": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}
    )
    assertContains(checked, 'data-verdict="known-scam"')


def test_admin_stores_a_pasted_address_normalised(admin_client, db):
    response = admin_client.post(
        reverse("admin:channels_knownscamcontact_add"),
        {"value": EVM, "kind": "drainer", "note": "Drainer"},
    )
    assert response.status_code == 302
    assert KnownScamContact.objects.get().value == "address:evm:" + EVM.lower()
