"""Reads shaped for the contact form, the status page and the ticket admin."""

import copy
import dataclasses
import datetime
import email.utils
import hmac
import re

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from articles.models import Article
from channels import verify
from channels.models import ChannelIdentifier, SupportChannel
from channels.selectors import contacts_judged_in
from channels.tickets import links
from channels.tickets.models import (
    CannedReply,
    SlaTarget,
    Ticket,
    TicketAttachment,
    TicketEvent,
    Topic,
    token_hash,
)
from channels.tickets.sla import DEFAULT_SLA
from helpcenter import pagecache
from helpcenter.i18n import localized

# Crockford's base32 without the letters that read as digits (I, L, O, U):
# easy to read aloud and to type. Ticket references and reply codes use it.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REPLY_CODE_LENGTH = 8

# Webmail domains shared by millions: a help center sending from one of them
# does not own the domain, only its own address.
SHARED_MAIL_PROVIDERS = frozenset(
    "126.com 139.com 163.com aliyun.com foxmail.com gmail.com hotmail.com "
    "icloud.com outlook.com proton.me protonmail.com qq.com sina.com sohu.com "
    "yahoo.com yeah.net".split()
)


def ticket_get_for_status(*, reference: str, token: str) -> Ticket | None:
    """Return the ticket when ``token`` is its status-link token, else None.

    The token is compared in constant time, so response timing reveals
    nothing about how much of a guessed token was right.
    """
    # The rating too (one-to-one): the status page shows it, in this query.
    ticket = (
        Ticket.objects.select_related("topic", "article", "rating")
        .filter(reference=reference)
        .first()
    )
    if ticket is None:
        return None
    if hmac.compare_digest(token_hash(token), ticket.token_hash):
        return ticket
    if links.status_token_matches(
        reference=ticket.reference, status_key=ticket.status_key, token=token
    ):
        return ticket
    return None


def sla_due_times(
    *, topic: Topic | None, priority: str, created_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """Return ``(first_response_due_at, resolution_due_at)`` for a ticket.

    The target of the topic and priority applies, else the default row for
    the priority (no topic), else ``DEFAULT_SLA``. The targets are read once
    per content generation (any staff edit starts a new one): no query on
    most calls.
    """
    targets = pagecache.remember("sla-targets", _sla_targets, per_process=True)
    first, resolution = targets.get(
        (topic.pk if topic else None, priority),
        targets.get((None, priority), DEFAULT_SLA[priority]),
    )
    return created_at + first, created_at + resolution


def _sla_targets() -> dict[tuple[int | None, str], tuple]:
    """Every SLA target: (topic id or None, priority) -> (first response,
    resolution)."""
    return {
        (topic_id, priority): (first, resolution)
        for topic_id, priority, first, resolution in SlaTarget.objects.order_by().values_list(
            "topic_id", "priority", "first_response", "resolution"
        )
    }


# Fields whose change a refused (stale) save reports; the rest is
# bookkeeping (or, like the requester's own words, never edited by staff).
CONFLICT_FIELDS = (
    "status",
    "priority",
    "assignee",
    "topic",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_at",
)


def ticket_changes_since(*, ticket: Ticket, version: int) -> list[tuple[str, str, str]]:
    """Return ``(field label, value then, value now)`` for each field of
    ``CONFLICT_FIELDS`` that changed since ``version`` of ``ticket``.

    Read from the ticket's history; [] when that version is not in it.
    """
    then = ticket.history.filter(version=version).order_by("history_date").last()
    if then is None:
        return []
    changes = []
    for name in CONFLICT_FIELDS:
        field = Ticket._meta.get_field(name)
        old, new = getattr(then, field.attname), getattr(ticket, field.attname)
        if old == new:
            continue
        changes.append(
            (
                str(capfirst(field.verbose_name)),
                _display(ticket, field, old),
                _display(ticket, field, new),
            )
        )
    return changes


def _display(ticket: Ticket, field, value) -> str:
    if value is None:
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        found = field.related_model._base_manager.filter(pk=value).first()
        return str(found) if found is not None else "—"
    return str(value)


def ticket_timeline(*, ticket: Ticket, public: bool) -> list[TicketEvent]:
    """Return the ticket's events, oldest first, with authors and screenshots.

    ``public=True`` leaves out internal notes: use it for everything the
    requester sees (status page, e-mails, API). Two queries. The first
    message is the ticket itself and is not among the events.
    """
    events = ticket.events.select_related("author").prefetch_related("attachments")
    if public:
        events = events.public()
    return list(events.order_by("created_at", "pk"))


def reply_author_name(*, author) -> str:
    """Return who answered as the requester sees it: a first name or the team.

    Never the username or the last name: staff choose what is public by
    filling in their first name.
    """
    first = (getattr(author, "first_name", "") or "").strip()
    if first:
        return first
    return gettext("%(product)s Support") % {
        "product": settings.HELPCENTER_PRODUCT_NAME
    }


def reply_code_normalize(code: str) -> str:
    """Return ``code`` as stored (``R7K3-M9QX``), or "" if it cannot be one.

    Case, spaces and dashes are ignored, and the letters people mistake for
    digits (O, I, L) are read as 0 and 1, as Crockford's base32 does.
    """
    chars = "".join(code.split()).replace("-", "").upper()
    chars = chars.translate(str.maketrans("OIL", "011"))
    if len(chars) != REPLY_CODE_LENGTH or any(
        char not in REFERENCE_ALPHABET for char in chars
    ):
        return ""
    return f"{chars[:4]}-{chars[4:]}"


def reply_code_check(*, code: str) -> TicketEvent | None:
    """Return the public reply that carries ``code``, or None.

    For the official-contact checker: a genuine code proves a message came
    from support. The event's ticket is not loaded, and callers must not show
    anything of it beyond the reply's date.
    """
    normalized = reply_code_normalize(code)
    if not normalized:
        return None
    return (
        TicketEvent.objects.filter(
            reply_code=normalized, kind=TicketEvent.Kind.PUBLIC_REPLY
        )
        .only("pk", "reply_code", "created_at", "ticket_id")
        .first()
    )


PLAIN_NAME = re.compile(r"[^\W\d_]+(?:[ .'\-·][^\W\d_]+){0,3}")
PLAIN_NAME_MAX = 30


def canned_reply_text(*, canned_reply: CannedReply, ticket: Ticket) -> str:
    """Return the canned reply's text with its placeholders filled in.

    ``{reference}`` and ``{topic}`` (in the ticket's language) come from
    support's own data. ``{name}`` is the requester's name only when it is a
    plain name (letters and at most four words, 30 characters): a scammer
    filing in a victim's name could otherwise make support's reply say
    "call +1 …". Unknown placeholders and stray braces are left as written.
    """
    name = ticket.name.strip()
    if len(name) > PLAIN_NAME_MAX or not PLAIN_NAME.fullmatch(name):
        name = ""
    values = {
        "reference": ticket.reference,
        "name": name,
        "topic": localized(ticket.topic, "name", ticket.language),
    }
    return re.sub(
        r"\{(reference|name|topic)\}",
        lambda match: values[match.group(1)],
        canned_reply.body,
    )


def canned_reply_list_for_ticket(*, ticket: Ticket) -> list[CannedReply]:
    """Return the offered canned replies for the ticket's topic, in order."""
    return list(CannedReply.objects.active().for_topic(ticket.topic_id))


def own_mail_domains() -> set[str]:
    """Return the help center's own mail domains, lower case and ASCII.

    The domains of ``DEFAULT_FROM_EMAIL`` and ``SERVER_EMAIL`` and of every
    address listed on an official channel. For a public mail provider (a
    small deployment may send from one) the whole address is returned
    instead of the domain: refusing the domain would refuse every user of
    that provider.
    """
    addresses = [settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL]
    addresses += pagecache.remember(
        "official-mail-addresses", _official_mail_addresses, per_process=True
    )
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


def support_channel_id(*, kind: str) -> int | None:
    """Return the id of the first support channel of ``kind`` (in page
    order), or None. Read once per content generation: no query on most
    calls."""
    return pagecache.remember(
        "support-channel-ids", _support_channel_ids, per_process=True
    ).get(kind)


def _support_channel_ids() -> dict[str, int]:
    ids: dict[str, int] = {}
    for kind, pk in SupportChannel.objects.values_list("kind", "pk"):
        ids.setdefault(kind, pk)
    return ids


def _official_mail_addresses() -> tuple[str, ...]:
    return tuple(
        ChannelIdentifier.objects.filter(
            channel__is_official=True, platform=ChannelIdentifier.Platform.EMAIL
        ).values_list("value", flat=True)
    )


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
    return _submitted_texts([labelled])[0]


def _submitted_texts(texts: list[list[tuple[str, str]]]) -> list[SubmittedText]:
    """Return a ``SubmittedText`` for each labelled text, judging the contacts
    of all of them at once (two queries when any holds a contact)."""
    texts = [[(label, value) for label, value in text if value] for text in texts]
    joined = ["\n".join(value for _label, value in text) for text in texts]
    verdicts = [
        verdict
        for verdict in contacts_judged_in(text="\n".join(joined))
        if verdict.verdict != verify.OFFICIAL
    ]
    result = []
    for labelled, text in zip(texts, joined, strict=True):
        written = {}
        for raw in verify.find_contacts(text):
            contact = verify.normalize(raw)
            if contact is not None:
                written.setdefault(contact.key, raw)
        not_official = [
            (written[verdict.contact.key], verdict)
            for verdict in verdicts
            if verdict.contact.key in written
        ]
        result.append(SubmittedText(fields=labelled, not_official=not_official))
    return result


# What the status page shows of the timeline: assignments and priority
# changes are support's bookkeeping (they name staff accounts), and internal
# notes never leave the admin.
REQUESTER_KINDS = (
    TicketEvent.Kind.REQUESTER_MESSAGE,
    TicketEvent.Kind.PUBLIC_REPLY,
    TicketEvent.Kind.STATUS_CHANGE,
    TicketEvent.Kind.NUDGE,
)


@dataclasses.dataclass
class Conversation:
    submitted: SubmittedText  # the first message (the ticket itself)
    screenshots: list[TicketAttachment]  # the first message's
    # Oldest first, REQUESTER_KINDS only. Requester messages carry
    # ``.submitted`` (a SubmittedText), public replies ``.author_name``,
    # status changes ``.status_label`` (the new status in plain words).
    entries: list[TicketEvent]


def ticket_conversation(*, ticket: Ticket, fields: tuple[str, ...]) -> Conversation:
    """Return what the requester sees of the ticket's conversation.

    Built on ``ticket_timeline(public=True)``, so internal notes are never
    in it. Four queries whatever the number of messages (events, their
    screenshots, the first message's screenshots; the events' screenshots
    are skipped when there are no events), plus two when the requester's
    words hold a contact.
    """
    entries = [
        event
        for event in ticket_timeline(ticket=ticket, public=True)
        if event.kind in REQUESTER_KINDS
    ]
    messages = [
        event for event in entries if event.kind == TicketEvent.Kind.REQUESTER_MESSAGE
    ]
    first = [
        (capfirst(Ticket._meta.get_field(name).verbose_name), getattr(ticket, name))
        for name in fields
    ]
    label = capfirst(Ticket._meta.get_field("message").verbose_name)
    texts = _submitted_texts([first, *[[(label, event.body)] for event in messages]])
    for event, submitted in zip(messages, texts[1:], strict=True):
        event.submitted = submitted
    labels = dict(Ticket.Status.choices)
    for event in entries:
        if event.kind == TicketEvent.Kind.PUBLIC_REPLY:
            event.author_name = reply_author_name(author=event.author)
        elif event.kind == TicketEvent.Kind.STATUS_CHANGE:
            event.status_label = labels.get(event.new_value, event.new_value)
    screenshots = list(ticket.attachments.filter(event__isnull=True).order_by("pk"))
    return Conversation(submitted=texts[0], screenshots=screenshots, entries=entries)


def ticket_attachment_for_status(
    *, ticket: Ticket, name: str
) -> TicketAttachment | None:
    """Return the screenshot stored as ``tickets/<name>`` if it belongs to
    ``ticket``, else None: a status link opens its own ticket's files only."""
    return TicketAttachment.objects.filter(
        ticket=ticket, file=f"tickets/{name}"
    ).first()


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


def topic_list_for_contact() -> list[Topic]:
    """Return the topics the contact form offers, in page order, in one query.

    Each carries its category (or None), for ``topic_slug_for_contact``.
    """
    return list(Topic.objects.active().select_related("category"))


def topic_get_active(*, slug: str) -> Topic | None:
    """Return the active topic with ``slug`` (a copy of its own), or None.

    The active topics are read once per content generation (any staff edit
    starts a new one), so a posted form's topic costs no query.
    """
    topic = pagecache.remember(
        "active-topics",
        lambda: {topic.slug: topic for topic in Topic.objects.active()},
        per_process=True,
    ).get(slug)
    return copy.copy(topic) if topic is not None else None


def topic_slug_for_contact(*, topics: list[Topic], slug: str) -> str:
    """Return the slug of the topic in ``topics`` that a ``?category=`` link means.

    Links from the help center's pages carry a category slug: the first topic
    of that category is chosen when no topic has the slug itself. "" when
    neither matches. No query.
    """
    for matches in (
        lambda topic: topic.slug == slug,
        lambda topic: topic.category is not None and topic.category.slug == slug,
    ):
        for topic in topics:
            if slug and matches(topic):
                return topic.slug
    return ""


# What a reply code looks like when copied from an e-mail or the status
# page: two groups of four with a dash or space, or eight capitals and
# digits. Other 8-character input (a WeChat ID such as wxid1234) is only
# taken for a code when it is a genuine one.
CODE_SHAPE = re.compile(
    r"[0-9A-Za-z]{4}[-\s][0-9A-Za-z]{4}|(?=[0-9A-Z]*[A-Z])(?=[0-9A-Z]*[0-9])[0-9A-Z]{8}"
)


@dataclasses.dataclass(frozen=True)
class CodeVerdict:
    """The checker's answer about a support reply code."""

    code: str  # as stored (R7K3-M9QX)
    verdict: str  # verify.OFFICIAL or verify.NOT_OFFICIAL
    sent_at: datetime.datetime | None  # when the genuine reply was sent


def reply_code_is_candidate(*, raw: str) -> bool:
    """True when ``raw`` could be a reply code (``reply_code_verdict`` would
    query). No query."""
    return bool(reply_code_normalize(raw.strip()))


def reply_code_verdict(*, raw: str) -> CodeVerdict | None:
    """Return the checker's verdict on a pasted reply code, or None.

    A genuine code is official, with the date of its reply and nothing else
    of it: anyone can type codes, so the reply's text, its ticket and the
    requester stay out of the answer. A code-shaped string that is not ours
    is not official. None for anything else, which the contact check then
    judges (an 8-character handle may look like a code). One query when
    ``raw`` could be a code, none otherwise.
    """
    text = raw.strip()
    normalized = reply_code_normalize(text)
    if not normalized:
        return None
    event = reply_code_check(code=text)
    if event is not None:
        return CodeVerdict(normalized, verify.OFFICIAL, event.created_at)
    if CODE_SHAPE.fullmatch(text):
        return CodeVerdict(normalized, verify.NOT_OFFICIAL, None)
    return None
