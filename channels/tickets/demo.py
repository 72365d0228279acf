"""Demo tickets for a fresh help center (``manage.py load_demo``).

Each ticket is built through the same services staff and requesters use,
so the queue, the status pages and the dashboard show what the real flows
write; only the timestamps are moved into the past afterwards, since the
services stamp some changes with the current time.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings

from channels.tickets import services
from channels.tickets.models import Ticket, TicketRating, Topic
from channels.tickets.selectors import sla_due_times
from helpcenter.accounts.services import DEMO_USERNAME, SUPPORT_AGENTS_GROUP

HOUR = datetime.timedelta(hours=1)
# The second demo agent: a first name, so requesters see "小林" next to
# the replies, where the demo account (no first name) signs as the team.
TEAM_USERNAME = "demo-xiaolin"
TEAM_FIRST_NAME = "小林"
# The requesters are made up: their mails must go nowhere. The dummy backend
# discards them, and the outbox rows are marked sent, so nothing is printed
# by the console backend and nothing waits for send_pending_email.
DISCARD_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


def demo_authors_ensure() -> dict:
    """Return the demo staff authors by name (``demo``, ``xiaolin``).

    The demo account must exist already; the second agent is made once,
    with no usable password (it only signs replies), as a support agent.
    """
    user_model = get_user_model()
    team, created = user_model.objects.get_or_create(
        username=TEAM_USERNAME,
        defaults={"first_name": TEAM_FIRST_NAME, "is_staff": True},
    )
    if created:
        team.set_unusable_password()
        team.save(update_fields=["password"])
        team.groups.set(Group.objects.filter(name=SUPPORT_AGENTS_GROUP))
    return {"demo": user_model.objects.get(username=DEMO_USERNAME), "xiaolin": team}


def demo_tickets_load(
    *, items: list[dict], now: datetime.datetime
) -> tuple[int, Ticket | None]:
    """Make the demo tickets that do not exist yet; return what was done.

    Returns ``(tickets created, the ticket marked show_link)``. A ticket
    whose submission key is taken is left alone, so a second run writes
    nothing. Each ticket is made in one transaction, with its e-mails
    discarded (``DISCARD_BACKEND``).
    """
    authors = demo_authors_ensure()
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    created = 0
    shown = None
    with override_settings(EMAIL_BACKEND=DISCARD_BACKEND):
        for item in items:
            ticket = Ticket.objects.filter(submission_key=item["key"]).first()
            if ticket is None:
                with transaction.atomic():
                    ticket = _ticket_load(
                        item=item, topic=topics[item["topic"]], authors=authors, now=now
                    )
                created += 1
            if item.get("show_link"):
                shown = ticket
    return created, shown


def _ticket_load(*, item: dict, topic: Topic, authors: dict, now) -> Ticket:
    created_at = now - item["hours_ago"] * HOUR
    details = dict(item.get("details") or {})
    before = details.pop("occurred_before_hours", None)
    if before is not None:
        details["occurred_at"] = created_at - before * HOUR
    if "amount" in details:
        details["amount"] = Decimal(details["amount"])
    ticket = services.ticket_create(
        topic=topic,
        email=item["email"],
        subject=item["subject"],
        message=item["message"].strip(),
        language=item["language"],
        submission_key=item["key"],
        name=item.get("name", ""),
        details=details,
    ).ticket
    first_due, resolution_due = sla_due_times(
        topic=topic, priority=ticket.priority, created_at=created_at
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=created_at,
        first_response_due_at=first_due,
        resolution_due_at=resolution_due,
    )
    for step in item.get("steps") or ():
        at = created_at + step["after_hours"] * HOUR
        last = ticket.events.aggregate(last=Max("pk"))["last"] or 0
        ticket.refresh_from_db()
        _step_apply(ticket=ticket, step=step, at=at, authors=authors)
        # Assignments and ratings take no time of their own: date them too.
        ticket.events.filter(pk__gt=last).update(created_at=at)
        if "rating" in step:
            TicketRating.objects.filter(ticket=ticket).update(created_at=at)
    ticket.refresh_from_db()
    return ticket


def _step_apply(*, ticket: Ticket, step: dict, at, authors: dict) -> None:
    author = authors[step.get("author", "xiaolin")]
    if "assign" in step:
        services.ticket_assign(
            ticket=ticket, assignee=authors[step["assign"]], actor=author
        )
    elif "reply" in step or "note" in step:
        services.ticket_reply_add(
            ticket=ticket,
            author=author,
            body=step.get("reply") or step["note"],
            internal="note" in step,
            status=step.get("status"),
            now=at,
        )
    elif "requester" in step:
        services.ticket_requester_reply(
            ticket=ticket, message=step["requester"], now=at
        )
    elif "close" in step:
        services.ticket_close_by_requester(ticket=ticket, now=at)
    elif "status" in step:
        services.ticket_status_set(
            ticket=ticket, status=step["status"], actor=author, now=at
        )
    elif "rating" in step:
        services.ticket_rate(
            ticket=ticket, rating=step["rating"], comment=step.get("comment", "")
        )
    else:
        raise ValueError(f"Unknown demo ticket step: {sorted(step)}")
