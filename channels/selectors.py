"""Reads shaped for the channels, checker and ticket pages."""

import dataclasses
import datetime
import statistics
from email.utils import parseaddr

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from articles.models import Category
from channels import emailcheck, secrets as secret_scan, verify
from channels.models import (
    ChannelIdentifier,
    DkimKey,
    KnownScamContact,
    SupportChannel,
)
from channels.tickets.models import Ticket, Topic

MEDIAN_WINDOW = datetime.timedelta(days=30)
# Below this many answered tickets a median says more about luck than speed.
MIN_TICKETS_FOR_MEDIAN = 5


@dataclasses.dataclass
class ChannelsPage:
    channels: list[SupportChannel]  # offered, each with is_open and median
    missing: list[SupportChannel]  # channels that do not exist (no phone)
    categories: list[Category]  # each with offered_channels, fastest first
    changes_at: datetime.datetime | None = None  # next time a channel opens or closes


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
    # What to prepare follows the kind of the category's first topic.
    first_topic_kind = (
        Topic.objects.active().filter(category=OuterRef("pk")).values("kind")[:1]
    )
    categories = list(
        Category.objects.annotate(
            topic_kind=Subquery(first_topic_kind)
        ).prefetch_related(
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
    changes = [c.next_hours_change(now) for c in offered.values()]
    return ChannelsPage(
        changes_at=min((c for c in changes if c is not None), default=None),
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
    rows = KnownScamContact.objects.filter(
        value__in=verify.scam_keys(contact)
    ).values_list("value", "note", "kind")
    scams = {value: note for value, note, _kind in rows}
    drainers = {
        value for value, _note, kind in rows if kind == KnownScamContact.Kind.DRAINER
    }
    return verify.judge(
        contact, official=official_identifiers(), scams=scams, drainers=drainers
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


# Is this e-mail really from support? ----------------------------------------

# What is wrong with an e-mail (EmailReport.problems), besides its signatures.
EMAIL_NO_SIGNATURE = "no-signature"
EMAIL_LOOKALIKE = "lookalike-sender"
EMAIL_SENDER_NOT_OURS = "sender-not-official"
EMAIL_REPLY_TO = "reply-to"
EMAIL_ASKS = "asks"
EMAIL_SECRET = "contains-secret"


@dataclasses.dataclass(frozen=True)
class EmailReport:
    """The checker's answer about one pasted e-mail; plain text only."""

    verdict: str  # verify.OFFICIAL, NOT_OFFICIAL or KNOWN_SCAM
    problems: tuple[str, ...]  # EMAIL_… and emailcheck.SIG_… values, in order
    parsed: "emailcheck.Parsed"
    sender: verify.Verdict | None  # the checker's verdict on the From address
    signed_by: tuple[str, ...]  # domains of signatures that are not ours
    reply_to: tuple[verify.Verdict, ...]  # Reply-To addresses that are not ours
    contacts: tuple[verify.Verdict, ...]  # links and contacts in the body
    asks: tuple[str, ...]  # emailcheck.ASK_… values


def email_sending_keys() -> tuple[dict[tuple[str, str], bytes], set[str]]:
    """Return the DKIM keys of our sending domains, as ``(selector, domain)``
    to TXT record, and the set of those domains. One query; the site's own
    signing key (``helpcenter.mail``) is included without a row."""
    from helpcenter.mail import site_signing_key

    keys = {}
    for row in DkimKey.objects.filter(is_active=True):
        if (record := row.record) is not None:
            keys[(row.selector, row.domain)] = record
    site = site_signing_key()
    if site is not None:
        keys[(site.selector, site.domain)] = site.record
    return keys, {domain for _selector, domain in keys}


def official_sender_addresses() -> set[str]:
    """Return the addresses our mail is sent from: the e-mail identifiers of
    official channels and ``DEFAULT_FROM_EMAIL``, lower-case. One query."""
    addresses = {
        item.contact.value
        for item in official_identifiers()
        if item.contact.kind == "email"
    }
    default = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    return addresses | ({default} if default else set())


def email_check(*, raw: bytes) -> EmailReport:
    """Return the verdict on the e-mail source ``raw``.

    Official only when a DKIM signature of one of our sending domains,
    covering From and the whole body, verifies; From is one of our sender
    addresses; Reply-To (if any) is one too; and the e-mail neither asks
    for a secret, a code or a payment nor holds a recovery phrase or key.
    Known scam when the sender, Reply-To or any contact in it is listed.
    Raises ``emailcheck.MalformedEmail`` on input that is not an e-mail.
    Keys need no DNS: they come from ``email_sending_keys``. A handful of
    queries whatever the size of the e-mail.
    """
    parsed = emailcheck.parse(raw)
    keys, domains = email_sending_keys()
    checks = emailcheck.signatures(raw, keys=keys, domains=domains)
    ours = official_sender_addresses()
    sender = contact_check(raw=parsed.from_address)
    reply_to = tuple(
        verdict
        for address in parsed.reply_to
        if address not in ours and (verdict := contact_check(raw=address)) is not None
    )
    contacts = tuple(
        verdict
        for verdict in contacts_judged_in(text=parsed.text + "\n" + parsed.links)
        if verdict.contact.key != f"email:{parsed.from_address}"
    )
    asks = emailcheck.requests_in(parsed.text)
    problems: list[str] = []
    if not checks:
        problems.append(EMAIL_NO_SIGNATURE)
    signed = any(check.problem == emailcheck.SIG_OK for check in checks)
    if not signed:
        problems.extend(dict.fromkeys(check.problem for check in checks))
    if parsed.from_address not in ours:
        imitates = sender is not None and sender.imitates
        problems.append(EMAIL_LOOKALIKE if imitates else EMAIL_SENDER_NOT_OURS)
    if reply_to:
        problems.append(EMAIL_REPLY_TO)
    if asks:
        problems.append(EMAIL_ASKS)
    if secret_scan.scan_fields([("body", parsed.text)]):
        problems.append(EMAIL_SECRET)
    scam = any(
        v is not None and v.verdict == verify.KNOWN_SCAM
        for v in (sender, *reply_to, *contacts)
    )
    if scam:
        verdict = verify.KNOWN_SCAM
    else:
        verdict = verify.NOT_OFFICIAL if problems else verify.OFFICIAL
    return EmailReport(
        verdict=verdict,
        problems=tuple(problems),
        parsed=parsed,
        sender=sender,
        signed_by=tuple(
            dict.fromkeys(
                c.domain for c in checks if c.problem == emailcheck.SIG_OTHER_DOMAIN
            )
        ),
        reply_to=reply_to,
        contacts=contacts,
        asks=asks,
    )
