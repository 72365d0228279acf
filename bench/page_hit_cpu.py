"""CPU per request of a full-page cache hit, in process, against the floor.

    .venv/bin/python bench/page_hit_cpu.py                         # both engines
    .venv/bin/python bench/page_hit_cpu.py --engines sqlite --requests 5000
    .venv/bin/python bench/page_hit_cpu.py --cookie                # readers with a CSRF cookie

The load benchmark (``bench/load_bench.py``) needs the machine to itself and
measures wall-clock throughput; this one needs neither. For each engine
(``sqlite``: a SQLite file with the local-memory cache and the file cache that
holds the content generation; ``postgresql``: the database ``BENCH_PG_URL``
names with the Redis database ``BENCH_REDIS_URL`` names) it loads the demo
content once, then calls Django's WSGI handler directly, with
``bench/settings.py`` (the production settings, ``DEBUG`` off, plus
``/floor/``), as gunicorn would: every middleware, the request log line
(written to a throw-away file), the ``request_finished`` signal. Each page is
fetched once to fill the cache, then ``--requests`` times by readers like
wrk's, without cookies (``--cookie``: with a CSRF cookie, as a browser's
second page), in rounds over all pages so that drift hits them alike. Prints
CPU microseconds per request (``time.process_time``, median of the rounds)
and each page's ratio to the floor: the throughput one worker could reach if
CPU were all that counted. A hit's cost does not depend on the number of
articles (no query), so the demo content is enough.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/page_hit_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SQLITE_PATH = Path(tempfile.gettempdir()) / "page_hit_bench.sqlite3"
HOST = "127.0.0.1:8000"
CSRF_COOKIE = "csrftoken=" + "a" * 32


def _paths() -> dict[str, str]:
    from django.urls import reverse
    from django.utils import translation

    from articles.models import Article

    article = Article.objects.published().filter(language="zh-hans").order_by("pk")
    article = article.filter(tags__isnull=False).first()
    with translation.override("zh-hans"):
        return {
            "floor": "/floor/",
            "home": reverse("articles:home"),
            "category": reverse(
                "articles:category", kwargs={"slug": article.category.slug}
            ),
            "article": article.get_absolute_url(),
            "tag": reverse("articles:tag", kwargs={"slug": article.tags.first().slug}),
            "channels": reverse("channels:list"),
            "contact form GET": reverse("channels:contact"),
            "search (repeated)": reverse("articles:search")
            + "?"
            + urllib.parse.urlencode({"q": "转账"}),
        }


def _environ(path: str, cookie: bool) -> dict:
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": urllib.parse.unquote(path).encode().decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": HOST,
        "HTTP_ACCEPT": "*/*",
        "HTTP_USER_AGENT": "wrk",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        environ["HTTP_COOKIE"] = CSRF_COOKIE
    return environ


def _get(handler, environ: dict) -> int:
    status = []
    environ = dict(environ, **{"wsgi.input": io.BytesIO()})
    body = handler(environ, lambda s, h, e=None: status.append(s))
    for _chunk in body:
        pass
    body.close()
    return int(status[0].split()[0])


def child(engine: str, requests: int, cookie: bool) -> dict:
    """Run in a process of its own, with the engine's environment set."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from articles.models import Article

    if not Article.objects.exists():
        call_command("load_demo", stdout=io.StringIO())
    from django.core.cache import caches
    from django.core.wsgi import get_wsgi_application

    for alias in caches:
        caches[alias].clear()
    paths = _paths()
    handler = get_wsgi_application()
    # Built once: what is timed is the server's work, not the request's.
    environs = {name: _environ(path, cookie) for name, path in paths.items()}
    for name, path in paths.items():
        status = _get(handler, environs[name])
        if status != 200:
            raise SystemExit(f"{name} {path}: {status}")
    rounds = 10
    per_round = max(1, requests // rounds)
    samples = {name: [] for name in paths}
    for _round in range(rounds):
        for name, environ in environs.items():
            started = time.process_time()
            for _n in range(per_round):
                _get(handler, environ)
            samples[name].append((time.process_time() - started) / per_round)
    return {name: statistics.median(values) * 1e6 for name, values in samples.items()}


def run(engine: str, args) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings")
    env.pop("DJANGO_DEBUG", None)
    if engine == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
        env.pop("REDIS_URL", None)
    else:
        env["DATABASE_URL"] = args.pg_url
        env["REDIS_URL"] = args.redis_url
        import psycopg

        base, _, name = args.pg_url.rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as connection:
            if not connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
    command = [
        sys.executable,
        __file__,
        "--child",
        engine,
        "--requests",
        str(args.requests),
    ]
    if args.cookie:
        command.append("--cookie")
    with tempfile.TemporaryFile() as log:
        done = subprocess.run(
            command, check=False, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=log
        )
        if done.returncode:
            log.seek(0)
            sys.stderr.write(log.read().decode()[-3000:])
            raise SystemExit(f"{engine}: failed")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=3000, help="per page")
    parser.add_argument(
        "--cookie", action="store_true", help="readers send a CSRF cookie"
    )
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.requests, args.cookie)))
        return
    engines = [e for e in args.engines.split(",") if e]
    results = {engine: run(engine, args) for engine in engines}
    reader = "with a CSRF cookie" if args.cookie else "without cookies"
    print(
        f"CPU µs per request (median of 10 rounds), readers {reader}; ratio = floor / page"
    )
    print(f"{'page':<20}" + "".join(f"{e:>24}" for e in engines))
    for name in results[engines[0]]:
        cells = []
        for engine in engines:
            floor, value = results[engine]["floor"], results[engine][name]
            cells.append(f"{value:>10.0f} µs · {floor / value:>5.2f}")
        print(f"{name:<20}" + "".join(f"{c:>24}" for c in cells))
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
