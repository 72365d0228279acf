from base64 import b32encode
from binascii import unhexlify

import segno
from axes.helpers import get_cool_off
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from helpcenter.accounts.decorators import staff_required
from helpcenter.accounts.forms import TwoFactorEnrolForm
from helpcenter.accounts.selectors import staff_action_list
from helpcenter.accounts.services import totp_device_confirm

ENROL_KEY_SESSION = "accounts_totp_key"
RECENT_ACTIONS_PER_PAGE = 50
# Recent means recent: older changes are on each object's history page.
RECENT_ACTIONS_MAX_PAGE = 20


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: our page, with a 429."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Sign-in blocked for now"),
        "minutes": int(cool_off.total_seconds() // 60),
    }
    response = render(request, "accounts/lockout.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


@staff_member_required
def two_factor(request):
    """Set up a TOTP device with a QR code, or say that one is set up."""
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    context = {**admin.site.each_context(request), "title": _("Two-factor sign-in")}
    if device is not None:
        context["device"] = device
        return render(request, "accounts/two_factor.html", context)
    # The secret waits in the session until a code proves the app has it,
    # so a reload shows the same QR code and nothing half-made is stored.
    key = request.session.setdefault(ENROL_KEY_SESSION, default_key())
    form = TwoFactorEnrolForm(request.POST or None, key=key)
    if request.method == "POST" and form.is_valid():
        device = totp_device_confirm(user=request.user, key=key, last_t=form.verified_t)
        del request.session[ENROL_KEY_SESSION]
        if device is not None:
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is now on."))
        return redirect(_next_url(request) or "admin:index")
    config_url = TOTPDevice(user=request.user, key=key).config_url
    qr = segno.make(config_url, error="m")
    context.update(
        form=form,
        next=_next_url(request),
        # segno writes the SVG from the otpauth: URL alone; nothing in it is
        # markup a user could have written.
        qr_svg=mark_safe(qr.svg_inline(scale=5, dark="#000", light="#fff")),
        secret=" ".join(_grouped(b32encode(unhexlify(key)).decode(), 4)),
    )
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor.html", context, status=status)


def _grouped(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@staff_required
def recent_actions(request):
    """Who changed what across the site, newest first, a page at a time."""
    page = request.GET.get("page", "1")
    page = min(int(page), RECENT_ACTIONS_MAX_PAGE) if page.isdigit() else 1
    page = max(page, 1)
    actions, more = staff_action_list(
        offset=(page - 1) * RECENT_ACTIONS_PER_PAGE, limit=RECENT_ACTIONS_PER_PAGE
    )
    context = {
        **admin.site.each_context(request),
        "title": _("Recent staff actions"),
        "actions": actions,
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if more and page < RECENT_ACTIONS_MAX_PAGE else None,
    }
    return render(request, "accounts/recent_actions.html", context)
