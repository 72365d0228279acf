import json
import secrets

from django.contrib import messages
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
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
    SUBMISSION_KEY,
    ContactForm,
    ReportForm,
    VerifyForm,
    extra_fields_with_kinds,
    sign_started,
)
from channels.models import TicketAttachment
from channels.platforms import Platform, platform_help, platform_names
from helpcenter.accounts.decorators import staff_required

CONTACT_IP_LIMIT = 10
CONTACT_EMAIL_LIMIT = 5
# Every POST, valid or not; generous, since mistakes do not count above.
CONTACT_POST_LIMIT = 60
REPORT_IP_LIMIT = 10
WINDOW = 3600
STATUS_PAGE_FIELDS = ("subject", "message")
# Refused as spam and counted against the ticket allowance; an expired form
# is more often a person who left the tab open.
COUNTED_SPAM = {"honeypot", "too_fast"}
FORM_SESSION_KEY = "contact_form"
RECEIPTS_COOKIE = "hc_receipts"
RECEIPTS_AGE = 24 * 3600
RECEIPTS_KEPT = 5


@require_safe
def channel_list(request):
    page = selectors.channel_list_for_page()
    return render(request, "channels/channel_list.html", {"page": page})


@require_http_methods(["GET", "HEAD", "POST"])
def contact_verify(request):
    """Judge a pasted contact.

    The page's own form posts, so whatever is pasted (a recovery phrase,
    sometimes) never lands in a URL that proxies and history keep; links
    with ``?q=`` (a reply code in an e-mail) are still answered.
    """
    form = VerifyForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return _verify_render(request, form, status=400)
    query, platform = form.cleaned_data["q"], form.cleaned_data["platform"]
    if query and secret_scan.contains_secret(query):
        # Neither checked nor kept; the redirect takes it out of the address
        # bar and out of the language links, which repeat the query string.
        messages.error(request, secret_scan.SECRET_IN_CHECKER)
        return redirect("channels:verify")
    verdict = selectors.contact_check(raw=query, platform=platform) if query else None
    if verdict and verdict.verdict != verify.OFFICIAL:
        services.contact_lookup_record(contact=verdict.contact)
    response = _verify_render(request, form, query=query, verdict=verdict)
    if request.method == "POST":
        add_never_cache_headers(response)
    return response


def _verify_render(request, form, *, query="", verdict=None, report=None, status=200):
    platforms = verdict.platforms if verdict else ()
    seen_on = verdict.contact.platform if verdict else ""
    if seen_on == Platform.OTHER:
        seen_on = ""
    context = {
        "form": form,
        "query": query,
        "verdict": verdict,
        "platform_help": platform_help(platforms),
        "platform_names": platform_names(platforms),
        "seen_on": platform_names([seen_on] if seen_on else []),
        "report_form": report or ReportForm(initial={"contact": query}),
    }
    return render(request, "channels/contact_verify.html", context, status=status)


@require_POST
def contact_report(request):
    if not ratelimit.hit(
        "report-ip",
        ratelimit.client_network(request),
        limit=REPORT_IP_LIMIT,
        window=WINDOW,
    ):
        return _too_many(request)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _verify_render(request, VerifyForm(), report=form, status=400)
    services.contact_report_create(
        contact=form.cleaned_data["contact"],
        description=form.cleaned_data["description"],
    )
    messages.success(request, _("Thank you. Our team will review this contact."))
    return redirect("channels:verify")


@never_cache
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


def _form_session_id(request) -> str:
    """The random value the form's time trap is tied to, kept in the session.

    Storing it starts a session for a visitor who has none yet.
    """
    value = request.session.get(FORM_SESSION_KEY)
    if not value:
        value = request.session[FORM_SESSION_KEY] = secrets.token_hex(16)
    return value


def _contact_render(request, form, *, status=200, error="", files_dropped=False):
    started = sign_started(
        submission_key=form["submission_key"].value() or "",
        session_id=_form_session_id(request),
    )
    context = {
        "form": form,
        "error": error,
        "files_dropped": files_dropped,
        "categories": selectors.category_list_for_contact(),
        "extra_fields": extra_fields_with_kinds(form),
        "started": started,
        "article": selectors.article_for_contact(slug=form["article"].value() or ""),
    }
    return render(request, "channels/ticket_form.html", context, status=status)


def _contact_post(request):
    network = ratelimit.client_network(request)
    if not ratelimit.hit(
        "contact-post", network, limit=CONTACT_POST_LIMIT, window=WINDOW
    ) or not ratelimit.hit(
        "contact-ip", network, limit=CONTACT_IP_LIMIT, window=WINDOW
    ):
        return _too_many(request)
    response, counts = _contact_attempt(request)
    if not counts:
        # Only created tickets and blocked spam use up the allowance: a
        # person correcting a mistake may send the form many times.
        ratelimit.refund("contact-ip", network)
    return response


def _contact_attempt(request):
    """Handle one POST; return the response and whether it counts."""
    key = request.POST.get("submission_key", "")
    if SUBMISSION_KEY.fullmatch(key) and selectors.ticket_exists_for_key(
        submission_key=key
    ):
        return _contact_duplicate(request, key), False
    form = ContactForm(request.POST, request.FILES)
    spam = form.spam_error(session_id=request.session.get(FORM_SESSION_KEY, ""))
    if spam:
        refill = ContactForm(
            initial={"submission_key": secrets.token_hex(16), **form.refill_initial()}
        )
        response = _contact_render(
            request,
            refill,
            status=400,
            error=spam.messages[0],
            files_dropped=bool(request.FILES),
        )
        return response, spam.code in COUNTED_SPAM
    if not form.is_valid():
        return _contact_render(request, form), False
    mailbox = ratelimit.email_identity(form.cleaned_data["email"])
    if not ratelimit.hit(
        "contact-email", mailbox, limit=CONTACT_EMAIL_LIMIT, window=WINDOW
    ):
        return _too_many(request), False
    receipt = services.ticket_create(**form.ticket_arguments(), language=get_language())
    if not receipt.created:
        ratelimit.refund("contact-email", mailbox)
        return _contact_duplicate(request, key), False
    url = services.ticket_status_path(
        ticket=receipt.ticket, token=receipt.token, language=get_language()
    )
    messages.success(
        request,
        _(
            "Thank you, we received your request. A confirmation is on its way "
            "to your e-mail."
        ),
    )
    response = redirect(url)
    _receipt_remember(request, response, key=key, url=url)
    return response, True


def _receipts(request) -> dict:
    """The status links of this browser's recent tickets, by submission key.

    They live in a signed cookie, not in the session: a copy of the session
    table must not hand out status links.
    """
    try:
        value = request.get_signed_cookie(
            RECEIPTS_COOKIE, salt=RECEIPTS_COOKIE, max_age=RECEIPTS_AGE
        )
        receipts = json.loads(value)
    except (KeyError, ValueError, signing.BadSignature):
        return {}
    if not isinstance(receipts, dict):
        return {}
    return {
        key: url
        for key, url in receipts.items()
        if isinstance(url, str)
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    }


def _receipt_remember(request, response, *, key: str, url: str) -> None:
    receipts = {**_receipts(request), key: url}
    response.set_signed_cookie(
        RECEIPTS_COOKIE,
        json.dumps(dict(list(receipts.items())[-RECEIPTS_KEPT:])),
        salt=RECEIPTS_COOKIE,
        max_age=RECEIPTS_AGE,
        path=reverse("channels:contact"),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _contact_duplicate(request, key):
    """A retried POST: show the ticket it already made, never a second one."""
    url = _receipts(request).get(key)
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
    submitted = selectors.ticket_submitted_text(
        ticket=ticket, fields=STATUS_PAGE_FIELDS
    )
    context = {"ticket": ticket, "submitted": submitted}
    response = render(request, "channels/ticket_status.html", context)
    # The URL is the secret: keep it out of Referer headers.
    response["Referrer-Policy"] = "no-referrer"
    return response


@staff_required
@require_safe
def attachment(request, name):
    item = get_object_or_404(TicketAttachment, file=f"tickets/{name}")
    response = FileResponse(
        default_storage.open(item.file.name), content_type=item.content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
