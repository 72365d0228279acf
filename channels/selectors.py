"""Reads shaped for the channels, checker and ticket pages."""

import dataclasses
import datetime
import email.utils
import hmac
import statistics

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.text import capfirst

from articles.models import Article, Category
from channels import verify
from channels.models import (
    ChannelIdentifier,
    KnownScamContact,
    SupportChannel,
    Ticket,
    token_hash,
)

MEDIAN_WINDOW = datetime.timedelta(days=30)
# Below this many answered tickets a median says more about luck than speed.
MIN_TICKETS_FOR_MEDIAN = 5
# Webmail domains shared by millions: a help center sending from one of them
# does not own the domain, only its own address.
SHARED_MAIL_PROVIDERS = frozenset(
    "126.com 139.com 163.com aliyun.com foxmail.com gmail.com hotmail.com "
    "icloud.com outlook.com proton.me protonmail.com qq.com sina.com sohu.com "
    "yahoo.com yeah.net".split()
)


@dataclasses.dataclass
class ChannelsPage:
    channels: list[SupportChannel]  # offered, each with is_open and median
    missing: list[SupportChannel]  # channels that do not exist (no phone)
    categories: list[Category]  # each with offered_channels, fastest first


def channel_response_medians(
    *, now: datetime.datetime
) -> dict[int, datetime.timedelta]:
    """Return, per channel id, the median first-response time of its tickets.

    Only tickets created in the 30 days before ``now`` that have been
    answered count, and a channel appears only with at least
    ``MIN_TICKETS_FOR_MEDIAN`` of them.
    """
    rows = Ticket.objects.filter(
        created_at__gte=now - MEDIAN_WINDOW,
        first_response_at__isnull=False,
        channel__isnull=False,
    ).values_list("channel_id", "created_at", "first_response_at")
    durations: dict[int, list[datetime.timedelta]] = {}
    for channel_id, created_at, answered_at in rows:
        durations.setdefault(channel_id, []).append(answered_at - created_at)
    return {
        channel_id: statistics.median(values)
        for channel_id, values in durations.items()
        if len(values) >= MIN_TICKETS_FOR_MEDIAN
    }


def channel_list_for_page(*, now: datetime.datetime | None = None) -> ChannelsPage:
    """Return everything the channels page shows, in four queries.

    Each offered channel carries ``is_open`` (at ``now``, in its own time
    zone) and ``measured_median`` (a timedelta or None).
    """
    now = now or timezone.now()
    every = list(SupportChannel.objects.all())
    medians = channel_response_medians(now=now)
    for channel in every:
        channel.is_open = channel.is_open_at(now)
        channel.measured_median = medians.get(channel.pk)
    offered = {channel.pk: channel for channel in every if channel.is_offered}
    categories = list(
        Category.objects.prefetch_related(
            Prefetch(
                "support_channels",
                queryset=SupportChannel.objects.offered().only("pk"),
                to_attr="channel_ids",
            )
        )
    )
    for category in categories:
        # Reuse the channel objects annotated above, in page order; a channel
        # that is down for now is no advice for a problem.
        wanted = {channel.pk for channel in category.channel_ids}
        category.offered_channels = [
            channel
            for pk, channel in offered.items()
            if pk in wanted and channel.is_available
        ]
    return ChannelsPage(
        channels=list(offered.values()),
        missing=[channel for channel in every if not channel.is_offered],
        categories=categories,
    )


def official_identifiers() -> list[verify.Official]:
    """Return every identifier of an official, offered channel, in one query."""
    rows = ChannelIdentifier.objects.filter(
        channel__is_offered=True, channel__is_official=True
    ).select_related("channel")
    return [item for row in rows if (item := row.as_official()) is not None]


def known_scams_for(*, contact: verify.Contact) -> dict[str, str]:
    """Return known-scam keys matching ``contact`` (a domain's parents too)."""
    rows = KnownScamContact.objects.filter(value__in=verify.scam_keys(contact))
    return dict(rows.values_list("value", "note"))


def contact_check(*, raw: str, platform: str = "") -> verify.Verdict | None:
    """Return the checker's verdict on ``raw``, or None when it is unusable.

    ``platform`` (a ``Platform`` value, or "") says where a handle was seen.
    Two queries: the known scams matching it, and the official identifiers.
    """
    contact = verify.normalize(raw, platform=platform)
    if contact is None:
        return None
    return verify.judge(
        contact, official=official_identifiers(), scams=known_scams_for(contact=contact)
    )


def contacts_judged_in(*, text: str) -> list[verify.Verdict]:
    """Return a verdict on each contact found in free ``text``, in order.

    Each verdict's ``raw`` is the contact as written (the first spelling, when
    one contact is written several ways).

    Two queries whatever the number of contacts: the official identifiers,
    and the known scams matching any of them.
    """
    found: dict[str, tuple[str, verify.Contact]] = {}
    for raw in verify.find_contacts(text):
        contact = verify.normalize(raw)
        if contact is not None:
            found.setdefault(contact.key, (raw, contact))
    if not found:
        return []
    keys = {key for _raw, c in found.values() for key in verify.scam_keys(c)}
    scams = dict(
        KnownScamContact.objects.filter(value__in=keys).values_list("value", "note")
    )
    official = official_identifiers()
    return [
        dataclasses.replace(verify.judge(c, official=official, scams=scams), raw=raw)
        for raw, c in found.values()
    ]


def ticket_get_for_status(*, reference: str, token: str) -> Ticket | None:
    """Return the ticket when ``token`` is its status-link token, else None.

    The token is compared in constant time, so response timing reveals
    nothing about how much of a guessed token was right.
    """
    ticket = (
        Ticket.objects.select_related("category", "article")
        .filter(reference=reference)
        .first()
    )
    candidate = token_hash(token)
    if ticket is None or not hmac.compare_digest(candidate, ticket.token_hash):
        return None
    return ticket


def own_mail_domains() -> set[str]:
    """Return the help center's own mail domains, lower case and ASCII.

    The domains of ``DEFAULT_FROM_EMAIL`` and ``SERVER_EMAIL`` and of every
    address listed on an official channel. For a public mail provider (a
    small deployment may send from one) the whole address is returned
    instead of the domain: refusing the domain would refuse every user of
    that provider.
    """
    addresses = [settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL]
    addresses += ChannelIdentifier.objects.filter(
        channel__is_official=True, platform=ChannelIdentifier.Platform.EMAIL
    ).values_list("value", flat=True)
    own = set()
    for address in addresses:
        _name, parsed = email.utils.parseaddr(address)
        local, _at, domain = parsed.rpartition("@")
        if not local or not domain:
            continue
        domain = mail_domain_key(domain)
        shared = domain in SHARED_MAIL_PROVIDERS
        own.add(f"{local.lower()}@{domain}" if shared else domain)
    return own


def mail_domain_key(domain: str) -> str:
    """Return ``domain`` as compared: IDNA-encoded, lower case, no final dot."""
    domain = domain.strip().rstrip(".")
    try:
        # The idna codec applies nameprep, which folds case and full-width
        # letters the way mail servers will.
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return domain.casefold()


@dataclasses.dataclass
class SubmittedText:
    fields: list[tuple[str, str]]  # (label, text as typed), blanks dropped
    not_official: list[tuple[str, verify.Verdict]]  # (as written, verdict)

    @property
    def known_scams(self) -> list[tuple[str, verify.Verdict]]:
        return [
            pair for pair in self.not_official if pair[1].verdict == verify.KNOWN_SCAM
        ]


def ticket_submitted_text(*, ticket: Ticket, fields: tuple[str, ...]) -> SubmittedText:
    """Return the requester's own words in ``fields`` of ``ticket``, labelled.

    Also returns every contact in them, together, that is not official
    (known scams included), as written in the text. Two queries when the
    text holds a contact, none otherwise.
    """
    labelled = [
        (capfirst(Ticket._meta.get_field(name).verbose_name), getattr(ticket, name))
        for name in fields
    ]
    labelled = [(label, value) for label, value in labelled if value]
    text = "\n".join(value for _label, value in labelled)
    written = {}
    for raw in verify.find_contacts(text):
        contact = verify.normalize(raw)
        if contact is not None:
            written.setdefault(contact.key, raw)
    not_official = [
        (written.get(verdict.contact.key, verdict.contact.value), verdict)
        for verdict in contacts_judged_in(text=text)
        if verdict.verdict != verify.OFFICIAL
    ]
    return SubmittedText(fields=labelled, not_official=not_official)


def ticket_exists_for_key(*, submission_key: str) -> bool:
    """True when a ticket was already made from this submission key."""
    return Ticket.objects.filter(submission_key=submission_key).exists()


def article_for_contact(*, slug: str):
    """Return the published article the user came from, or None.

    Prefers the active language's article when both share the slug.
    """
    if not slug:
        return None
    language = translation.get_language()
    articles = sorted(
        Article.objects.published().filter(slug=slug),
        key=lambda article: article.language != language,
    )
    return articles[0] if articles else None


def category_list_for_contact() -> list[Category]:
    """Return the categories offered as contact-form topics, in page order."""
    return list(Category.objects.all())
