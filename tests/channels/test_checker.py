"""The checker against the database: selectors that judge contacts."""

from django.urls import reverse
from pytest_django.asserts import assertContains

from channels import verify
from channels.models import KnownScamContact
from channels.selectors import contacts_judged_in


def test_contacts_judged_in_text_uses_two_queries(
    official_channels, django_assert_num_queries
):
    KnownScamContact.objects.create(value="phone:+864008880123", note="Fake hotline")
    text = (
        "Write to support@cobaltwallet.example, not to help@cobalt-wallet.test; "
        "never call +86 400 888 0123 or 13800138000."
    )
    with django_assert_num_queries(2):
        verdicts = contacts_judged_in(text=text)
    assert [(v.contact.key, v.verdict) for v in verdicts] == [
        ("email:support@cobaltwallet.example", verify.OFFICIAL),
        ("email:help@cobalt-wallet.test", verify.NOT_OFFICIAL),
        ("phone:+864008880123", verify.KNOWN_SCAM),
        ("phone:+8613800138000", verify.NOT_OFFICIAL),
    ]


def test_contacts_judged_in_text_without_contacts_queries_nothing(
    db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert contacts_judged_in(text="How do I back up my wallet?") == []


def test_channel_admin_edits_identifiers_inline(admin_client, official_channels):
    channel = official_channels["social"]
    url = reverse("admin:channels_supportchannel_change", args=[channel.pk])
    page = admin_client.get(url)
    assertContains(page, "所有子域名都属于我们")  # "all sub-domains are ours"
    assertContains(page, 'value="@CobaltWallet"')
