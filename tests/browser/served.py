"""The demo help center served by gunicorn for the browser journeys.

``served_demo_site`` makes a database of its own (a SQLite file, or on a
PostgreSQL run a ``live_browser_<name>`` database next to the one in
``DATABASE_URL``), migrates it, loads the demo with ``manage.py load_demo``,
adds a staff member with ``manage.py createsuperuser`` and serves it with
``gunicorn -c gunicorn.conf.py`` on 127.0.0.1 with the production settings
(DEBUG off, two-factor sign-in required). With ``REDIS_URL`` set the server
uses that Redis, as production does. Everything is made once per session.

The tests read what the server stored through ``ServedSite.rows``: the
served database is never pytest-django's test database.
"""

import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import psycopg
from django.conf import settings
from django.db.utils import ConnectionHandler

from tests.servers import free_port, gunicorn_server, manage, server_env

STAFF_USERNAME = "browser-staff"
STAFF_EMAIL = "browser-staff@example.com"


@dataclass
class ServedSite:
    url: str
    env: dict
    staff_username: str
    staff_password: str
    # The demo ticket load_demo prints, as its requester opens it.
    demo_status_path: str
    _connections: ConnectionHandler
    _blocker: object

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run one read query on the served database (``%s`` parameters)."""
        with self._blocker.unblock():
            with self._connections["default"].cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

    def close(self):
        with self._blocker.unblock():
            self._connections.close_all()


def _postgres_admin(url: str):
    """Connect to the maintenance database of ``url``'s server."""
    config = dj_database_url.parse(url)
    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _postgres_database(url: str) -> tuple[str, str]:
    """Create an empty database beside ``url``'s; return its URL and name.

    Named after the test run's own database, so two runs on one server
    (each with its own DATABASE_URL) never share it.
    """
    name = "live_browser_" + dj_database_url.parse(url)["NAME"]
    with _postgres_admin(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlsplit(url)._replace(path="/" + name).geturl(), name


def _postgres_drop(url: str, name: str) -> None:
    with _postgres_admin(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def served_demo_site(folder: Path, blocker):
    """Yield a ``ServedSite``; stop the server and drop its database after."""
    postgres_name = ""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        database_url, postgres_name = _postgres_database(os.environ["DATABASE_URL"])
    else:
        database_url = f"sqlite:///{folder / 'served.sqlite3'}"
    port = free_port()
    variables = {
        "DATABASE_URL": database_url,
        "HELPCENTER_SITE_URL": f"http://127.0.0.1:{port}",
        "HELPCENTER_MEDIA_ROOT": str(folder / "media"),
        # Mails go nowhere; they are kept in the outbox as always.
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    if settings.REDIS_URL:
        variables["REDIS_URL"] = settings.REDIS_URL
    env = server_env(**variables)
    password = secrets.token_urlsafe(16)
    try:
        manage(env, "migrate", "--no-input")
        demo = manage(env, "load_demo")
        status_url = re.search(r"^\s+(http://\S+/contact/tickets/\S+)$", demo, re.M)
        manage(
            dict(env, DJANGO_SUPERUSER_PASSWORD=password),
            "createsuperuser",
            "--no-input",
            "--username",
            STAFF_USERNAME,
            "--email",
            STAFF_EMAIL,
        )
        connections = ConnectionHandler(
            {"default": dj_database_url.parse(database_url)}
        )
        with gunicorn_server(env, workers=2, port=port) as (base_url, _process):
            site = ServedSite(
                url=base_url,
                env=env,
                staff_username=STAFF_USERNAME,
                staff_password=password,
                demo_status_path=status_url.group(1).removeprefix(base_url),
                _connections=connections,
                _blocker=blocker,
            )
            try:
                yield site
            finally:
                site.close()
    finally:
        if postgres_name:
            _postgres_drop(os.environ["DATABASE_URL"], postgres_name)
