import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.utils import translation

from helpcenter import pagecache
from tests.factories import make_article, make_category


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_optional(settings):
    # As in the demo; tests of production sign-in set it back to True.
    settings.HELPCENTER_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _default_language():
    # A request to /en/ leaves English active in the thread, and reverse()
    # in the next test would build /en/ URLs: every test starts in the
    # default language, whatever ran before it.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _views_counted_at_once(settings):
    # Each view reaches the shared count during its request; the per-process
    # buffer has tests of its own (tests/articles/test_services.py).
    settings.HELPCENTER_VIEW_BUFFER_MS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    for cache in caches.all():
        cache.clear()
    pagecache.forget_copies()
    yield
    for cache in caches.all():
        cache.clear()
    pagecache.forget_copies()


@pytest.fixture
def category(db):
    return make_category(
        slug="transfers", name_zh_hans="转账与到账", name_en="Transfers"
    )


@pytest.fixture
def article(category):
    return make_article(
        category=category,
        title="转账未到账怎么办",
        slug="transfer-not-arrived",
        summary="转账显示成功但对方没有收到时的排查步骤。",
        body="## 先确认网络\n\n检查转出时选择的网络。\n\n## 再查交易哈希\n\n在区块浏览器中查询。",
        tags=["转账", "到账"],
    )


@pytest.fixture
def draft_article(category):
    return make_article(
        category=category, slug="draft-article", status="draft", published_at=None
    )


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="staff", password="staff-password", is_staff=True, is_superuser=True
    )
