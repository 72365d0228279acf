"""Where an official identifier lives: the web, e-mail, phone or a platform.

A handle means nothing without its platform: anyone can register
``@CobaltWallet`` on a network where we have no account. This module names
the platforms, reads a profile URL (``t.me/name``, ``x.com/name``…) as a
handle on its platform, and says how to check an account's ID on each.
It imports no models, so ``verify`` stays free of database access.
"""

import urllib.parse

from django.db import models
from django.utils.translation import gettext, gettext_lazy as _, pgettext


class Platform(models.TextChoices):
    WEB = "web", _("Website")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    WEIBO = "weibo", _("Weibo")
    X = "x", _("X (Twitter)")
    TELEGRAM = "telegram", _("Telegram")
    DOUYIN = "douyin", _("Douyin")
    TIKTOK = "tiktok", _("TikTok")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    YOUTUBE = "youtube", _("YouTube")
    WHATSAPP = "whatsapp", _("WhatsApp")
    OTHER = "other", _("Another platform")


# Platforms where an account is a handle or ID (not a host, mailbox or number).
HANDLE_PLATFORMS = tuple(
    value
    for value in Platform.values
    if value not in {Platform.WEB, Platform.EMAIL, Platform.PHONE}
)

# Hosts of profile pages; "www.", "m." and "mobile." are dropped first.
PROFILE_HOSTS = {
    "t.me": Platform.TELEGRAM,
    "telegram.me": Platform.TELEGRAM,
    "telegram.dog": Platform.TELEGRAM,
    "x.com": Platform.X,
    "twitter.com": Platform.X,
    "weibo.com": Platform.WEIBO,
    "weibo.cn": Platform.WEIBO,
    "douyin.com": Platform.DOUYIN,
    "tiktok.com": Platform.TIKTOK,
    "facebook.com": Platform.FACEBOOK,
    "fb.com": Platform.FACEBOOK,
    "instagram.com": Platform.INSTAGRAM,
    "youtube.com": Platform.YOUTUBE,
    "wa.me": Platform.WHATSAPP,
}
# Path segments that come before the account name (weibo.com/u/123,
# youtube.com/c/name, t.me/s/name).
PREFIX_SEGMENTS = {"u", "n", "c", "user", "profile", "s", "channel"}
# First segments that are pages of the platform itself, not accounts.
RESERVED_SEGMENTS = {
    "home",
    "i",
    "intent",
    "search",
    "share",
    "hashtag",
    "explore",
    "settings",
    "login",
    "signup",
    "joinchat",
    "watch",
    "messages",
    "notifications",
    "groups",
    "pages",
    "video",
    "addstickers",
    "addlist",
}
MOBILE_PREFIXES = ("www.", "m.", "mobile.")


def profile_platform(host: str) -> str:
    """Return the platform whose profile pages live on ``host``, or ""."""
    for prefix in MOBILE_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    return PROFILE_HOSTS.get(host, "")


def profile_account(platform: str, path: str) -> str:
    """Return the account name in a profile page's ``path``, or "".

    ``x.com/CobaltWallet/status/1`` is CobaltWallet's page; an invite link
    (``t.me/+abc``) or a page of the platform itself names no account.
    """
    segments = [urllib.parse.unquote(segment) for segment in path.split("/") if segment]
    if segments and segments[0] in PREFIX_SEGMENTS:
        segments = segments[1:]
    if not segments or segments[0] in RESERVED_SEGMENTS:
        return ""
    account = segments[0]
    if account.startswith("+") and platform != Platform.WHATSAPP:
        return ""
    return account.lstrip("@")


def how_to_check(platform: str) -> str:
    """One sentence on checking an account's real ID on ``platform``."""
    if platform == Platform.WECHAT:
        return gettext(
            "In WeChat, open the account's profile: the WeChat ID (微信号) is "
            "under the name, and our official account carries the verified mark. "
            "Compare the ID letter by letter."
        )
    return gettext(
        "On %(platform)s, open the account's profile and compare its user name "
        "or ID (not the display name) letter by letter with the one on our "
        "official list."
    ) % {"platform": Platform(platform).label}


def platform_names(platforms) -> str:
    """The platforms' names as a list in the active language."""
    separator = pgettext("list separator", ", ")
    return separator.join(str(Platform(value).label) for value in platforms)


def platform_help(platforms) -> list[tuple[str, str]]:
    """``(name, how to check an account's ID)`` for each platform."""
    return [(str(Platform(value).label), how_to_check(value)) for value in platforms]
