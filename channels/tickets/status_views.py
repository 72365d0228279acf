"""The requester's side of a ticket, behind its secret status link.

The status page with the conversation, and the forms it posts: a reply,
closing, a nudge, a rating; screenshots served through the same link; and
the lost-link form, which e-mails the link again.
"""

import functools
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from channels import ratelimit
from channels.tickets import links, selectors, services
from channels.tickets.forms import (
    SUBMISSION_KEY,
    PhraseForm,
    RatingForm,
    ReplyForm,
    TicketLookupForm,
    sign_parent,
)
from channels.tickets.models import Ticket, TicketAttachment
from channels.views import WINDOW, too_many

STATUS_PAGE_FIELDS = ("subject", "message")
REPLY_IP_LIMIT = 30
REPLY_TICKET_LIMIT = 10
LOOKUP_IP_LIMIT = 10
LOOKUP_EMAIL_LIMIT = 3
LOOKUP_ANSWER = gettext_lazy(
    "If this reference and e-mail address belong to a request, the link to "
    "follow it is on its way to that address. It can take a few minutes; "
    "check your spam folder too."
)


def status_link_view(view):
    """Open a view only with the ticket's secret link; keep its pages private.

    A wrong token and an unknown reference get the same 404 page, and every
    response is uncacheable and sends no Referer to other sites (the URL is
    the secret). Not ``no-referrer``: under it browsers send ``Origin: null``
    with the page's own forms, which Django's CSRF check refuses.
    """

    @functools.wraps(view)
    @never_cache
    def wrapper(request, reference, token, **kwargs):
        ticket = selectors.ticket_get_for_status(reference=reference, token=token)
        if ticket is None:
            response = _ticket_not_found(request)
        else:
            response = view(request, ticket, token, **kwargs)
        response["Referrer-Policy"] = "same-origin"
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
    request,
    ticket,
    token,
    *,
    reply_form=None,
    rate_form=None,
    phrase_form=None,
    status=200,
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
        "phrase_form": phrase_form or PhraseForm(),
        "mailbox_proof": _mailbox_proof(request, ticket),
        "rate_form": None
        if rating or ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
        else rate_form or RatingForm(),
    }
    return render(
        request, "channels/tickets/ticket_status.html", context, status=status
    )


def _mailbox_proof(request, ticket) -> str:
    """The ``m`` proof sent with the page or form, if it is this ticket's."""
    proof = request.POST.get("m") or request.GET.get("m") or ""
    matches = links.mailbox_proof_matches(
        reference=ticket.reference, status_key=ticket.status_key, proof=proof
    )
    return proof if matches else ""


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
    key = request.POST.get("submission_key", "")
    # A reply sent again (its answer lost) counts once, as a contact form does.
    once = key if SUBMISSION_KEY.fullmatch(key) else ""
    charge = ratelimit.hit_all(
        ("ticket-reply-ip", network, REPLY_IP_LIMIT, WINDOW, once),
        ("ticket-reply", ticket.reference, REPLY_TICKET_LIMIT, WINDOW, once),
    )
    if not charge:
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
    charge.refund()
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


@require_POST
@sensitive_post_parameters("phrase")
@status_link_view
def ticket_phrase(request, ticket, token):
    form = PhraseForm(request.POST)
    if not _mailbox_proof(request, ticket):
        # Our e-mails repeat the phrase: only the mailbox's owner sets it.
        form.is_valid()
        form.add_error(
            None,
            _(
                "To set a phrase, open this page from the link in our e-mail: "
                "that shows the mailbox is yours."
            ),
        )
        return _status_render(request, ticket, token, phrase_form=form, status=403)
    if not form.is_valid():
        return _status_render(request, ticket, token, phrase_form=form, status=400)
    services.ticket_phrase_set(ticket=ticket, phrase=form.cleaned_data["phrase"])
    messages.success(
        request,
        _(
            "Your anti-phishing phrase is saved. Our e-mails about this "
            "request now show it."
        ),
    )
    proof = _mailbox_proof(request, ticket)
    return redirect(_status_url(ticket, token, f"?m={proof}#phrase"))


@require_safe
@status_link_view
def ticket_screenshot(request, ticket, token, name):
    item = selectors.ticket_attachment_for_status(ticket=ticket, name=name)
    if item is None:
        raise Http404("No such screenshot")
    return screenshot_response(item)


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


def screenshot_response(item: TicketAttachment):
    """Serve a stored screenshot so no browser runs or caches it."""
    response = FileResponse(
        default_storage.open(item.file.name), content_type=item.content_type
    )
    # Stricter than the site's policy, which django-csp then leaves alone.
    response["Content-Security-Policy"] = (
        "default-src 'none'; frame-ancestors 'none'; sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
