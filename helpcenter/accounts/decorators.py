from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse


def staff_required(view):
    """Let in only who may use the admin, by the admin's own rule.

    Unlike ``staff_member_required``, this asks for two-factor sign-in
    whenever the admin does, so a stolen password alone opens no staff page.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if admin.site.has_permission(request):
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))

    return wrapped
