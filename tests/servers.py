"""Real app servers for the tests and benchmarks that need one.

``gunicorn_server(env)`` starts ``gunicorn -c gunicorn.conf.py`` on a free
port of 127.0.0.1 with the production settings (``DEBUG`` off), waits until it
answers, yields its base URL and stops it. ``migrated_sqlite(path)`` makes a
migrated SQLite database file to serve from, ``migrated_postgres(url)`` a
fresh PostgreSQL one. The server is a separate process: it reads the database
named in ``env`` (never pytest-django's test database).

``ContactClient`` is a browser with JavaScript off on the contact form, and
``submit_in_parallel`` runs several of them at once: the "nothing lost" tests
(tests/channels/tickets/test_nothing_lost.py) and bench/nothing_lost.py.
"""

import dataclasses
import http.client
import http.cookies
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What every served process needs on top of the caller's variables: the
# production settings over plain HTTP on loopback.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "live-server-tests-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "HELPCENTER_HTTPS": "0",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**variables: str) -> dict[str, str]:
    """Return os.environ with the production settings and ``variables``;
    DATABASE_URL / REDIS_URL are dropped unless given, so a server never
    silently shares the caller's database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(PRODUCTION_ENV)
    env.update(variables)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py args`` in a subprocess with ``env``; return stdout."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def migrated_sqlite(path: Path, then: str = "") -> str:
    """Create and migrate a SQLite database at ``path``; return its URL.

    ``then`` is Python run right after, in the same process (one Django
    start instead of two), e.g. ``TOPIC_CREATE``."""
    url = f"sqlite:///{path}"
    _migrate(server_env(DATABASE_URL=url), then)
    return url


def _migrate(env: dict[str, str], then: str) -> None:
    if then:
        shell(
            env,
            "from django.core.management import call_command\n"
            "call_command('migrate', interactive=False, verbosity=0)\n" + then,
        )
    else:
        manage(env, "migrate", "--no-input")


@contextmanager
def gunicorn_server(
    env: dict[str, str],
    workers: int = 2,
    port: int | None = None,
    timeout: float = 30.0,
    log: Path | None = None,
):
    """Serve the site with gunicorn; yield ``(base_url, process)``.

    gunicorn's and the app's log go to the file ``log`` (a temporary file
    by default), never to a pipe that nobody reads and that would block the
    server once full; a failed start shows its tail.
    """
    port = port or free_port()
    env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(workers))
    log_file = open(log, "w+b") if log else tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"

    def log_tail() -> str:
        log_file.seek(0)
        return log_file.read().decode(errors="replace")[-2000:]

    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {process.returncode}: " + log_tail()
                )
            try:
                urllib.request.urlopen(base_url + "/robots.txt", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not answer on {base_url}: " + log_tail()
                    ) from None
                time.sleep(0.1)
        yield base_url, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log_file.close()


# PostgreSQL and Redis for served processes ---------------------------------

# The served databases of the live-server tests: never pytest-django's test
# database, never CI's Redis db 0. Override per machine or helper.
LIVE_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/helpcenter_live"
LIVE_REDIS_URL = "redis://127.0.0.1:6379/1"


def live_postgres_url() -> str:
    return os.environ.get("TESTS_LIVE_DATABASE_URL", LIVE_DATABASE_URL)


def live_redis_url() -> str:
    return os.environ.get("TESTS_LIVE_REDIS_URL", LIVE_REDIS_URL)


def unreachable(postgres_url: str, redis_url: str) -> str:
    """Return why PostgreSQL or Redis cannot be used, or "" when both answer."""
    import psycopg
    import redis

    try:
        psycopg.connect(_maintenance_url(postgres_url), connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL at {postgres_url} unreachable: {error}"
    try:
        redis.Redis.from_url(redis_url, socket_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis at {redis_url} unreachable: {error}"
    return ""


def _maintenance_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def _database_recreate(url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(_maintenance_url(url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        if not drop_only:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            )


@contextmanager
def migrated_postgres(url: str, then: str = ""):
    """Create ``url``'s database afresh, migrate it (then run ``then`` as
    ``migrated_sqlite`` does), yield ``url``, drop it."""
    _database_recreate(url)
    try:
        _migrate(server_env(DATABASE_URL=url), then)
        yield url
    finally:
        _database_recreate(url, drop_only=True)


def redis_flushed(url: str) -> str:
    """Empty the Redis database at ``url`` (served caches start cold); return it."""
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


def shell(env: dict[str, str], code: str) -> str:
    """Run Python ``code`` in ``manage.py shell`` against ``env``'s database."""
    return manage(env, "shell", "--no-imports", "-c", code)


def worker_pids(process) -> list[int]:
    """The pids of a gunicorn master's workers (Linux /proc)."""
    path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in path.read_text().split()]


# A browser without JavaScript on the contact form ---------------------------

_HIDDEN = re.compile(
    rb'<input type="hidden" name="(csrfmiddlewaretoken|submission_key|started)"'
    rb'[^>]*?value="([^"]*)"'
)
_TOPIC = re.compile(rb'<option value="([a-z0-9-]+)" data-kind="general"')


@dataclasses.dataclass
class Submission:
    """One filled-in contact form, kept so that it can be sent again as is."""

    fields: dict[str, str]
    forwarded_for: str
    screenshot: bytes = b""
    status: int = 0  # of the last attempt; 0 = no answer (connection lost)
    location: str = ""
    seconds: list[float] = dataclasses.field(default_factory=list)
    # The browser that read the form: a retry needs its cookies (CSRF).
    client: "ContactClient | None" = dataclasses.field(default=None, repr=False)


class ContactClient:
    """One visitor's browser with JavaScript off: cookies, the form's hidden
    fields, a POST that does not follow the redirect.

    ``form()`` reads a fresh form (its own submission key, CSRF token and
    time-trap token); ``send()`` posts it through the proxy address
    ``forwarded_for`` (servers run with ``HELPCENTER_TRUSTED_PROXIES=1``).
    The form refuses a POST within 3 seconds of showing it, so read forms
    first, then wait, then send.
    """

    def __init__(self, base_url: str, *, language: str = "en", timeout: float = 30):
        self.base_url = base_url
        self.path = f"/{language}/contact/"
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def _request(self, url, method="GET", body=None, headers=None):
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=self.timeout
        )
        try:
            headers = dict(headers or {})
            if self.cookies:
                headers["Cookie"] = "; ".join(
                    f"{k}={v}" for k, v in self.cookies.items()
                )
            connection.request(method, parts.path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                cookie = http.cookies.SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, content
        finally:
            connection.close()

    def form(
        self, *, email: str, subject: str, forwarded_for: str, screenshot: bytes = b""
    ) -> Submission:
        for attempt in range(3):
            try:
                status, _headers, content = self._request(self.base_url + self.path)
                break
            except (ConnectionError, http.client.HTTPException):
                # A worker killed under the page: reload, as a person would.
                if attempt == 2:
                    raise
        if status != 200:
            raise RuntimeError(f"GET {self.path} answered {status}")
        hidden = {
            name.decode(): value.decode() for name, value in _HIDDEN.findall(content)
        }
        topic = _TOPIC.search(content)
        if len(hidden) != 3 or topic is None:
            raise RuntimeError("the contact form lacks its hidden fields or a topic")
        fields = {
            **hidden,
            "category": topic.group(1).decode(),
            "name": "Load Test",
            "email": email,
            "subject": subject,
            "message": "I cannot find the export button in my settings.",
            "website": "",
        }
        return Submission(fields, forwarded_for, screenshot, client=self)

    def send(self, submission: Submission) -> Submission:
        """POST the form once; record the status (0 when the connection was
        lost before an answer) and the redirect target."""
        boundary = "----nothinglost" + submission.fields["submission_key"]
        body = _multipart(boundary, submission.fields, submission.screenshot)
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Forwarded-For": submission.forwarded_for,
            "Referer": self.base_url + self.path,
        }
        try:
            status, headers, _content = self._request(
                self.base_url + self.path, "POST", body, headers
            )
        except (ConnectionError, http.client.HTTPException, TimeoutError, OSError):
            submission.status, submission.location = 0, ""
            return submission
        submission.status = status
        submission.location = headers.get("Location", "")
        return submission


def acknowledged(submission: Submission) -> bool:
    """True when the site answered that it has the ticket: the redirect to
    its status page, or (a retry whose first answer was lost) back to the
    form with "we already received this request"."""
    return (
        submission.status == 302
        and "/contact/" in submission.location
        and (
            "/contact/tickets/" in submission.location
            or submission.location.endswith("/contact/")
        )
    )


def _multipart(boundary: str, fields: dict[str, str], screenshot: bytes) -> bytes:
    lines = []
    for name, value in fields.items():
        lines += [
            f"--{boundary}",
            f'Content-Disposition: form-data; name="{name}"',
            "",
            value,
        ]
    body = "\r\n".join(lines).encode() + b"\r\n"
    if screenshot:
        body += (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="attachments"; filename="shot.png"\r\n'
                "Content-Type: image/png\r\n\r\n"
            ).encode()
            + screenshot
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode()


_STORED_SQL = """
SELECT t.submission_key, t.reference, t.email,
  (SELECT COUNT(*) FROM channels_outboundemail e WHERE e.ticket_id = t.id),
  (SELECT COUNT(*) FROM channels_ticketevent v WHERE v.ticket_id = t.id)
FROM channels_ticket t
"""
_FILES_SQL = (
    "SELECT t.submission_key, a.file FROM channels_ticketattachment a "
    "JOIN channels_ticket t ON t.id = a.ticket_id"
)


def stored_tickets(env: dict[str, str]) -> dict[str, dict]:
    """Every ticket in ``env``'s database by submission key: its reference,
    how many rows share the key, its outbox, event and attachment rows, and
    whether each attachment's file exists under ``HELPCENTER_MEDIA_ROOT``.

    Read with plain SQL from this process (a ``manage.py`` run per check
    would cost seconds), after the servers committed.
    """
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    else:
        import psycopg

        connection = psycopg.connect(url)
    try:
        tickets = connection.execute(_STORED_SQL).fetchall()
        files = connection.execute(_FILES_SQL).fetchall()
    finally:
        connection.close()
    media = Path(env["HELPCENTER_MEDIA_ROOT"])
    rows: dict[str, dict] = {}
    for key, reference, email, emails, events in tickets:
        entry = rows.setdefault(key, {"count": 0, "files": 0, "files_present": True})
        entry["count"] += 1
        entry.update(reference=reference, email=email, emails=emails, events=events)
    for key, name in files:
        rows[key]["files"] += 1
        rows[key]["files_present"] &= (media / name).is_file()
    return rows


# The one contact-form topic the clients pick, for ``then`` above.
TOPIC_CREATE = (
    "from channels.tickets.models import Topic\n"
    "Topic.objects.get_or_create(slug='general', defaults=dict("
    "name_zh_hans='一般问题', name_en='General', kind='general'))\n"
)


def submit_in_parallel(
    base_urls: list[str],
    *,
    clients: int,
    per_client: int,
    tag: str,
    screenshot: bytes = b"",
    retries: int = 0,
    forwarded_for=None,
    on_answer=None,
) -> list[Submission]:
    """Run ``clients`` visitors at once, each sending ``per_client`` forms.

    Client ``c`` talks to ``base_urls[c % len(base_urls)]``. Each reads all
    its forms, waits out the form's 3-second time trap once, then sends
    them one after another; a POST that got no answer (or a 5xx) is sent
    again as is, same submission key, up to ``retries`` times. Every form
    has its own e-mail address and, unless ``forwarded_for(c, i)`` says
    otherwise, its own client address, so the per-client limits hold
    without refusing the test. ``on_answer(base_url, submission)`` is
    called after every POST that got an answer (for a caller that acts
    while tickets flow). Returns every submission with its last status and
    ``seconds`` (each attempt's duration).
    """
    from concurrent.futures import ThreadPoolExecutor

    def address(c, i):
        if forwarded_for:
            return forwarded_for(c, i)
        return f"10.{c}.{i // 250}.{i % 250 + 1}"

    def one_client(c):
        client = ContactClient(base_urls[c % len(base_urls)])
        forms = [
            client.form(
                email=f"{tag}-{c}-{i}@example.com",
                subject=f"{tag} {c}-{i}",
                forwarded_for=address(c, i),
                screenshot=screenshot,
            )
            for i in range(per_client)
        ]
        time.sleep(3.2)  # the form refuses a POST within 3 s of showing it
        for submission in forms:
            submission.seconds = []
            for _attempt in range(retries + 1):
                began = time.monotonic()
                client.send(submission)
                submission.seconds.append(time.monotonic() - began)
                if on_answer is not None and submission.status:
                    on_answer(client.base_url, submission)
                if 0 < submission.status < 500:
                    break
        return forms

    with ThreadPoolExecutor(clients) as pool:
        return [
            item for batch in pool.map(one_client, range(clients)) for item in batch
        ]
