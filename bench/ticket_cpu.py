"""CPU time of one contact-form POST, in process, as ``load_bench.py`` sends it.

    .venv/bin/python bench/ticket_cpu.py                # SQLite, 400 tickets
    .venv/bin/python bench/ticket_cpu.py --profile 25   # + cProfile, top 25
    .venv/bin/python bench/ticket_cpu.py --queries --queue-email
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ticketcpu \\
        REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/ticket_cpu.py

The production settings (``DEBUG`` off, ``bench/settings.py``,
``HELPCENTER_TRUSTED_PROXIES=1``) on a throw-away database: a SQLite file in
a temporary directory, or the PostgreSQL database ``DATABASE_URL`` names,
dropped and created again (its name must contain ``bench``), with Redis
when ``REDIS_URL`` is set (that Redis db is flushed). The demo topics,
channels and help-desk targets are loaded from ``content/``.

Then, like ``bench/load_bench.py``'s ticket clients, through Django's WSGI
handler (no HTTP server): 8 browsers (cookie jars) each GET the contact form
once per ticket, the script waits out the time trap, and every form is
POSTed with its CSRF token, submission key and signed start time, from an
address of its own (``X-Forwarded-For``) and a mailbox of its own, with
everyday support messages from ``bench/secrets_bench.py``. The redirect is
not followed (load_bench does not follow it either).

Only the POSTs are measured: ``time.process_time()`` around each call of
the handler (the response consumed), so other processes on the machine do
not count. Prints the mean, p50 and p95 CPU ms per POST, the statuses, and
checks that every acknowledged ticket is stored once with its e-mail in the
outbox. On PostgreSQL it also prints the CPU time of the database's own
process per POST (its ``/proc`` ticks: the server on this machine), which
shares the cores with the app under load. ``--queue-email`` sets ``HELPCENTER_EMAIL_FROM_REQUESTS=0`` (the
e-mails wait for ``send_pending_email``); ``--queries`` prints the SQL of
the last POST. ``--profile N`` runs the POSTs under cProfile and prints the
N costliest functions by cumulative and by own CPU time (the CPU figures
are then inflated by the profiler; compare them only with each other);
``TICKET_CPU_PROFILE_FILE=path`` also writes the profile there (pstats).
"""

import argparse
import cProfile
import io
import ipaddress
import os
import pstats
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_bench import form_fields  # noqa: E402  (posts as load_bench does)
from bench.search_page_bench import database_cpu_ms  # noqa: E402

CONTACT_PATH = "/zh-hans/contact/"
TICKET_DOMAIN = "ticket-cpu.example.com"
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "ticket-cpu-bench-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "HELPCENTER_HTTPS": "0",
    "HELPCENTER_TRUSTED_PROXIES": "1",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
}


def setup(tmp: str) -> str:
    """Point the settings at a fresh database; return its description."""
    os.environ.update(PRODUCTION)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = urllib.parse.urlparse(url).path.lstrip("/")
        if "bench" not in name:
            raise SystemExit("the PostgreSQL database's name must contain 'bench'")
        admin = urllib.parse.urlparse(url)._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite:///{Path(tmp) / 'tickets.sqlite3'}"
        os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from articles.importing import CATEGORIES_FILE, import_categories

    call_command("migrate", verbosity=0)
    content = ROOT / "content"
    with open(os.devnull, "w") as quiet:
        import_categories(content / CATEGORIES_FILE)
        call_command("load_channels", str(content / "channels.yaml"), stdout=quiet)
        call_command("load_desk", str(content / "desk.yaml"), stdout=quiet)
    if os.environ.get("REDIS_URL"):
        cache.clear()
    redis = os.environ.get("REDIS_URL") or "local memory"
    return f"{url.split('@')[-1]} + {redis.split('@')[-1]}"


class Browser:
    """One client: a cookie jar and the WSGI handler."""

    def __init__(self, handler):
        self.handler = handler
        self.jar: dict[str, str] = {}

    def request(self, method, path, body=b"", headers=None):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ[key] = value
            else:
                environ["HTTP_" + key] = value
        if self.jar:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = response_headers

        result = self.handler(environ, start_response)
        try:
            data = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        for header, value in answer["headers"]:
            if header.lower() == "set-cookie":
                name, _eq, rest = value.partition("=")
                self.jar[name.strip()] = rest.split(";", 1)[0]
        location = dict(answer["headers"]).get("Location", "")
        return answer["status"], location, data


def run(tickets: int, clients: int, profile: int, seed: int, queries: bool) -> int:
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import secrets_bench
    from channels.tickets.models import OutboundEmail, Ticket, Topic

    handler = get_wsgi_application()
    topic = Topic.objects.active().filter(kind="general").order_by("order").first()
    messages = [dict(fields) for fields in secrets_bench.ordinary_messages(400, seed)]
    browsers = [Browser(handler) for _n in range(clients)]
    forms = []
    profiler = cProfile.Profile(time.process_time) if profile else None
    costs, statuses, acknowledged = [], {}, []
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    # The console e-mail backend writes to stdout, the request log to
    # stderr: both still written, to nowhere (gunicorn writes to a file).
    stdout, stderr = sys.stdout, os.dup(2)
    sys.stdout = open(os.devnull, "w")
    os.dup2(sys.stdout.fileno(), 2)
    try:
        for number in range(tickets):
            browser = browsers[number % clients]
            status, _location, html = browser.request("GET", CONTACT_PATH)
            assert status == 200, status
            forms.append((browser, form_fields(html.decode())))
        time.sleep(3.2)  # the form's minimum fill time (MIN_FILL_SECONDS)
        database_before = database_cpu_ms(backend)
        for number, (browser, fields) in enumerate(forms):
            message = messages[number % len(messages)]
            email = f"cpu-{number}@{TICKET_DOMAIN}"
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                    "submission_key": fields["submission_key"],
                    "started": fields["started"],
                    "category": topic.slug,
                    "name": message["name"],
                    "email": email,
                    "subject": message["subject"][:200],
                    "message": message["message"][:5000],
                }
            ).encode()
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": str(ipaddress.IPv4Address(0x0A000001 + number)),
            }
            if queries and number == len(forms) - 1:
                # Recorded, not timed: recording costs CPU of its own.
                with CaptureQueriesContext(connection) as captured:
                    status, location, _data = browser.request(
                        "POST", CONTACT_PATH, body, headers
                    )
            else:
                if profiler:
                    profiler.enable()
                started = time.process_time()
                status, location, _data = browser.request(
                    "POST", CONTACT_PATH, body, headers
                )
                costs.append((time.process_time() - started) * 1000)
                if profiler:
                    profiler.disable()
            statuses[status] = statuses.get(status, 0) + 1
            if status == 302 and "/contact/tickets/" in location:
                acknowledged.append(email)
        database = database_cpu_ms(backend) - database_before
    finally:
        os.dup2(stderr, 2)
        sys.stdout.close()
        sys.stdout = stdout
    stored = Ticket.objects.filter(email__in=acknowledged).count()
    mailed = OutboundEmail.objects.filter(to__in=acknowledged).count()
    costs.sort()
    p50, p95 = costs[len(costs) // 2], costs[int(len(costs) * 0.95)]
    print(
        f"{len(costs)} POSTs: CPU per POST mean {statistics.mean(costs):.2f} ms, "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms"
    )
    if backend:
        print(f"PostgreSQL backend CPU per POST {database / len(forms):.2f} ms")
    print(
        f"statuses {statuses}; acknowledged {len(acknowledged)}, stored {stored}, "
        f"with e-mail {mailed}"
    )
    if queries:
        print(f"\nThe last POST: {len(captured)} queries")
        for query in captured:
            print("  " + query["sql"][:300])
    if profiler and os.environ.get("TICKET_CPU_PROFILE_FILE"):
        profiler.dump_stats(os.environ["TICKET_CPU_PROFILE_FILE"])
    if profiler:
        for order in ("cumulative", "tottime"):
            print(f"\n--- by {order} ---")
            pstats.Stats(profiler).sort_stats(order).print_stats(profile)
    return 0 if len(acknowledged) == stored == mailed == tickets else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--queries",
        action="store_true",
        help="print the SQL of the last POST (not timed)",
    )
    parser.add_argument(
        "--queue-email",
        action="store_true",
        help="HELPCENTER_EMAIL_FROM_REQUESTS=0: requests only "
        "keep the e-mail in the outbox",
    )
    args = parser.parse_args()
    if args.queue_email:
        os.environ["HELPCENTER_EMAIL_FROM_REQUESTS"] = "0"
    with tempfile.TemporaryDirectory() as tmp:
        print(f"[{setup(tmp)}] load average {os.getloadavg()[0]:.2f}")
        return run(args.tickets, args.clients, args.profile, args.seed, args.queries)


if __name__ == "__main__":
    sys.exit(main())
