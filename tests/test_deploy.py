"""``manage.py check --deploy`` with the production variables the README
documents reports nothing at all, not even a warning."""

import secrets
import subprocess
import sys

import pytest

from tests.servers import ROOT, migrated_sqlite, server_env


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict[str, str]:
    """The README's production variables (Production section), on a migrated
    SQLite file instead of PostgreSQL and Redis."""
    database = migrated_sqlite(tmp_path_factory.mktemp("deploy") / "db.sqlite3")
    return server_env(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="help.example.com",
        HELPCENTER_HTTPS="1",
        HELPCENTER_SITE_URL="https://help.example.com",
        DATABASE_URL=database,
        DJANGO_EMAIL_URL="smtp://help:secret@smtp.example.com:587/?tls=True",
    )


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    # --fail-level WARNING: a warning fails the command too.
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_deploy_check_reports_nothing_with_the_production_variables(production_env):
    result = check_deploy(production_env)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_deploy_check_warns_when_preload_is_switched_off(production_env):
    result = check_deploy({**production_env, "HELPCENTER_HSTS_PRELOAD": "0"})
    assert result.returncode == 1
    assert "security.W021" in result.stderr


def test_deploy_check_warns_about_a_short_secret_key(production_env):
    result = check_deploy({**production_env, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode == 1
    assert "security.W009" in result.stderr
