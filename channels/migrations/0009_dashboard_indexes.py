"""Indexes for the staff dashboard: open tickets by status and topic, ratings
by date, most-checked contacts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0008_queue_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contactlookup",
            index=models.Index(fields=["-lookup_count"], name="contactlookup_count"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["status", "topic"], name="ticket_status_topic"),
        ),
        migrations.AddIndex(
            model_name="ticketrating",
            index=models.Index(fields=["created_at"], name="ticketrating_created"),
        ),
    ]
