"""The contact-form kind moved to channels.Topic (channels 0004 copied it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_search_narrow_rows_postgres"),
        ("channels", "0004_topics_from_categories"),
    ]

    operations = [
        migrations.RemoveField(model_name="category", name="contact_form_kind")
    ]
