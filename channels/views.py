import secrets

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from channels import ratelimit, selectors, services, verify
from channels import secrets as secret_scan
from channels.forms import (
    ContactForm,
    ReportForm,
    extra_fields_with_kinds,
    sign_started,
)
from channels.models import TicketAttachment

CONTACT_IP_LIMIT = 10
CONTACT_EMAIL_LIMIT = 5
REPORT_IP_LIMIT = 10
WINDOW = 3600
RECEIPTS_SESSION_KEY = "contact_receipts"


@require_safe
def channel_list(request):
    page = selectors.channel_list_for_page()
    return render(request, "channels/channel_list.html", {"page": page})


@require_safe
def contact_verify(request):
    query = request.GET.get("q", "")[: verify.MAX_INPUT].strip()
    if query and secret_scan.contains_secret(query):
        # Neither checked nor kept; the redirect takes it out of the address
        # bar and out of the language links, which repeat the query string.
        messages.error(request, secret_scan.SECRET_IN_CHECKER)
        return redirect("channels:verify")
    verdict = selectors.contact_check(raw=query) if query else None
    if verdict and verdict.verdict != verify.OFFICIAL:
        services.contact_lookup_record(contact=verdict.contact)
    return render(
        request,
        "channels/contact_verify.html",
        {
            "query": query,
            "verdict": verdict,
            "report_form": ReportForm(initial={"contact": query}),
        },
    )


@require_POST
def contact_report(request):
    if not ratelimit.hit(
        "report-ip", ratelimit.client_ip(request), limit=REPORT_IP_LIMIT, window=WINDOW
    ):
        return _too_many(request)
    form = ReportForm(request.POST)
    if not form.is_valid():
        context = {"query": "", "verdict": None, "report_form": form}
        return render(request, "channels/contact_verify.html", context, status=400)
    services.contact_report_create(
        contact=form.cleaned_data["contact"],
        description=form.cleaned_data["description"],
    )
    messages.success(request, _("Thank you. Our team will review this contact."))
    return redirect("channels:verify")


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def contact(request):
    if request.method == "POST":
        return _contact_post(request)
    initial = {
        "category": request.GET.get("category", "")[:80],
        "article": request.GET.get("article", "")[:200],
        "submission_key": secrets.token_hex(16),
    }
    return _contact_render(request, ContactForm(initial=initial))


def _contact_render(request, form, *, status=200, error=""):
    context = {
        "form": form,
        "error": error,
        "categories": selectors.category_list_for_contact(),
        "extra_fields": extra_fields_with_kinds(form),
        "started": sign_started(),
        "article": selectors.article_for_contact(slug=form["article"].value() or ""),
    }
    return render(request, "channels/ticket_form.html", context, status=status)


def _contact_post(request):
    if not ratelimit.hit(
        "contact-ip",
        ratelimit.client_ip(request),
        limit=CONTACT_IP_LIMIT,
        window=WINDOW,
    ):
        return _too_many(request)
    form = ContactForm(request.POST, request.FILES)
    spam = form.spam_error()
    if spam:
        return _contact_render(
            request,
            ContactForm(initial={"submission_key": secrets.token_hex(16)}),
            status=400,
            error=spam,
        )
    key = request.POST.get("submission_key", "")
    if selectors.ticket_exists_for_key(submission_key=key):
        return _contact_duplicate(request, key)
    if not form.is_valid():
        return _contact_render(request, form)
    data = form.cleaned_data
    if not ratelimit.hit(
        "contact-email", data["email"].lower(), limit=CONTACT_EMAIL_LIMIT, window=WINDOW
    ):
        return _too_many(request)
    receipt = services.ticket_create(**form.ticket_arguments(), language=get_language())
    if not receipt.created:
        return _contact_duplicate(request, key)
    url = services.ticket_status_path(
        ticket=receipt.ticket, token=receipt.token, language=get_language()
    )
    receipts = request.session.get(RECEIPTS_SESSION_KEY, {})
    receipts[key] = url
    request.session[RECEIPTS_SESSION_KEY] = dict(list(receipts.items())[-10:])
    messages.success(
        request,
        _(
            "Thank you, we received your request. A confirmation is on its way "
            "to your e-mail."
        ),
    )
    return redirect(url)


def _contact_duplicate(request, key):
    """A retried POST: show the ticket it already made, never a second one."""
    url = request.session.get(RECEIPTS_SESSION_KEY, {}).get(key)
    if url:
        return redirect(url)
    messages.info(
        request,
        _(
            "We already received this request. The link to follow it is in "
            "your confirmation e-mail."
        ),
    )
    return redirect("channels:contact")


def _too_many(request):
    response = render(request, "channels/too_many.html", status=429)
    response["Retry-After"] = str(WINDOW)
    return response


@never_cache
@require_safe
def ticket_status(request, reference, token):
    ticket = selectors.ticket_get_for_status(reference=reference, token=token)
    if ticket is None:
        raise Http404("No such ticket")
    response = render(request, "channels/ticket_status.html", {"ticket": ticket})
    # The URL is the secret: keep it out of Referer headers.
    response["Referrer-Policy"] = "no-referrer"
    return response


@staff_member_required
@require_safe
def attachment(request, name):
    item = get_object_or_404(TicketAttachment, file=f"tickets/{name}")
    response = FileResponse(
        default_storage.open(item.file.name), content_type=item.content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
