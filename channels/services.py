"""Writes with side effects: contact reports, known scams and lookups."""

import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from channels import secrets as secret_scan, verify
from channels.models import ContactLookup, ContactReport, KnownScamContact


def contact_lookup_record(*, contact: verify.Contact) -> None:
    """Count one lookup of a non-official contact, creating its row if new.

    Nothing is stored for a value that looks like a recovery phrase or key:
    users paste those into the checker by mistake.
    """
    if secret_scan.contains_secret(contact.key):
        return
    updated = ContactLookup.objects.filter(value=contact.key).update(
        lookup_count=F("lookup_count") + 1, last_seen_at=timezone.now()
    )
    if updated:
        return
    try:
        with transaction.atomic():
            ContactLookup.objects.create(value=contact.key, lookup_count=1)
    except IntegrityError:
        ContactLookup.objects.filter(value=contact.key).update(
            lookup_count=F("lookup_count") + 1
        )


@transaction.atomic
def contact_report_create(*, contact: str, description: str) -> ContactReport:
    """Save a user's report of a suspicious contact for staff review.

    Raises ``channels.secrets.SecretFound`` (and saves nothing) when the report holds
    anything secret-like; ``ReportForm`` refuses such reports first.
    """
    secret_scan.ensure_no_secret([("contact", contact), ("description", description)])
    normalized = verify.normalize(contact)
    return ContactReport.objects.create(
        contact=contact,
        value=normalized.key if normalized else contact,
        description=description,
    )


@transaction.atomic
def known_scam_add(
    *, contact: str, note: str = "", kind: str = KnownScamContact.Kind.CONTACT
) -> KnownScamContact:
    """Mark a contact, as pasted, as a known scam; idempotent.

    A value already normalised (``domain:…``) is stored as it is; a crypto
    address (``address:evm:0x…`` or as pasted) in its normalised form.
    """
    value = verify.scam_value(contact)
    scam, _created = KnownScamContact.objects.get_or_create(
        value=value, defaults={"note": note, "kind": kind}
    )
    return scam


@transaction.atomic
def contact_report_confirm(*, report: ContactReport) -> KnownScamContact:
    """Mark the reported contact as a known scam and close the report.

    The reporter's description is never copied into the public note: the
    checker shows that note in our name, so only staff write it (in the
    known-scam admin).
    """
    scam = known_scam_add(contact=report.value)
    ContactReport.objects.filter(value=report.value).update(
        status=ContactReport.Status.CONFIRMED
    )
    return scam


EMAIL_CHECK_COUNT_DAYS = 35


def email_check_record(*, day: datetime.date | None = None) -> int:
    """Count one e-mail checked on ``day`` (today by default); return the
    day's count so far.

    Only the number is kept, in the cache for ``EMAIL_CHECK_COUNT_DAYS``:
    pasted e-mails are never stored or logged, not even their sender.
    """
    key = f"email-checks:{(day or timezone.localdate()).isoformat()}"
    if cache.add(key, 1, timeout=EMAIL_CHECK_COUNT_DAYS * 86400):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=EMAIL_CHECK_COUNT_DAYS * 86400)
        return 1
