import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from articles.models import Article
from tests.factories import make_article


@pytest.mark.django_db
def test_admin_requires_staff_login(client, article):
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_admin_article_list_shows_vote_counts(client, staff_user, article):
    from articles.services import article_vote

    article_vote(article=article, voter="a", is_helpful=True)
    article_vote(article=article, voter="b", is_helpful=False, reason="outdated")
    article_vote(article=article, voter="c", is_helpful=False, reason="outdated")
    client.force_login(staff_user)
    response = client.get(reverse("admin:articles_article_changelist"))
    row = [r for r in response.context["cl"].result_list if r.pk == article.pk][0]
    assert (row._yes, row._no) == (1, 2)
    detail = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assertContains(detail, "内容已过时: 2")


@pytest.mark.django_db
def test_admin_preview_renders_sanitised_markdown(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:articles_article_preview"),
        {"body": "## 标题\n\n<script>x</script>"},
    )
    html = response.json()["html"]
    assert '<h2 id="标题">标题</h2>' in html
    assert "&lt;script&gt;" in html and "<script>" not in html


@pytest.mark.django_db
def test_admin_preview_refuses_anonymous_users(client):
    response = client.post(reverse("admin:articles_article_preview"), {"body": "x"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_admin_publish_action_publishes_and_records_who(
    client, staff_user, draft_article
):
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [draft_article.pk]},
    )
    assert response.status_code == 302
    draft_article.refresh_from_db()
    assert draft_article.is_published
    assert draft_article.history.first().history_user == staff_user


@pytest.mark.django_db
def test_admin_edit_keeps_revision_and_can_restore_it(client, staff_user, article):
    client.force_login(staff_user)
    original_title = article.title
    article.title = "改过的标题"
    article.save()
    first = article.history.order_by("history_date").first()
    response = client.post(
        reverse(
            "admin:articles_article_simple_history", args=[article.pk, first.history_id]
        ),
        {
            "title": original_title,
            "language": "zh-hans",
            "category": article.category.pk,
            "summary": article.summary,
            "body": article.body,
            "tags": "转账, 到账",
            "status": "published",
            "published_at_0": article.published_at.strftime("%Y-%m-%d"),
            "published_at_1": article.published_at.strftime("%H:%M:%S"),
            "slug": article.slug,
            "_change_history": "1",
        },
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).title == original_title


@pytest.mark.django_db
def test_admin_translation_link_is_shown_on_the_original(client, staff_user, article):
    make_article(
        category=article.category,
        language="en",
        slug="en-version",
        title="English version",
        translation_of=article,
    )
    client.force_login(staff_user)
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assertContains(response, "English version")


@pytest.mark.django_db
def test_admin_change_form_offers_live_preview(client, staff_user, article):
    client.force_login(staff_user)
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assertContains(response, 'data-preview-label="预览"')
    assertContains(response, "js/admin_preview.js")
    # Without JavaScript the saved article is shown rendered.
    assertContains(response, '<h2 id="先确认网络">先确认网络</h2>', html=True)


@pytest.mark.django_db
def test_admin_translation_autocomplete_blank_option_has_a_label(
    client, staff_user, article
):
    # HTML forbids an empty <option> without a label; Select2 needs it.
    client.force_login(staff_user)
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assertContains(response, '<option value="" label="---------"></option>', html=True)
