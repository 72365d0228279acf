"""Issue #8 section 4: an article cannot carry a scam contact."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from channels.models import KnownScamContact, SupportChannel

SCAM_PHONE = "+86 400 888 0123"
CONFIRM_LABEL = "我确认这些联系方式无误"  # I confirm these contacts are correct


@pytest.fixture
def channels(db):
    chat = SupportChannel.objects.create(
        slug="live-chat", kind="live_chat", name_zh_hans="在线聊天", name_en="Chat"
    )
    chat.official_identifiers.create(platform="web", value="cobaltwallet.example")
    mail = SupportChannel.objects.create(
        slug="email", kind="email", name_zh_hans="邮件", name_en="E-mail"
    )
    mail.official_identifiers.create(
        platform="email", value="support@cobaltwallet.example"
    )
    social = SupportChannel.objects.create(
        slug="social", kind="social", name_zh_hans="社交", name_en="Social"
    )
    social.official_identifiers.create(platform="x", value="@CobaltWallet")
    KnownScamContact.objects.create(value="phone:+864008880123", note="Fake hotline")


def add_data(category, body, **extra):
    data = {
        "title": "联系我们",
        "language": "zh-hans",
        "category": category.pk,
        "summary": "",
        "body": body,
        "confirm_contacts": "False",
        "tags": "",
        "status": "draft",
        "slug": "contact-us",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def post_article(client, staff_user, category, body, **extra):
    client.force_login(staff_user)
    return client.post(
        reverse("admin:articles_article_add"), add_data(category, body, **extra)
    )


def test_admin_article_with_official_contacts_saves(
    client, staff_user, category, channels
):
    body = (
        "写信到 support@cobaltwallet.example，或访问 "
        "https://cobaltwallet.example/support，关注 @CobaltWallet。"
    )
    response = post_article(client, staff_user, category, body)
    assert response.status_code == 302
    assert Article.objects.get().body == body


def test_admin_confirm_box_is_hidden_until_needed(client, staff_user, channels):
    client.force_login(staff_user)
    response = client.get(reverse("admin:articles_article_add"))
    assertContains(response, 'type="hidden" name="confirm_contacts"')
    assertNotContains(response, 'type="checkbox" name="confirm_contacts"')


@pytest.mark.parametrize(
    "body, shown",
    [
        ("如有疑问请拨打 +86 138 0013 8000。", "+86 138 0013 8000"),
        ("请发邮件到 help@cobalt-support.test。", "help@cobalt-support.test"),
        ("详情见 cobalt-help.test/guide。", "cobalt-help.test/guide"),
        ("请看 [官网](/\\evil.example)。", "evil.example"),
        ("添加客服微信：cobalt_kefu88", "cobalt_kefu88"),
        ("联系 @cobalt_support_desk", "@cobalt_support_desk"),
    ],
)
def test_admin_unofficial_contact_needs_confirmation(
    client, staff_user, category, channels, body, shown
):
    refused = post_article(client, staff_user, category, body)
    assert refused.status_code == 200
    assertContains(refused, "以下联系方式不在我们的官方渠道中")  # not official
    assertContains(refused, shown)
    assertContains(refused, 'type="checkbox" name="confirm_contacts"')
    assertContains(refused, CONFIRM_LABEL)
    assert Article.objects.count() == 0
    confirmed = post_article(client, staff_user, category, body, confirm_contacts="on")
    assert confirmed.status_code == 302
    assert Article.objects.get().body == body


def test_admin_known_scam_is_refused_even_when_confirmed(
    client, staff_user, category, channels
):
    body = f"客服热线 {SCAM_PHONE}"
    response = post_article(client, staff_user, category, body, confirm_contacts="on")
    assertContains(response, "这篇文章包含已知的诈骗联系方式")  # known scam
    assertContains(response, SCAM_PHONE)
    assert Article.objects.count() == 0


def test_admin_edit_does_not_ask_again_for_a_confirmed_contact(
    client, staff_user, article, channels
):
    article.body += "\n\n合作伙伴邮箱 partner@exchange.test"
    article.save()
    client.force_login(staff_user)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = add_data(
        article.category,
        article.body,
        title="改个标题",
        slug=article.slug,
        language=article.language,
        status=article.status,
        published_at_0=article.published_at.strftime("%Y-%m-%d"),
        published_at_1=article.published_at.strftime("%H:%M:%S"),
    )
    response = client.post(url, data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "改个标题"


# import_articles ---------------------------------------------------------------


def write_article(folder: Path, body: str, slug="contact-us") -> Path:
    path = folder / f"{slug}.md"
    path.write_text(
        "---\n"
        f"title: 联系我们\nslug: {slug}\ncategory: transfers\nlanguage: zh-hans\n"
        "status: published\n---\n" + body,
        encoding="utf-8",
    )
    return path


def test_import_refuses_unofficial_contacts_without_the_flag(tmp_path, channels):
    path = write_article(tmp_path, "添加客服微信：cobalt_kefu88，或拨打 13800138000。")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(path), stdout=StringIO(), stderr=err)
    assert "not official channels: cobalt_kefu88, 13800138000" in err.getvalue()
    assert "--confirm-contacts" in err.getvalue()
    assert Article.objects.count() == 0


def test_import_with_confirm_flag_imports_unofficial_contacts(tmp_path, channels):
    path = write_article(tmp_path, "合作交易所的客服：help@exchange.test")
    call_command("import_articles", str(path), "--confirm-contacts", stdout=StringIO())
    assert Article.objects.get().body == "合作交易所的客服：help@exchange.test"


def test_import_refuses_known_scam_even_with_the_flag(tmp_path, channels):
    bad = write_article(tmp_path, f"客服热线 {SCAM_PHONE}", slug="bad")
    write_article(tmp_path, "写信到 support@cobaltwallet.example", slug="good")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_articles",
            str(tmp_path),
            "--confirm-contacts",
            stdout=StringIO(),
            stderr=err,
        )
    assert f"{bad}: contains a known scam contact: {SCAM_PHONE}" in err.getvalue()
    assert list(Article.objects.values_list("slug", flat=True)) == ["good"]


def test_import_of_unchanged_confirmed_article_needs_no_flag(tmp_path, channels):
    path = write_article(tmp_path, "合作交易所的客服：help@exchange.test")
    call_command("import_articles", str(path), "--confirm-contacts", stdout=StringIO())
    out = StringIO()
    call_command("import_articles", str(path), stdout=out)
    assert "unchanged 1" in out.getvalue()
