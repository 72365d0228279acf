"""Search page benchmark: the whole page in-process, per distinct query.

    .venv/bin/python bench/search_page_bench.py --engine sqlite
    .venv/bin/python bench/search_page_bench.py --engine postgresql --profile 25

Serves ``/<language>/search/?q=`` through Django's test client (every
middleware, the page cache, the template, the search analytics buffer),
with ``DEBUG`` off, on a database that ``bench/search_bench.py --keep``
built and kept (``--size`` and ``--seed`` name it; it is built first if it
is missing). Each query is asked once, so the in-process result cache
never answers, and every page is what a distinct query costs: the number
a server with 8 clients on 2 workers must keep near 35 ms for a p95 of
150 ms (see ``bench/load_bench.py``, "search page (distinct queries)").

The queries are a fixed list of varied ones (English and Chinese, short and
long, typos, chatty questions), then distinct ones from the load
benchmark's mix. Prints each fixed query's time, then the wall-clock and
CPU p50/p95 and the SQL statements per page over all of them, and on
PostgreSQL the CPU time of the database's own process per page; the machine
is shared, so CPU time is the figure to compare before and after a change.
``--profile N`` prints cProfile's N most expensive functions (cumulative),
by wall-clock time (SQL included), or by CPU time with ``--cpu``.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import search_bench  # noqa: E402 (after the sys.path line above)

FIXED = [
    ("zh-hans", "转账"),
    ("zh-hans", "转"),
    ("zh-hans", "提现一直处理中"),
    ("zh-hans", "我昨天转了一笔USDT到交易所但是一直没有到账请问怎么办"),
    ("zh-hans", "手机丢了谷歌验证码收不到了怎么登录"),
    ("zh-hans", "助记词"),
    ("en", "transfer"),
    ("en", "withdrawal pending"),
    ("en", "pasword reset"),
    (
        "en",
        "I sent usdt to the wrong network yesterday and my balance does not show it",
    ),
    ("en", "how do I contact support about a frozen account"),
    ("en", "gas fee"),
]


def page_paths(count: int, seed: int) -> list[tuple[str, str]]:
    """Return the fixed queries, then ``count`` distinct ones of the mix."""
    seen = set(FIXED)
    queries = list(FIXED)
    for text, language in search_bench.make_queries(
        search_bench.random.Random(seed + 200), count * 3
    ):
        if len(queries) >= len(FIXED) + count:
            break
        if (language, text) not in seen:
            seen.add((language, text))
            queries.append((language, text))
    return queries


def database_cpu_ms(pid: int | None) -> float:
    """CPU time used so far by this connection's PostgreSQL backend (Linux,
    server on this machine; 10 ms ticks), or 0."""
    return search_bench.process_cpu_seconds(pid) * 1000


def worker(count: int, seed: int, profile: int, cpu: bool) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    queries = page_paths(count, seed)
    # Warm up: templates, translations, the search state, connections.
    for language, text in [("zh-hans", "预热"), ("en", "warm up")]:
        client.get(f"/{language}/search/?" + urllib.parse.urlencode({"q": text}))
    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    database_cpu = database_cpu_ms(pid)
    clock = time.process_time if cpu else time.perf_counter
    profiler = cProfile.Profile(clock) if profile else None
    rows = []
    for language, text in queries:
        path = f"/{language}/search/?" + urllib.parse.urlencode({"q": text})
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            response = client.get(path)
            if profiler:
                profiler.disable()
            cpu = (time.process_time() - cpu) * 1000
            wall = (time.perf_counter() - wall) * 1000
        assert response.status_code == 200, (path, response.status_code)
        rows.append((language, text, wall, cpu, len(captured)))
    database_cpu = database_cpu_ms(pid) - database_cpu
    walls = [row[2] for row in rows]
    cpus = [row[3] for row in rows]
    figures = {
        "vendor": connection.vendor,
        "pages": len(rows),
        "wall_p50_ms": round(search_bench.percentile(walls, 50), 1),
        "wall_p95_ms": round(search_bench.percentile(walls, 95), 1),
        "cpu_p50_ms": round(search_bench.percentile(cpus, 50), 1),
        "cpu_p95_ms": round(search_bench.percentile(cpus, 95), 1),
        "cpu_mean_ms": round(sum(cpus) / len(cpus), 1),
        # PostgreSQL's own CPU per page (its backend, not parallel workers).
        "database_cpu_mean_ms": round(database_cpu / len(rows), 1),
        "sql_max": max(row[4] for row in rows),
        "fixed": [
            f"{language} {text!r}: {wall:.1f} ms wall, {cpu:.1f} ms CPU, {sql} SQL"
            for language, text, wall, cpu, sql in rows[: len(FIXED)]
        ],
    }
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(profile)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=200, help="distinct ones")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--cpu", action="store_true", help="profile CPU time")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        os.environ["DATABASE_URL"] = args.database_url
        os.environ.pop("REDIS_URL", None)
        os.environ.pop("DJANGO_DEBUG", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "helpcenter.settings"
        import django

        django.setup()
        print(
            json.dumps(
                worker(args.queries, args.seed, args.profile, args.cpu),
                ensure_ascii=False,
            )
        )
        return
    keep_name = f"{args.size}-{args.seed}"
    build = ["--sizes", str(args.size), "--queries", "10", "--seed", str(args.seed)]
    search_bench.run_worker(args.engine, [*build, "--keep"], keep_name=keep_name)
    if args.engine == "sqlite":
        path = search_bench.kept_databases_dir() / f"{keep_name}.sqlite3"
        url = f"sqlite:///{path}"
    else:
        url = search_bench.PG_URL
    output = search_bench.subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            "--database-url",
            url,
            "--queries",
            str(args.queries),
            "--seed",
            str(args.seed),
            "--profile",
            str(args.profile),
            *(["--cpu"] if args.cpu else []),
        ],
        check=True,
        stdout=search_bench.subprocess.PIPE,
        stderr=search_bench.subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    ).stdout
    *profile, figures = output.strip().splitlines()
    print("\n".join(profile))
    print(json.dumps(json.loads(figures), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
