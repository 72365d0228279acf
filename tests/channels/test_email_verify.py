"""The e-mail checker: DKIM-signed messages, tampered and forged ones."""

import subprocess

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from pytest_django.asserts import assertContains, assertNotContains

from channels import emailcheck, selectors, services
from channels.models import ContactLookup, DkimKey, KnownScamContact
from channels.tickets.models import Topic
from helpcenter import mail as hc_mail

SENDER = "Cobalt Support <support@cobaltwallet.example>"
PHRASE_12 = (
    "legal winner thank year wave sausage worth useful legal winner thank yellow"
)


def new_key() -> bytes:
    return subprocess.run(
        ["openssl", "genrsa", "2048"], capture_output=True, check=True
    ).stdout


@pytest.fixture(scope="session")
def site_pem():
    return new_key()


@pytest.fixture(scope="session")
def other_pem():
    return new_key()


def signing_key(pem, domain="cobaltwallet.example", selector="s1"):
    return hc_mail.SigningKey(
        domain, selector, pem, hc_mail.record_from_private_key(pem)
    )


@pytest.fixture
def listed_key(official_channels, site_pem):
    """Our sending domain's key, entered by staff as a bare p= value."""
    record = signing_key(site_pem).record.decode()
    return DkimKey.objects.create(
        domain="cobaltwallet.example",
        selector="s1",
        public_key=record.partition("p=")[2],
    )


def signed(pem, *, body="Your request was received.", sender=SENDER, **kwargs):
    message = EmailMessage(
        subject="Your request",
        body=body,
        from_email=sender,
        to=["a@example.com"],
        **kwargs,
    )
    return hc_mail.sign_message(message, signing_key(pem)).message().as_bytes()


def unsigned(*, body="Your request was received.", sender=SENDER, **kwargs):
    message = EmailMessage(
        subject="Your request",
        body=body,
        from_email=sender,
        to=["a@example.com"],
        **kwargs,
    )
    return message.message().as_bytes()


def check(client, raw: bytes, **extra):
    return client.post(
        reverse("channels:verify_email"),
        {"email_source": raw.decode("utf-8", "surrogateescape"), **extra},
    )


def test_email_checker_page_is_at_its_path_and_linked_from_the_checker(client, db):
    assert reverse("channels:verify_email") == "/zh-hans/channels/verify/email/"
    response = client.get(reverse("channels:verify"))
    assertContains(response, f'href="{reverse("channels:verify_email")}"')
    page = client.get(reverse("channels:verify_email"))
    assertContains(page, "显示邮件原文")
    assertContains(page, 'name="email_source"')
    assert "no-store" in page["Cache-Control"]


def test_genuine_signed_email_is_official(client, listed_key, site_pem):
    response = check(client, signed(site_pem))
    assertContains(response, 'data-verdict="official"')
    assertNotContains(response, "data-problem=")


def test_uploaded_eml_file_is_checked_like_pasted_source(client, listed_key, site_pem):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("m.eml", signed(site_pem), "message/rfc822")
    response = client.post(reverse("channels:verify_email"), {"eml": upload})
    assertContains(response, 'data-verdict="official"')


def test_pasted_source_with_crlf_and_no_final_newline_is_official(
    client, listed_key, site_pem
):
    raw = signed(site_pem).replace(b"\n", b"\r\n").rstrip()
    assertContains(check(client, raw), 'data-verdict="official"')


def test_tampered_body_is_not_official(client, listed_key, site_pem):
    raw = signed(site_pem, body="Send 1 ETH to 0xabc.").replace(b"1 ETH", b"9 ETH")
    response = check(client, raw)
    assertContains(response, 'data-verdict="not-official"')
    assertContains(response, 'data-problem="body-changed"')


def test_changed_from_is_not_official(client, listed_key, site_pem):
    raw = signed(site_pem).replace(
        b"support@cobaltwallet.example", b"suppor7@cobaltwallet.example"
    )
    response = check(client, raw)
    assertContains(response, 'data-verdict="not-official"')
    assertContains(response, 'data-problem="headers-changed"')


def test_email_resigned_with_another_key_is_not_official(client, listed_key, other_pem):
    response = check(client, signed(other_pem))
    assertContains(response, 'data-verdict="not-official"')
    assertContains(response, 'data-problem="headers-changed"')


def test_email_signed_by_another_domain_is_not_official(client, listed_key, other_pem):
    key = signing_key(other_pem, domain="mailer.example")
    message = EmailMessage("Hi", "Hello", SENDER, ["a@example.com"])
    raw = hc_mail.sign_message(message, key).message().as_bytes()
    response = check(client, raw)
    assertContains(response, 'data-problem="other-domain"')
    assertContains(response, "mailer.example")


def test_forged_from_without_signature_is_not_official(client, listed_key):
    response = check(client, unsigned())
    assertContains(response, 'data-verdict="not-official"')
    assertContains(response, 'data-problem="no-signature"')


def test_lookalike_sender_is_named(client, listed_key):
    raw = unsigned(sender="Support <support@cobaltwa1let.example>")
    response = check(client, raw)
    assertContains(response, 'data-problem="lookalike-sender"')
    assertContains(response, "support@cobaltwa1let.example")


def test_signed_email_from_an_address_that_is_not_ours_is_not_official(
    client, listed_key, site_pem
):
    raw = signed(site_pem, sender="news@mailer.example")
    response = check(client, raw)
    assertContains(response, 'data-problem="sender-not-official"')


def test_reply_to_elsewhere_is_not_official(client, listed_key, site_pem):
    raw = signed(site_pem, reply_to=["help@cobalt-desk.example"])
    response = check(client, raw)
    assertContains(response, 'data-verdict="not-official"')
    assertContains(response, 'data-problem="reply-to"')
    assertContains(response, "help@cobalt-desk.example")


def test_links_are_listed_with_the_checkers_verdict(client, listed_key):
    KnownScamContact.objects.create(value="domain:cobalt-claim.example")
    html = (
        '<p>Click <a href="https://cobalt-claim.example/x">here</a></p>'
        "<script>alert(1)</script>"
    )
    message = EmailMessage("Hi", "See below", SENDER, ["a@example.com"])
    message.content_subtype = "html"
    message.body = html
    response = check(client, message.message().as_bytes())
    assertContains(response, 'data-verdict="known-scam"')
    assertContains(response, "https://cobalt-claim.example/x")
    assertNotContains(response, "<script>alert(1)")


def test_request_for_recovery_phrase_is_flagged(client, listed_key, site_pem):
    body = "Please verify your wallet: enter your recovery phrase at our page."
    response = check(client, signed(site_pem, body=body))
    assertContains(response, 'data-verdict="not-official"')
    assertContains(response, 'data-problem="asks"')


def test_email_holding_a_recovery_phrase_says_so(client, listed_key):
    response = check(client, unsigned(body=f"Your backup: {PHRASE_12}"))
    assertContains(response, 'data-problem="contains-secret"')


def test_oversized_source_is_refused_with_413(client, db):
    raw = unsigned(body="x" * (emailcheck.MAX_BYTES + 10))
    response = check(client, raw)
    assert response.status_code == 413
    assertContains(response, "1 MB", status_code=413)
    assert ContactLookup.objects.count() == 0


@pytest.mark.parametrize(
    "raw", [b"hello, is this real?", b"Subject: hi\n\nno sender", b"From: a, b\n\nx"]
)
def test_malformed_source_is_refused_with_400(client, db, raw):
    response = check(client, raw)
    assertContains(response, "From:", status_code=400)
    assertNotContains(response, "data-verdict", status_code=400)


def test_empty_form_is_refused_with_400(client, db):
    response = client.post(reverse("channels:verify_email"), {"email_source": ""})
    assertContains(response, ".eml", status_code=400)


def test_checked_email_is_counted_but_not_stored(client, listed_key, caplog):
    before = ContactLookup.objects.count()
    counted = services.email_check_record()
    check(client, unsigned(body="Call +86 400 000 0000, secret words here"))
    assert services.email_check_record() == counted + 2
    assert ContactLookup.objects.count() == before
    assert "secret words" not in caplog.text


def test_dkim_key_admin_refuses_a_bad_key(admin_client, db):
    response = admin_client.post(
        reverse("admin:channels_dkimkey_add"),
        {
            "domain": "x.example",
            "selector": "s",
            "public_key": "p=nope",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert DkimKey.objects.count() == 0


def test_email_check_queries_do_not_grow_with_the_email(
    listed_key, site_pem, django_assert_max_num_queries
):
    body = " ".join(f"https://host{i}.example/" for i in range(50))
    with django_assert_max_num_queries(8):
        report = selectors.email_check(raw=signed(site_pem, body=body))
    assert len(report.contacts) == 50


@hsettings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_parse_raises_only_malformed_email(raw):
    try:
        parsed = emailcheck.parse(b"From: a@b.example\n" + raw)
    except emailcheck.MalformedEmail:
        parsed = None
    assert parsed is None or parsed.from_address


@given(st.text(max_size=300))
def test_requests_in_never_raises(text):
    assert set(emailcheck.requests_in(text)) <= {"phrase", "key", "code", "payment"}


def test_requests_in_ignores_advice_and_finds_chinese_requests():
    assert emailcheck.requests_in("We will never ask for your recovery phrase.") == ()
    assert emailcheck.requests_in("请在页面中输入您的助记词以完成验证") == ("phrase",)
    assert emailcheck.requests_in("账户异常，请支付解冻费") == ("payment",)
    assert emailcheck.requests_in("Reply with the 2FA code you received") == ("code",)


# The site's own key, end to end ---------------------------------------------


@pytest.fixture
def site_signing(settings, site_pem):
    settings.HELPCENTER_DKIM_PRIVATE_KEY = site_pem.decode()
    settings.HELPCENTER_DKIM_DOMAIN = "cobaltwallet.example"
    settings.HELPCENTER_DKIM_SELECTOR = "hc"
    settings.DEFAULT_FROM_EMAIL = SENDER
    settings.HELPCENTER_DKIM_INNER_BACKEND = (
        "django.core.mail.backends.locmem.EmailBackend"
    )
    settings.EMAIL_BACKEND = "helpcenter.mail.DkimSigningBackend"


def test_ticket_email_verifies_as_official_end_to_end(
    client, db, site_signing, topics, django_capture_on_commit_callbacks
):
    from channels.tickets import services as ticket_services

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_create(
            topic=topics[Topic.Kind.GENERAL],
            email="a@example.com",
            subject="Subject",
            message="Message",
            language="en",
            submission_key="k" * 32,
        )
    assert len(mail.outbox) == 1
    raw = mail.outbox[0].message().as_bytes()
    assert raw.startswith(b"DKIM-Signature:")
    assertContains(check(client, raw), 'data-verdict="official"')
    body_start = raw.index(b"\n\n") + 2
    tampered = raw[:body_start] + raw[body_start:].replace(b"e", b"a", 1)
    assertContains(check(client, tampered), 'data-problem="body-changed"')
    forged = raw.replace(
        b"support@cobaltwallet.example", b"support@cobaltwallet.exampl"
    )
    assertContains(check(client, forged), 'data-verdict="not-official"')


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "It asks for your recovery phrase, a payment or a transfer."),
        ("zh-hans", "邮件索要您的助记词、付款或转账。"),
    ],
)
def test_request_sentence_keeps_each_languages_order_and_punctuation(
    language, expected
):
    from django.utils import translation

    from channels.templatetags.channels_tags import asks_sentence

    with translation.override(language):
        assert asks_sentence(["phrase", "payment"]) == expected
