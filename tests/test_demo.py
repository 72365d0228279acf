from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

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


@pytest.mark.django_db
def test_demo_account_is_a_support_agent_not_a_superuser(client):
    call_command("load_demo", stdout=StringIO())
    user = get_user_model().objects.get(username="demo")
    assert user.is_staff and not user.is_superuser
    assert [group.name for group in user.groups.all()] == ["Support agents"]
    assert not user.user_permissions.exists()
    client.force_login(user)
    assert client.get(reverse("admin:channels_ticket_changelist")).status_code == 200
    assert client.get(reverse("admin:articles_article_add")).status_code == 200
    for name in ("auth_user_changelist", "auth_group_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 403
    for name in ("axes_accessattempt_changelist", "otp_totp_totpdevice_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 403
    # Official channels decide what the checker vouches for: read-only here.
    assert not user.has_perm("channels.change_supportchannel")
    assert user.has_perm("channels.view_supportchannel")
    assert not user.has_perm("auth.change_user")


@pytest.mark.django_db
def test_load_demo_restricts_an_existing_superuser_demo_and_keeps_its_password():
    get_user_model().objects.create_superuser(
        username="demo", password="an-operator-choice", email=""
    )
    call_command("load_demo", stdout=StringIO())
    user = get_user_model().objects.get(username="demo")
    assert user.is_staff and not user.is_superuser
    assert user.groups.get().name == "Support agents"
    assert user.check_password("an-operator-choice")


@pytest.mark.django_db
def test_load_demo_twice_keeps_one_group_with_the_same_permissions():
    call_command("load_demo", stdout=StringIO())
    group = Group.objects.get(name="Support agents")
    before = sorted(group.permissions.values_list("codename", flat=True))
    call_command("load_demo", stdout=StringIO())
    assert Group.objects.count() == 1
    assert sorted(group.permissions.values_list("codename", flat=True)) == before
    assert "delete_article" not in before and "change_user" not in before


@pytest.mark.django_db
def test_load_demo_says_when_two_factor_is_required(settings):
    settings.HELPCENTER_REQUIRE_2FA = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "two-factor: required" in out.getvalue()
