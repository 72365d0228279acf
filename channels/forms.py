from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from channels import emailcheck, secrets, verify
from channels.platforms import HANDLE_PLATFORMS, Platform

single_line = RegexValidator(
    r"[\x00-\x1f\x7f]",
    inverse_match=True,
    message=_("Line breaks and control characters are not allowed."),
    code="control",
)


class ContactQueryField(forms.CharField):
    """What was pasted into the checker: control characters dropped, capped."""

    def to_python(self, value):
        # A pasted contact often carries a stray line break or NUL; they are
        # never part of a contact, so they are dropped rather than refused.
        text = verify.CONTROL.sub("", super().to_python(value))
        return text[: verify.MAX_INPUT].strip()


class VerifyForm(forms.Form):
    """The checker's query (GET): the contact, and where an account was seen."""

    q = ContactQueryField(label=_("Contact to check"), required=False)
    platform = forms.ChoiceField(
        label=_("Where did you see it?"),
        required=False,
        choices=[
            ("", _("Where did you see it? (for accounts)")),
            *[(value, Platform(value).label) for value in HANDLE_PLATFORMS],
        ],
        error_messages={"invalid_choice": _("Please choose one of the platforms.")},
    )


class ReportForm(forms.Form):
    contact = forms.CharField(
        label=_("The suspicious contact"),
        max_length=300,
        validators=[single_line],
        help_text=_("A phone number, e-mail address, website, handle or WeChat ID."),
    )
    description = forms.CharField(
        label=_("Where did you see it, and what did they ask for?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        # No colon after labels: an ASCII ":" looks wrong after Chinese.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        secrets.refuse_in_form(self, ("contact", "description"))
        return cleaned


class EmailCheckForm(forms.Form):
    """An e-mail's full source, pasted or uploaded as an .eml file."""

    email_source = forms.CharField(
        label=_("The e-mail's full source"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    eml = forms.FileField(label=_("Or upload the .eml file"), required=False)

    def clean(self):
        cleaned = super().clean()
        text, upload = cleaned.get("email_source") or "", cleaned.get("eml")
        if upload is not None and upload.size > emailcheck.MAX_BYTES:
            raise ValidationError(TOO_LARGE, code="too_large")
        raw = upload.read(emailcheck.MAX_BYTES + 1) if upload else b""
        if not raw.strip():
            raw = text.lstrip().encode("utf-8", "surrogateescape")
        if len(raw) > emailcheck.MAX_BYTES:
            raise ValidationError(TOO_LARGE, code="too_large")
        if not raw.strip():
            raise ValidationError(
                _("Paste the e-mail's full source, or choose its .eml file."),
                code="required",
            )
        cleaned["raw"] = raw
        return cleaned


TOO_LARGE = _(
    "This e-mail is larger than 1 MB. Save it without its attachments, or "
    "paste only its source text."
)
