"""The requester's anti-phishing phrase on a ticket (not kept in its history).

Numbered 0011 because 0010_dkim_keys is added on another branch at the same
time; whichever lands second needs a merge migration or a new dependency.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0010_dkim_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="antiphishing_phrase",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Chosen by the requester on the status page; every later "
                    "e-mail about this request repeats it. Never ask for it or "
                    "repeat it anywhere else."
                ),
                max_length=40,
                verbose_name="anti-phishing phrase",
            ),
        ),
    ]
