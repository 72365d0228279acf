import re
import time

import base58
from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels import addresses, secrets, uploads, verify
from channels.forms import single_line
from channels.tickets import selectors
from channels.tickets.models import Ticket, Topic
from channels.tickets.topics import (
    EXTRA_FIELDS_IN_ORDER,
    fields_for,
    kinds_asking_for,
    required_for,
)

MIN_FILL_SECONDS = 3
MAX_FORM_AGE = 24 * 3600
STARTED_SALT = "channels.contact.started"
PARENT_SALT = "channels.contact.parent"
# A "new request about this" link is made by the status page on each visit.
PARENT_MAX_AGE = 7 * 24 * 3600

# Every field a person types into, in the order the form shows them: the
# secret scan reads them joined in this order.
FREE_TEXT_FIELDS = ("name", "subject", "message", "tx_hash", "address", "asset")
FREE_TEXT_FIELDS += ("account", "app_version", "device", "os")

NETWORKS = [
    ("bitcoin", "Bitcoin"),
    ("ethereum", "Ethereum (ERC-20)"),
    ("bsc", "BNB Smart Chain (BEP-20)"),
    ("polygon", "Polygon"),
    ("arbitrum", "Arbitrum One"),
    ("tron", "TRON (TRC-20)"),
    ("solana", "Solana"),
    ("other", _("Other")),
]
EVM_HASH = re.compile(r"0x[0-9a-f]{64}")
HASH_FORMATS = {
    "bitcoin": re.compile(r"[0-9a-f]{64}"),
    "tron": re.compile(r"[0-9a-f]{64}"),
    "other": re.compile(r"(?:0x)?[0-9a-z]{16,128}"),
    **{name: EVM_HASH for name in ("ethereum", "bsc", "polygon", "arbitrum")},
}
HASH_EXAMPLES = {
    "bitcoin": _("64 hexadecimal characters, without 0x"),
    "tron": _("64 hexadecimal characters, without 0x"),
    "solana": _("a base58 signature of 87 or 88 characters"),
    "other": _("16 to 128 letters and digits"),
}
SOLANA_SIGNATURE_BYTES = 64
SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")
# Hosts made of numbers and dots (127.0.0.1, 2130706433, 0x7f.1) are IP
# addresses to a resolver, whatever their spelling; a colon means IPv6.
IP_LIKE = re.compile(
    r"(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+))*|[0-9a-f:.]*:[0-9a-f:.]*"
)


def sign_started(
    *, submission_key: str, session_id: str, moment: float | None = None
) -> str:
    """Return the signed time the form was shown (used to spot bots).

    The signature covers the browser's id (``session_id``: its CSRF secret,
    see ``views._form_browser_id``) and the form's submission
    key, so a token works only in the browser it was given to and for one
    request: the key makes at most one ticket, and a token replayed with
    another key fails the signature.
    """
    return signing.dumps(
        int(moment if moment is not None else time.time()),
        salt=_started_salt(submission_key, session_id),
    )


def check_mail_domain(domain: str, *, address: str) -> None:
    """Raise ValidationError when ``domain`` is not where a reply can go."""
    host = domain.strip().rstrip(".").casefold()
    if host.startswith("[") or IP_LIKE.fullmatch(host):
        raise ValidationError(
            _(
                "Please use an address on a domain name (such as example.com), "
                "not on an IP address."
            ),
            code="ip_address",
        )
    if host == "localhost" or host.endswith(".localhost"):
        raise ValidationError(
            _(
                "Addresses on localhost only exist on one computer and cannot "
                "receive our reply. Please enter your own e-mail address."
            ),
            code="localhost",
        )
    if "." not in host:
        raise ValidationError(
            _(
                "The part after @ must be a full domain with a dot, such as "
                "example.com or qq.com. Please check your address."
            ),
            code="no_dot",
        )
    key = selectors.mail_domain_key(domain)
    own = selectors.own_mail_domains()
    local = address.rpartition("@")[0].lower()
    if (
        f"{local}@{key}" in own
        or key in own
        or any(key.endswith("." + item) for item in own if "@" not in item)
    ):
        raise ValidationError(
            _(
                "This is one of our own addresses. Please enter your own e-mail "
                "address: our reply goes there."
            ),
            code="own_domain",
        )


def _started_salt(submission_key: str, session_id: str) -> str:
    return f"{STARTED_SALT}:{session_id}:{submission_key}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """A repeatable file field that returns re-encoded screenshots."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data or []) if item]
        if not isinstance(data, (list, tuple)):
            files = [data] if data else []
        if len(files) > uploads.MAX_FILES:
            raise ValidationError(
                _("Please attach at most 3 screenshots."), code="too_many_files"
            )
        return [uploads.screenshot_from_upload(upload) for upload in files]


class AddressField(forms.EmailField):
    # The syntax is checked in ContactForm.clean_email, after the checks
    # that explain why an address is refused.
    default_validators = []


class TopicChoiceField(forms.ModelChoiceField):
    """The active topics, offered from the queryset; a posted slug is looked
    up in ``selectors.topic_get_active`` (no query on most requests)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        if isinstance(value, Topic):
            value = value.slug
        topic = selectors.topic_get_active(slug=str(value))
        if topic is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return topic


class ContactForm(forms.Form):
    category = TopicChoiceField(
        label=_("What is it about?"),
        queryset=Topic.objects.active(),
        to_field_name="slug",
        empty_label=_("Choose a topic"),
        error_messages={"invalid_choice": _("Please choose one of the listed topics.")},
    )
    name = forms.CharField(
        label=_("Your name"), max_length=100, required=False, validators=[single_line]
    )
    email = AddressField(label=_("Your e-mail address"), max_length=254)
    subject = forms.CharField(
        label=_("Subject"), max_length=200, validators=[single_line]
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what you expected, and the steps you took."),
    )
    attachments = MultipleImageField(
        label=_("Screenshots"),
        required=False,
        help_text=_("Up to 3 PNG, JPEG or WebP images, 5 MB each."),
    )
    network = forms.ChoiceField(
        label=_("Network"),
        choices=[("", "—"), *NETWORKS],
        required=False,
        # Django's default message repeats the posted value.
        error_messages={
            "invalid_choice": _("Please choose one of the listed options.")
        },
    )
    tx_hash = forms.CharField(
        label=_("Transaction hash"),
        max_length=128,
        required=False,
        validators=[single_line],
    )
    address = forms.CharField(
        label=_("Address"), max_length=128, required=False, validators=[single_line]
    )
    asset = forms.CharField(
        label=_("Asset"),
        max_length=20,
        required=False,
        validators=[single_line],
        help_text=_("e.g. USDT, ETH, BTC"),
    )
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=38, decimal_places=18, min_value=0, required=False
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    account = forms.CharField(
        label=_("Account e-mail or phone number"),
        max_length=254,
        required=False,
        validators=[single_line],
    )
    app_version = forms.CharField(
        label=_("App version"), max_length=40, required=False, validators=[single_line]
    )
    device = forms.CharField(
        label=_("Device"), max_length=100, required=False, validators=[single_line]
    )
    os = forms.CharField(
        label=_("Operating system"),
        max_length=100,
        required=False,
        validators=[single_line],
    )
    article = forms.SlugField(max_length=200, required=False, widget=forms.HiddenInput)
    # Signed by the status page (see sign_parent): a bare reference would let
    # anyone attach a request to someone else's.
    parent = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)
    confirm_no_secret = forms.BooleanField(
        label=_(
            "I confirm this is not a recovery phrase or private key "
            "(for example, it is a transaction hash)."
        ),
        required=False,
    )
    # Anti-spam fields: a honeypot that people never see, the signed time
    # the form was shown, and a key that makes a retried POST idempotent.
    website = forms.CharField(required=False, max_length=200)
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    submission_key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        # No colon after labels: an ASCII ":" looks wrong after Chinese.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def spam_error(self, *, session_id: str) -> ValidationError | None:
        """Return why the submission looks automated, or None.

        Codes: ``honeypot``, ``expired`` (missing, forged, day-old form, or
        one shown to another browser) and ``too_fast``. Checked by the view
        before validation, so a bot gets a 400 and no hint about the other
        fields. ``session_id`` is the value ``sign_started`` was given.
        """
        if self.data.get("website"):
            return ValidationError(
                _("This request could not be accepted."), code="honeypot"
            )
        expired = ValidationError(
            _("The form has expired. Please check your request and send it again."),
            code="expired",
        )
        key = self.data.get("submission_key", "")
        if not session_id or not SUBMISSION_KEY.fullmatch(key):
            return expired
        try:
            started = signing.loads(
                self.data.get("started", ""),
                salt=_started_salt(key, session_id),
                max_age=MAX_FORM_AGE,
            )
        except signing.BadSignature:
            return expired
        age = time.time() - started
        if age > MAX_FORM_AGE:
            return expired
        if age < MIN_FILL_SECONDS:
            return ValidationError(
                _("That was too fast. Please check your request and send it again."),
                code="too_fast",
            )
        return None

    def refill_initial(self) -> dict:
        """Return what the user typed, to show again after a refused attempt.

        Files cannot be put back into a file input, the honeypot is left
        empty (a browser may have auto-filled it) and a field holding a
        recovery phrase or key is not echoed.
        """
        initial = {}
        for name in self.fields:
            value = self.data.get(name, "")
            if name in ("attachments", "website", "started") or not value:
                continue
            if secrets.must_refuse(secrets.scan(value)):
                continue
            initial[name] = value
        if not SUBMISSION_KEY.fullmatch(initial.get("submission_key", "")):
            initial.pop("submission_key", None)
        return initial

    def clean_email(self):
        """Refuse addresses our reply cannot or must not go to.

        Codes: ``ip_address``, ``localhost``, ``no_dot``, ``own_domain``
        (checked before the syntax, so each gets its own sentence), then
        Django's ``invalid``.
        """
        value = self.cleaned_data["email"].strip()
        local, _at, domain = value.rpartition("@")
        if local and domain:
            check_mail_domain(domain, address=value)
        validate_email(value)
        return value

    def clean_article(self):
        slug = self.cleaned_data["article"]
        if not slug:
            return None
        # An unknown or unpublished slug is dropped rather than refused: the
        # user cannot fix a stale link.
        return selectors.article_for_contact(slug=slug)

    def clean_parent(self):
        reference = parent_reference(self.cleaned_data["parent"])
        if not reference:
            # Dropped rather than refused, as a stale article link is.
            return None
        return Ticket.objects.filter(reference=reference).first()

    def clean_tx_hash(self):
        return self.cleaned_data["tx_hash"].strip()

    def clean_occurred_at(self):
        moment = self.cleaned_data["occurred_at"]
        if moment and moment > timezone.now() + timezone.timedelta(hours=1):
            raise ValidationError(_("This time is in the future."), code="future")
        return moment

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        if category is None:
            return cleaned
        wanted = fields_for(category.kind)
        for name in EXTRA_FIELDS_IN_ORDER:
            if name not in wanted:
                cleaned[name] = None if name in ("amount", "occurred_at") else ""
                self.errors.pop(name, None)
        for name in required_for(category.kind):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(
                    name,
                    ValidationError(
                        _("This field is required for this topic."), code="required"
                    ),
                )
        self._check_secrets(cleaned, wanted)
        if cleaned.get("tx_hash"):
            self._check_tx_hash(cleaned)
        return cleaned

    def _check_tx_hash(self, cleaned):
        network, value = cleaned.get("network"), cleaned["tx_hash"]
        if "network" in self.errors:
            return
        if not network:
            self.add_error(
                "network",
                ValidationError(
                    _("Choose the network of this transaction."), code="required"
                ),
            )
            return
        if network == "solana":
            try:
                valid = len(base58.b58decode(value)) == SOLANA_SIGNATURE_BYTES
            except ValueError:
                valid = False
        else:
            value = value.lower()
            valid = bool(HASH_FORMATS[network].fullmatch(value))
        if not valid:
            example = HASH_EXAMPLES.get(
                network, _("0x followed by 64 hexadecimal characters")
            )
            self.add_error(
                "tx_hash",
                ValidationError(
                    _(
                        "This is not a valid transaction hash for the chosen "
                        "network (expected %(example)s)."
                    ),
                    code="tx_hash",
                    params={"example": example},
                ),
            )
        else:
            cleaned["tx_hash"] = value

    def _check_secrets(self, cleaned, wanted):
        # The raw submitted text, not cleaned_data: a field that failed
        # validation (or that this topic hides) is shown back all the same,
        # and tx_hash is lowercased once validated, which breaks WIF checksums.
        result = secrets.scan_fields(
            [(name, self.data.get(name)) for name in FREE_TEXT_FIELDS],
            hash_fields=("tx_hash",),
        )
        if result.refused:
            self._drop(result.fields)
            raise ValidationError(
                _(
                    "Your request seems to contain a recovery phrase or a private "
                    "key, so it was not sent and the text was removed. Support "
                    "never needs them: anyone who has them controls your wallet. "
                    "If you have shared them anywhere, move your assets to a "
                    "new wallet now. Please describe your problem without them."
                ),
                code="secret",
            )
        if result and not cleaned.get("confirm_no_secret"):
            self.show_confirm = True
            raise ValidationError(
                _(
                    "Part of your request looks like a private key or a recovery "
                    "phrase. If it is a transaction hash or ordinary text, tick the "
                    "box below and send again. If it is a "
                    "key or phrase, remove it: support never needs it."
                ),
                code="confirm_secret",
            )

    def _drop(self, names):
        """Blank fields so a refused secret is not shown back in the form."""
        self.data = self.data.copy()
        for name in names:
            self.data[name] = ""
            self.cleaned_data.pop(name, None)

    show_confirm = False

    def ticket_arguments(self) -> dict:
        """Return the keyword arguments for ``services.ticket_create``.

        The field keeps the name ``category`` (the API's name too); its value
        is a topic.
        """
        data = self.cleaned_data
        topic = data["category"]
        return {
            "topic": topic,
            "email": data["email"],
            "subject": data["subject"],
            "message": data["message"],
            "name": data["name"],
            "article": data["article"],
            "submission_key": data["submission_key"],
            "details": {name: data[name] for name in fields_for(topic.kind)},
            "screenshots": data["attachments"],
            "parent": data["parent"],
        }


def sign_parent(*, ticket: Ticket) -> str:
    """Return the contact form's ``parent`` value for a follow-up of ``ticket``.

    Only the status page (opened with the ticket's secret link) hands it
    out, so holding one proves the right to link a new request to it.
    """
    return signing.dumps(
        {"reference": ticket.reference, "topic": ticket.topic.slug}, salt=PARENT_SALT
    )


def parent_payload(value: str) -> dict:
    """Return ``{"reference", "topic"}`` from a ``sign_parent`` value, or {}.

    {} for anything forged, malformed or older than ``PARENT_MAX_AGE``. No
    query.
    """
    if not value:
        return {}
    try:
        payload = signing.loads(value, salt=PARENT_SALT, max_age=PARENT_MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(payload, dict) or not isinstance(payload.get("reference"), str):
        return {}
    return {"reference": payload["reference"], "topic": str(payload.get("topic", ""))}


def parent_reference(value: str) -> str:
    """Return the reference a signed ``parent`` value names, or ""."""
    return parent_payload(value).get("reference", "")


class ReplyForm(forms.Form):
    """The requester's answer on the status page."""

    message = forms.CharField(
        label=_("Your reply"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = MultipleImageField(
        label=_("Screenshots"),
        required=False,
        help_text=_("Up to 3 PNG, JPEG or WebP images, 5 MB each."),
    )
    submission_key = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form has expired. Please send your reply again."),
            "invalid": _("The form has expired. Please send your reply again."),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        # Same detector as the contact form; without its "it is a hash" box,
        # a bare key-shaped value is refused with a hint to label it.
        secrets.refuse_in_form(self, ("message",))
        return cleaned


RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating (1 = poor, 5 = excellent)"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("Choose a rating from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        secrets.refuse_in_form(self, ("comment",))
        return cleaned


PHRASE_MIN = 3
PHRASE_MAX = 40


class PhraseForm(forms.Form):
    """The requester's anti-phishing phrase, set on the status page.

    Our e-mails repeat it in our name, to an address anyone may have typed
    into the contact form: so it must not carry a secret, nor anything a
    scammer could relay (a link, a phone number, an e-mail address, a
    handle or a crypto address).
    """

    phrase = forms.CharField(
        label=_("Your anti-phishing phrase"),
        min_length=PHRASE_MIN,
        max_length=PHRASE_MAX,
        validators=[single_line],
        help_text=_(
            "3 to 40 characters of your own choosing, for example a short "
            "sentence only you would think of. No links, phone numbers, "
            "addresses or passwords."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        secrets.refuse_in_form(self, ("phrase",))
        phrase = cleaned.get("phrase", "")
        if phrase and (
            verify.find_contacts(phrase) or addresses.find_addresses(phrase)
        ):
            self.add_error(
                "phrase",
                forms.ValidationError(
                    _(
                        "Leave out links, phone numbers, e-mail addresses, "
                        "accounts and wallet addresses: the phrase is repeated "
                        "in our e-mails."
                    ),
                    code="contact",
                ),
            )
        return cleaned


REFERENCE_SHAPE = re.compile(r"CW-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


class TicketLookupForm(forms.Form):
    """Reference and e-mail of a request whose status link was lost."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        help_text=_("It looks like CW-7K3M-9QX2 and is in your confirmation e-mail."),
    )
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_reference(self):
        """Read a reference as people type it: any case, spaces, with or
        without dashes, O for 0 and I or L for 1 (code ``reference``)."""
        chars = "".join(self.cleaned_data["reference"].split()).replace("-", "")
        chars = chars.upper()
        if chars.startswith("CW"):
            chars = chars[2:]
        chars = chars.translate(str.maketrans("OIL", "011"))
        value = f"CW-{chars[:4]}-{chars[4:]}"
        if not REFERENCE_SHAPE.fullmatch(value):
            raise ValidationError(
                _("This is not a request reference. It looks like CW-7K3M-9QX2."),
                code="reference",
            )
        return value


def extra_fields_with_kinds(form: ContactForm) -> list[tuple]:
    """Return ``(bound field, "kind kind")`` for each category-specific field.

    The template shows every field (so the form works without JavaScript)
    and contact.js hides those the chosen category does not use.
    """
    return [
        (form[name], " ".join(kinds_asking_for(name))) for name in EXTRA_FIELDS_IN_ORDER
    ]
