import copy
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy as _, ngettext
from simple_history.admin import SimpleHistoryAdmin

from channels import secrets as secret_scan
from channels.tickets import selectors, services
from channels.tickets.forms import NETWORKS
from channels.tickets.models import (
    CannedReply,
    IncidentNotice,
    OutboundEmail,
    SlaTarget,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketRating,
    Topic,
    next_due_expression,
)

# Ticket fields the requester typed freely, in form order.
SUBMITTED_FIELDS = (
    "name",
    "subject",
    "message",
    "address",
    "asset",
    "account",
    "app_version",
    "device",
    "os",
)


class TicketAttachmentInline(admin.TabularInline):
    model = TicketAttachment
    extra = 0
    can_delete = False
    fields = ["preview", "content_type", "width", "height", "size"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("screenshot"))
    def preview(self, obj):
        # Served by a staff-only view: uploads are never public media.
        url = reverse("channels:attachment", kwargs={"name": obj.file_name})
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">'
            '<img src="{}" alt="" class="ticket-screenshot-preview"></a>',
            url,
            url,
        )


# The queue ------------------------------------------------------------------


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        return [
            ("me", _("Assigned to me")),
            ("none", _("Unassigned")),
            *((str(user.pk), staff_label(user)) for user in staff.order_by("username")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = Ticket.objects.overdue(timezone.now()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


class WaitingOnUsFilter(admin.SimpleListFilter):
    title = _("whose move")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [
            ("us", _("Waiting on us")),
            ("requester", _("Waiting on the requester")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "us":
            return queryset.waiting_on_us()
        if self.value() == "requester":
            return queryset.filter(status=Ticket.Status.WAITING)
        return queryset


def staff_label(user) -> str:
    """A staff member as colleagues know them: full name, else username."""
    return user.get_full_name() or user.get_username()


class TicketActionForm(ActionForm):
    assignee = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("(for “Assign to…”)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = get_user_model().objects.filter(
            is_staff=True, is_active=True
        )
        self.fields["assignee"].label_from_instance = staff_label


def _bulk(request, queryset, change) -> int:
    """Apply ``change(ticket)`` (a service call) to each ticket; count them."""
    done = 0
    for ticket in queryset:
        try:
            change(ticket)
        except services.TicketError as error:
            messages.error(request, f"{ticket.reference}: {error.message}")
        else:
            done += 1
    return done


def _bulk_action(change, message, name, description):
    """An admin action applying ``change(ticket, actor)`` to each selected
    ticket through the services, then saying how many changed."""

    def action(modeladmin, request, queryset):
        done = _bulk(request, queryset, lambda ticket: change(ticket, request.user))
        modeladmin.message_user(request, message % {"count": done})

    action.allowed_permissions = ("change",)
    return action, name, description


def _status_action(status, label):
    return _bulk_action(
        lambda ticket, actor: services.ticket_status_set(
            ticket=ticket, status=status, actor=actor
        ),
        _("Status set. Tickets changed: %(count)d."),
        f"status_{status}",
        format_lazy(_("Set status: {}"), label),
    )


def _priority_action(priority, label):
    return _bulk_action(
        lambda ticket, actor: services.ticket_priority_set(
            ticket=ticket, priority=priority, actor=actor
        ),
        _("Priority set. Tickets changed: %(count)d."),
        f"priority_{priority}",
        format_lazy(_("Set priority: {}"), label),
    )


def _change_text(event) -> str:
    """What a change event did, in words: "Status: Submitted → Resolved"."""
    Kind = event.Kind
    labels = {
        Kind.STATUS_CHANGE: (_("Status"), dict(Ticket.Status.choices)),
        Kind.PRIORITY_CHANGE: (_("Priority"), dict(Ticket.Priority.choices)),
        Kind.NUDGE: (_("Nudged: priority"), dict(Ticket.Priority.choices)),
        Kind.ASSIGNMENT: (_("Assignee"), {}),
    }
    if event.kind == Kind.RATING:
        return gettext("Rated %(rating)s/5") % {"rating": event.new_value}
    label, names = labels[event.kind]
    old = names.get(event.old_value, event.old_value) or gettext("nobody")
    new = names.get(event.new_value, event.new_value) or gettext("nobody")
    return f"{label}: {old} → {new}"


REQUESTER_KINDS = (
    TicketEvent.Kind.REQUESTER_MESSAGE,
    TicketEvent.Kind.NUDGE,
    TicketEvent.Kind.RATING,
)


def timeline_entries(events) -> list[dict]:
    """The ticket page's timeline rows, ready to render (no queries)."""
    talk = {
        TicketEvent.Kind.REQUESTER_MESSAGE,
        TicketEvent.Kind.PUBLIC_REPLY,
        TicketEvent.Kind.INTERNAL_NOTE,
    }
    entries = []
    for event in events:
        if event.author is not None:
            who = staff_label(event.author)
        elif event.kind in REQUESTER_KINDS:
            who = gettext("The requester")
        else:
            who = gettext("The requester or the system")
        entries.append(
            {
                "event": event,
                "who": who,
                "change": "" if event.kind in talk else _change_text(event),
            }
        )
    return entries


# The ticket page ----------------------------------------------------------

# The submit button that fills the reply box with a canned reply (no JS).
INSERT_BUTTON = "_insert_canned"
CONFLICT_KEPT_FIELDS = ("status", "priority", "assignee")


class TicketAdminForm(forms.ModelForm):
    """The ticket page's form: status, priority, assignee and a reply.

    A save over someone else's change is refused (``seen_version``): the
    form comes back with what changed, the current values, and the typed
    reply kept.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reply = forms.CharField(
        label=_("Reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_(
            "E-mailed to the requester with a reply code and shown on their "
            "status page. Never ask for a recovery phrase, private key or codes."
        ),
    )
    reply_internal = forms.BooleanField(
        label=_("Internal note (never shown to the requester, not e-mailed)"),
        required=False,
    )
    reply_status = forms.ChoiceField(
        label=_("With the reply, set the status to"),
        required=False,
        choices=[
            ("", _("(no change; a new request becomes “In progress”)")),
            (Ticket.Status.WAITING, Ticket.Status.WAITING.label),
            (Ticket.Status.RESOLVED, Ticket.Status.RESOLVED.label),
            (Ticket.Status.CLOSED, Ticket.Status.CLOSED.label),
        ],
    )
    # Set by TicketAdmin for the page re-rendered after "Insert".
    posted_initial: dict = {}

    class Meta:
        model = Ticket
        fields = ["status", "priority", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version
        if "assignee" in self.fields:
            self.fields["assignee"].label_from_instance = staff_label
        if not self.is_bound:
            self.initial.update(self.posted_initial)

    def clean_reply(self):
        reply = self.cleaned_data["reply"].strip()
        try:
            secret_scan.ensure_no_secret([("reply", reply)])
        except secret_scan.SecretFound:
            raise ValidationError(
                _(
                    "This reply seems to contain a recovery phrase or a private "
                    "key, so it was not sent. Support never sends or asks for "
                    "them: remove it and send again."
                ),
                code="secret",
            ) from None
        return reply

    def clean(self):
        cleaned = super().clean()
        reply_status = cleaned.get("reply_status")
        if (
            reply_status
            and "status" in self.changed_data
            and cleaned.get("status") != reply_status
        ):
            raise ValidationError(
                _("Choose the new status in one place only."), code="two_statuses"
            )
        if reply_status and not cleaned.get("reply"):
            self.add_error(
                "reply",
                ValidationError(
                    _("Write the reply to send with the new status."), code="empty"
                ),
            )
        self._version_check(cleaned.get("seen_version"))
        return cleaned

    def _version_check(self, seen):
        # The admin validates and saves in one transaction: the row stays
        # locked from here to the save, so no change can slip in between.
        current = (
            Ticket.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if seen is None or current is None or current == seen:
            return
        ticket = Ticket.objects.get(pk=self.instance.pk)
        changes = selectors.ticket_changes_since(ticket=ticket, version=seen)
        # Show the current values and the current version: the typed reply
        # stays, and saving again changes only what is saved knowingly.
        self.data = self.data.copy()
        self.data["seen_version"] = str(current)
        for name in CONFLICT_KEPT_FIELDS:
            value = getattr(ticket, Ticket._meta.get_field(name).attname)
            self.data[name] = "" if value is None else str(value)
        raise ValidationError(
            _(
                "Someone else changed this ticket while you were editing it, "
                "so nothing was saved: %(changes)s. The form now shows the "
                "current values and keeps your reply: check it and save again."
            ),
            code="conflict",
            params={
                "changes": "; ".join(
                    f"{label}: {old} → {new}" for label, old, new in changes
                )
                or gettext("see the history")
            },
        )


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    form = TicketAdminForm
    action_form = TicketActionForm
    change_form_template = "admin/channels/ticket/change_form.html"
    list_display = [
        "reference",
        "requester_subject",
        "topic",
        "status",
        "priority",
        "assignee_name",
        "due",
        "overdue",
    ]
    list_filter = [
        "status",
        WaitingOnUsFilter,
        OverdueFilter,
        "priority",
        "topic",
        AssigneeFilter,
        "channel",
        "language",
    ]
    search_fields = ["reference", "email", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["topic", "assignee"]
    list_per_page = 50
    actions = ["assign_to_me", "assign_to_chosen"]
    inlines = [TicketAttachmentInline]
    readonly_fields = [
        "reference",
        "overdue_status",
        "first_response_at",
        "first_response_due_at",
        "resolution_due_at",
        "resolved_at",
        "closed_at",
        "parent",
        "channel",
        "topic",
        "article",
        "language",
        "email",
        "antiphishing_phrase",
        "submitted_text",
        "network_name",
        "tx_hash",
        "amount_plain",
        "occurred_at",
        "created_at",
        "updated_at",
    ]
    # Every field the requester typed freely is shown in one labelled box
    # (with the contacts in it that are not ours), never as plain fields
    # that could read as the help center's own data.
    fieldsets = [
        (None, {"fields": ["reference", "status", "priority", "assignee", "parent"]}),
        (
            _("Response times"),
            {
                "fields": [
                    "overdue_status",
                    "first_response_due_at",
                    "first_response_at",
                    "resolution_due_at",
                    "resolved_at",
                    "closed_at",
                ]
            },
        ),
        (
            _("Request"),
            {
                "fields": [
                    "topic",
                    "article",
                    "email",
                    "antiphishing_phrase",
                    "submitted_text",
                ]
            },
        ),
        (
            _("Transfer"),
            {"fields": ["network_name", "tx_hash", "amount_plain", "occurred_at"]},
        ),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": ["channel", "language", "created_at", "updated_at"],
            },
        ),
    ]

    class Media:
        css = {"all": ["css/admin_tickets.css"]}
        js = ["js/admin_tickets.js"]

    def has_add_permission(self, request):
        return False

    def revert_disabled(self, request, obj=None):
        # A revert would bypass the services: no event, no version check.
        return True

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(next_due=next_due_expression())

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            return actions
        for status, label in Ticket.Status.choices:
            func, name, description = _status_action(status, label)
            actions[name] = (func, name, description)
        for priority, label in Ticket.Priority.choices:
            func, name, description = _priority_action(priority, label)
            actions[name] = (func, name, description)
        return actions

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        done = _bulk(
            request,
            queryset,
            lambda ticket: services.ticket_assign(
                ticket=ticket, assignee=request.user, actor=request.user
            ),
        )
        self.message_user(
            request, _("Assigned to you. Tickets changed: %(count)d.") % {"count": done}
        )

    @admin.action(
        description=_("Assign to the staff member chosen below"),
        permissions=["change"],
    )
    def assign_to_chosen(self, request, queryset):
        # Only this field of the action form matters here; the admin has
        # already checked the rest.
        field = TicketActionForm().fields["assignee"]
        try:
            assignee = field.clean(request.POST.get("assignee"))
        except ValidationError:
            assignee = None
        if assignee is None:
            self.message_user(
                request, _("Choose the staff member first."), messages.WARNING
            )
            return
        done = _bulk(
            request,
            queryset,
            lambda ticket: services.ticket_assign(
                ticket=ticket, assignee=assignee, actor=request.user
            ),
        )
        self.message_user(
            request,
            _("Assigned to %(name)s. Tickets changed: %(count)d.")
            % {"count": done, "name": staff_label(assignee)},
        )

    @admin.display(description=_("subject (requester's words)"), ordering="subject")
    def requester_subject(self, obj):
        return obj.subject

    @admin.display(description=_("assignee"), ordering="assignee__username")
    def assignee_name(self, obj):
        return staff_label(obj.assignee) if obj.assignee else "—"

    @admin.display(
        description=_("due"), ordering=next_due_expression().asc(nulls_last=True)
    )
    def due(self, obj):
        if not obj.is_waiting_on_us:
            return "—"
        return obj.next_due_at or "—"

    @admin.display(description=_("overdue"))
    def overdue(self, obj):
        # Words, not the admin's yes/no icons: a red cross would read as an
        # alarm on every ticket that is on time.
        if obj.is_overdue(timezone.now()):
            return format_html(
                '<strong class="ticket-overdue">{}</strong>', _("Overdue")
            )
        return ""

    @admin.display(description=_("SLA status"))
    def overdue_status(self, obj):
        if not obj.is_waiting_on_us:
            return _("No: not waiting on support")
        if obj.is_overdue(timezone.now()):
            return format_html(
                '<strong class="ticket-overdue">{}</strong>', _("Overdue")
            )
        return _("No, within the targets")

    @admin.display(description=_("network"))
    def network_name(self, obj):
        return dict(NETWORKS).get(obj.network, obj.network) or "—"

    @admin.display(description=_("amount"))
    def amount_plain(self, obj):
        return amount_plain(obj.amount)

    @admin.display(description=_("submitted text"))
    def submitted_text(self, obj):
        submitted = selectors.ticket_submitted_text(ticket=obj, fields=SUBMITTED_FIELDS)
        heading = _("Written by the requester (their own words, not checked)")
        return render_to_string(
            "channels/tickets/_submitted_text.html",
            {"submitted": submitted, "heading": heading, "for_staff": True},
        )

    def get_form(self, request, obj=None, **kwargs):
        # The version travels in a hidden input at the top of the form
        # (admin/channels/ticket/change_form.html), outside the fieldsets,
        # which would give it a label; the reply box follows the timeline.
        fieldsets = self.get_fieldsets(request, obj)
        extra = ["seen_version", "reply", "reply_internal", "reply_status"]
        kwargs["fields"] = [*flatten_fieldsets(fieldsets), *extra]
        form = super().get_form(request, obj, **kwargs)
        posted = getattr(request, "ticket_form_initial", None)
        if posted:
            form = type(form.__name__, (form,), {"posted_initial": posted})
        return form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, unquote(object_id))
        if ticket is not None:
            extra_context = {
                **(extra_context or {}),
                **self._ticket_context(request, ticket),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _ticket_context(self, request, ticket):
        canned = [
            (reply, selectors.canned_reply_text(canned_reply=reply, ticket=ticket))
            for reply in selectors.canned_reply_list_for_ticket(ticket=ticket)
        ]
        return {
            "timeline": timeline_entries(
                selectors.ticket_timeline(ticket=ticket, public=False)
            ),
            "canned_replies": canned,
            "insert_button": INSERT_BUTTON,
        }

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id and INSERT_BUTTON in request.POST:
            return self._canned_insert(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _canned_insert(self, request, object_id, form_url, extra_context):
        """Show the page again with the canned reply in the reply box.

        Nothing is saved or sent: the page is rendered as for a GET, with
        what was typed (and chosen) kept as the form's initial values.
        """
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None or not self.has_change_permission(request, ticket):
            raise PermissionDenied
        chosen = request.POST.get("canned_reply", "")
        texts = {
            str(reply.pk): text
            for reply, text in self._ticket_context(request, ticket)["canned_replies"]
        }
        typed = request.POST.get("reply", "").strip()
        reply = typed
        if chosen in texts:
            reply = f"{typed}\n\n{texts[chosen]}" if typed else texts[chosen]
            self.message_user(
                request,
                _("Canned reply inserted. Nothing was sent: edit it, then save."),
            )
        else:
            self.message_user(
                request, _("Choose a canned reply to insert."), messages.WARNING
            )
        shown = copy.copy(request)
        shown.method = "GET"
        posted = {name: request.POST.get(name, "") for name in CONFLICT_KEPT_FIELDS}
        shown.ticket_form_initial = {
            **{name: value for name, value in posted.items() if name in request.POST},
            "seen_version": request.POST.get("seen_version", ticket.version),
            "reply": reply,
            "reply_internal": bool(request.POST.get("reply_internal")),
            "reply_status": request.POST.get("reply_status", ""),
        }
        return super().changeform_view(shown, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # Each change goes through its service, so it is recorded in the
        # timeline with who and when, and checked against the version read.
        data = form.cleaned_data
        seen = data.get("seen_version")
        reply_status = data.get("reply_status") or None
        if data.get("reply") and reply_status is None and "status" in form.changed_data:
            # One e-mail: the reply carries the new status (and rating link).
            reply_status = data["status"]
        for name, service, argument in (
            ("priority", services.ticket_priority_set, "priority"),
            ("assignee", services.ticket_assign, "assignee"),
            ("status", services.ticket_status_set, "status"),
        ):
            if name in form.changed_data and not (name == "status" and reply_status):
                ticket = service(
                    ticket=obj,
                    actor=request.user,
                    expected_version=seen,
                    **{argument: data[name]},
                )
                seen = ticket.version
        if data.get("reply"):
            event = services.ticket_reply_add(
                ticket=obj,
                author=request.user,
                body=data["reply"],
                internal=data.get("reply_internal", False),
                status=reply_status,
                expected_version=seen,
            )
            if event.reply_code:
                self.message_user(
                    request,
                    _("Reply e-mailed to the requester with the code %(code)s.")
                    % {"code": event.reply_code},
                )
            else:
                self.message_user(request, _("Internal note added."))


def amount_plain(value: Decimal | None) -> str:
    """``25.500000000000000000`` as ``25.5`` and ``1E+2`` as ``100``."""
    if value is None:
        return "—"
    return format(value.normalize(), "f")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = [
        "ticket",
        "to",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name_zh_hans", "name_en", "kind", "category", "is_active", "order"]
    list_editable = ["is_active", "order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name_zh_hans", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    fieldsets = [
        (None, {"fields": ["name_zh_hans", "name_en", "kind", "category"]}),
        (
            _("Advanced"),
            {"classes": ["collapse"], "fields": ["slug", "order", "is_active"]},
        ),
    ]


def duration_text(value) -> str:
    """A target as staff say it: "1 day 4 hours", "30 minutes"."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        if days
        else "",
        ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        if hours
        else "",
        ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
        if minutes
        else "",
    ]
    return " ".join(part for part in parts if part) or "0"


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = [
        "topic_or_default",
        "priority",
        "first_response_text",
        "resolution_text",
    ]
    list_filter = ["priority", "topic"]
    list_select_related = ["topic"]
    fields = ["topic", "priority", "first_response", "resolution"]

    @admin.display(description=_("topic"), ordering="topic__order")
    def topic_or_default(self, obj):
        return obj.topic or _("Any topic (default)")

    @admin.display(description=_("first response within"), ordering="first_response")
    def first_response_text(self, obj):
        return duration_text(obj.first_response)

    @admin.display(description=_("resolved within"), ordering="resolution")
    def resolution_text(self, obj):
        return duration_text(obj.resolution)


@admin.register(CannedReply)
class CannedReplyAdmin(SimpleHistoryAdmin):
    list_display = ["title", "topic", "is_active", "order"]
    list_editable = ["is_active", "order"]
    list_filter = ["topic", "is_active"]
    search_fields = ["title", "body"]
    list_select_related = ["topic"]


class IncidentNoticeStateFilter(admin.SimpleListFilter):
    title = _("shown")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Shown now")),
            ("scheduled", _("Not started yet")),
            ("ended", _("Ended")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "current":
            return queryset.current(now)
        if self.value() == "scheduled":
            return queryset.filter(starts_at__gt=now)
        if self.value() == "ended":
            return queryset.filter(ends_at__lte=now)
        return queryset


@admin.register(IncidentNotice)
class IncidentNoticeAdmin(admin.ModelAdmin):
    list_display = ["title_zh_hans", "title_en", "starts_at", "ends_at", "is_shown"]
    list_filter = [IncidentNoticeStateFilter]
    search_fields = ["title_zh_hans", "title_en"]
    filter_horizontal = ["categories", "topics"]
    date_hierarchy = "starts_at"
    fieldsets = [
        (None, {"fields": ["title_zh_hans", "body_zh_hans", "title_en", "body_en"]}),
        (
            _("Where it shows"),
            {
                "description": _(
                    "Every current notice shows on the home page. It also shows "
                    "on the pages and articles of the categories chosen here and "
                    "of the chosen topics' categories, on the contact form when "
                    "one of those topics is chosen, and in the acknowledgement "
                    "e-mail of requests filed under them. Write it as support's "
                    "own words: it is sent from the official address."
                ),
                "fields": ["categories", "topics"],
            },
        ),
        (
            _("When it shows"),
            {
                "description": _(
                    "It appears at its start and disappears at its end on its "
                    "own; leave the end empty to remove it by hand."
                ),
                "fields": ["starts_at", "ends_at"],
            },
        ),
    ]

    @admin.display(boolean=True, description=_("shown now"))
    def is_shown(self, obj):
        return obj.is_current(timezone.now())


@admin.register(TicketRating)
class TicketRatingAdmin(admin.ModelAdmin):
    list_display = ["ticket", "rating", "created_at"]
    list_filter = ["rating"]
    list_select_related = ["ticket"]
    readonly_fields = ["ticket", "rating", "comment", "created_at"]

    def has_add_permission(self, request):
        return False
