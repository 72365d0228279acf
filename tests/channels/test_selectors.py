import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from channels.selectors import channel_response_medians
from channels.tickets import services
from channels.tickets.models import Topic


def test_measured_first_response_is_the_time_to_the_first_public_reply(
    official_channels, topics
):
    agent = get_user_model().objects.create_user(username="agent", is_staff=True)
    channel = official_channels["web_form"]
    now = timezone.now()
    for hours in (1, 2, 3, 4, 5):
        ticket = services.ticket_create(
            topic=topics[Topic.Kind.GENERAL],
            email="a@example.com",
            subject="s",
            message="m",
            language="en",
            submission_key=secrets.token_hex(16),
        ).ticket
        # An internal note is no answer; only the public reply counts, and
        # only the first one.
        services.ticket_reply_add(
            ticket=ticket,
            author=agent,
            body="note",
            internal=True,
            now=ticket.created_at + timedelta(minutes=5),
        )
        for later in (0, 2):
            services.ticket_reply_add(
                ticket=ticket,
                author=agent,
                body="Answer.",
                now=ticket.created_at + timedelta(hours=hours + later),
            )
    assert channel_response_medians(now=now + timedelta(hours=8)) == {
        channel.pk: timedelta(hours=3)
    }
