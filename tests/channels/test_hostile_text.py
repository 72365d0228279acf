"""The channels page never prints attacker-chosen text as their own."""

from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.hostile import HOSTILE, assert_not_echoed


def test_channel_list_ignores_hostile_parameters(client, official_channels):
    response = client.get(reverse("channels:list"), {"q": HOSTILE, "next": HOSTILE})
    assertContains(response, "support@cobaltwallet.example")
    assert_not_echoed(response)
