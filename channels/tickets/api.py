"""``/api/v1/`` endpoints for ticket topics, new tickets and following one.

A new ticket goes through the contact form's own ``ContactForm`` and
``ticket_create``, with the same rate limits as the page. The page's
browser-only defences do not apply to a native app: there is no hidden
honeypot field to fill and no signed "form shown at" time. The limits per
client network and per mailbox (shared with the page, so neither door
widens the other's allowance) are what stops a flood.

A ticket is then read and answered with its status-link token as a bearer
token; a wrong or missing token reads as an unknown reference (404).
"""

import hashlib
import json
import re
import secrets

from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, gettext as _
from ninja import Header, Router, Status
from ninja.responses import codes_4xx
from ninja.security import HttpBearer

from channels import ratelimit, secrets as secret_scan
from channels.models import SupportChannel
from channels.tickets import links, selectors, services
from channels.tickets.forms import ContactForm
from channels.tickets.models import Ticket, TicketEvent
from channels.tickets.schemas import (
    RatingIn,
    RatingOut,
    ReplyIn,
    ReplyOut,
    TicketCreated,
    TicketIn,
    TicketOut,
    TopicOut,
)
from channels.tickets.topics import TOPIC_FIELDS
from channels.tickets.views import (
    CONTACT_EMAIL_LIMIT,
    CONTACT_IP_LIMIT,
    CONTACT_POST_LIMIT,
)
from channels.views import WINDOW
from helpcenter.api_errors import ApiError, ErrorOut, form_errors

router = Router(tags=["tickets"])

# The fields a client may send; the browser-only ones (honeypot, signed
# start time, submission key) are not read from the request.
TICKET_FIELDS = tuple(
    name
    for name in ContactForm.base_fields
    if name not in ("website", "started", "submission_key", "attachments")
)
# Random keys (a UUID is 36 characters) only: a short key could be guessed,
# and a replayed key answers with the ticket's token.
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{16,200}")
REFERENCE = re.compile(r"[A-Z0-9-]{1,16}")
WRITE_LIMIT = 60
# What a requester sees of the timeline: messages and status changes; who
# was assigned and internal priorities stay with the team.
TIMELINE_KINDS = (
    TicketEvent.Kind.REQUESTER_MESSAGE,
    TicketEvent.Kind.PUBLIC_REPLY,
    TicketEvent.Kind.STATUS_CHANGE,
)
FIELD_TYPES = {
    "ChoiceField": "choice",
    "DecimalField": "decimal",
    "DateTimeField": "datetime",
}


class TicketToken(HttpBearer):
    """The ticket's status-link token; checked against the ticket itself."""

    def authenticate(self, request, token):
        return token or None


def _too_many() -> ApiError:
    return ApiError.one(
        429,
        "too_many_requests",
        _(
            "You have sent several requests in a short time. Please wait an "
            "hour and try again; we answer every request already received."
        ),
        headers={"Retry-After": str(WINDOW)},
    )


def _topic_fields(kind: str) -> list[dict]:
    fields = ContactForm.base_fields
    return [
        {
            "name": name,
            "label": str(fields[name].label),
            "type": FIELD_TYPES.get(type(fields[name]).__name__, "text"),
            "required": required,
            "max_length": getattr(fields[name], "max_length", None),
            "choices": (
                [[value, str(label)] for value, label in fields[name].choices if value]
                if hasattr(fields[name], "choices")
                else None
            ),
        }
        for name, required in TOPIC_FIELDS.get(kind, ())
    ]


@router.get("/ticket-topics", response=list[TopicOut])
def topic_list(request):
    """The topics a ticket can be about, each with the extra fields it asks
    for (in form order) and whether each is required."""
    return [
        {
            "slug": topic.slug,
            "name": topic.name,
            "kind": topic.kind,
            "category": topic.category.slug if topic.category else None,
            "fields": _topic_fields(topic.kind),
        }
        for topic in selectors.topic_list_for_contact()
    ]


def _ticket_input(request) -> tuple[dict, MultiValueDict]:
    """Return the form data and files of a JSON or multipart body."""
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data = {name: request.POST.get(name) for name in TICKET_FIELDS}
        return {k: v for k, v in data.items() if v is not None}, request.FILES
    if content_type != "application/json":
        raise ApiError.one(
            415,
            "unsupported_media_type",
            _("Send the request as JSON, or as multipart/form-data with files."),
        )
    try:
        body = json.loads(request.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError.one(400, "invalid", _("The request body is not a JSON object."))
    data = {}
    for name in TICKET_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, (dict, list)):
            raise ApiError.one(400, "invalid", _("Enter a valid value."), field=name)
        data[name] = str(value) if not isinstance(value, bool) else str(value).lower()
    return data, MultiValueDict()


def _submission_key(*, idempotency_key: str, email: str) -> str:
    """The ``ticket_create`` submission key for a request.

    The client's ``Idempotency-Key`` joined with the mailbox it writes from:
    two clients choosing the same key never meet, and a retry from another
    network (a phone leaving Wi-Fi) still finds its first ticket.
    """
    if not idempotency_key:
        return secrets.token_hex(16)
    if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise ApiError.one(
            400,
            "invalid",
            _("Use a random value of 16 to 200 characters, such as a UUID."),
            field="Idempotency-Key",
        )
    identity = ratelimit.email_identity(email)
    digest = hashlib.sha256(f"api:{identity}:{idempotency_key}".encode())
    return digest.hexdigest()[:32]


def _created(ticket: Ticket) -> dict:
    return {
        "reference": ticket.reference,
        "status_url": services.ticket_status_url(ticket=ticket),
        "token": links.status_token(
            reference=ticket.reference, status_key=ticket.status_key
        ),
    }


@router.post(
    "/tickets",
    response={200: TicketCreated, 201: TicketCreated, codes_4xx: ErrorOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": TicketIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        **TicketIn.model_json_schema(),
                        "properties": {
                            **TicketIn.model_json_schema()["properties"],
                            "attachments": {
                                "type": "array",
                                "maxItems": 3,
                                "items": {"type": "string", "format": "binary"},
                            },
                        },
                    }
                },
            },
        }
    },
)
def ticket_create(request, idempotency_key: str = Header("", alias="Idempotency-Key")):
    """File a support request, as the contact form does.

    201 with the reference, the status page's link and the token that
    reads and answers the ticket here. With an ``Idempotency-Key``, a
    retried request (same key, same e-mail) answers 200 with the first
    ticket instead of filing a second one. Screenshots (PNG, JPEG or WebP,
    up to 3) need multipart/form-data, field ``attachments``.
    """
    network = ratelimit.client_network(request)
    if not ratelimit.hit(
        "contact-post", network, limit=CONTACT_POST_LIMIT, window=WINDOW
    ):
        raise _too_many()
    data, files = _ticket_input(request)
    data["submission_key"] = _submission_key(
        idempotency_key=idempotency_key, email=data.get("email", "")
    )
    form = ContactForm(data, files)
    if not form.is_valid():
        raise ApiError(400, form_errors(form))
    # As on the page: a request counts once, however often it is retried,
    # and only when it files a ticket.
    key = data["submission_key"]
    charge = ratelimit.hit_all(
        ("contact-ip", network, CONTACT_IP_LIMIT, WINDOW, key),
        (
            "contact-email",
            ratelimit.email_identity(form.cleaned_data["email"]),
            CONTACT_EMAIL_LIMIT,
            WINDOW,
            key,
        ),
    )
    if not charge:
        charge.refund()  # the client network's hit, when its mailbox refused
        raise _too_many()
    created = False
    try:
        receipt = services.ticket_create(
            **form.ticket_arguments(),
            language=get_language(),
            channel_kind=SupportChannel.Kind.IN_APP,
        )
        created = receipt.created
    finally:
        if not created:
            charge.refund()
    return Status(201 if created else 200, _created(receipt.ticket))


def _ticket(request, reference: str) -> Ticket:
    ticket = None
    if REFERENCE.fullmatch(reference):
        ticket = selectors.ticket_get_for_status(
            reference=reference, token=request.auth
        )
    if ticket is None:
        raise ApiError.one(404, "not_found", _("Not found."))
    return ticket


def _write_allowed(request) -> None:
    if not ratelimit.hit(
        "api-ticket-write",
        ratelimit.client_network(request),
        limit=WRITE_LIMIT,
        window=WINDOW,
    ):
        raise _too_many()


def _refused(error: services.TicketError) -> ApiError:
    status = 400 if error.code in ("empty", "invalid") else 409
    return ApiError.one(status, error.code, error.message)


def _secret_refused(field: str) -> ApiError:
    return ApiError.one(400, "secret_detected", secret_scan.SECRET_REFUSED, field=field)


@router.get(
    "/tickets/{reference}",
    auth=TicketToken(),
    response={200: TicketOut, codes_4xx: ErrorOut},
)
def ticket_detail(request, reference: str):
    """The ticket's status and its public conversation, oldest first.

    Internal notes and the team's bookkeeping (assignment, priority) are
    never part of it.
    """
    ticket = _ticket(request, reference)
    timeline = [
        event
        for event in selectors.ticket_timeline(ticket=ticket, public=True)
        if event.kind in TIMELINE_KINDS
    ]
    rating = getattr(ticket, "rating", None)
    return {
        "reference": ticket.reference,
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
        "topic": (
            {"slug": ticket.topic.slug, "name": ticket.topic.name}
            if ticket.topic
            else None
        ),
        "subject": ticket.subject,
        "message": ticket.message,
        "created_at": ticket.created_at,
        "can_reply": services.ticket_reply_allowed(ticket=ticket),
        "rating": rating.rating if rating else None,
        "antiphishing_phrase": ticket.antiphishing_phrase,
        "timeline": [
            {
                "kind": event.kind,
                "author": (
                    selectors.reply_author_name(author=event.author)
                    if event.kind == TicketEvent.Kind.PUBLIC_REPLY
                    else None
                ),
                "body": event.body if event.kind != "status_change" else "",
                "status": (
                    event.new_value
                    if event.kind == TicketEvent.Kind.STATUS_CHANGE
                    else None
                ),
                "reply_code": event.reply_code or None,
                "created_at": event.created_at,
            }
            for event in timeline
        ],
    }


@router.post(
    "/tickets/{reference}/replies",
    auth=TicketToken(),
    response={201: ReplyOut, codes_4xx: ErrorOut},
)
def ticket_reply(
    request,
    reference: str,
    payload: ReplyIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    """Answer the team; a waiting or recently resolved request reopens.

    409 ``closed`` or ``reopen_window_passed``: file a new request instead.
    """
    ticket = _ticket(request, reference)
    _write_allowed(request)
    key = None
    if idempotency_key:
        if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise ApiError.one(
                400,
                "invalid",
                _("Use a random value of 16 to 200 characters, such as a UUID."),
                field="Idempotency-Key",
            )
        raw = f"api-reply:{ticket.reference}:{idempotency_key}".encode()
        key = hashlib.sha256(raw).hexdigest()[:32]
    if secret_scan.contains_secret(payload.message):
        raise _secret_refused("message")
    try:
        event = services.ticket_requester_reply(
            ticket=ticket, message=payload.message, submission_key=key
        )
    except services.TicketError as error:
        raise _refused(error) from None
    except secret_scan.SecretFound:
        raise _secret_refused("message") from None
    return Status(
        201, {"kind": event.kind, "body": event.body, "created_at": event.created_at}
    )


@router.post(
    "/tickets/{reference}/close",
    auth=TicketToken(),
    response={200: TicketOut, codes_4xx: ErrorOut},
)
def ticket_close(request, reference: str):
    """Close the request ("my problem is solved"); closing twice is harmless."""
    ticket = _ticket(request, reference)
    _write_allowed(request)
    services.ticket_close_by_requester(ticket=ticket)
    return ticket_detail(request, reference)


@router.post(
    "/tickets/{reference}/rating",
    auth=TicketToken(),
    response={201: RatingOut, codes_4xx: ErrorOut},
)
def ticket_rating(request, reference: str, payload: RatingIn):
    """Rate the answer once, from 1 to 5, after the request is resolved.

    409 ``not_resolved`` or ``already_rated``.
    """
    ticket = _ticket(request, reference)
    _write_allowed(request)
    if payload.comment and secret_scan.contains_secret(payload.comment):
        raise _secret_refused("comment")
    try:
        rating = services.ticket_rate(
            ticket=ticket, rating=payload.rating, comment=payload.comment
        )
    except services.TicketError as error:
        raise _refused(error) from None
    except secret_scan.SecretFound:
        raise _secret_refused("comment") from None
    return Status(201, {"rating": rating.rating, "comment": rating.comment})
