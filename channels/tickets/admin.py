from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from channels.tickets import selectors, services
from channels.tickets.models import (
    CannedReply,
    IncidentNotice,
    OutboundEmail,
    SlaTarget,
    Ticket,
    TicketAttachment,
    TicketRating,
    Topic,
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
            '<img src="{}" alt="" style="max-height:160px"></a>',
            url,
            url,
        )


class TicketAdminForm(forms.ModelForm):
    """The ticket page's form, refusing a save over someone else's change."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Ticket
        fields = ["status", "priority", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        current = Ticket.objects.filter(pk=self.instance.pk).values_list(
            "version", flat=True
        )
        if seen is not None and current and current[0] != seen:
            changes = selectors.ticket_changes_since(
                ticket=Ticket.objects.get(pk=self.instance.pk), version=seen
            )
            raise ValidationError(
                _(
                    "Someone else changed this ticket while you were editing "
                    "it, so your changes were not saved: %(changes)s. Reload "
                    "the page and make your change again."
                ),
                code="conflict",
                params={
                    "changes": "; ".join(
                        f"{label}: {old} → {new}" for label, old, new in changes
                    )
                    or _("see the history")
                },
            )
        return cleaned


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    form = TicketAdminForm
    list_display = [
        "reference",
        "requester_subject",
        "topic",
        "status",
        "priority",
        "assignee",
        "email",
        "created_at",
        "first_response_due_at",
        "first_response_at",
    ]
    list_filter = ["status", "priority", "topic", "assignee", "channel", "language"]
    search_fields = ["reference", "email", "subject", "tx_hash", "account"]
    date_hierarchy = "created_at"
    list_select_related = ["topic", "assignee"]
    inlines = [TicketAttachmentInline]
    readonly_fields = [
        "reference",
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
        "submitted_text",
        "network",
        "tx_hash",
        "amount",
        "occurred_at",
        "created_at",
        "updated_at",
    ]
    # Every field the requester typed freely is shown in one labelled box
    # (with the contacts in it that are not ours), never as plain fields
    # that could read as the help center's own data.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "status",
                    "priority",
                    "assignee",
                    "first_response_due_at",
                    "first_response_at",
                    "resolution_due_at",
                    "resolved_at",
                    "closed_at",
                    "parent",
                ]
            },
        ),
        (
            _("Request"),
            {"fields": ["topic", "article", "email", "submitted_text"]},
        ),
        (
            _("Transfer"),
            {"fields": ["network", "tx_hash", "amount", "occurred_at"]},
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

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("subject (requester's words)"), ordering="subject")
    def requester_subject(self, obj):
        return obj.subject

    @admin.display(description=_("submitted text"))
    def submitted_text(self, obj):
        submitted = selectors.ticket_submitted_text(
            ticket=obj, fields=SUBMITTED_FIELDS
        )
        heading = _("Written by the requester (their own words, not checked)")
        return render_to_string(
            "channels/tickets/_submitted_text.html",
            {"submitted": submitted, "heading": heading, "for_staff": True},
        )

    def get_form(self, request, obj=None, **kwargs):
        # The version travels in a hidden input at the top of the form
        # (admin/channels/ticket/change_form.html), outside the fieldsets,
        # which would give it a label.
        fieldsets = self.get_fieldsets(request, obj)
        kwargs["fields"] = [*flatten_fieldsets(fieldsets), "seen_version"]
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        # Each change goes through its service, so it is recorded in the
        # timeline with who and when, and checked against the version read.
        seen = form.cleaned_data.get("seen_version")
        for name, service, argument in (
            ("status", services.ticket_status_set, "status"),
            ("priority", services.ticket_priority_set, "priority"),
            ("assignee", services.ticket_assign, "assignee"),
        ):
            if name in form.changed_data:
                ticket = service(
                    ticket=obj,
                    actor=request.user,
                    expected_version=seen,
                    **{argument: form.cleaned_data[name]},
                )
                seen = ticket.version


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at"]
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


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "topic", "priority", "first_response", "resolution"]
    list_filter = ["priority", "topic"]
    list_select_related = ["topic"]


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
