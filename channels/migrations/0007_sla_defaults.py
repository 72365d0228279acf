"""Default response-time targets, and priorities and due times for tickets
that were already open.

The targets match what the help center states (24 hours for the web form);
staff edit them under "Response-time targets".
"""

import datetime

from django.db import migrations

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
DEFAULTS = {
    "urgent": (1 * HOUR, 1 * DAY),
    "high": (4 * HOUR, 2 * DAY),
    "normal": (24 * HOUR, 5 * DAY),
    "low": (48 * HOUR, 10 * DAY),
}


def seed(apps, schema_editor):
    SlaTarget = apps.get_model("channels", "SlaTarget")
    Ticket = apps.get_model("channels", "Ticket")
    for priority, (first, resolution) in DEFAULTS.items():
        SlaTarget.objects.get_or_create(
            topic=None,
            priority=priority,
            defaults={"first_response": first, "resolution": resolution},
        )
    Ticket.objects.filter(topic__kind="security").update(priority="high")
    unresolved = Ticket.objects.filter(status__in=["new", "open", "waiting"])
    for ticket in unresolved.only("pk", "priority", "created_at").iterator():
        first, resolution = DEFAULTS[ticket.priority]
        Ticket.objects.filter(pk=ticket.pk).update(
            first_response_due_at=ticket.created_at + first,
            resolution_due_at=ticket.created_at + resolution,
        )


class Migration(migrations.Migration):
    dependencies = [("channels", "0006_support_loop")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
