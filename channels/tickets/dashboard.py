"""The staff dashboard at /admin/dashboard/: figures of the support loop."""

from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from channels.tickets import reports
from helpcenter.accounts.decorators import staff_required


@never_cache
@require_safe
@staff_required
def dashboard(request):
    context = {
        **admin.site.each_context(request),
        "title": _("Support dashboard"),
        "dashboard": reports.dashboard_get(now=timezone.now()),
    }
    return render(request, "admin/channels/dashboard.html", context)
