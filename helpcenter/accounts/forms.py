import time
import unicodedata
from binascii import unhexlify

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

TOKEN_WIDGET = forms.TextInput(
    attrs={
        "autocomplete": "one-time-code",
        "inputmode": "numeric",
        "pattern": "[0-9 ]*",
        "size": 8,
    }
)


def _normalise_token(value: str) -> str:
    # Full-width digits from a Chinese input method are the same code; any
    # other character makes the code wrong rather than a 500.
    token = "".join(unicodedata.normalize("NFKC", value).split())
    return token if token.isascii() and token.isdigit() else ""


class StaffLoginForm(AdminAuthenticationForm):
    """The admin login form, plus the code of the staff member's TOTP device.

    Staff with a confirmed device must give a valid code; a wrong code counts
    as a failed sign-in for django-axes, exactly like a wrong password, so
    codes cannot be guessed past the lockout.
    """

    otp_token = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=20,
        strip=True,
        help_text=_(
            "The 6-digit code your authenticator app shows. Leave it empty if "
            "you have not set up two-factor sign-in yet."
        ),
        widget=TOKEN_WIDGET,
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "token_required": _(
            "Your account uses two-factor sign-in: enter the 6-digit code "
            "from your authenticator app."
        ),
        "invalid_token": _(
            "That authentication code is not valid. Enter the code your "
            "authenticator app shows now."
        ),
    }

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
        if not devices:
            return cleaned_data
        token = _normalise_token(cleaned_data.get("otp_token", ""))
        if not cleaned_data.get("otp_token"):
            raise ValidationError(
                self.error_messages["token_required"], code="token_required"
            )
        for device in devices:
            if token and verify_token(user, device.persistent_id, token):
                user.otp_device = device  # django_otp keeps it in the session
                return cleaned_data
        user_login_failed.send(
            sender=__name__,
            credentials={"username": cleaned_data.get("username")},
            request=self.request,
        )
        raise ValidationError(
            self.error_messages["invalid_token"], code="invalid_token"
        )


class TwoFactorEnrolForm(forms.Form):
    """Confirms a new TOTP secret with a code the staff member's app made."""

    otp_token = forms.CharField(
        label=_("Code from the app"), max_length=20, widget=TOKEN_WIDGET
    )

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key
        self.verified_t: int | None = None

    def clean_otp_token(self):
        token = _normalise_token(self.cleaned_data["otp_token"])
        totp = TOTP(unhexlify(self.key))
        totp.time = time.time()
        # One step either way, as TOTPDevice allows, for a slow phone clock.
        if not token or not totp.verify(int(token), tolerance=1):
            raise ValidationError(
                _(
                    "That code does not match. Check that you scanned the code "
                    "on this page, then enter the 6 digits the app shows now."
                ),
                code="invalid_token",
            )
        self.verified_t = totp.t()
        return token
