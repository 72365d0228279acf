"""Migration 0002: the old identifier lines become rows with a platform."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("channels", "0001_initial")]
AFTER = [("channels", "0002_channel_identifiers")]


@pytest.mark.django_db(transaction=True)
def test_identifier_lines_become_rows_and_trust_no_other_platform():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Channel = old.get_model("channels", "SupportChannel")
    Channel.objects.create(
        slug="chat",
        kind="live_chat",
        address="https://cobaltwallet.example/support",
        other_identifiers="cobaltwallet.example\n\n support@cobaltwallet.example \n",
    )
    Channel.objects.create(slug="wechat", kind="wechat", address="CobaltWallet")
    Channel.objects.create(slug="social", kind="social", address="@CobaltWallet")
    Channel.objects.create(slug="app", kind="in_app", address="App → 我的 → 帮助与客服")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    rows = new.get_model("channels", "ChannelIdentifier").objects.order_by("pk")
    assert list(rows.values_list("channel__slug", "platform", "value")) == [
        ("chat", "web", "https://cobaltwallet.example/support"),
        ("chat", "web", "cobaltwallet.example"),
        ("chat", "email", "support@cobaltwallet.example"),
        ("wechat", "wechat", "CobaltWallet"),
        ("social", "other", "@CobaltWallet"),
    ]
    assert not rows.filter(includes_subdomains=True).exists()
