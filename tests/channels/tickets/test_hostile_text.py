"""Contact and status pages never print attacker-chosen text as their own."""

from urllib.parse import quote

from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from channels.models import Ticket
from tests.channels.conftest import TRANSFER_FIELDS, Kind, contact_data
from tests.hostile import HOSTILE, assert_not_echoed


def _new_ticket(client, topics):
    response = client.post(
        reverse("channels:contact"), contact_data(topics[Kind.GENERAL])
    )
    return Ticket.objects.get(), response.url


def test_contact_form_prefilled_from_link_prints_no_parameter(client, topics):
    params = {
        name: HOSTILE
        for name in ("article", "category", "subject", "message", "name", "next")
    }
    response = client.get(reverse("channels:contact"), params)
    assert response.status_code == 200
    assertContains(response, 'name="subject"')
    assert_not_echoed(response)


def test_contact_form_invalid_network_is_refused_without_quoting_it(
    client, topics, mailoutbox
):
    data = contact_data(
        topics[Kind.TRANSFER], **{**TRANSFER_FIELDS, "network": HOSTILE}
    )
    with translation.override("en"):
        response = client.post(reverse("channels:contact"), data)
    assertContains(response, "Please choose one of the listed options.")
    assert_not_echoed(response)
    assert Ticket.objects.count() == 0 and mailoutbox == []


def test_ticket_status_page_shows_its_link_without_the_query_string(client, topics):
    ticket, url = _new_ticket(client, topics)
    response = client.get(url, {"note": HOSTILE})
    assertContains(response, f"http://testserver{url}</p>")
    assert_not_echoed(response)


def test_ticket_status_with_wrong_token_is_a_silent_404(client, topics):
    ticket, _url = _new_ticket(client, topics)
    wrong = reverse(
        "channels:ticket_status",
        kwargs={"reference": ticket.reference, "token": HOSTILE},
    )
    response = client.get(wrong)
    assert response.status_code == 404
    assert_not_echoed(response)


def test_unknown_attachment_is_a_silent_404_for_staff(admin_client, db):
    name = quote(HOSTILE)
    response = admin_client.get(f"/en/contact/attachments/{name}/")
    assert response.status_code == 404
    assert_not_echoed(response)
