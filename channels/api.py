"""``/api/v1/`` endpoints for the support channels and the contact checker."""

from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import codes_4xx

from channels import ratelimit, secrets as secret_scan, selectors, services, verify
from channels.forms import VerifyForm
from channels.schemas import ChannelOut, VerifyOut
from channels.tickets import selectors as ticket_selectors
from channels.views import CODE_CHECK_LIMIT, WINDOW
from helpcenter.api_errors import ApiError, ErrorOut, form_errors

router = Router(tags=["channels"])


def _time(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


@router.get("/channels", response=list[ChannelOut])
def channel_list(request):
    """The official channels, in page order, each open now or not, with the
    median first-response time of the last 30 days (null below 5 tickets)."""
    page = selectors.channel_list_for_page()
    return [
        {
            "slug": channel.slug,
            "kind": channel.kind,
            "name": channel.name,
            "description": channel.description,
            "address": channel.address,
            "url": channel.get_absolute_url(),
            "is_available": channel.is_available,
            "is_open": channel.is_open,
            "has_hours": channel.has_hours,
            "open_days": channel.open_days,
            "opens_at": _time(channel.opens_at),
            "closes_at": _time(channel.closes_at),
            "time_zone": channel.time_zone,
            "response_time": channel.response_time,
            "measured_median_seconds": (
                int(channel.measured_median.total_seconds())
                if channel.measured_median is not None
                else None
            ),
        }
        for channel in page.channels
    ]


def _advice(verdict: verify.Verdict) -> list[str]:
    """The checker page's advice for a verdict, as sentences."""
    if verdict.verdict == verify.OFFICIAL:
        return [
            _(
                "Even here, support will never ask for your recovery phrase, "
                "private key, 2FA codes or remote access."
            )
        ]
    advice = []
    if verdict.contact.kind == "phone":
        advice.append(
            _(
                "We never call users and have no hotline, so anyone calling as "
                "our support is a scammer."
            )
        )
    return advice + [
        _("Do not pay anything and do not send any crypto."),
        _(
            "Do not share anything: no recovery phrase, private key, codes, "
            "screenshots or remote access."
        ),
        _("Stop replying, and report the contact so we can warn others."),
        _("Reach us only through the channels on our official list."),
    ]


@router.get("/verify", response={200: VerifyOut, codes_4xx: ErrorOut})
def contact_verify(request, q: str = "", platform: str = ""):
    """Is this contact really support? The checker page's verdict.

    ``platform`` says where a handle was seen (wechat, telegram, ...). A
    query that looks like a recovery phrase or key is refused with
    ``secret_detected``: neither checked, echoed nor kept.
    """
    form = VerifyForm({"q": q, "platform": platform})
    if not form.is_valid():
        raise ApiError(400, form_errors(form))
    query = form.cleaned_data["q"]
    if query and secret_scan.contains_secret(query):
        raise ApiError.one(
            400, "secret_detected", secret_scan.SECRET_IN_CHECKER, field="q"
        )
    if query and ticket_selectors.reply_code_is_candidate(raw=query):
        code = _reply_code_answer(request, query)
        if code is not None:
            return code
    verdict = selectors.contact_check(raw=query, platform=platform) if query else None
    if verdict is None:
        raise ApiError.one(
            400,
            "required" if not query else "unusable",
            _("Please enter a phone number, e-mail address, website or handle."),
            field="q",
        )
    if verdict.verdict != verify.OFFICIAL:
        services.contact_lookup_record(contact=verdict.contact)
    channel = verdict.channel
    return {
        "verdict": verdict.verdict,
        "reason": verdict.reason,
        "imitates": verdict.imitates,
        "scam_note": verdict.scam_note,
        "contact": {
            "kind": verdict.contact.kind,
            "value": verdict.contact.value,
            "host": verdict.contact.host,
            "platform": verdict.contact.platform,
        },
        "channel": (
            {
                "slug": channel.slug,
                "name": channel.name,
                "kind": channel.kind,
                "url": channel.get_absolute_url(),
            }
            if channel is not None
            else None
        ),
        "advice": _advice(verdict),
    }


def _reply_code_answer(request, query: str) -> dict | None:
    """The verdict on a support reply code, as the checker page gives it.

    Only the date of a genuine reply is told, never its text or ticket; code
    checks are rate-limited per client so codes cannot be enumerated. None
    when ``query`` is not a code after all (an 8-character handle).
    """
    if not ratelimit.hit(
        "code-check",
        ratelimit.client_network(request),
        limit=CODE_CHECK_LIMIT,
        window=WINDOW,
    ):
        raise ApiError.one(
            429,
            "too_many_requests",
            _("Too many checks in a short time. Please wait an hour."),
            headers={"Retry-After": str(WINDOW)},
        )
    code = ticket_selectors.reply_code_verdict(raw=query)
    if code is None:
        return None
    if code.verdict == verify.OFFICIAL:
        advice = [
            _(
                "Check that the message you received matches: it must show this "
                "same code and that date, and it must come by e-mail from our "
                "official address or appear on your private request page."
            ),
            _(
                "A genuine code proves nothing about a different message: "
                "scammers copy real codes into their own messages. Even in a "
                "genuine reply, support will never ask for your recovery phrase, "
                "private key, 2FA codes or remote access."
            ),
        ]
    else:
        advice = [
            _(
                "Every reply from our support carries a code that this page "
                "confirms. A message with a code we do not know did not come "
                "from us, whatever its name, logo or address says."
            ),
            _("Do not pay anything and do not send any crypto."),
            _("Reach us only through the channels on our official list."),
        ]
    return {
        "verdict": code.verdict,
        "reason": "reply-code",
        "imitates": False,
        "scam_note": "",
        "sent_at": code.sent_at,
        "contact": {
            "kind": "reply_code",
            "value": code.code,
            "host": "",
            "platform": "",
        },
        "channel": None,
        "advice": advice,
    }
