"""Tickets: requests that arrived through a support channel, and their mail."""

import datetime
import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpcenter.i18n import localized


class TopicQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Topic(models.Model):
    """What a request is about, as the contact form offers it.

    The kind decides which extra fields the form asks for (one table,
    ``channels.tickets.topics.TOPIC_FIELDS``) and the default priority.
    """

    class Kind(models.TextChoices):
        GENERAL = "general", _("General question")
        TRANSFER = "transfer", _("Transfer, deposit or withdrawal")
        LOGIN = "login", _("Login and account")
        ERROR = "error", _("App error")
        SECURITY = "security", _("Security incident")

    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_("Sent by the contact form as its category field."),
    )
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.GENERAL,
        help_text=_("Which extra fields the contact form asks for."),
    )
    category = models.ForeignKey(
        "articles.Category",
        verbose_name=_("help center category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topics",
        help_text=_(
            "Its articles are suggested on the contact form, and its incident "
            "notices are shown there."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("offered"),
        default=True,
        help_text=_("Untick to stop offering it on the contact form."),
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name_zh_hans or self.slug

    @property
    def name(self) -> str:
        return localized(self, "name")


class Priority(models.TextChoices):
    """Ticket priorities, lowest first (``PRIORITY_ORDER`` ranks them)."""

    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


def next_due_expression():
    """The ticket's next due time: the first-response target while no public
    reply was sent, then the resolution target.

    The queue sorts by it, and an index on the very same expression
    (``ticket_next_due``) keeps that sort cheap.
    """
    return Case(
        When(first_response_at__isnull=True, then=F("first_response_due_at")),
        default=F("resolution_due_at"),
    )


class TicketQuerySet(models.QuerySet):
    def waiting_on_us(self):
        """New or in progress: the next move is support's."""
        return self.filter(status__in=Ticket.WAITING_ON_US)

    def unresolved(self):
        return self.filter(status__in=Ticket.UNRESOLVED)

    def overdue(self, now: datetime.datetime):
        """Waiting on us past a target: no public reply by the first-response
        due time, or not resolved by the resolution due time."""
        return self.waiting_on_us().filter(
            Q(first_response_at__isnull=True, first_response_due_at__lt=now)
            | Q(resolution_due_at__lt=now)
        )


class Ticket(models.Model):
    # The labels are what the requester reads on the status page.
    class Status(models.TextChoices):
        NEW = "new", _("Submitted")
        OPEN = "open", _("In progress")
        WAITING = "waiting", _("Waiting on you")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    Priority = Priority
    WAITING_ON_US = (Status.NEW, Status.OPEN)
    UNRESOLVED = (Status.NEW, Status.OPEN, Status.WAITING)

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, editable=False)
    # The status link's token is derived from this key with SECRET_KEY
    # (channels.tickets.links), so later e-mails can carry the link while a
    # copy of the database alone cannot produce it. Blank on tickets made
    # before it existed until their first e-mail gives them one.
    status_key = models.CharField(max_length=32, blank=True, editable=False)
    submission_key = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    channel = models.ForeignKey(
        "channels.SupportChannel",
        verbose_name=_("channel"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article the user came from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    language = models.CharField(_("language"), max_length=8)
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"))
    network = models.CharField(_("network"), max_length=20, blank=True)
    tx_hash = models.CharField(_("transaction hash"), max_length=128, blank=True)
    address = models.CharField(_("address"), max_length=128, blank=True)
    asset = models.CharField(_("asset"), max_length=20, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=38, decimal_places=18, null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("happened at"), null=True, blank=True)
    account = models.CharField(_("account e-mail or phone"), max_length=254, blank=True)
    app_version = models.CharField(_("app version"), max_length=40, blank=True)
    device = models.CharField(_("device"), max_length=100, blank=True)
    os = models.CharField(_("operating system"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"),
        max_length=8,
        choices=Priority.choices,
        default=Priority.NORMAL,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        limit_choices_to={"is_staff": True},
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("earlier request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text=_("The request this one follows up, after it was closed."),
    )
    first_response_due_at = models.DateTimeField(
        _("first response due"), null=True, blank=True
    )
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_at = models.DateTimeField(
        _("first response"),
        null=True,
        blank=True,
        help_text=_(
            "When support first replied publicly. Feeds the measured response "
            "time on the channels page."
        ),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_nudged_at = models.DateTimeField(_("last nudged"), null=True, blank=True)
    nudge_count = models.PositiveSmallIntegerField(_("nudges"), default=0)
    antiphishing_phrase = models.CharField(
        _("anti-phishing phrase"),
        max_length=40,
        blank=True,
        help_text=_(
            "Chosen by the requester on the status page; every later e-mail "
            "about this request repeats it. Never ask for it or repeat it "
            "anywhere else."
        ),
    )
    # Optimistic locking: every change made through the services adds one,
    # and a save that read an older version is refused (TicketConflict).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TicketQuerySet.as_manager()
    history = HistoricalRecords(
        # The phrase is kept once: old phrases in the history would only be
        # more copies of something meant for the requester alone.
        excluded_fields=[
            "token_hash",
            "status_key",
            "submission_key",
            "antiphishing_phrase",
        ]
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(
                fields=["status", "first_response_due_at"],
                name="ticket_status_first_due",
            ),
            models.Index(
                fields=["status", "resolution_due_at"], name="ticket_status_resolve_due"
            ),
            # The dashboard counts open tickets by status and topic.
            models.Index(fields=["status", "topic"], name="ticket_status_topic"),
            models.Index(next_due_expression(), name="ticket_next_due"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
        ]

    def __str__(self):
        # Only our reference: __str__ titles admin pages, breadcrumbs and
        # history, which must not show the requester's words as ours.
        return self.reference

    @property
    def is_waiting_on_us(self) -> bool:
        return self.status in self.WAITING_ON_US

    @property
    def next_due_at(self) -> datetime.datetime | None:
        """The same rule as ``next_due_expression``, for one ticket."""
        if self.first_response_at is None:
            return self.first_response_due_at
        return self.resolution_due_at

    def is_overdue(self, now: datetime.datetime) -> bool:
        """The same rule as ``Ticket.objects.overdue(now)``, for one ticket."""
        if not self.is_waiting_on_us:
            return False
        late_first = (
            self.first_response_at is None
            and self.first_response_due_at is not None
            and self.first_response_due_at < now
        )
        late_resolution = (
            self.resolution_due_at is not None and self.resolution_due_at < now
        )
        return late_first or late_resolution


class TicketEventQuerySet(models.QuerySet):
    def public(self):
        """What the requester may see: everything but internal notes."""
        return self.exclude(kind=TicketEvent.Kind.INTERNAL_NOTE)


class TicketEvent(models.Model):
    """One entry of a ticket's timeline (oldest first).

    The requester's first message is the ticket itself (``Ticket.message``,
    screenshots with no event); later messages, replies, notes and changes
    are events.
    """

    class Kind(models.TextChoices):
        REQUESTER_MESSAGE = "requester_message", _("Message from the requester")
        PUBLIC_REPLY = "public_reply", _("Reply")
        INTERNAL_NOTE = "internal_note", _("Internal note")
        STATUS_CHANGE = "status_change", _("Status change")
        ASSIGNMENT = "assignment", _("Assignment")
        PRIORITY_CHANGE = "priority_change", _("Priority change")
        NUDGE = "nudge", _("Nudge")
        RATING = "rating", _("Rating")

    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticket_events",
        help_text=_("Empty for the requester (or for the system)."),
    )
    body = models.TextField(_("text"), blank=True)
    old_value = models.CharField(_("old value"), max_length=64, blank=True)
    new_value = models.CharField(_("new value"), max_length=64, blank=True)
    reply_code = models.CharField(
        _("reply code"),
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Shown with a public reply so the requester can check it."),
    )
    # Makes a retried requester reply idempotent, as on the contact form.
    submission_key = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TicketEventQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="ticketevent_timeline")
        ]

    def __str__(self):
        # Never the text: the requester's words must not title admin pages.
        return self.reply_code or self.get_kind_display()

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.INTERNAL_NOTE


class TicketRating(models.Model):
    """The requester's one rating of a resolved request; never changed."""

    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="rating",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [models.Index(fields=["created_at"], name="ticketrating_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="ticketrating_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.rating}/5"


class SlaTarget(models.Model):
    """How fast support answers and resolves, per topic and priority.

    A row without a topic is the default for every topic; when no row
    applies, ``channels.tickets.sla.DEFAULT_TARGETS`` does.
    """

    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_targets",
        help_text=_("Empty: the default for every topic."),
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    first_response = models.DurationField(
        _("first response within"), help_text=_("For example 4:00:00 for 4 hours.")
    )
    resolution = models.DurationField(
        _("resolved within"), help_text=_("For example 2 days, 0:00:00.")
    )

    class Meta:
        ordering = ["topic__order", "topic__slug", "priority"]
        verbose_name = _("response-time target")
        verbose_name_plural = _("response-time targets")
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "priority"],
                condition=Q(topic__isnull=False),
                name="slatarget_topic_priority",
            ),
            models.UniqueConstraint(
                fields=["priority"],
                condition=Q(topic__isnull=True),
                name="slatarget_default_priority",
            ),
        ]

    def __str__(self):
        topic = self.topic or _("any topic")
        return f"{topic}: {self.get_priority_display()}"


class CannedReplyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_topic(self, topic):
        """Replies for ``topic`` and those for any topic."""
        return self.filter(Q(topic=topic) | Q(topic__isnull=True))


class CannedReply(models.Model):
    """A staff-written reply that fills the reply box, to edit before sending."""

    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        help_text=_("Empty: offered for every topic."),
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {reference} (the request's reference), {name} (the "
            "requester's name, left empty unless it is a plain name) and "
            "{topic} (the topic's name in the request's language)."
        ),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CannedReplyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self):
        return self.title


class IncidentNoticeQuerySet(models.QuerySet):
    def current(self, now: datetime.datetime):
        """Notices that have started and not ended at ``now``."""
        return self.filter(starts_at__lte=now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )


class IncidentNotice(models.Model):
    """A staff notice about a known problem, shown where it applies."""

    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_zh_hans = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    categories = models.ManyToManyField(
        "articles.Category",
        verbose_name=_("affected categories"),
        blank=True,
        related_name="incident_notices",
    )
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("affected topics"),
        blank=True,
        related_name="incident_notices",
    )
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("Empty: until removed.")
    )

    objects = IncidentNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("incident notice")
        verbose_name_plural = _("incident notices")

    def __str__(self):
        return self.title_zh_hans

    @property
    def title(self) -> str:
        return localized(self, "title")

    def is_current(self, now: datetime.datetime) -> bool:
        """The same rule as ``IncidentNotice.objects.current(now)``."""
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)

    @property
    def body(self) -> str:
        return localized(self, "body")


def token_hash(token: str) -> str:
    """Return the stored form of a status-link token (SHA-256, hex).

    Only the hash is kept, so a copy of the database does not open every
    ticket's status page.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def attachment_path(instance, filename: str) -> str:
    # The storage name is chosen by channels.uploads (random), never by the user.
    return f"tickets/{filename}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    # Empty for the screenshots of the first message (the ticket itself).
    event = models.ForeignKey(
        TicketEvent,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=20)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")

    def __str__(self):
        return self.file.name

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class OutboundEmailQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=OutboundEmail.Status.PENDING)

    def due(self, now):
        """Pending e-mails whose backoff after a failure has run out by ``now``."""
        return self.pending().filter(
            models.Q(next_attempt_at=None) | models.Q(next_attempt_at__lte=now)
        )


class OutboundEmail(models.Model):
    """An e-mail kept until it is sent, so a mail-server outage loses nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")

    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
    )
    to = models.EmailField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        null=True,
        blank=True,
        help_text=_(
            "After a failed attempt, send_pending_email tries again from this "
            "time on; empty means at its next run."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")

    def __str__(self):
        return f"{self.to}: {self.subject}"
