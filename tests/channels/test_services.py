import pytest

from channels import services, verify
from channels.models import ContactLookup, ContactReport, KnownScamContact
from channels.secrets import SecretFound


def test_known_scam_add_normalises_and_is_idempotent(db):
    services.known_scam_add(contact="https://WWW.Fake-Cobalt.test/login")
    services.known_scam_add(contact="fake-cobalt.test")
    assert list(KnownScamContact.objects.values_list("value", flat=True)) == [
        "domain:fake-cobalt.test"
    ]


def test_confirming_a_report_closes_every_report_of_that_contact(db):
    first = services.contact_report_create(contact="@Fake_Support", description="DM")
    services.contact_report_create(contact="fake_support", description="again")
    services.contact_report_confirm(report=first)
    statuses = set(ContactReport.objects.values_list("status", flat=True))
    assert statuses == {ContactReport.Status.CONFIRMED}
    assert KnownScamContact.objects.get().value == "handle:fake_support"


def test_confirming_a_report_never_publishes_the_reporters_words(db):
    report = services.contact_report_create(
        contact="fake-cobalt.test",
        description="Official notice: call +1-888-555-0100 to unfreeze your wallet",
    )
    services.contact_report_confirm(report=report)
    assert KnownScamContact.objects.get().note == ""


PHRASE_12 = (
    "legal winner thank year wave sausage worth useful legal winner thank yellow"
)


def test_lookup_of_a_secret_is_not_recorded(db):
    contact = verify.Contact(kind="handle", value=PHRASE_12.replace(" ", ""))
    services.contact_lookup_record(contact=contact)
    assert ContactLookup.objects.count() == 0


def test_report_holding_a_secret_is_not_saved(db):
    with pytest.raises(SecretFound) as raised:
        services.contact_report_create(contact="@fake_cs", description=PHRASE_12)
    assert ContactReport.objects.count() == 0
    assert "legal" not in str(raised.value)
