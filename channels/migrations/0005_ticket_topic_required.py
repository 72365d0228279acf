import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("channels", "0004_topics_from_categories")]

    operations = [
        migrations.RemoveField(model_name="ticket", name="category"),
        migrations.AlterField(
            model_name="ticket",
            name="topic",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tickets",
                to="channels.topic",
                verbose_name="topic",
            ),
        ),
    ]
