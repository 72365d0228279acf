import functools
import json
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from channels import ratelimit
from channels.tickets import notices, selectors, services
from channels.tickets.forms import (
    ContactForm,
    RatingForm,
    ReplyForm,
    TicketLookupForm,
    extra_fields_with_kinds,
    parent_payload,
    sign_parent,
    sign_started,
)
from channels.tickets.models import Ticket, TicketAttachment
from channels.views import WINDOW, too_many
from helpcenter.accounts.decorators import staff_required

CONTACT_IP_LIMIT = 10
CONTACT_EMAIL_LIMIT = 5
# Every POST, valid or not; generous, since mistakes do not count above.
CONTACT_POST_LIMIT = 60
STATUS_PAGE_FIELDS = ("subject", "message")
# Refused as spam and counted against the ticket allowance; an expired form
# is more often a person who left the tab open.
COUNTED_SPAM = {"honeypot", "too_fast"}
FORM_SESSION_KEY = "contact_form"
RECEIPTS_COOKIE = "hc_receipts"
RECEIPTS_AGE = 24 * 3600
RECEIPTS_KEPT = 5
REPLY_IP_LIMIT = 30
REPLY_TICKET_LIMIT = 10
LOOKUP_IP_LIMIT = 10
LOOKUP_EMAIL_LIMIT = 3
LOOKUP_ANSWER = gettext_lazy(
    "If this reference and e-mail address belong to a request, the link to "
    "follow it is on its way to that address. It can take a few minutes; "
    "check your spam folder too."
)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def contact(request):
    if request.method == "POST":
        return _contact_post(request)
    topics = selectors.topic_list_for_contact()
    parent = request.GET.get("parent", "")[:500]
    category = request.GET.get("category", "") or parent_payload(parent).get("topic")
    initial = {
        "category": selectors.topic_slug_for_contact(topics=topics, slug=category),
        "article": request.GET.get("article", "")[:200],
        "parent": parent if parent_payload(parent) else "",
        "submission_key": secrets.token_hex(16),
    }
    return _contact_render(request, ContactForm(initial=initial), topics=topics)


def _form_session_id(request) -> str:
    """The random value the form's time trap is tied to, kept in the session.

    Storing it starts a session for a visitor who has none yet.
    """
    value = request.session.get(FORM_SESSION_KEY)
    if not value:
        value = request.session[FORM_SESSION_KEY] = secrets.token_hex(16)
    return value


def _contact_render(
    request, form, *, status=200, error="", files_dropped=False, topics=None
):
    started = sign_started(
        submission_key=form["submission_key"].value() or "",
        session_id=_form_session_id(request),
    )
    if topics is None:
        topics = selectors.topic_list_for_contact()
    context = {
        "form": form,
        "error": error,
        "files_dropped": files_dropped,
        "topics": topics,
        # Every topic's notices, hidden unless chosen: script shows the
        # chosen topic's without a round trip.
        "notices": notices.incident_notice_list_for_topics(
            topics=topics, now=timezone.now()
        ),
        "extra_fields": extra_fields_with_kinds(form),
        "started": started,
        "article": selectors.article_for_contact(slug=form["article"].value() or ""),
        "parent_reference": parent_payload(form["parent"].value() or "").get(
            "reference", ""
        ),
    }
    return render(request, "channels/tickets/ticket_form.html", context, status=status)


def _contact_post(request):
    network = ratelimit.client_network(request)
    if not ratelimit.hit(
        "contact-post", network, limit=CONTACT_POST_LIMIT, window=WINDOW
    ) or not ratelimit.hit(
        "contact-ip", network, limit=CONTACT_IP_LIMIT, window=WINDOW
    ):
        return too_many(request)
    response, counts = _contact_attempt(request)
    if not counts:
        # Only created tickets and blocked spam use up the allowance: a
        # person correcting a mistake may send the form many times.
        ratelimit.refund("contact-ip", network)
    return response


def _contact_attempt(request):
    """Handle one POST; return the response and whether it counts."""
    key = request.POST.get("submission_key", "")
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
        return too_many(request), False
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


def status_link_view(view):
    """Open a view only with the ticket's secret link; keep its pages private.

    A wrong token and an unknown reference get the same 404 page, and every
    response is uncacheable and sends no Referer (the URL is the secret).
    """

    @functools.wraps(view)
    @never_cache
    def wrapper(request, reference, token, **kwargs):
        ticket = selectors.ticket_get_for_status(reference=reference, token=token)
        if ticket is None:
            response = _ticket_not_found(request)
        else:
            response = view(request, ticket, token, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


def _ticket_not_found(request):
    # Like the site's 404, it never repeats the path: an attacker chooses it.
    alternate_urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            alternate_urls[code] = reverse("channels:ticket_lookup")
    context = {"alternate_urls": alternate_urls}
    return render(
        request, "channels/tickets/ticket_not_found.html", context, status=404
    )


def _status_url(ticket: Ticket, token: str, anchor: str = "") -> str:
    url = reverse(
        "channels:ticket_status",
        kwargs={"reference": ticket.reference, "token": token},
    )
    return url + anchor


@require_safe
@status_link_view
def ticket_status(request, ticket, token):
    return _status_render(request, ticket, token)


def _status_render(
    request, ticket, token, *, reply_form=None, rate_form=None, status=200
):
    now = timezone.now()
    reply_allowed = services.ticket_reply_allowed(ticket=ticket, now=now)
    nudge_code = services.ticket_nudge_allowed(ticket=ticket, now=now)
    rating = getattr(ticket, "rating", None)
    context = {
        "ticket": ticket,
        "token": token,
        "conversation": selectors.ticket_conversation(
            ticket=ticket, fields=STATUS_PAGE_FIELDS
        ),
        "reply_allowed": reply_allowed,
        "reply_form": reply_form or ReplyForm(),
        # A new key for each page shown; a refused POST keeps its own, so a
        # retry of it still adds one reply only.
        "submission_key": _reply_key(reply_form),
        "new_request_url": ""
        if reply_allowed
        else reverse("channels:contact")
        + "?"
        + urlencode({"parent": sign_parent(ticket=ticket)}),
        "nudge_code": nudge_code,
        "nudge_message": services.NUDGE_MESSAGES.get(nudge_code, ""),
        "nudge_available_at": _nudge_available_at(ticket, nudge_code),
        "rating": rating,
        "rate_form": None
        if rating or ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
        else rate_form or RatingForm(),
    }
    return render(
        request, "channels/tickets/ticket_status.html", context, status=status
    )


def _reply_key(form) -> str:
    key = form["submission_key"].value() if form is not None else ""
    if form is not None and not form["submission_key"].errors and key:
        return key
    return secrets.token_hex(16)


def _nudge_available_at(ticket, code):
    if code == "not_due":
        return ticket.first_response_due_at
    if code == "too_soon":
        return ticket.last_nudged_at + services.NUDGE_INTERVAL
    return None


@require_POST
@status_link_view
def ticket_reply(request, ticket, token):
    network = ratelimit.client_network(request)
    if not ratelimit.hit(
        "ticket-reply-ip", network, limit=REPLY_IP_LIMIT, window=WINDOW
    ) or not ratelimit.hit(
        "ticket-reply", ticket.reference, limit=REPLY_TICKET_LIMIT, window=WINDOW
    ):
        return too_many(request)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_requester_reply(
                ticket=ticket,
                message=form.cleaned_data["message"],
                attachments=form.cleaned_data["attachments"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except services.ReplyNotAllowed as error:
            messages.error(request, error.message)
            return redirect(_status_url(ticket, token, "#reply"))
        messages.success(request, _("Thank you, your reply was added."))
        return redirect(_status_url(ticket, token, "#reply"))
    # A corrected mistake must not use up the allowance.
    ratelimit.refund("ticket-reply-ip", network)
    ratelimit.refund("ticket-reply", ticket.reference)
    return _status_render(request, ticket, token, reply_form=form, status=400)


@require_POST
@status_link_view
def ticket_close(request, ticket, token):
    services.ticket_close_by_requester(ticket=ticket)
    messages.success(request, _("Your request is closed. Thank you."))
    return redirect(_status_url(ticket, token))


@require_POST
@status_link_view
def ticket_nudge(request, ticket, token):
    try:
        services.ticket_nudge(ticket=ticket)
    except services.NudgeNotAllowed as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Reminder sent: your request moved up in our queue.")
        )
    return redirect(_status_url(ticket, token))


@require_POST
@status_link_view
def ticket_rate(request, ticket, token):
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _status_render(request, ticket, token, rate_form=form, status=400)
    try:
        services.ticket_rate(
            ticket=ticket,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except services.RatingNotAllowed as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect(_status_url(ticket, token, "#rate"))


@require_safe
@status_link_view
def ticket_screenshot(request, ticket, token, name):
    item = selectors.ticket_attachment_for_status(ticket=ticket, name=name)
    if item is None:
        raise Http404("No such screenshot")
    return _file_response(item)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def ticket_lookup(request):
    """Resend a lost status link.

    The answer is the same sentence whether or not the pair exists, and the
    mail is only queued, so neither words nor timing tell who wrote to us.
    """
    if request.method == "GET":
        return _lookup_render(request, TicketLookupForm())
    if not ratelimit.hit(
        "lookup-ip",
        ratelimit.client_network(request),
        limit=LOOKUP_IP_LIMIT,
        window=WINDOW,
    ):
        return too_many(request)
    form = TicketLookupForm(request.POST)
    if not form.is_valid():
        return _lookup_render(request, form, status=400)
    mailbox = ratelimit.email_identity(form.cleaned_data["email"])
    if not ratelimit.hit(
        "lookup-email", mailbox, limit=LOOKUP_EMAIL_LIMIT, window=WINDOW
    ):
        return too_many(request)
    services.status_link_resend(
        reference=form.cleaned_data["reference"], email=form.cleaned_data["email"]
    )
    messages.success(request, LOOKUP_ANSWER)
    return redirect("channels:ticket_lookup")


def _lookup_render(request, form, *, status=200):
    return render(
        request, "channels/tickets/ticket_lookup.html", {"form": form}, status=status
    )


def _file_response(item: TicketAttachment):
    response = FileResponse(
        default_storage.open(item.file.name), content_type=item.content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_safe
def attachment(request, name):
    item = get_object_or_404(TicketAttachment, file=f"tickets/{name}")
    return _file_response(item)
