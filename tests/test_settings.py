import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _names_read_by_settings() -> set[str]:
    """Every literal variable name passed to an env_* helper in settings.py."""
    tree = ast.parse((ROOT / "helpcenter" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith(
            "env_"
        ):
            first = node.args[0]
            assert isinstance(first, ast.Constant), (
                "settings must read variables by literal name"
            )
            names.add(first.value)
    return names


def _names_read_by_gunicorn_conf() -> set[str]:
    """Every variable gunicorn.conf.py reads with os.environ.get("NAME")."""
    tree = ast.parse((ROOT / "gunicorn.conf.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "get"
        and getattr(getattr(node.func, "value", None), "attr", "") == "environ"
    }


def test_every_variable_settings_read_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, flags=re.M))
    read = _names_read_by_settings() | _names_read_by_gunicorn_conf()
    assert read, "the settings read no variables?"
    assert read <= documented, f"undocumented: {sorted(read - documented)}"


def test_documented_variables_are_really_read():
    from helpcenter.env import READ_NAMES

    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, flags=re.M))
    assert documented <= (
        READ_NAMES | _names_read_by_settings() | _names_read_by_gunicorn_conf()
    )


def _settings_in_subprocess(env: dict, expression: str) -> str:
    code = f"import django, os; django.setup(); from django.conf import settings; print({expression})"
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "HELPCENTER_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "helpcenter.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_defaults_are_safe_and_local():
    out = _settings_in_subprocess(
        {},
        "settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
        "settings.DATABASES['default']['OPTIONS']['transaction_mode'], "
        "settings.DATABASES['default']['CONN_MAX_AGE'], "
        "settings.CACHES['default']['BACKEND'], settings.EMAIL_BACKEND, "
        "settings.SECRET_KEY.startswith('django-insecure-')",
    )
    # SQLite keeps its connections between requests, as PostgreSQL does.
    assert out == (
        "False django.db.backends.sqlite3 IMMEDIATE 600 "
        "django.core.cache.backends.locmem.LocMemCache "
        "django.core.mail.backends.console.EmailBackend True"
    )


def test_environment_switches_to_postgres_redis_and_smtp():
    out = _settings_in_subprocess(
        {
            "DATABASE_URL": "postgres://u:p@db.example:5432/help",
            "REDIS_URL": "redis://cache.example:6379/0",
            "DJANGO_EMAIL_URL": "smtp://mailer:pw@smtp.example:587/?tls=True",
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "help.example, www.help.example",
        },
        "settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
        "settings.DATABASES['default']['CONN_MAX_AGE'], settings.CACHES['default']['BACKEND'], "
        "settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.ALLOWED_HOSTS",
    )
    assert out == (
        "True django.db.backends.postgresql 600 django.core.cache.backends.redis.RedisCache "
        "smtp.example 587 True ['help.example', 'www.help.example']"
    )


def test_postgres_sessions_run_without_jit_or_parallel_workers_unless_the_url_says():
    expression = "settings.DATABASES['default']['OPTIONS']['options']"
    default = _settings_in_subprocess(
        {"DATABASE_URL": "postgres://u:p@db.example:5432/help"}, expression
    )
    assert default == "-c jit=off -c max_parallel_workers_per_gather=0"
    own = _settings_in_subprocess(
        {"DATABASE_URL": "postgres://db.example/help?options=-c%20jit%3Don"}, expression
    )
    assert own == "-c jit=on"


@pytest.mark.django_db
def test_postgres_session_settings_reach_the_server():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


@pytest.mark.django_db
def test_database_in_use_matches_database_url():
    url = os.environ.get("DATABASE_URL", "")
    expected = (
        "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    )
    # In CI the PostgreSQL leg must really talk to PostgreSQL, never fall back.
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_sqlite_uses_wal_journal():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert (
        "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
    )


def test_redis_cache_is_used_when_configured():
    from django.core.cache import cache

    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL not set")
    cache.set("probe", "value", 5)
    assert cache.get("probe") == "value"
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
