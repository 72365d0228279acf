"""Deployment checks of staff sign-in (``manage.py check --deploy``)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError
from django.db.models import Q

from helpcenter.accounts.services import DEMO_PASSWORD
from helpcenter.accounts.signin import two_factor_required


@register(Tags.security, deploy=True)
def check_demo_password_changed(app_configs, **kwargs):
    """Error while any active staff account still accepts the demo password.

    Only staff can sign in anywhere on this site, so only their accounts are
    hashed: one password hash per staff account, no write (the hash is not
    upgraded), and the message names accounts, never the password.
    """
    users = get_user_model().objects.filter(
        Q(is_staff=True) | Q(is_superuser=True), is_active=True
    )
    try:
        accounts = list(users.values_list("username", "password"))
    except DatabaseError:
        return []  # not migrated yet: nothing can sign in
    weak = [
        name for name, encoded in accounts if check_password(DEMO_PASSWORD, encoded)
    ]
    if not weak:
        return []
    return [
        Error(
            "The demo staff password still works for: " + ", ".join(sorted(weak)),
            hint=(
                "Change it with `manage.py changepassword USERNAME`, or "
                "deactivate the account, before going live."
            ),
            id="accounts.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_two_factor_required(app_configs, **kwargs):
    """Warn when staff may sign in without a TOTP code."""
    if two_factor_required():
        return []
    return [
        Warning(
            "Two-factor sign-in is not required for the admin.",
            hint="Unset HELPCENTER_REQUIRE_2FA (or set it to 1) in production.",
            id="accounts.W001",
        )
    ]
