from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "helpcenter.accounts"
    label = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self):
        from helpcenter.accounts import checks  # noqa: F401


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the two-factor staff site as ``admin.site``."""

    default = False
    default_site = "helpcenter.accounts.sites.StaffAdminSite"
