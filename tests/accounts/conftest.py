import pytest
from django.urls import reverse

PASSWORD = "staff-password"


@pytest.fixture
def agent(django_user_model):
    """A staff member who is not a superuser (a support agent)."""
    return django_user_model.objects.create_user(
        username="agent", password=PASSWORD, is_staff=True
    )


@pytest.fixture
def production(settings):
    """Sign-in as in production: a TOTP code is required for the admin."""
    settings.HELPCENTER_REQUIRE_2FA = True
    return settings


def sign_in(
    client, username, password=PASSWORD, *, token="", ip="203.0.113.5", **extra
):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": token},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session
