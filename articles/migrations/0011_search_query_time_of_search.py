"""SearchQuery.created_at: the time of the search, which the flush passes.

Searches are buffered and written in batches; ``auto_now_add`` gave each
row the flush's time. The database column is unchanged (the default is
Python's), so only the state changes: on SQLite an AlterField would rebuild
the analytics table for nothing.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_search_schema_upgrade")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="searchquery",
                    name="created_at",
                    field=models.DateTimeField(
                        db_index=True,
                        default=django.utils.timezone.now,
                        verbose_name="searched at",
                    ),
                ),
            ]
        )
    ]
