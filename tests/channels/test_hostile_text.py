"""Contact and status pages never print attacker-chosen text as their own."""

from urllib.parse import quote

from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from channels.models import Ticket
from tests.channels.conftest import TRANSFER_FIELDS, Kind, contact_data
from tests.hostile import HOSTILE, assert_not_echoed


def test_channel_list_ignores_hostile_parameters(client, official_channels):
    response = client.get(reverse("channels:list"), {"q": HOSTILE, "next": HOSTILE})
    assertContains(response, "support@cobaltwallet.example")
    assert_not_echoed(response)
