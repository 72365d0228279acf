"""Load benchmark: the site under gunicorn at N articles, page by page, and ticket creation.

    .venv/bin/python bench/load_bench.py                                   # 100,000 articles, both engines
    .venv/bin/python bench/load_bench.py --sizes 1000 --engines sqlite     # a quick run
    .venv/bin/python bench/load_bench.py --sizes 1000,100000 --json out.json

For each engine (``sqlite``: SQLite with the local-memory cache;
``postgresql``: PostgreSQL with Redis) and size, the synthetic articles come
from ``bench/search_bench.py``'s generator and its kept databases (its
``--keep``: a SQLite file in the system temporary directory, the PostgreSQL
database ``BENCH_PG_URL`` names; built once, reused while size and seed
match). This script adds, once per database, what every page needs: the demo
categories, topics, channels and help-desk targets (``content/``, through the
loaders ``load_demo`` uses) and tags on the synthetic articles. Tickets of an
earlier run are deleted first, so runs start alike.

The site is then served by ``gunicorn -c gunicorn.conf.py`` (``tests/servers.py``)
on 127.0.0.1 with 2 sync workers and the production settings (``DEBUG`` off),
through ``bench/settings.py``, which adds ``/floor/``: a trivial Django view,
what Django itself does on this machine. wrk (``/usr/bin/wrk``) with 8
connections measures each page: a 1 s warm-up, then the median of 3 runs of
8 s: req/s, p50, p99 (p95 too), each with its ratio to the floor. Distinct
search queries rotate through a list (``bench/load_rotate.lua``), none asked
twice, so no cache answers them.

Ticket creation: 8 parallel clients, each in its own browser session, GET the
contact form (CSRF token, time-trap token) for each ticket, wait out the
form's minimum fill time, then POST them all, each from its own address
(``X-Forwarded-For`` behind ``HELPCENTER_TRUSTED_PROXIES=1``, so the
per-address rate limits stay on and count) and mailbox. Only the POSTs are
timed. Afterwards the database must hold every acknowledged ticket (a 303 to
its status page) exactly once, with its confirmation e-mail sent. As in
production (README "Production"), requests only keep the e-mails
(``HELPCENTER_EMAIL_FROM_REQUESTS=0``) and ``manage.py send_pending_email
--watch`` runs beside the servers and sends them; its CPU time is added to
the server's, and the table notes how soon the e-mails went out (p95).

Prints one table per engine and size and writes every figure as JSON
(``--json``). ``--fresh`` builds a throw-away database instead of the kept one
(the suite's smoke test uses it). Other processes on the machine share its
cores: note ``uptime`` with the figures (printed here).
"""

import argparse
import contextlib
import http.client
import ipaddress
import json
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import search_bench  # noqa: E402
from tests.servers import gunicorn_server, server_env  # noqa: E402

WRK = shutil.which("wrk") or "/usr/bin/wrk"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SUMMARY_LUA = ROOT / "bench" / "load_summary.lua"
ROTATE_LUA = ROOT / "bench" / "load_rotate.lua"
TICKET_DOMAIN = "load-bench.example.com"
BENCH_TAGS = 40
# The repeated queries, as the issue measured them.
SEARCH_QUERY = "转账"
CONTACT_PATH = "/zh-hans/contact/"
FORM_INPUT = re.compile(r"<input\b[^>]*>", re.S)
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


# --- in the database's own process (Django set up) ----------------------
def setup_django(database_url: str, *, migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpcenter.settings"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def prepare(seed: int) -> dict:
    """Add the demo structure and tags once; delete earlier bench tickets;
    return the paths of the pages to measure."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.urls import reverse
    from django.utils import translation
    from taggit.models import Tag, TaggedItem

    from articles.importing import CATEGORIES_FILE, import_categories
    from articles.models import Article
    from channels.tickets.models import Ticket, Topic

    content = ROOT / "content"
    if not Tag.objects.filter(slug="bench-tag-0").exists():
        with open(os.devnull, "w") as quiet:
            import_categories(content / CATEGORIES_FILE)
            call_command(
                "load_channels",
                str(content / "channels.yaml"),
                stdout=quiet,
                stderr=quiet,
            )
            call_command("load_desk", str(content / "desk.yaml"), stdout=quiet)
        rng = random.Random(seed)
        with transaction.atomic():
            tags = [
                Tag.objects.create(name=f"bench-tag-{n}", slug=f"bench-tag-{n}")
                for n in range(BENCH_TAGS)
            ]
            article_type = ContentType.objects.get_for_model(Article)
            items = []
            for pk in Article.objects.values_list("pk", flat=True).iterator():
                # Zipf-like: a few tags on many articles, most on few.
                chosen = {
                    min(int(rng.paretovariate(1.2)) - 1, BENCH_TAGS - 1)
                    for _ in range(rng.randint(0, 2))
                }
                items += [
                    TaggedItem(tag=tags[n], content_type=article_type, object_id=pk)
                    for n in chosen
                ]
            TaggedItem.objects.bulk_create(items, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    Ticket.objects.filter(email__endswith="@" + TICKET_DOMAIN).delete()

    published = Article.objects.published()
    article = (
        published.filter(language="zh-hans", tags__slug="bench-tag-0")
        .order_by("pk")
        .first()
    )
    topic = (
        Topic.objects.filter(kind="general", is_active=True).order_by("order").first()
    )
    with translation.override("zh-hans"):
        return {
            "articles": Article.objects.count(),
            "category": reverse(
                "articles:category", kwargs={"slug": article.category.slug}
            ),
            "article": reverse("articles:detail", kwargs={"slug": article.slug}),
            "tag": reverse("articles:tag", kwargs={"slug": "bench-tag-0"}),
            "topic": topic.slug,
        }


def verify(emails: list[str]) -> dict:
    """Count how often each acknowledged ticket is stored, and its e-mail."""
    from django.db.models import Count

    from channels.tickets.models import OutboundEmail, Ticket

    # The outbox sender sends them within a second or two: wait (bounded)
    # until none of these is pending.
    deadline = time.monotonic() + 120
    while (
        time.monotonic() < deadline
        and OutboundEmail.objects.filter(
            to__in=emails, status=OutboundEmail.Status.PENDING
        ).exists()
    ):
        time.sleep(0.5)
    stored = dict(
        Ticket.objects.filter(email__in=emails)
        .values_list("email")
        .annotate(n=Count("pk"))
        .values_list("email", "n")
    )
    sent = OutboundEmail.objects.filter(to__in=emails, status=OutboundEmail.Status.SENT)
    mailed = set(sent.values_list("to", flat=True))
    delays = sorted(
        (sent_at - created_at).total_seconds()
        for created_at, sent_at in sent.values_list("ticket__created_at", "sent_at")
    )
    return {
        "acknowledged": len(emails),
        "missing": sum(1 for email in emails if email not in stored),
        "duplicated": sum(1 for email in emails if stored.get(email, 0) > 1),
        "without_email": sum(1 for email in emails if email not in mailed),
        "email_sent_p95_s": round(search_bench.percentile(delays, 95), 2)
        if delays
        else 0,
        "bench_tickets_in_db": Ticket.objects.filter(
            email__endswith="@" + TICKET_DOMAIN
        ).count(),
    }


def run_in_django(database_url: str, mode: str, payload=None) -> dict:
    """Run ``prepare`` or ``verify`` in a subprocess set up on the database."""
    result = subprocess.run(
        [sys.executable, __file__, f"--{mode}", "--database-url", database_url],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"{mode} failed on {database_url}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the databases --------------------------------------------------------
def database_for(
    engine: str, size: int, seed: int, fresh_dir: Path | None, reindex: bool = False
) -> str:
    """Return the URL of a database holding ``size`` synthetic articles."""
    build = [
        "--sizes",
        str(size),
        "--queries",
        "10",
        "--seed",
        str(seed),
    ]
    if fresh_dir is None:
        kept = [*build, "--keep", *(["--reindex"] if reindex else [])]
        search_bench.run_worker(engine, kept, keep_name=f"{size}-{seed}")
        if engine == "sqlite":
            path = search_bench.kept_databases_dir() / f"{size}-{seed}.sqlite3"
            return f"sqlite:///{path}"
        return search_bench.PG_URL
    if engine == "sqlite":
        url = f"sqlite:///{fresh_dir / f'{size}.sqlite3'}"
    else:
        search_bench.pg_admin(f'DROP DATABASE IF EXISTS "{search_bench.PG_NAME}"')
        search_bench.pg_admin(f'CREATE DATABASE "{search_bench.PG_NAME}"')
        url = search_bench.PG_URL
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "search_bench.py"),
            "--worker",
            "--database-url",
            url,
            *build,
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return url


# --- wrk ------------------------------------------------------------------
def server_cpu_seconds(master: int) -> float:
    """CPU time used so far by gunicorn's master and its workers (Linux)."""
    pids = [master]
    for task in Path(f"/proc/{master}/task").iterdir():
        pids += [int(pid) for pid in (task / "children").read_text().split()]
    return sum(search_bench.process_cpu_seconds(pid) for pid in pids)


@contextlib.contextmanager
def outbox_sender(env: dict[str, str], folder: Path):
    """``manage.py send_pending_email --watch`` beside the servers, as in
    production, writing the e-mails (console backend) to a file."""
    with open(folder / "sender.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "send_pending_email", "--watch"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)


def open_connections(port: int) -> int:
    """Connections to the server still open on its side (Linux): requests
    being answered, or waiting for a worker."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            local, _remote, state = line.split()[1:4]
            # 01 established, 08 close-wait (the client gave up, the worker
            # has not answered yet).
            if int(local.rsplit(":", 1)[1], 16) == port and state in ("01", "08"):
                count += 1
    return count


def wait_idle(port: int | None, limit: float = 600) -> None:
    """Wait until the server has answered the requests wrk left behind.

    wrk stops at its deadline, but the workers still answer what it had
    sent (8 slow pages can keep them busy for a minute): measuring the next
    page before they finish would charge it for them. The server's side of
    the connections tells, also while a worker waits for PostgreSQL.
    """
    if not port:
        return
    deadline = time.monotonic() + limit
    while open_connections(port) and time.monotonic() < deadline:
        time.sleep(0.2)


def wrk(
    url: str,
    *,
    duration: float,
    connections: int,
    paths_file: Path | None = None,
    master: int | None = None,
) -> dict:
    script = ROTATE_LUA if paths_file else SUMMARY_LUA
    command = [
        WRK,
        "-t2",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    if paths_file:
        command += ["--", str(paths_file), "2"]
    port = int(url.split("/")[2].rsplit(":", 1)[1])
    wait_idle(port)
    cpu = server_cpu_seconds(master) if master else 0.0
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wait_idle(port)
    # Includes finishing the requests sent before the deadline, which wrk
    # does not count: an estimate on the high side for slow pages. The app
    # server's CPU only: PostgreSQL's and Redis's processes are not counted.
    cpu = server_cpu_seconds(master) - cpu if master else 0.0
    line = next(line for line in output.splitlines() if line.startswith("{"))
    figures = json.loads(line)
    seconds = figures["duration_us"] / 1e6
    return {
        "rps": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "requests": figures["requests"],
        "errors": figures["status_errors"] + figures["socket_errors"],
        "server_cpu_ms": round(cpu * 1000 / max(1, figures["requests"]), 2),
    }


def median_of(runs: list[dict]) -> dict:
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "server_cpu_ms")
    figures = {
        key: round(statistics.median(run[key] for run in runs), 1) for key in keys
    }
    figures["errors"] = sum(run["errors"] for run in runs)
    figures["runs"] = runs
    return figures


def search_paths(seed: int, groups: int, per_group: int) -> list[list[str]]:
    """Distinct search page paths, ``groups`` disjoint lists of them."""
    seen, paths = set(), []
    rng = random.Random(seed + 100)
    while len(paths) < groups * per_group:
        for text, language in search_bench.make_queries(rng, 1000):
            if (text, language) in seen:
                continue
            seen.add((text, language))
            query = urllib.parse.urlencode({"q": text})
            paths.append(f"/{language}/search/?{query}")
    return [paths[n * per_group : (n + 1) * per_group] for n in range(groups)]


# --- ticket creation ----------------------------------------------------------
def form_fields(html: str) -> dict:
    """The hidden inputs of a page's form (CSRF and time-trap tokens)."""
    fields = {}
    for tag in FORM_INPUT.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def _cookies(response, jar: dict) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _eq, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def _request(connection, method, path, jar, body=None, headers=None):
    headers = dict(headers or {})
    if jar:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    _cookies(response, jar)
    return response, data


def ticket_client(port, client, count, run, topic, messages, barrier, results):
    """One browser: fetch ``count`` forms, wait, then post them; report each."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    jar: dict = {}
    forms = []
    for _n in range(count):
        response, html = _request(connection, "GET", CONTACT_PATH, jar)
        assert response.status == 200, response.status
        forms.append(form_fields(html.decode()))
    time.sleep(3.2)  # the form's minimum fill time (MIN_FILL_SECONDS)
    outcomes = []
    barrier.wait()
    for n, fields in enumerate(forms):
        number = (run * 8 + client) * 100_000 + n
        email = f"load-{run}-{client}-{n}@{TICKET_DOMAIN}"
        subject, message = messages[number % len(messages)]
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                "submission_key": fields["submission_key"],
                "started": fields["started"],
                "category": topic,
                "name": f"Load {client}",
                "email": email,
                "subject": subject,
                "message": message,
            }
        )
        address = str(ipaddress.IPv4Address(0x0A000001 + number % 0xFFFFFE))
        started = time.perf_counter()
        response, _data = _request(
            connection,
            "POST",
            CONTACT_PATH,
            jar,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": address,
            },
        )
        finished = time.perf_counter()
        location = response.getheader("Location") or ""
        outcomes.append(
            (
                email,
                response.status,
                "/contact/tickets/" in location,
                started,
                finished,
                location,
            )
        )
    results.put((client, outcomes))


def ticket_run(
    port: int,
    *,
    clients: int,
    per_client: int,
    run: int,
    topic: str,
    messages: list,
    master: int,
) -> dict:
    barrier = multiprocessing.Barrier(clients + 1)
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(
            target=ticket_client,
            args=(port, client, per_client, run, topic, messages, barrier, results),
        )
        for client in range(clients)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=600)
    begun = time.perf_counter()
    cpu = server_cpu_seconds(master)
    outcomes = []
    for _process in processes:
        outcomes += results.get(timeout=600)[1]
    cpu = server_cpu_seconds(master) - cpu
    for process in processes:
        process.join()
    ended = max(outcome[4] for outcome in outcomes)
    latencies = sorted((outcome[4] - outcome[3]) * 1000 for outcome in outcomes)
    acknowledged = [o[0] for o in outcomes if o[1] in (302, 303) and o[2]]
    statuses: dict = {}
    for outcome in outcomes:
        statuses[str(outcome[1])] = statuses.get(str(outcome[1]), 0) + 1
    return {
        "rps": round(len(acknowledged) / (ended - begun), 1),
        "p50_ms": round(search_bench.percentile(latencies, 50), 1),
        "p95_ms": round(search_bench.percentile(latencies, 95), 1),
        "p99_ms": round(search_bench.percentile(latencies, 99), 1),
        "requests": len(outcomes),
        "errors": len(outcomes) - len(acknowledged),
        "server_cpu_ms": round(cpu * 1000 / max(1, len(outcomes)), 2),
        "statuses": statuses,
        "acknowledged_emails": acknowledged,
        "sample_location": next((o[5] for o in outcomes if o[5]), ""),
    }


def ticket_messages(seed: int) -> list[tuple[str, str]]:
    """Everyday support messages (with hashes, addresses, amounts), as
    ``bench/secrets_bench.py`` generates them: subject and message."""
    from bench import secrets_bench

    pairs = []
    for fields in secrets_bench.ordinary_messages(400, seed):
        values = dict(fields)
        pairs.append((values["subject"][:200], values["message"][:5000]))
    return pairs


# --- one engine, one size ---------------------------------------------------------
def measure(engine: str, size: int, args, fresh_dir: Path | None) -> dict:
    started = time.monotonic()
    url = database_for(engine, size, args.seed, fresh_dir, reindex=args.reindex)
    pages = run_in_django(url, "prepare", {"seed": args.seed})
    prepared_s = round(time.monotonic() - started, 1)
    variables = {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "HELPCENTER_TRUSTED_PROXIES": "1",
        "GUNICORN_MAX_REQUESTS": "0",
        # The production layout (README "Production"): requests keep the
        # e-mails, the outbox sender sends them.
        "HELPCENTER_EMAIL_FROM_REQUESTS": "0",
    }
    if engine == "postgresql":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        variables["REDIS_URL"] = REDIS_URL
    targets = {
        "floor": "/floor/",
        "home": "/zh-hans/",
        "category": pages["category"],
        "article": pages["article"],
        "tag": pages["tag"],
        "channels": "/zh-hans/channels/",
        "contact form GET": CONTACT_PATH,
        "search page (repeated)": "/zh-hans/search/?"
        + urllib.parse.urlencode({"q": SEARCH_QUERY}),
        "/api/search (repeated)": "/api/search?"
        + urllib.parse.urlencode({"q": SEARCH_QUERY, "language": "zh-hans"}),
    }
    wanted = [part for part in args.only.split(",") if part]
    if wanted:
        targets = {
            name: path
            for name, path in targets.items()
            if name == "floor" or any(part in name for part in wanted)
        }
    distinct = not wanted or any(
        part in "search page (distinct queries)" for part in wanted
    )
    tickets = not wanted or any(
        part in "ticket creation (form POST)" for part in wanted
    )
    result = {
        "engine": engine,
        "articles": pages["articles"],
        "prepare_s": prepared_s,
        "uptime": os.getloadavg(),
        "pages": {},
    }
    per_group = max(200, int(args.duration * 400))
    rotations = search_paths(args.seed, args.runs + 1, per_group)
    messages = ticket_messages(args.seed)
    with (
        tempfile.TemporaryDirectory() as tmp,
        gunicorn_server(server_env(**variables), workers=args.workers) as (
            base_url,
            process,
        ),
        outbox_sender(server_env(**variables), Path(tmp)) as sender,
    ):
        master = process.pid
        for name, path in targets.items():
            with urllib.request.urlopen(base_url + path, timeout=120) as response:
                if response.status != 200:
                    raise SystemExit(f"{name} {path}: {response.status}")
        for name, path in targets.items():
            if args.warmup:
                wrk(
                    base_url + path,
                    duration=args.warmup,
                    connections=args.connections,
                    master=master,
                )
            runs = [
                wrk(
                    base_url + path,
                    duration=args.duration,
                    connections=args.connections,
                    master=master,
                )
                for _run in range(args.runs)
            ]
            result["pages"][name] = {"path": path, **median_of(runs)}
            print(f"  {name}: {result['pages'][name]['rps']} req/s", flush=True)
        if distinct:
            measure_distinct(result, base_url, tmp, rotations, per_group, args, master)
        if tickets:
            measure_tickets(
                result, base_url, url, pages["topic"], messages, args, master, sender
            )
    floor = result["pages"]["floor"]["rps"] or 1
    for figures in result["pages"].values():
        figures["ratio"] = round(figures["rps"] / floor, 3)
    return result


def measure_distinct(result, base_url, tmp, rotations, per_group, args, master):
    name = "search page (distinct queries)"
    files = []
    for number, paths in enumerate(rotations):
        files.append(Path(tmp) / f"queries-{number}.txt")
        files[-1].write_text("\n".join(paths) + "\n", encoding="utf-8")
    if args.warmup:
        wrk(
            base_url + "/",
            duration=args.warmup,
            connections=args.connections,
            paths_file=files[-1],
            master=master,
        )
    runs = [
        wrk(
            base_url + "/",
            duration=args.duration,
            connections=args.connections,
            paths_file=files[run],
            master=master,
        )
        for run in range(args.runs)
    ]
    for run in runs:
        # More requests than distinct queries: some were asked twice.
        run["queries_repeated"] = run["requests"] > per_group
    result["pages"][name] = {
        "path": "/<language>/search/?q=<distinct>",
        **median_of(runs),
    }
    print(f"  {name}: {result['pages'][name]['rps']} req/s", flush=True)


def measure_tickets(result, base_url, url, topic, messages, args, master, sender):
    port = int(base_url.rsplit(":", 1)[1])
    runs = []
    for run in range(args.runs):
        sender_cpu = search_bench.process_cpu_seconds(sender.pid)
        figures = ticket_run(
            port,
            clients=args.connections,
            per_client=args.tickets,
            run=run,
            topic=topic,
            messages=messages,
            master=master,
        )
        figures["check"] = run_in_django(
            url, "verify", figures.pop("acknowledged_emails")
        )
        # The sender's work for these tickets counts with the server's: it
        # shares the cores (the e-mails are all sent once verify returns).
        figures["sender_cpu_ms"] = round(
            (search_bench.process_cpu_seconds(sender.pid) - sender_cpu)
            * 1000
            / figures["requests"],
            2,
        )
        figures["server_cpu_ms"] = round(
            figures["server_cpu_ms"] + figures["sender_cpu_ms"], 2
        )
        runs.append(figures)
    tickets = median_of(runs)
    tickets["lost"] = sum(r["check"]["missing"] for r in runs)
    tickets["duplicated"] = sum(r["check"]["duplicated"] for r in runs)
    tickets["without_email"] = sum(r["check"]["without_email"] for r in runs)
    tickets["email_sent_p95_s"] = max(r["check"]["email_sent_p95_s"] for r in runs)
    tickets["acknowledged"] = sum(r["check"]["acknowledged"] for r in runs)
    result["pages"]["ticket creation (form POST)"] = {"path": CONTACT_PATH, **tickets}
    print(f"  ticket creation: {tickets['rps']} per second", flush=True)


def print_table(result: dict) -> None:
    print(
        f"\n{result['engine']}, {result['articles']:,} articles "
        f"(load average before: {', '.join(f'{x:.2f}' for x in result['uptime'])})"
    )
    print(
        f"| {'page':32} | {'req/s':>8} | {'p50 ms':>8} | {'p95 ms':>8} | {'p99 ms':>8} "
        f"| ratio to floor | server CPU ms/req | errors |"
    )
    for name, figures in result["pages"].items():
        print(
            f"| {name:32} | {figures['rps']:8.1f} | {figures['p50_ms']:8.1f} | "
            f"{figures['p95_ms']:8.1f} | {figures['p99_ms']:8.1f} | {figures['ratio']:14.3f} | "
            f"{figures['server_cpu_ms']:17.2f} | {figures['errors']:6} |"
        )
    tickets = result["pages"].get("ticket creation (form POST)")
    if tickets:
        print(
            f"tickets acknowledged {tickets['acknowledged']}, lost {tickets['lost']}, "
            f"stored twice {tickets['duplicated']}, without a sent confirmation e-mail "
            f"{tickets['without_email']} (sent within {tickets['email_sent_p95_s']} s, "
            f"p95; sender CPU included above); statuses of the median run: "
            f"{tickets['runs'][len(tickets['runs']) // 2]['statuses']}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="100000", help="comma-separated article counts"
    )
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--duration", type=float, default=8, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (median)")
    parser.add_argument("--warmup", type=float, default=1, help="seconds; 0: none")
    parser.add_argument("--connections", type=int, default=8, help="and ticket clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--tickets", type=int, default=250, help="tickets per client per run"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated parts of page names to measure (floor always)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="build throw-away databases instead of the kept ones",
    )
    parser.add_argument(
        "--reindex",
        action="store_true",
        help="rebuild a kept database's search index first (after the analysis changed)",
    )
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prepare or args.verify:
        payload = json.loads(sys.stdin.read() or "null")
        setup_django(args.database_url, migrate=args.prepare)
        figures = prepare(payload["seed"]) if args.prepare else verify(payload)
        print(json.dumps(figures, ensure_ascii=False))
        return 0

    if not Path(WRK).exists():
        raise SystemExit("wrk is needed: apt-get install wrk")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh_dir = Path(tmp) if args.fresh else None
        for engine in args.engines.split(","):
            for size in (int(size) for size in args.sizes.split(",")):
                print(f"[{engine}, {size:,} articles]", flush=True)
                result = measure(engine, size, args, fresh_dir)
                results.append(result)
                print_table(result)
    if args.json:
        args.json.write_text(
            json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        print(f"\nWritten to {args.json}")
    failed = [
        f"{r['engine']} {r['articles']}: {name}"
        for r in results
        for name, figures in r["pages"].items()
        if figures.get("lost")
        or figures.get("duplicated")
        or (figures["errors"] and "ticket" not in name)
    ]
    if failed:
        print("Errors, lost or duplicated tickets in: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
