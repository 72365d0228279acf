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


TOPICS_BEFORE = [
    ("channels", "0002_channel_identifiers"),
    ("articles", "0007_search_narrow_rows_postgres"),
]
TOPICS_AFTER = [
    ("channels", "0005_ticket_topic_required"),
    ("articles", "0008_remove_category_contact_form_kind"),
]


@pytest.mark.django_db(transaction=True)
def test_category_kinds_become_topics_and_tickets_follow():
    executor = MigrationExecutor(connection)
    executor.migrate(TOPICS_BEFORE)
    old = executor.loader.project_state(TOPICS_BEFORE).apps
    Category = old.get_model("articles", "Category")
    transfers = Category.objects.create(
        slug="transfers",
        name_zh_hans="转账",
        name_en="Transfers",
        order=2,
        contact_form_kind="transfer",
    )
    Category.objects.create(slug="feedback", name_zh_hans="反馈", order=6)
    old.get_model("channels", "Ticket").objects.create(
        reference="CW-AAAA-BBBB",
        token_hash="x",
        category=transfers,
        language="zh-hans",
        email="a@example.com",
        subject="s",
        message="m",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(TOPICS_AFTER)
    new = executor.loader.project_state(TOPICS_AFTER).apps
    topics = new.get_model("channels", "Topic").objects.order_by("order")
    assert list(
        topics.values_list("slug", "name_zh_hans", "name_en", "kind", "category__slug")
    ) == [
        ("transfers", "转账", "Transfers", "transfer", "transfers"),
        ("feedback", "反馈", "", "general", "feedback"),
    ]
    ticket = new.get_model("channels", "Ticket").objects.get()
    assert ticket.topic.slug == "transfers"
    assert "contact_form_kind" not in {
        field.name for field in new.get_model("articles", "Category")._meta.fields
    }
