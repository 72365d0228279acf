import secrets

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from channels.tickets import services
from channels.tickets.models import CannedReply, Topic
from helpcenter.accounts import views
from tests.factories import make_topic


@pytest.fixture
def topic(db):
    return make_topic(kind=Topic.Kind.GENERAL)


@pytest.fixture
def staff_client(staff_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff_user)
    return client


def _ticket(topic):
    return services.ticket_create(
        topic=topic,
        email="a@example.com",
        subject="Subject",
        message="Message",
        language="en",
        submission_key=secrets.token_hex(16),
    ).ticket


def test_recent_actions_is_for_staff_only(client, django_user_model):
    url = reverse("accounts:recent_actions")
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("admin:login"))
    user = django_user_model.objects.create_user(username="u", password="pw")
    client.force_login(user)
    assert client.get(url).status_code == 302


def test_recent_actions_lists_staff_changes_newest_first(
    staff_client, staff_user, topic
):
    ticket = _ticket(topic)
    services.ticket_assign(ticket=ticket, assignee=staff_user, actor=staff_user)
    canned = CannedReply(title="Greeting", body="Hello")
    canned._history_user = staff_user
    canned.save()
    response = staff_client.get(reverse("accounts:recent_actions"))
    text = response.content.decode()
    assert text.index("Greeting") < text.index(f"{ticket.reference}: Assignment")
    assertContains(response, reverse("admin:channels_ticket_change", args=[ticket.pk]))
    # Filing the ticket was the requester's doing, not a staff action.
    assert text.count(f">{ticket.reference}<") == 1


def test_recent_actions_pages_without_counting(
    staff_client, staff_user, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(views, "RECENT_ACTIONS_PER_PAGE", 2)
    for number in range(3):
        canned = CannedReply(title=f"Reply {number}", body="x")
        canned._history_user = staff_user
        canned.save()
    first = staff_client.get(reverse("accounts:recent_actions"))
    # Session, user, one query per source (five history tables, the log).
    with django_assert_num_queries(8):
        second = staff_client.get(reverse("accounts:recent_actions"), {"page": "2"})
    assertContains(first, "Reply 2")
    assertContains(first, "?page=2")
    assertContains(second, "Reply 0")
    assertNotContains(second, "Reply 2")
    bad_page = staff_client.get(reverse("accounts:recent_actions"), {"page": "x"})
    assertContains(bad_page, "Reply 2")


def test_admin_index_links_recent_actions(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assertContains(response, reverse("accounts:recent_actions"))


def test_ticket_history_page_is_translated_without_none(staff_user, topic):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(staff_user)
    ticket = _ticket(topic)
    services.ticket_priority_set(ticket=ticket, priority="high", actor=staff_user)
    response = client.get(reverse("admin:channels_ticket_history", args=[ticket.pk]))
    assertContains(response, "变更内容")
    assertContains(response, "<strong>优先级:</strong>")
    assertNotContains(response, "None")
    assertNotContains(response, "修改原因")
