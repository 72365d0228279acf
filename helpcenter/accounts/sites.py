"""The admin site staff sign in to: password, then a TOTP code when required."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from helpcenter.accounts.forms import StaffLoginForm
from helpcenter.accounts.signin import two_factor_required


class StaffAdminSite(admin.AdminSite):
    """``admin.site``: staff must be verified by a TOTP device when required.

    A staff member who signed in with the password alone and has no device
    yet is sent to the enrolment page instead of the admin; one who has a
    device signs in with password and code in one form.
    """

    login_form = StaffLoginForm
    login_template = "accounts/login.html"

    def each_context(self, request):
        # The product's name, not "Django administration": staff should know
        # at a glance which help center's desk they are working in.
        context = super().each_context(request)
        name = _("%(product)s Help Center staff") % {
            "product": settings.HELPCENTER_PRODUCT_NAME
        }
        context.update(site_header=name, site_title=name)
        return context

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        if not two_factor_required():
            return True
        is_verified = getattr(request.user, "is_verified", None)
        return bool(is_verified and is_verified())

    def login(self, request, extra_context=None):
        user = request.user
        if (
            request.method == "GET"
            and user.is_active
            and user.is_staff
            and not self.has_permission(request)
            and not user_has_device(user)
        ):
            url = reverse("accounts:two_factor")
            next_url = request.GET.get("next", "")
            if next_url and url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}
            ):
                url = f"{url}?{urlencode({'next': next_url})}"
            return redirect(url)
        return super().login(request, extra_context)
