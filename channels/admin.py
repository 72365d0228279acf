from django import forms
from django.contrib import admin, messages
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from channels import selectors, services
from channels.models import (
    ChannelIdentifier,
    ContactLookup,
    ContactReport,
    KnownScamContact,
    OutboundEmail,
    SupportChannel,
    Ticket,
    TicketAttachment,
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


class ChannelIdentifierInline(admin.TabularInline):
    model = ChannelIdentifier
    extra = 1
    fields = ["platform", "value", "includes_subdomains", "user_content_paths"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})}
    }


@admin.register(SupportChannel)
class SupportChannelAdmin(admin.ModelAdmin):
    list_display = [
        "name_zh_hans",
        "kind",
        "address",
        "is_official",
        "is_offered",
        "is_available",
        "order",
    ]
    list_editable = ["is_available", "order"]
    list_filter = ["kind", "is_official", "is_offered", "is_available"]
    search_fields = [
        "name_zh_hans",
        "name_en",
        "address",
        "official_identifiers__value",
    ]
    prepopulated_fields = {"slug": ["name_en"]}
    filter_horizontal = ["best_for"]
    inlines = [ChannelIdentifierInline]
    fieldsets = [
        (None, {"fields": ["kind", "name_zh_hans", "name_en", "address", "best_for"]}),
        (_("Texts"), {"fields": ["description_zh_hans", "description_en"]}),
        (
            _("Hours and response time"),
            {
                "fields": [
                    "time_zone",
                    "open_days",
                    "opens_at",
                    "closes_at",
                    "response_time_zh_hans",
                    "response_time_en",
                ]
            },
        ),
        (_("Status"), {"fields": ["is_official", "is_offered", "is_available"]}),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": ["slug", "order"],
            },
        ),
    ]


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


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "requester_subject",
        "category",
        "status",
        "email",
        "created_at",
        "first_response_at",
    ]
    list_filter = ["status", "category", "channel", "language", "created_at"]
    search_fields = ["reference", "email", "subject", "tx_hash", "account"]
    date_hierarchy = "created_at"
    list_select_related = ["category"]
    inlines = [TicketAttachmentInline]
    actions = ["mark_answered"]
    readonly_fields = [
        "reference",
        "channel",
        "category",
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
        (None, {"fields": ["reference", "status", "first_response_at"]}),
        (
            _("Request"),
            {"fields": ["category", "article", "email", "submitted_text"]},
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
            "channels/_submitted_text.html",
            {"submitted": submitted, "heading": heading, "for_staff": True},
        )

    @admin.action(description=_("Mark as answered now (sets the first response)"))
    def mark_answered(self, request, queryset):
        for ticket in queryset:
            services.ticket_mark_answered(ticket=ticket)
        self.message_user(request, _("Tickets marked as answered."), messages.SUCCESS)


@admin.register(ContactReport)
class ContactReportAdmin(admin.ModelAdmin):
    list_display = ["contact", "value", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["contact", "value", "description"]
    readonly_fields = ["contact", "value", "description", "created_at"]
    actions = ["mark_known_scam", "dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark the contact as a known scam"))
    def mark_known_scam(self, request, queryset):
        for report in queryset:
            services.contact_report_confirm(report=report)
        self.message_user(
            request,
            _("The checker now shows these contacts as known scams."),
            messages.SUCCESS,
        )

    @admin.action(description=_("Dismiss"))
    def dismiss(self, request, queryset):
        queryset.update(status=ContactReport.Status.DISMISSED)


@admin.register(KnownScamContact)
class KnownScamContactAdmin(admin.ModelAdmin):
    list_display = ["value", "note", "created_at"]
    search_fields = ["value", "note"]


@admin.register(ContactLookup)
class ContactLookupAdmin(admin.ModelAdmin):
    list_display = ["value", "lookup_count", "first_seen_at", "last_seen_at"]
    search_fields = ["value"]
    readonly_fields = ["value", "lookup_count", "first_seen_at", "last_seen_at"]
    actions = ["mark_known_scam"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark as known scam"))
    def mark_known_scam(self, request, queryset):
        for lookup in queryset:
            services.known_scam_add(contact=lookup.value)
        self.message_user(request, _("Marked as known scams."), messages.SUCCESS)


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
