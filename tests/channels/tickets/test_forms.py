import secrets

import base58
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from hypothesis import given, settings, strategies as st

from channels.tickets.forms import ContactForm
from channels.tickets.models import Topic
from tests.channels.conftest import (
    ERROR_FIELDS,
    FORM_SESSION_ID,
    LOGIN_FIELDS,
    SECURITY_FIELDS,
    TRANSFER_FIELDS,
    contact_data,
    image_bytes,
    started_token,
)
from tests.factories import make_article

Kind = Topic.Kind
SOLANA_SIGNATURE = base58.b58encode(bytes(range(1, 65))).decode()
FIELDS_FOR = {
    Kind.TRANSFER: TRANSFER_FIELDS,
    Kind.LOGIN: LOGIN_FIELDS,
    Kind.ERROR: ERROR_FIELDS,
    Kind.SECURITY: SECURITY_FIELDS,
    Kind.GENERAL: {},
}
REQUIRED = {
    Kind.TRANSFER: {"network", "asset", "occurred_at"},
    Kind.LOGIN: {"account", "device", "os"},
    Kind.ERROR: {"app_version", "device", "os"},
    Kind.SECURITY: {"occurred_at"},
    Kind.GENERAL: set(),
}


def form_for(data, files=None):
    return ContactForm(data, MultiValueDict(files or {}))


def error_codes(form, field="__all__"):
    return [error.code for error in form.errors.as_data().get(field, [])]


@pytest.mark.parametrize("kind", Kind.values)
def test_each_category_accepts_its_fields(topics, kind):
    form = form_for(contact_data(topics[kind], **FIELDS_FOR[kind]))
    assert form.is_valid(), form.errors
    details = form.ticket_arguments()["details"]
    assert set(details) == set(FIELDS_FOR[kind]) | (
        {"network", "tx_hash", "address", "asset", "amount", "occurred_at"}
        if kind == Kind.TRANSFER
        else set(details)
    )


@pytest.mark.parametrize("kind", Kind.values)
def test_each_category_requires_its_fields(topics, kind):
    form = form_for(contact_data(topics[kind]))
    assert form.is_valid() is (not REQUIRED[kind])
    assert {name for name, errors in form.errors.items()} == REQUIRED[kind]


def test_fields_of_other_categories_are_ignored(topics):
    data = contact_data(topics[Kind.GENERAL], tx_hash="nonsense", network="forged")
    form = form_for(data)
    assert form.is_valid(), form.errors
    assert form.ticket_arguments()["details"] == {}


@pytest.mark.parametrize(
    "network, tx_hash, valid",
    [
        ("ethereum", "0x" + "ab" * 32, True),
        ("ethereum", "ab" * 32, False),
        ("bsc", "0x" + "AB" * 32, True),
        ("bitcoin", "ab" * 32, True),
        ("bitcoin", "0x" + "ab" * 32, False),
        ("tron", "cd" * 32, True),
        ("tron", "cd" * 31, False),
        ("solana", "5" * 60, False),
        ("solana", SOLANA_SIGNATURE, True),
        ("other", "zz-not-valid!", False),
    ],
)
def test_transaction_hash_is_validated_for_its_network(topics, network, tx_hash, valid):
    fields = {**TRANSFER_FIELDS, "network": network, "tx_hash": tx_hash}
    form = form_for(contact_data(topics[Kind.TRANSFER], **fields))
    assert form.is_valid() is valid
    assert error_codes(form, "tx_hash") == ([] if valid else ["tx_hash"])


def test_transaction_hash_is_stored_in_lower_case(topics):
    fields = {**TRANSFER_FIELDS, "tx_hash": "0x" + "AB" * 32}
    form = form_for(contact_data(topics[Kind.TRANSFER], **fields))
    assert form.is_valid() and form.cleaned_data["tx_hash"] == "0x" + "ab" * 32


def test_forged_network_is_refused(topics):
    fields = {**TRANSFER_FIELDS, "network": "dogechain"}
    form = form_for(contact_data(topics[Kind.TRANSFER], **fields))
    assert error_codes(form, "network") == ["invalid_choice"]


def test_unknown_category_is_refused(topics):
    form = form_for(contact_data(topics[Kind.GENERAL], category="no-such-topic"))
    assert error_codes(form, "category") == ["invalid_choice"]


def test_inactive_category_is_refused_and_the_topic_is_a_copy(topics):
    topic = topics[Kind.GENERAL]
    Topic.objects.filter(pk=topics[Kind.LOGIN].pk).update(is_active=False)
    inactive = form_for(contact_data(topics[Kind.LOGIN]))
    given = form_for(contact_data(topic, category=topic))
    again = form_for(contact_data(topic))
    assert error_codes(inactive, "category") == ["invalid_choice"]
    assert given.is_valid() and again.is_valid()
    assert given.cleaned_data["category"] == again.cleaned_data["category"] == topic
    assert given.cleaned_data["category"] is not again.cleaned_data["category"]


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("email", "not-an-email", "invalid"),
        ("email", "a@example.com\r\nBcc: victim@example.com", "invalid"),
        ("subject", "Hello\r\nBcc: victim@example.com", "control"),
        ("subject", "x" * 201, "max_length"),
        ("message", "x" * 5001, "max_length"),
        ("message", "hello\x00world", "null_characters_not_allowed"),
        ("name", "Li\nLei", "control"),
    ],
)
def test_bad_input_is_a_field_error(topics, field, value, code):
    form = form_for(contact_data(topics[Kind.GENERAL], **{field: value}))
    assert code in error_codes(form, field)


def test_future_time_is_refused(topics):
    fields = {**SECURITY_FIELDS, "occurred_at": "2999-01-01T00:00"}
    form = form_for(contact_data(topics[Kind.SECURITY], **fields))
    assert error_codes(form, "occurred_at") == ["future"]


def test_recovery_phrase_is_refused_and_blanked(topics):
    words = "abandon " * 11 + "about"
    form = form_for(contact_data(topics[Kind.GENERAL], message=f"my phrase: {words}"))
    assert error_codes(form) == ["secret"]
    assert form["message"].value() == ""


def test_transaction_hash_in_message_asks_to_confirm(topics):
    message = "The transaction " + "ab" * 32 + " is missing."
    form = form_for(contact_data(topics[Kind.GENERAL], message=message))
    assert error_codes(form) == ["confirm_secret"] and form.show_confirm


def test_confirmed_transaction_hash_in_message_is_accepted(topics):
    message = "The transaction " + "ab" * 32 + " is missing."
    data = contact_data(topics[Kind.GENERAL], message=message, confirm_no_secret="on")
    assert form_for(data).is_valid()


def test_hash_in_transaction_field_needs_no_confirmation(topics):
    form = form_for(contact_data(topics[Kind.TRANSFER], **TRANSFER_FIELDS))
    assert form.is_valid(), form.errors


def test_article_slug_resolves_to_published_article(topics):
    article = make_article(
        category=topics[Kind.TRANSFER].category, slug="stuck-transfer"
    )
    form = form_for(contact_data(topics[Kind.GENERAL], article="stuck-transfer"))
    assert form.is_valid() and form.cleaned_data["article"] == article


def test_unknown_article_slug_is_dropped(topics):
    form = form_for(contact_data(topics[Kind.GENERAL], article="gone"))
    assert form.is_valid() and form.cleaned_data["article"] is None


def test_more_than_three_screenshots_are_refused(topics):
    files = [
        SimpleUploadedFile(f"{n}.png", image_bytes(), "image/png") for n in range(4)
    ]
    form = form_for(contact_data(topics[Kind.GENERAL]), {"attachments": files})
    assert error_codes(form, "attachments") == ["too_many_files"]


@pytest.mark.parametrize(
    ("name", "code"), [("a.svg", "bad_name"), ("a.png", "not_an_image")]
)
def test_svg_screenshot_is_refused(topics, name, code):
    svg = SimpleUploadedFile(
        name, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"
    )
    form = form_for(contact_data(topics[Kind.GENERAL]), {"attachments": [svg]})
    assert error_codes(form, "attachments") == [code]


@pytest.mark.parametrize(
    "overrides, started_ago, expected",
    [
        ({}, 30, None),
        ({"website": "http://spam.test"}, 30, "honeypot"),
        ({}, 0, "too_fast"),
        ({}, 2 * 24 * 3600, "expired"),
        ({"started": "forged"}, None, "expired"),
        ({"submission_key": "1"}, 30, "expired"),
    ],
)
def test_spam_checks(topics, overrides, started_ago, expected):
    data = contact_data(topics[Kind.GENERAL], **overrides)
    if started_ago is not None:
        data["started"] = started_token(data, started_ago)
    error = form_for(data).spam_error(session_id=FORM_SESSION_ID)
    assert (error.code if error else None) == expected


def test_time_trap_token_is_tied_to_session_and_submission_key(topics):
    data = contact_data(topics[Kind.GENERAL])
    other_key = {**data, "submission_key": secrets.token_hex(16)}
    assert form_for(data).spam_error(session_id=FORM_SESSION_ID) is None
    assert form_for(data).spam_error(session_id="another-session").code == "expired"
    assert form_for(data).spam_error(session_id="").code == "expired"
    assert form_for(other_key).spam_error(session_id=FORM_SESSION_ID).code == (
        "expired"
    )


@given(token=st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_time_trap_never_accepts_arbitrary_text(token):
    data = {"submission_key": "ab" * 16, "started": token, "website": ""}
    error = ContactForm(data).spam_error(session_id=FORM_SESSION_ID)
    assert error is not None and error.code == "expired"


@pytest.mark.parametrize(
    "address, code",
    [
        ("victim@localhost", "localhost"),
        ("victim@LocalHost.", "localhost"),
        ("victim@mail.localhost", "localhost"),
        ("victim@[127.0.0.1]", "ip_address"),
        ("victim@127.0.0.1", "ip_address"),
        ("victim@[IPv6:::1]", "ip_address"),
        ("victim@2130706433", "ip_address"),
        ("victim@0x7f.1", "ip_address"),
        ("victim@intranet", "no_dot"),
        ("victim@support", "no_dot"),
        ("anyone@cobaltwallet.example", "own_domain"),
        ("anyone@COBALTWALLET.EXAMPLE", "own_domain"),
        ("anyone@mail.cobaltwallet.example", "own_domain"),
        ("anyone@ｃｏｂａｌｔｗａｌｌｅｔ.example", "own_domain"),
        ("noreply@helpdesk.example", "own_domain"),
    ],
)
def test_email_that_cannot_or_must_not_get_our_reply_is_refused(
    topics, official_channels, settings, address, code
):
    settings.DEFAULT_FROM_EMAIL = "Cobalt Support <noreply@helpdesk.example>"
    form = form_for(contact_data(topics[Kind.GENERAL], email=address))
    assert error_codes(form, "email") == [code]
    assert str(form.errors["email"][0]) != "Enter a valid email address."


@pytest.mark.parametrize(
    "address",
    [
        "li.lei@example.com",
        "13812345678@163.com",
        "user@例子.测试",
        "user@1.2.3.4.nip.io",
        "someone@qq.com",
    ],
)
def test_ordinary_email_addresses_are_accepted(
    topics, official_channels, settings, address
):
    # A help center sending from a webmail provider owns only its address.
    settings.DEFAULT_FROM_EMAIL = "helpdesk@qq.com"
    form = form_for(contact_data(topics[Kind.GENERAL], email=address))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == address


def test_own_address_at_a_webmail_provider_is_refused(topics, settings):
    settings.DEFAULT_FROM_EMAIL = "Helpdesk <HelpDesk@qq.com>"
    form = form_for(contact_data(topics[Kind.GENERAL], email="helpdesk@QQ.com"))
    assert error_codes(form, "email") == ["own_domain"]


def test_email_refusal_messages_are_translated(topics):
    with translation.override("zh-hans"):
        form = form_for(contact_data(topics[Kind.GENERAL], email="victim@localhost"))
        assert "localhost" in form.errors["email"][0]
        assert "邮箱地址" in form.errors["email"][0]
