import os
import signal
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from channels.management.commands.send_pending_email import Command
from channels.models import KnownScamContact, OutboundEmail, SupportChannel
from channels.selectors import contact_check
from channels.tickets import services
from channels.tickets.models import Topic
from channels.tickets.services import MAX_EMAIL_ATTEMPTS
from tests.factories import make_category

DEMO = Path(__file__).resolve().parents[2] / "content" / "channels.yaml"


@pytest.fixture
def demo_categories(db):
    for slug in ["account-login", "transfers", "deposits-withdrawals", "security"]:
        make_category(slug=slug)
    for slug in ["technical-issues", "feedback", "contact-support"]:
        make_category(slug=slug)


def test_load_channels_is_idempotent(demo_categories):
    call_command("load_channels", str(DEMO), stdout=StringIO())
    call_command("load_channels", str(DEMO), stdout=StringIO())
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    assert SupportChannel.objects.count() == len(data["channels"])
    assert KnownScamContact.objects.count() == len(data["known_scams"])
    assert Topic.objects.count() == len(data["topics"])


def test_demo_topics_ask_for_the_fields_of_their_kind(demo_categories):
    call_command("load_channels", str(DEMO), stdout=StringIO())
    kinds = dict(Topic.objects.values_list("slug", "kind"))
    assert kinds["transfers"] == kinds["deposits-withdrawals"] == "transfer"
    assert (kinds["security"], kinds["account-login"]) == ("security", "login")
    assert Topic.objects.get(slug="security").category.slug == "security"


def test_topic_with_an_unknown_kind_is_refused_and_nothing_written(
    demo_categories, tmp_path
):
    path = tmp_path / "channels.yaml"
    path.write_text("topics:\n  - {slug: x, kind: nonsense, name_zh_hans: X}\n")
    with pytest.raises(CommandError, match="Topic x"):
        call_command("load_channels", str(path), stdout=StringIO())
    assert Topic.objects.count() == 0


def test_demo_channels_have_no_phone_hotline_but_say_so(demo_categories):
    call_command("load_channels", str(DEMO), stdout=StringIO())
    phone = SupportChannel.objects.get(kind=SupportChannel.Kind.PHONE)
    assert (phone.is_offered, phone.is_official) == (False, False)
    assert not SupportChannel.objects.offered().filter(kind="phone").exists()
    assert phone.name_en and phone.description_en and phone.description_zh_hans


@pytest.mark.parametrize(
    "contact, platform, verdict, reason",
    [
        ("support@cobaltwallet.example", "", "official", ""),
        ("https://community.cobaltwallet.example", "", "official", ""),
        (
            "https://community.cobaltwallet.example/t/123",
            "",
            "not-official",
            "user-content",
        ),
        ("community.cobaltwallet.example/u/admin", "", "not-official", "user-content"),
        ("https://cobaltwallet.example/support", "", "official", ""),
        ("help.cobaltwallet.example", "", "official", ""),
        ("kefu.cobaltwallet.example", "", "not-official", ""),
        ("@CobaltWallet", "x", "official", ""),
        ("https://weibo.com/CobaltWallet", "", "official", ""),
        ("CobaltWallet", "wechat", "official", ""),
        ("@CobaltWallet", "", "not-official", "platform-unknown"),
        ("https://t.me/CobaltWallet", "", "not-official", "wrong-platform"),
        ("Cobalt Wallet", "wechat", "not-official", "display-name"),
        ("cobaltwallet-support.com", "", "known-scam", ""),
        ("+86 400-888-0123", "", "known-scam", ""),
        ("@cobaltwallet_support", "x", "known-scam", ""),
        ("cobaltwallet.example.login-check.test", "", "not-official", ""),
    ],
)
def test_demo_data_answers_the_checker(
    demo_categories, contact, platform, verdict, reason
):
    call_command("load_channels", str(DEMO), stdout=StringIO())
    result = contact_check(raw=contact, platform=platform)
    assert (result.verdict, result.reason) == (verdict, reason)


def test_load_channels_refuses_an_identifier_on_the_wrong_platform(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "channels:\n  - slug: x\n    kind: email\n    name_zh_hans: x\n"
        "    identifiers:\n      - {platform: web, value: '@CobaltWallet'}\n"
    )
    with pytest.raises(CommandError, match="identifier .@CobaltWallet.: "):
        call_command("load_channels", str(path), stdout=StringIO())
    assert SupportChannel.objects.count() == 0


def test_load_channels_rejects_unknown_fields(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("channels:\n  - slug: x\n    kind: email\n    colour: red\n")
    with pytest.raises(CommandError, match="unknown fields"):
        call_command("load_channels", str(path), stdout=StringIO())
    assert SupportChannel.objects.count() == 0


def test_send_pending_email_sends_and_skips_exhausted(db, mailoutbox):
    OutboundEmail.objects.create(to="a@example.com", subject="one", body="b")
    OutboundEmail.objects.create(
        to="b@example.com", subject="two", body="b", attempts=MAX_EMAIL_ATTEMPTS
    )
    out = StringIO()
    call_command("send_pending_email", stdout=out)
    assert [message.subject for message in mailoutbox] == ["one"]
    assert out.getvalue().strip() == "Sent 1 e-mail(s); 0 failed; 1 still pending."


def test_send_pending_email_watch_sends_until_stopped(db, mailoutbox, monkeypatch):
    OutboundEmail.objects.create(to="a@example.com", subject="one", body="b")
    passes = []

    def report(sent, failed):
        passes.append((sent, failed))
        if len(passes) == 1:
            # A ticket made while the sender runs goes out on its next pass.
            OutboundEmail.objects.create(to="b@example.com", subject="two", body="b")
        if len(passes) == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(
        Command, "_report", lambda self, sent, failed: report(sent, failed)
    )
    before = signal.getsignal(signal.SIGTERM)
    out = StringIO()
    call_command("send_pending_email", "--watch", "--interval", "0.01", stdout=out)
    assert passes == [(1, 0), (1, 0), (0, 0)]
    assert [message.subject for message in mailoutbox] == ["one", "two"]
    assert not OutboundEmail.objects.pending().exists()
    assert out.getvalue().splitlines()[-1] == "Stopped."
    assert signal.getsignal(signal.SIGTERM) is before


def test_send_pending_email_uses_one_connection_and_marks_all_sent(
    db, mailoutbox, monkeypatch, django_assert_max_num_queries
):
    for number in range(services.EMAIL_MARK_EVERY + 3):
        OutboundEmail.objects.create(to=f"{number}@example.com", subject="s", body="b")
    opened = []
    real = services.get_connection

    def counting_connection(*args, **kwargs):
        connection = real(*args, **kwargs)
        opened.append(connection)
        return connection

    monkeypatch.setattr(services, "get_connection", counting_connection)
    # The select, then one UPDATE per EMAIL_MARK_EVERY sent (not one each).
    with django_assert_max_num_queries(4):
        assert services.email_send_pending() == (services.EMAIL_MARK_EVERY + 3, 0)
    assert len(opened) == 1 and len(mailoutbox) == services.EMAIL_MARK_EVERY + 3
    assert not OutboundEmail.objects.pending().exists()
    assert set(OutboundEmail.objects.values_list("body", "attempts")) == {("", 1)}
