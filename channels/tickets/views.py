"""The contact form that files a ticket, and the staff screenshot download.

The requester's pages behind the status link are in ``status_views``.
"""

import json
import secrets

from django.contrib import messages
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from channels import ratelimit
from channels.tickets import notices, selectors, services
from channels.tickets.forms import (
    SUBMISSION_KEY,
    ContactForm,
    extra_fields_with_kinds,
    parent_payload,
    sign_started,
)
from channels.tickets.models import TicketAttachment
from channels.tickets.status_views import screenshot_response
from channels.views import WINDOW, too_many
from helpcenter import pagecache
from helpcenter.accounts.decorators import staff_required

CONTACT_IP_LIMIT = 10
CONTACT_EMAIL_LIMIT = 5
# Every POST, valid or not; generous, since mistakes do not count above.
CONTACT_POST_LIMIT = 60
# Refused as spam and counted against the ticket allowance; an expired form
# is more often a person who left the tab open.
COUNTED_SPAM = {"honeypot", "too_fast"}
RECEIPTS_COOKIE = "hc_receipts"
RECEIPTS_AGE = 24 * 3600
RECEIPTS_KEPT = 5


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


def _form_browser_id(request) -> str:
    """The random value the form's time trap is tied to: the browser's CSRF
    secret, kept in its CSRF cookie (set with this page when missing).

    Showing the form writes nothing on the server (no session), so the
    page cache can serve it; each reader still gets tokens of their own.
    """
    return pagecache.reader_csrf_secret(request)


def contact_form_fresh_fields(request) -> tuple[str, str]:
    """A new submission key and its signed start time for this browser:
    what a cached copy of the contact form gets for each reader."""
    key = secrets.token_hex(16)
    return key, sign_started(submission_key=key, session_id=_form_browser_id(request))


def _contact_render(
    request, form, *, status=200, error="", files_dropped=False, topics=None
):
    key = form["submission_key"].value() or ""
    started = sign_started(submission_key=key, session_id=_form_browser_id(request))
    # A cached copy of the page gets a key and start time for each reader.
    pagecache.replay(
        request, contact_form_fresh_fields, with_request=True, replaces=(key, started)
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
    key = request.POST.get("submission_key", "")
    once = key if SUBMISSION_KEY.fullmatch(key) else ""
    # Every POST counts against contact-post (work done for it); a form,
    # however often it is sent, counts once against the others.
    charge = ratelimit.hit_all(
        ("contact-post", network, CONTACT_POST_LIMIT, WINDOW),
        ("contact-ip", network, CONTACT_IP_LIMIT, WINDOW, once),
    )
    if not charge:
        return too_many(request)
    response, counts = _contact_attempt(request, key)
    if not counts:
        # Only created tickets and blocked spam use up the allowance: a
        # person correcting a mistake may send the form many times.
        charge.refund("contact-ip")
    return response


def _contact_attempt(request, key: str):
    """Handle one POST; return the response and whether it counts."""
    form = ContactForm(request.POST, request.FILES)
    spam = form.spam_error(session_id=request.META.get("CSRF_COOKIE", ""))
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
    charge = ratelimit.hit(
        # The form is valid, so its key is one.
        "contact-email",
        mailbox,
        limit=CONTACT_EMAIL_LIMIT,
        window=WINDOW,
        once=key,
    )
    if not charge:
        return too_many(request), False
    receipt = services.ticket_create(**form.ticket_arguments(), language=get_language())
    if not receipt.created:
        charge.refund()
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


@staff_required
@require_safe
def attachment(request, name):
    item = get_object_or_404(TicketAttachment, file=f"tickets/{name}")
    return screenshot_response(item)
