import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from channels.models import (
    ContactLookup,
    ContactReport,
    KnownScamContact,
    SupportChannel,
    Ticket,
)
from channels.tickets.models import Topic

Kind = Topic.Kind


@pytest.fixture(autouse=True)
def _english_urls():
    # Most tests here read English pages through reverse(); those about the
    # Chinese pages say so with translation.override("zh-hans").
    translation.activate("en")


PHRASE = "abandon " * 11 + "about"


def test_channels_page_literal_path_lists_channels_and_missing_ones(
    client, official_channels, topics, django_assert_num_queries
):
    with django_assert_num_queries(4):
        response = client.get("/en/channels/")
    assertContains(response, "Request form")
    assertContains(response, "support@cobaltwallet.example")
    assertContains(response, "Channels we do not have")
    assertContains(response, "We have no phone hotline.")


def test_channels_page_shows_open_and_unavailable_channels(client, official_channels):
    SupportChannel.objects.filter(slug="social").update(is_available=False)
    response = client.get(reverse("channels:list"))
    assertContains(response, "Open now", count=2)
    assertContains(response, "Temporarily unavailable", count=1)


def test_channels_page_shows_closed_channel(client, official_channels):
    now = timezone.localtime()
    opens = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    closes = (now + timedelta(hours=3)).time().replace(second=0, microsecond=0)
    SupportChannel.objects.filter(slug="email").update(
        opens_at=opens, closes_at=closes, time_zone=str(now.tzinfo)
    )
    response = client.get(reverse("channels:list"))
    assertContains(response, "Closed now", count=1)


def _answered_tickets(channel, topic, count, *, after, age=timedelta(days=1)):
    created = timezone.now() - age
    for number in range(count):
        Ticket.objects.create(
            reference=f"CW-TEST-{number:04d}{age.days:02d}",
            token_hash="x",
            channel=channel,
            topic=topic,
            language="en",
            email="a@example.com",
            subject="s",
            message="m",
            created_at=created,
            first_response_at=created + after,
        )


def test_channels_page_shows_measured_median_with_enough_tickets(
    client, official_channels, topics
):
    channel = official_channels["web_form"]
    _answered_tickets(channel, topics[Kind.GENERAL], 5, after=timedelta(hours=2))
    _answered_tickets(
        channel,
        topics[Kind.GENERAL],
        5,
        after=timedelta(hours=9),
        age=timedelta(days=40),
    )
    response = client.get(reverse("channels:list"))
    assertContains(response, "median first response: 2 h 00 min")


def test_channels_page_hides_median_below_five_tickets(
    client, official_channels, topics
):
    channel = official_channels["web_form"]
    _answered_tickets(channel, topics[Kind.GENERAL], 4, after=timedelta(hours=2))
    response = client.get(reverse("channels:list"))
    assertNotContains(response, "median first response")


def test_channels_page_says_which_channel_for_which_problem(
    client, official_channels, topics
):
    official_channels["social"].best_for.add(topics[Kind.SECURITY].category)
    response = client.get(reverse("channels:list"))
    assertContains(response, '<a href="#channel-social">Social media</a>', html=True)


# Checker ----------------------------------------------------------------


def verdict_of(response):
    return re.findall(r'data-verdict="([^"]+)"', response.content.decode())


def test_checker_literal_path_answers_official(
    client, official_channels, django_assert_num_queries
):
    with django_assert_num_queries(2):
        response = client.get("/en/channels/verify/?q=Support%40CobaltWallet.example")
    assert verdict_of(response) == ["official"]
    assertContains(response, "Yes, this is our official E-mail.")
    assert ContactLookup.objects.count() == 0


def test_checker_flags_cyrillic_look_alike(client, official_channels):
    response = client.get(
        reverse("channels:verify"), {"q": "support@cоbaltwallet.example"}
    )
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "Do not pay anything")


def test_checker_flags_punycode_look_alike(client, official_channels):
    response = client.get(
        reverse("channels:verify"), {"q": "https://xn--cbaltwallet-rnj.example/"}
    )
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "It looks like our Request form but is not the same")


def test_checker_says_no_phone_support_for_any_number(client, official_channels):
    response = client.get(reverse("channels:verify"), {"q": "+86 400 123 4567"})
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "We have no phone support.")


def test_checker_shows_known_scam(client, official_channels):
    KnownScamContact.objects.create(value="phone:+864008880123", note="Fake hotline")
    response = client.get(reverse("channels:verify"), {"q": "0086 400-888-0123"})
    assert verdict_of(response) == ["known-scam"]
    assertContains(response, "Fake hotline")


def test_checker_counts_lookups_of_non_official_contacts(
    client, official_channels, django_assert_num_queries
):
    client.get(reverse("channels:verify"), {"q": "fake-cobalt.test"})
    with django_assert_num_queries(3):
        client.get(reverse("channels:verify"), {"q": "https://FAKE-cobalt.test/login"})
    assert list(ContactLookup.objects.values_list("value", "lookup_count")) == [
        ("domain:fake-cobalt.test", 2)
    ]


def test_checker_ignores_nul_and_control_characters(client, db):
    response = client.get(reverse("channels:verify"), {"q": "fake\x00-cobalt\n.test"})
    assert verdict_of(response) == ["not-official"]
    assert ContactLookup.objects.get().value == "domain:fake-cobalt.test"


def test_checker_without_query_shows_no_verdict(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("channels:verify"))
    assert verdict_of(response) == []
    assertContains(response, "Report a suspicious contact")


def test_report_is_saved_and_admin_marks_it_as_known_scam(
    client, admin_client, official_channels
):
    response = client.post(
        reverse("channels:report"),
        {"contact": "https://Cobalt-Help.test/x", "description": "Seen on a forum"},
    )
    assertRedirects(response, reverse("channels:verify"))
    report = ContactReport.objects.get()
    assert report.value == "domain:cobalt-help.test"
    admin_client.post(
        reverse("admin:channels_contactreport_changelist"),
        {"action": "mark_known_scam", "_selected_action": [report.pk]},
    )
    checked = client.get(reverse("channels:verify"), {"q": "cobalt-help.test"})
    assert verdict_of(checked) == ["known-scam"]


def test_report_with_secret_is_refused_and_not_saved(client, db):
    translation.activate("zh-hans")
    response = client.post(
        reverse("channels:report"), {"contact": "@fake", "description": PHRASE}
    )
    assertContains(response, "似乎包含助记词或私钥，因此未发送", status_code=400)
    assertNotContains(response, PHRASE, status_code=400)
    assert ContactReport.objects.count() == 0


# Contact form ----------------------------------------------------------------


def forum_channel():
    forum = SupportChannel.objects.create(
        slug="forum",
        kind=SupportChannel.Kind.FORUM,
        name_zh_hans="社区论坛",
        name_en="Community forum",
        address="https://community.cobaltwallet.example",
    )
    forum.official_identifiers.create(
        platform="web",
        value="https://community.cobaltwallet.example",
        user_content_paths="/u/\n/t/",
    )
    chat = SupportChannel.objects.create(
        slug="live-chat",
        kind=SupportChannel.Kind.LIVE_CHAT,
        name_zh_hans="官网在线聊天",
        name_en="Live chat",
    )
    chat.official_identifiers.create(platform="web", value="cobaltwallet.example")
    wechat = SupportChannel.objects.create(
        slug="wechat",
        kind=SupportChannel.Kind.WECHAT,
        name_zh_hans="微信公众号",
        name_en="WeChat official account",
    )
    wechat.official_identifiers.create(platform="wechat", value="CobaltWallet")
    return forum


def check_page(client, q, platform="", language="en"):
    url = f"/{language}/channels/verify/"
    return client.get(url, {"q": q, "platform": platform})


@pytest.mark.parametrize(
    "q",
    [
        "https://evil.example\\.cobaltwallet.example",
        "evil.example\\.cobaltwallet.example",
    ],
)
def test_checker_backslash_url_is_evil_example_not_official(
    client, official_channels, q
):
    forum_channel()
    response = check_page(client, q)
    assert verdict_of(response) == ["not-official"]
    assertContains(response, '<code class="browser-host">evil.example</code>')
    assertNotContains(response, "Yes, this is our official")
    assertContains(response, "Report a suspicious contact")


@pytest.mark.parametrize("q", ["Cobalt Wallet", "Cobalt💎Wallet", "Cоbalt Wallet"])
@pytest.mark.parametrize("platform", ["", "wechat", "x", "telegram"])
def test_checker_display_name_is_never_official(client, official_channels, q, platform):
    forum_channel()
    response = check_page(client, q, platform)
    assert verdict_of(response) == ["not-official"]
    assertContains(response, 'data-reason="display-name"')
    assertContains(response, "Names, pictures and emoji are free to copy")
    assertContains(response, "the WeChat ID (微信号) is under the name")
    assertNotContains(response, "Yes, this is our official")


def test_checker_handle_is_official_only_on_its_platform(client, official_channels):
    forum_channel()
    on_x = check_page(client, "@CobaltWallet", "x")
    on_telegram = check_page(client, "@CobaltWallet", "telegram")
    unknown = check_page(client, "@CobaltWallet")
    telegram_url = check_page(client, "https://t.me/CobaltWallet")
    assert verdict_of(on_x) == ["official"]
    assertContains(on_x, "Yes, this is our official Social media.")
    assertNotContains(on_x, "Report a suspicious contact")
    assertContains(on_telegram, "This is not our account on Telegram.")
    assertContains(on_telegram, "We use this name on X (Twitter), WeChat only.")
    assertContains(unknown, "Where did you see this account?")
    assertContains(telegram_url, "This is not our account on Telegram.")
    assert verdict_of(unknown) == verdict_of(telegram_url) == ["not-official"]


def test_checker_wechat_id_in_chinese_names_the_channel(client, official_channels):
    forum_channel()
    response = check_page(client, "CobaltWallet", "wechat", language="zh-hans")
    assert verdict_of(response) == ["official"]
    assertContains(response, "微信公众号")


def test_checker_javascript_link_is_never_official(client, official_channels):
    forum_channel()
    response = check_page(client, "javascript://cobaltwallet.example/%0aalert(1)")
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "This is not a web address.")
    assertContains(response, "A link starting with “javascript:”")


def test_checker_forum_profile_is_written_by_a_user(client, official_channels):
    forum_channel()
    response = check_page(client, "community.cobaltwallet.example/u/admin")
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "This page was written by a user, not by our support.")
    assertContains(response, "It is on our Community forum, where any user can publish")
    assertNotContains(response, "Live chat")


def test_checker_forum_profile_in_chinese(client, official_channels):
    forum_channel()
    response = check_page(
        client, "https://community.cobaltwallet.example/u/admin", language="zh-hans"
    )
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "社区论坛")


def test_checker_forum_home_is_official_forum(client, official_channels):
    forum_channel()
    response = check_page(client, "https://community.cobaltwallet.example/")
    assertContains(response, "Yes, this is our official Community forum.")


def test_checker_unknown_platform_is_a_400_with_a_message(client, db):
    response = check_page(client, "@CobaltWallet", "myspace")
    assertContains(response, "Please choose one of the platforms.", status_code=400)
    assert ContactLookup.objects.count() == 0


def test_checker_platform_select_works_without_javascript(client, db):
    response = check_page(client, "")
    assertContains(response, '<select name="platform"')
    assertContains(response, '<option value="wechat">WeChat</option>')


def test_checker_official_contact_offers_no_report_form(
    client, official_channels, django_assert_num_queries
):
    with django_assert_num_queries(2):
        response = check_page(client, "support@cobaltwallet.example")
    assert verdict_of(response) == ["official"]
    assertNotContains(response, "Report a suspicious contact")


def test_checker_known_scam_shows_the_staff_note_only(
    client, admin_client, official_channels
):
    client.post(
        reverse("channels:report"),
        {"contact": "cobalt-help.test", "description": "Call +1-888-555-0100 now"},
    )
    report = ContactReport.objects.get()
    admin_client.post(
        reverse("admin:channels_contactreport_changelist"),
        {"action": "mark_known_scam", "_selected_action": [report.pk]},
    )
    before = check_page(client, "cobalt-help.test")
    KnownScamContact.objects.update(note="Fake help center.")
    after = check_page(client, "cobalt-help.test")
    assert verdict_of(before) == ["known-scam"]
    assertNotContains(before, "888-555-0100")
    assertContains(after, "Note from our team:")
    assertContains(after, "Fake help center.")


def test_checker_does_not_check_keep_or_show_a_pasted_phrase(client, db):
    translation.activate("zh-hans")
    response = client.get(reverse("channels:verify"), {"q": PHRASE})
    # Redirected to the bare page: the phrase leaves the address bar and is
    # not repeated in the page's language links.
    assertRedirects(response, reverse("channels:verify"), fetch_redirect_response=False)
    page = client.get(response.url)
    assertContains(page, "这看起来像助记词或私钥，因此没有查询，也没有保存。")
    assertNotContains(page, "abandon")
    assert ContactLookup.objects.count() == 0


def test_report_with_unlabelled_hex_is_refused_with_a_hint(client, db):
    with translation.override("en"):
        response = client.post(
            reverse("channels:report"),
            {"contact": "@fake_cs", "description": "they asked for " + "ab" * 32},
        )
    assertContains(response, "write &quot;TxID:&quot; in front of it", status_code=400)
    assertNotContains(response, "ab" * 32, status_code=400)
    assert ContactReport.objects.count() == 0


def test_form_help_text_is_announced_with_its_field(client, db):
    response = client.get(reverse("channels:verify"))
    assertContains(response, 'aria-describedby="id_contact_helptext"')
    assertContains(response, 'id="id_contact_helptext"')


def test_checker_form_posts_so_nothing_pasted_lands_in_a_url(client, db):
    response = client.get(reverse("channels:verify"))
    assertContains(response, 'method="post" action="/en/channels/verify/"')
    assertContains(response, 'name="csrfmiddlewaretoken"')


def test_checker_post_answers_the_verdict_and_is_not_cached(client, official_channels):
    response = client.post(
        reverse("channels:verify"), {"q": "support@cobaltwallet.example"}
    )
    assert verdict_of(response) == ["official"]
    assert "no-store" in response["Cache-Control"]


def test_checker_post_of_a_phrase_checks_and_keeps_nothing(client, db):
    translation.activate("zh-hans")
    response = client.post(reverse("channels:verify"), {"q": PHRASE}, follow=True)
    assertContains(response, "这看起来像助记词或私钥，因此没有查询，也没有保存。")
    assertNotContains(response, "abandon")
    assert ContactLookup.objects.count() == 0


def test_channels_page_points_the_web_form_to_this_sites_contact_page(
    client, official_channels
):
    response = client.get(reverse("channels:list"))
    assertContains(
        response,
        '<dd class="channel-address"><a href="/en/contact/">Submit a request</a></dd>',
        html=True,
    )
    assertNotContains(response, "cobaltwallet.example/support/request")


def test_which_channel_table_leaves_out_a_channel_that_is_down(
    client, official_channels, topics
):
    email = SupportChannel.objects.get(slug="email")
    email.best_for.set([topic.category for topic in topics.values()])
    before = client.get(reverse("channels:list"))
    # As staff mark it down in the admin (a save, which the page cache sees).
    email.is_available = False
    email.save()
    after = client.get(reverse("channels:list"))
    table = re.compile(r"<table>.*</table>", re.S)
    assert 'href="#channel-email"' in table.search(before.content.decode()).group()
    assert 'href="#channel-email"' not in table.search(after.content.decode()).group()
