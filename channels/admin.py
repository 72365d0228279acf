from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

# Registers the ticket models' admin classes.
from channels import services, verify
from channels.models import (
    ChannelIdentifier,
    ContactLookup,
    ContactReport,
    DkimKey,
    KnownScamContact,
    SupportChannel,
)
from channels.tickets import admin as tickets_admin  # noqa: F401


class ChannelIdentifierInline(admin.TabularInline):
    model = ChannelIdentifier
    extra = 1
    fields = ["platform", "value", "includes_subdomains", "user_content_paths"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})}
    }


@admin.register(SupportChannel)
class SupportChannelAdmin(SimpleHistoryAdmin):
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


class KnownScamContactForm(forms.ModelForm):
    class Meta:
        model = KnownScamContact
        fields = ["value", "kind", "note"]

    def clean_value(self):
        # Stored as the checker looks it up: pasted as seen, or normalised.
        return verify.scam_value(self.cleaned_data["value"])


@admin.register(KnownScamContact)
class KnownScamContactAdmin(admin.ModelAdmin):
    form = KnownScamContactForm
    list_display = ["value", "kind", "note", "created_at"]
    list_filter = ["kind"]
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


@admin.register(DkimKey)
class DkimKeyAdmin(admin.ModelAdmin):
    list_display = ["domain", "selector", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["domain", "selector"]
    fields = ["domain", "selector", "public_key", "is_active"]
