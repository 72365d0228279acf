from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from channels import (
    addresses,
    emailcheck,
    ratelimit,
    secrets as secret_scan,
    selectors,
    services,
    verify,
)
from channels.forms import EmailCheckForm, ReportForm, VerifyForm
from channels.platforms import Platform, platform_help, platform_names
from channels.tickets import selectors as ticket_selectors
from helpcenter import pagecache

REPORT_IP_LIMIT = 10
# Reply codes are 32**8 values; this many tries an hour makes guessing one
# hopeless.
CODE_CHECK_LIMIT = 30
EMAIL_CHECK_LIMIT = 60
WINDOW = 3600


@require_safe
def channel_list(request):
    page = selectors.channel_list_for_page()
    pagecache.expires_by(request, page.changes_at)
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
    code_verdict = None
    if query and ticket_selectors.reply_code_is_candidate(raw=query):
        if not ratelimit.hit(
            "code-check",
            ratelimit.client_network(request),
            limit=CODE_CHECK_LIMIT,
            window=WINDOW,
        ):
            return too_many(request)
        code_verdict = ticket_selectors.reply_code_verdict(raw=query)
    if code_verdict is not None:
        # Codes are not contacts: never counted among the lookups.
        response = _verify_render(request, form, query=query, code=code_verdict)
        add_never_cache_headers(response)
        return response
    verdict = selectors.contact_check(raw=query, platform=platform) if query else None
    if verdict and verdict.verdict != verify.OFFICIAL:
        services.contact_lookup_record(contact=verdict.contact)
    response = _verify_render(request, form, query=query, verdict=verdict)
    if request.method == "POST":
        add_never_cache_headers(response)
    return response


def _verify_render(
    request, form, *, query="", verdict=None, code=None, report=None, status=200
):
    platforms = verdict.platforms if verdict else ()
    seen_on = verdict.contact.platform if verdict else ""
    if seen_on == Platform.OTHER:
        seen_on = ""
    context = {
        "form": form,
        "query": query,
        "verdict": verdict,
        "code": code,
        "platform_help": platform_help(platforms),
        "platform_names": platform_names(platforms),
        "seen_on": platform_names([seen_on] if seen_on else []),
        "address_network": addresses.network_name(verdict.contact) if verdict else "",
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
        return too_many(request)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _verify_render(request, VerifyForm(), report=form, status=400)
    services.contact_report_create(
        contact=form.cleaned_data["contact"],
        description=form.cleaned_data["description"],
    )
    messages.success(request, _("Thank you. Our team will review this contact."))
    return redirect("channels:verify")


@sensitive_post_parameters("email_source")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def email_verify(request):
    """Judge a pasted e-mail by its DKIM signature, sender and content.

    The e-mail is neither stored nor logged (only counted), and the answer
    is never cached: it repeats the sender and subject.
    """
    if request.method != "POST":
        return _email_render(request, EmailCheckForm())
    if not ratelimit.hit(
        "email-check",
        ratelimit.client_network(request),
        limit=EMAIL_CHECK_LIMIT,
        window=WINDOW,
    ):
        return too_many(request)
    form = EmailCheckForm(request.POST, request.FILES)
    if not form.is_valid():
        too_large = form.has_error("__all__", "too_large")
        return _email_render(request, form, status=413 if too_large else 400)
    services.email_check_record()
    try:
        report = selectors.email_check(raw=form.cleaned_data["raw"])
    except emailcheck.MalformedEmail:
        form.add_error(None, MALFORMED)
        return _email_render(request, EmailCheckForm(), errors=form, status=400)
    return _email_render(request, EmailCheckForm(), report=report)


MALFORMED = gettext_lazy(
    "This does not look like an e-mail's full source: it must start with "
    "headers such as From:, To: and Subject:, with one sender. Copy the "
    "whole original message, as explained below."
)


def _email_render(request, form, *, report=None, errors=None, status=200):
    context = {"form": form, "report": report, "errors": errors or form}
    return render(request, "channels/email_verify.html", context, status=status)


def too_many(request):
    response = render(request, "channels/too_many.html", status=429)
    response["Retry-After"] = str(WINDOW)
    return response
