"""Writes with side effects: contact reports, known scams and lookups."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from channels import secrets as secret_scan
from channels import verify
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
