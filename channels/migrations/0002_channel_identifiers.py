"""Official identifiers become rows with a platform.

Until now the checker trusted a channel's address and "other identifiers"
lines, with every sub-domain of a listed domain, and any handle on any
platform. Each line becomes a ChannelIdentifier: hosts and URLs on the web,
e-mail addresses, phone numbers, and handles on WeChat for a WeChat channel.
Other handles go to "Another platform", which the checker never answers
"official" for, until staff say where the account lives. No sub-domain is
trusted until staff tick "all sub-domains are ours".
"""

import re

import django.db.models.deletion
from django.db import migrations, models

PHONE = re.compile(r"\+?[\d\s\-()]{5,30}")
HOST = re.compile(r"[^@\s/]+\.[^@\s/.]+\S*")


def _platform(value: str, kind: str) -> str:
    if not value:
        return ""
    if PHONE.fullmatch(value):
        return "phone"
    if any(char.isspace() for char in value):
        return ""  # directions such as "App → 我的 → 帮助与客服"
    if "://" in value or HOST.fullmatch(value):
        return "web"
    if "@" in value[1:]:
        return "email"
    return "wechat" if kind == "wechat" else "other"


def copy_identifiers(apps, schema_editor):
    SupportChannel = apps.get_model("channels", "SupportChannel")
    ChannelIdentifier = apps.get_model("channels", "ChannelIdentifier")
    seen = set()
    for channel in SupportChannel.objects.order_by("pk"):
        for line in [channel.address, *channel.other_identifiers.splitlines()]:
            value = line.strip()
            platform = _platform(value, channel.kind)
            if platform and (platform, value) not in seen:
                seen.add((platform, value))
                ChannelIdentifier.objects.create(
                    channel=channel, platform=platform, value=value
                )


def copy_back(apps, schema_editor):
    SupportChannel = apps.get_model("channels", "SupportChannel")
    for channel in SupportChannel.objects.prefetch_related("official_identifiers"):
        values = [row.value for row in channel.official_identifiers.all()]
        channel.other_identifiers = "\n".join(
            value for value in values if value != channel.address
        )
        channel.save(update_fields=["other_identifiers"])


class Migration(migrations.Migration):

    dependencies = [
        ("channels", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChannelIdentifier",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "platform",
                    models.CharField(
                        choices=[
                            ("web", "Website"),
                            ("email", "E-mail"),
                            ("phone", "Phone"),
                            ("wechat", "WeChat"),
                            ("weibo", "Weibo"),
                            ("x", "X (Twitter)"),
                            ("telegram", "Telegram"),
                            ("douyin", "Douyin"),
                            ("tiktok", "TikTok"),
                            ("facebook", "Facebook"),
                            ("instagram", "Instagram"),
                            ("youtube", "YouTube"),
                            ("whatsapp", "WhatsApp"),
                            ("other", "Another platform"),
                        ],
                        help_text=(
                            "Where it lives. A handle is official only on its "
                            "platform: the same name elsewhere is someone else."
                        ),
                        max_length=16,
                        verbose_name="platform",
                    ),
                ),
                (
                    "value",
                    models.CharField(
                        help_text=(
                            "Website: a host or URL "
                            "(https://community.example.com). E-mail: the full "
                            "address. Phone: the number. Other platforms: the "
                            "account ID or handle, or its profile URL."
                        ),
                        max_length=200,
                        verbose_name="identifier",
                    ),
                ),
                (
                    "includes_subdomains",
                    models.BooleanField(
                        default=False,
                        help_text=(
                            "Website only. Tick only if every host under this "
                            "domain is run by us; never for a domain where users "
                            "or other companies get sub-domains."
                        ),
                        verbose_name="all sub-domains are ours",
                    ),
                ),
                (
                    "user_content_paths",
                    models.TextField(
                        blank=True,
                        help_text=(
                            "Website only. One path per line, e.g. /u/ and /t/ on "
                            "a forum: pages on this host that any user can "
                            "publish. The checker says such a page is ours but "
                            "written by a user, never that it is official."
                        ),
                        verbose_name="user-content paths",
                    ),
                ),
                (
                    "channel",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="official_identifiers",
                        to="channels.supportchannel",
                        verbose_name="channel",
                    ),
                ),
            ],
            options={
                "verbose_name": "official identifier",
                "verbose_name_plural": "official identifiers",
                "ordering": ["channel", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("platform", "value"),
                        name="channel_identifier_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(copy_identifiers, copy_back),
        migrations.RemoveField(
            model_name="supportchannel",
            name="other_identifiers",
        ),
        migrations.AlterField(
            model_name="supportchannel",
            name="address",
            field=models.CharField(
                blank=True,
                help_text=(
                    "What users type or click, shown on the channels page. The "
                    "checker does not read it: list what it should recognise as "
                    "official under Official identifiers."
                ),
                max_length=200,
                verbose_name="address",
            ),
        ),
        migrations.AlterField(
            model_name="knownscamcontact",
            name="note",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Shown to the public by the checker, in our name: write it "
                    "yourself, never paste a reporter's words."
                ),
                max_length=300,
                verbose_name="note",
            ),
        ),
    ]
