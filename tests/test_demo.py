from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Category
from channels.models import SupportChannel


def _snapshot():
    return (
        sorted(Article.objects.values_list("language", "slug", "updated_at")),
        sorted(Category.objects.values_list("slug", "name_zh_hans")),
        sorted(SupportChannel.objects.values_list("pk", flat=True)),
    )


@pytest.mark.django_db
def test_load_demo_loads_content_and_prints_the_staff_login():
    out = StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    assert "username:   demo" in printed
    assert "password:   demo-staff-2026" in printed
    assert "http://127.0.0.1:8000/" in printed
    user = get_user_model().objects.get(username="demo")
    assert user.is_staff and user.check_password("demo-staff-2026")
    assert Article.objects.published().filter(language="zh-hans").count() >= 30
    assert Article.objects.published().filter(language="en").count() >= 15
    assert SupportChannel.objects.exists()


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    call_command("load_demo", stdout=StringIO())
    before = _snapshot()
    history = Article.history.count()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert _snapshot() == before
    assert Article.history.count() == history
    assert "created 0, updated 0" in out.getvalue()


@pytest.mark.django_db
def test_load_demo_keeps_a_changed_demo_password():
    call_command("load_demo", stdout=StringIO())
    user = get_user_model().objects.get(username="demo")
    user.set_password("a-new-secret-password")
    user.save()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert (
        get_user_model()
        .objects.get(username="demo")
        .check_password("a-new-secret-password")
    )
    assert "changed since it was created" in out.getvalue()
