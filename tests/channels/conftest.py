import io
import secrets
import time

import pytest
from django.conf import settings
from PIL import Image

from channels.models import SupportChannel
from channels.tickets.forms import sign_started
from channels.tickets.models import Topic
from tests.factories import make_category, make_topic

Kind = Topic.Kind
TX_HASH = "0x" + "ab" * 32
# The contact form's time trap is tied to the browser's CSRF secret (its
# CSRF cookie); the test client gets this one so that contact_data() can
# sign its tokens. A CSRF secret is 32 letters and digits.
FORM_SESSION_ID = "TestContactFormBrowserSecret0001"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _contact_form_session(request):
    names = request.fixturenames
    if "client" not in names or not {"db", "transactional_db"} & set(names):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    client = request.getfixturevalue("client")
    client.cookies[settings.CSRF_COOKIE_NAME] = FORM_SESSION_ID


def started_token(data: dict, seconds_ago: float = 30) -> str:
    """A time-trap token for the form data ``data``, shown ``seconds_ago``."""
    return sign_started(
        submission_key=data["submission_key"],
        session_id=FORM_SESSION_ID,
        moment=time.time() - seconds_ago,
    )


@pytest.fixture
def topics(db):
    """One topic per kind, keyed by kind, each in a category of its own."""
    return {
        kind: make_topic(
            slug=f"topic-{kind}", kind=kind, category=make_category(slug=kind)
        )
        for kind in Kind.values
    }


@pytest.fixture
def official_channels(db):
    web_form = SupportChannel.objects.create(
        slug="web-form",
        kind=SupportChannel.Kind.WEB_FORM,
        name_zh_hans="帮助中心表单",
        name_en="Request form",
        address="https://cobaltwallet.example/support/request",
    )
    email = SupportChannel.objects.create(
        slug="email",
        kind=SupportChannel.Kind.EMAIL,
        name_zh_hans="电子邮件",
        name_en="E-mail",
        address="support@cobaltwallet.example",
    )
    social = SupportChannel.objects.create(
        slug="social",
        kind=SupportChannel.Kind.SOCIAL,
        name_zh_hans="社交媒体",
        name_en="Social media",
        address="@CobaltWallet",
    )
    for channel, platform, value in [
        (web_form, "web", "https://cobaltwallet.example/support/request"),
        (email, "email", "support@cobaltwallet.example"),
        (social, "x", "@CobaltWallet"),
    ]:
        channel.official_identifiers.create(platform=platform, value=value)
    phone = SupportChannel.objects.create(
        slug="phone",
        kind=SupportChannel.Kind.PHONE,
        name_zh_hans="电话客服",
        name_en="Phone hotline",
        description_en="We have no phone hotline.",
        is_official=False,
        is_offered=False,
    )
    return {"web_form": web_form, "email": email, "social": social, "phone": phone}


def image_bytes(fmt="PNG", size=(40, 30), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def contact_data(topic, **overrides) -> dict:
    """A valid contact-form POST for ``topic`` (no extra fields)."""
    data = {
        "category": topic.slug,
        "name": "Li Lei",
        "email": "li.lei@example.com",
        "subject": "Question about my wallet",
        "message": "I cannot find the export button in settings.",
        "submission_key": secrets.token_hex(16),
        "website": "",
    }
    data.update(overrides)
    data.setdefault("started", started_token(data))
    return data


TRANSFER_FIELDS = {
    "network": "ethereum",
    "tx_hash": TX_HASH,
    "address": "0x" + "12" * 20,
    "asset": "USDT",
    "amount": "25.5",
    "occurred_at": "2026-11-29T10:30",
}
LOGIN_FIELDS = {
    "account": "li.lei@example.com",
    "app_version": "3.2.1",
    "device": "Pixel 8",
    "os": "Android 15",
}
ERROR_FIELDS = {"app_version": "3.2.1", "device": "iPhone 15", "os": "iOS 18.1"}
SECURITY_FIELDS = {"occurred_at": "2026-11-29T08:00"}
