import secrets

import base58
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.tickets.models import Topic
from channels.forms import ReportForm
from channels.tickets.forms import ContactForm
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


def error_codes(form, field="__all__"):
    return [error.code for error in form.errors.as_data().get(field, [])]


def test_report_with_secret_is_refused():
    form = ReportForm(
        {"contact": "+86 400 000 0000", "description": "abandon " * 11 + "about"}
    )
    assert error_codes(form) == ["secret"] and form["description"].value() == ""
