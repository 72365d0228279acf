from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for the staff queue: its sort by the next due time (an index on
    the same expression as ``channels.tickets.models.next_due_expression``)
    and its "assigned to me" filter."""

    dependencies = [("channels", "0007_sla_defaults")]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                models.Case(
                    models.When(
                        first_response_at__isnull=True,
                        then=models.F("first_response_due_at"),
                    ),
                    default=models.F("resolution_due_at"),
                ),
                name="ticket_next_due",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["assignee", "status"], name="ticket_assignee_status"
            ),
        ),
    ]
