"""Reads for the staff pages of helpcenter.accounts."""

import dataclasses
import datetime
import heapq

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

from articles.models import Article
from channels.models import SupportChannel
from channels.tickets.models import CannedReply, Ticket, TicketEvent

# Models whose history tables say who changed what; each with the history
# columns that label a row and the model whose admin page the row links to.
HISTORY_SOURCES = (
    (Ticket, ("reference",), Ticket, "id"),
    (TicketEvent, ("kind", "ticket__reference"), Ticket, "ticket_id"),
    (SupportChannel, ("name_zh_hans",), SupportChannel, "id"),
    (CannedReply, ("title",), CannedReply, "id"),
    (Article, ("title",), Article, "id"),
)
HISTORY_ACTIONS = {"+": "added", "~": "changed", "-": "deleted"}
LOG_ACTIONS = {
    ADDITION: "added",
    CHANGE: "changed",
    DELETION: "deleted",
}


@dataclasses.dataclass(frozen=True)
class StaffAction:
    when: datetime.datetime
    who: str
    action: str  # "added", "changed" or "deleted"
    what: str  # the model's name, translated
    label: str  # the object as staff know it (reference, title…)
    url: str  # its admin page, or "" once deleted


def staff_action_list(*, offset: int, limit: int) -> tuple[list[StaffAction], bool]:
    """Return staff actions ``offset`` to ``offset + limit``, newest first,
    across tickets, their events, channels, canned replies, articles and
    the admin log of every other model; and whether more follow.

    Reads at most ``offset + limit + 1`` rows of each source (one query
    each, users joined) and counts nothing, so a page costs the same
    whatever the size of the tables. Changes made by the requester or the
    system (no user) are not staff actions and are left out.
    """
    wanted = offset + limit + 1
    sources = [_history_rows(*source, wanted=wanted) for source in HISTORY_SOURCES]
    sources.append(_log_rows(wanted=wanted))
    merged = list(heapq.merge(*sources, key=lambda row: row.when, reverse=True))
    return merged[offset : offset + limit], len(merged) > offset + limit


def _history_rows(model, label_fields, link_model, link_field, *, wanted):
    # An event's author is who acted, even when written outside a request
    # (a service called from a command), where no history user is known.
    by_staff = Q(history_user__isnull=False)
    names = ["history_user__username"]
    if model is TicketEvent:
        by_staff |= Q(author__isnull=False)
        names.append("author__username")
    rows = (
        model.history.filter(by_staff)
        .order_by("-history_date", "-history_id")
        .values("history_date", "history_type", link_field, *names, *label_fields)[
            :wanted
        ]
    )
    what = str(capfirst(model._meta.verbose_name))
    kinds = dict(TicketEvent.Kind.choices)
    for row in rows:
        if model is TicketEvent:
            label = f"{row['ticket__reference']}: {kinds.get(row['kind'], '')}"
        else:
            label = str(row[label_fields[0]])
        deleted = row["history_type"] == "-" and link_model is model
        yield StaffAction(
            when=row["history_date"],
            who=row["history_user__username"] or row.get("author__username") or "",
            action=HISTORY_ACTIONS[row["history_type"]],
            what=what,
            label=label,
            url="" if deleted else _admin_url(link_model, row[link_field]),
        )


def _log_rows(*, wanted):
    tracked = ContentType.objects.get_for_models(
        *(source[0] for source in HISTORY_SOURCES)
    ).values()
    entries = (
        LogEntry.objects.exclude(content_type__in=tracked)
        .select_related("user", "content_type")
        .order_by("-action_time", "-id")[:wanted]
    )
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type else None
        yield StaffAction(
            when=entry.action_time,
            who=entry.user.get_username(),
            action=LOG_ACTIONS.get(entry.action_flag, "changed"),
            what=str(capfirst(model._meta.verbose_name)) if model else "",
            label=entry.object_repr,
            url="" if entry.is_deletion() else (entry.get_admin_url() or ""),
        )


def _admin_url(model, pk) -> str:
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    except NoReverseMatch:
        return ""
