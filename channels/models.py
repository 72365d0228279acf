import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _, pgettext
from simple_history.models import HistoricalRecords

from channels import verify
from channels.dkimkeys import dkim_record
from channels.platforms import Platform
from helpcenter.i18n import localized


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone."), code="time_zone")


DAY_NAMES = {
    1: _("Mon"),
    2: _("Tue"),
    3: _("Wed"),
    4: _("Thu"),
    5: _("Fri"),
    6: _("Sat"),
    7: _("Sun"),
}


def weekdays_text(days: str) -> str:
    """Return ISO weekday digits as runs in the active language.

    "12345" is "Mon–Fri" (周一至周五), "1234567" every day, "1357" a list;
    two days in a row are listed, three or more become a range.
    """
    numbers = sorted({int(day) for day in days})
    if len(numbers) == 7:
        return gettext("every day")
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(
                gettext("%(first)s–%(last)s")
                % {"first": DAY_NAMES[run[0]], "last": DAY_NAMES[run[-1]]}
            )
        else:
            parts.extend(str(DAY_NAMES[number]) for number in run)
    return pgettext("list separator", ", ").join(parts)


def validate_weekdays(value: str) -> None:
    if any(day not in "1234567" for day in value) or len(set(value)) != len(value):
        raise ValidationError(
            _("Use the digits 1 (Monday) to 7 (Sunday), each at most once."),
            code="weekdays",
        )


class SupportChannelQuerySet(models.QuerySet):
    def offered(self):
        return self.filter(is_offered=True)

    def not_offered(self):
        return self.filter(is_offered=False)


class SupportChannel(models.Model):
    class Kind(models.TextChoices):
        IN_APP = "in_app", _("In-app support")
        LIVE_CHAT = "live_chat", _("Live chat")
        EMAIL = "email", _("E-mail")
        WEB_FORM = "web_form", _("Web form")
        WECHAT = "wechat", _("WeChat official account")
        SOCIAL = "social", _("Social media account")
        FORUM = "forum", _("Community forum")
        PHONE = "phone", _("Phone")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    description_zh_hans = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    address = models.CharField(
        _("address"),
        max_length=200,
        blank=True,
        help_text=_(
            "What users type or click, shown on the channels page. The checker "
            "does not read it: list what it should recognise as official under "
            "Official identifiers."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Shanghai",
        validators=[validate_time_zone],
    )
    open_days = models.CharField(
        _("open days"),
        max_length=7,
        default="1234567",
        blank=True,
        validators=[validate_weekdays],
        help_text=_("Digits 1 (Monday) to 7 (Sunday), e.g. 12345 for weekdays."),
    )
    opens_at = models.TimeField(
        _("opens at"),
        null=True,
        blank=True,
        help_text=_("Leave both times empty for a channel that is always open."),
    )
    closes_at = models.TimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_(
            "A time before the opening time means the channel closes overnight."
        ),
    )
    response_time_zh_hans = models.CharField(
        _("stated response time (Chinese)"), max_length=120, blank=True
    )
    response_time_en = models.CharField(
        _("stated response time (English)"), max_length=120, blank=True
    )
    is_official = models.BooleanField(_("official"), default=True)
    is_offered = models.BooleanField(
        _("offered"),
        default=True,
        help_text=_(
            "Untick for a channel that does not exist, e.g. a phone hotline, so "
            "the channels page can say so."
        ),
    )
    is_available = models.BooleanField(
        _("available"),
        default=True,
        help_text=_("Untick to mark the channel as temporarily down."),
    )
    best_for = models.ManyToManyField(
        "articles.Category",
        verbose_name=_("best for"),
        blank=True,
        related_name="support_channels",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SupportChannelQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("support channel")
        verbose_name_plural = _("support channels")

    def __str__(self):
        return self.name_zh_hans or self.slug

    def get_absolute_url(self):
        return reverse("channels:list") + f"#channel-{self.slug}"

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def response_time(self) -> str:
        return localized(self, "response_time")

    @property
    def has_hours(self) -> bool:
        return self.opens_at is not None and self.closes_at is not None

    @property
    def open_days_text(self) -> str:
        """The open days, as ranges where they run on (Mon–Fri)."""
        return weekdays_text(self.open_days)

    def is_open_at(self, moment: datetime.datetime) -> bool:
        """Whether the channel answers at ``moment`` (an aware datetime).

        The hours are read in the channel's own time zone. For overnight
        hours (22:00-06:00) the open day is the day the shift starts.
        """
        if not (self.is_offered and self.is_available):
            return False
        if not self.has_hours:
            return True
        local = moment.astimezone(zoneinfo.ZoneInfo(self.time_zone))
        now, day = local.time(), local.isoweekday()
        if self.opens_at <= self.closes_at:
            return str(day) in self.open_days and self.opens_at <= now < self.closes_at
        if now >= self.opens_at:
            return str(day) in self.open_days
        previous_day = 7 if day == 1 else day - 1
        return now < self.closes_at and str(previous_day) in self.open_days

    def next_hours_change(self, moment: datetime.datetime) -> datetime.datetime | None:
        """The first time after ``moment`` when the channel may open or close
        (its opening or closing time of day, in its own time zone), or None
        for a channel without hours."""
        if not self.has_hours:
            return None
        zone = zoneinfo.ZoneInfo(self.time_zone)
        local = moment.astimezone(zone)
        candidates = []
        for clock in (self.opens_at, self.closes_at):
            for days in (0, 1):
                day = local.date() + datetime.timedelta(days=days)
                at = datetime.datetime.combine(day, clock, tzinfo=zone)
                if at > local:
                    candidates.append(at)
                    break
        return min(candidates)

    def is_open_now(self) -> bool:
        return self.is_open_at(timezone.now())


class ChannelIdentifier(models.Model):
    """A contact of an official channel, on the platform where it lives."""

    Platform = Platform

    channel = models.ForeignKey(
        SupportChannel,
        verbose_name=_("channel"),
        on_delete=models.CASCADE,
        related_name="official_identifiers",
    )
    platform = models.CharField(
        _("platform"),
        max_length=16,
        choices=Platform.choices,
        help_text=_(
            "Where it lives. A handle is official only on its platform: the "
            "same name elsewhere is someone else."
        ),
    )
    value = models.CharField(
        _("identifier"),
        max_length=200,
        help_text=_(
            "Website: a host or URL (https://community.example.com). E-mail: the "
            "full address. Phone: the number. Other platforms: the account ID or "
            "handle, or its profile URL."
        ),
    )
    includes_subdomains = models.BooleanField(
        _("all sub-domains are ours"),
        default=False,
        help_text=_(
            "Website only. Tick only if every host under this domain is run by "
            "us; never for a domain where users or other companies get "
            "sub-domains."
        ),
    )
    user_content_paths = models.TextField(
        _("user-content paths"),
        blank=True,
        help_text=_(
            "Website only. One path per line, e.g. /u/ and /t/ on a forum: pages "
            "on this host that any user can publish. The checker says such a "
            "page is ours but written by a user, never that it is official."
        ),
    )

    class Meta:
        ordering = ["channel", "pk"]
        verbose_name = _("official identifier")
        verbose_name_plural = _("official identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "value"], name="channel_identifier_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_platform_display()}: {self.value}"

    def clean(self):
        if (
            verify.official(
                self.value,
                platform=self.platform,
                includes_subdomains=self.includes_subdomains,
            )
            is None
        ):
            raise ValidationError(
                {
                    "value": ValidationError(
                        _("This is not a contact of the kind the platform holds."),
                        code="platform",
                    )
                }
            )
        if self.platform != Platform.WEB and (
            self.includes_subdomains or self.user_content_paths.strip()
        ):
            raise ValidationError(
                {
                    "platform": ValidationError(
                        _("Sub-domains and user-content paths apply to websites only."),
                        code="web_only",
                    )
                }
            )
        bad = [p for p in self.user_content_paths.split() if not p.startswith("/")]
        if bad:
            raise ValidationError(
                {
                    "user_content_paths": ValidationError(
                        _("Each path starts with /, e.g. /u/."), code="path"
                    )
                }
            )

    def as_official(self) -> "verify.Official | None":
        """This identifier as the checker compares it (None if unusable)."""
        return verify.official(
            self.value,
            platform=self.platform,
            channel=self.channel,
            includes_subdomains=self.includes_subdomains,
            user_content_paths=self.user_content_paths,
        )


class KnownScamContact(models.Model):
    class Kind(models.TextChoices):
        CONTACT = "contact", _("Scam contact")
        DRAINER = "drainer", _("Drainer contract or approval address")

    value = models.CharField(
        _("contact"),
        max_length=200,
        unique=True,
        help_text=_(
            "Normalised form, e.g. phone:8613800000000, domain:cobalt-support.example, "
            "email:help@cobalt-wallet.example, handle:cobaltsupport or "
            "address:evm:0x… The checker normalises what it stores, so paste the "
            "contact as seen."
        ),
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_(
            "Shown to the public by the checker, in our name: write it yourself, "
            "never paste a reporter's words."
        ),
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.CONTACT,
        help_text=_(
            "Drainer: a contract or approval address that empties wallets; "
            "the checker then explains how to revoke an approval."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("known scam contact")
        verbose_name_plural = _("known scam contacts")

    def __str__(self):
        return self.value


class ContactLookup(models.Model):
    """How often a non-official contact was checked, by normalised value."""

    value = models.CharField(_("contact"), max_length=200, unique=True)
    lookup_count = models.PositiveIntegerField(_("lookups"), default=0)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        ordering = ["-lookup_count"]
        verbose_name = _("lookup of a non-official contact")
        verbose_name_plural = _("lookups of non-official contacts")
        indexes = [models.Index(fields=["-lookup_count"], name="contactlookup_count")]

    def __str__(self):
        return self.value


class ContactReport(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONFIRMED = "confirmed", _("Confirmed scam")
        DISMISSED = "dismissed", _("Dismissed")

    contact = models.CharField(_("contact as reported"), max_length=200)
    value = models.CharField(_("normalised contact"), max_length=200, db_index=True)
    description = models.TextField(_("where and how it was seen"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suspicious contact report")
        verbose_name_plural = _("suspicious contact reports")

    def __str__(self):
        return self.contact


class DkimKey(models.Model):
    """A public key our mail is signed with, so the e-mail checker needs no DNS."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        help_text=_("The d= of the signatures, e.g. mail.cobaltwallet.example."),
    )
    selector = models.CharField(
        _("selector"),
        max_length=63,
        help_text=_("The s= of the signatures, e.g. s2025 in s2025._domainkey."),
    )
    public_key = models.TextField(
        _("public key"),
        help_text=_(
            "The p= value, or the whole TXT record (v=DKIM1; k=rsa; p=…) as "
            "published in DNS."
        ),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Untick once the key no longer signs anything: mail signed with it "
            "stops being confirmed as ours."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["domain", "selector"]
        verbose_name = _("DKIM key")
        verbose_name_plural = _("DKIM keys")
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "selector"], name="dkim_key_unique"
            )
        ]

    def __str__(self):
        return f"{self.selector}._domainkey.{self.domain}"

    def save(self, *args, **kwargs):
        # DNS names are case-insensitive; the checker looks them up lower-case.
        self.domain = self.domain.strip().rstrip(".").lower()
        self.selector = self.selector.strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        if dkim_record(self.public_key) is None:
            raise ValidationError(
                {
                    "public_key": ValidationError(
                        _("This is not an RSA public key of 1024 bits or more."),
                        code="key",
                    )
                }
            )

    @property
    def record(self) -> bytes | None:
        """The key as a DNS TXT record would give it (None if unusable)."""
        return dkim_record(self.public_key)


# Ticket models live in channels.tickets; importing them here registers them
# with the app "channels" (their tables keep their names).
from channels.tickets.models import (  # noqa: E402, F401
    CannedReply,
    IncidentNotice,
    OutboundEmail,
    SlaTarget,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketRating,
    Topic,
    attachment_path,
    token_hash,
)
