from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-staff-2026"

SUPPORT_AGENTS_GROUP = "Support agents"
# What a support agent does all day: answer tickets, write and fix
# articles, handle reported contacts. Not here: users, groups and
# permissions, TOTP devices, sign-in lockouts, and changes to the official
# channels, which decide what the checker vouches for (administrators only).
SUPPORT_AGENT_PERMISSIONS = (
    "articles.view_article",
    "articles.add_article",
    "articles.change_article",
    "articles.view_category",
    "articles.change_category",
    "articles.view_articlevote",
    "articles.view_synonymgroup",
    "articles.add_synonymgroup",
    "articles.change_synonymgroup",
    "articles.view_searchquery",
    "channels.view_supportchannel",
    "channels.view_ticket",
    "channels.change_ticket",
    # Replies and notes are added from the ticket page, through the services.
    "channels.view_ticketevent",
    "channels.add_ticketevent",
    "channels.view_ticketattachment",
    "channels.view_ticketrating",
    "channels.view_cannedreply",
    "channels.add_cannedreply",
    "channels.change_cannedreply",
    "channels.view_slatarget",
    "channels.view_topic",
    "channels.view_incidentnotice",
    "channels.view_contactreport",
    "channels.change_contactreport",
    "channels.view_knownscamcontact",
    "channels.add_knownscamcontact",
    "channels.change_knownscamcontact",
    "channels.view_contactlookup",
    "channels.view_outboundemail",
)


@transaction.atomic
def support_agents_group_ensure() -> Group:
    """Create the "Support agents" group, or reset it to exactly its permissions.

    Raises ``LookupError`` if a listed permission does not exist, so the
    list cannot silently drift from the models.
    """
    query = Q()
    for name in SUPPORT_AGENT_PERMISSIONS:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(query))
    if len(permissions) != len(SUPPORT_AGENT_PERMISSIONS):
        found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
        missing = sorted(set(SUPPORT_AGENT_PERMISSIONS) - found)
        raise LookupError(f"missing permissions (run migrate?): {missing}")
    group, _created = Group.objects.get_or_create(name=SUPPORT_AGENTS_GROUP)
    group.permissions.set(permissions)
    return group


@transaction.atomic
def demo_staff_ensure(*, username: str, password: str):
    """Create the demo staff account as a support agent, or restrict it to one.

    A new account gets ``password``; an existing one keeps its own. Either
    way it ends up staff but not superuser, with no permission of its own and
    the "Support agents" group as its only group. Returns ``(user, created)``.
    """
    group = support_agents_group_ensure()
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif not user.is_staff or user.is_superuser:
        user.is_staff, user.is_superuser = True, False
        user.save(update_fields=["is_staff", "is_superuser"])
    user.user_permissions.clear()
    user.groups.set([group])
    return user, created


@transaction.atomic
def totp_device_confirm(*, user, key: str, last_t: int) -> TOTPDevice | None:
    """Give ``user`` a confirmed TOTP device with the secret ``key``.

    ``last_t`` is the time step of the code that confirmed it, so that code
    cannot be used again to sign in. Returns None, creating nothing, if the
    user already has a confirmed device (a second submit of the same page).
    """
    # Lock the user's row so two concurrent submits cannot both add a device.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return None
    return TOTPDevice.objects.create(
        user=user,
        name="Authenticator app",
        key=key,
        confirmed=True,
        last_t=last_t,
    )
