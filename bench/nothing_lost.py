"""Nothing lost: tickets through the real contact form under load and faults.

    .venv/bin/python bench/nothing_lost.py
    .venv/bin/python bench/nothing_lost.py --engines sqlite --per-client 100 --kills 5

For each engine, the site is served by ``gunicorn -c gunicorn.conf.py`` with
the production settings (tests/servers.py): SQLite with one server, or
PostgreSQL + Redis with two servers on one database and one Redis, the
clients split between them. ``--clients`` browsers with JavaScript off each
read ``--per-client`` contact forms and send them (every form with its own
e-mail and client address, through ``HELPCENTER_TRUSTED_PROXIES=1``):

1. load: as fast as the servers answer;
2. faults: the same again while every worker of the first server is
   killed with SIGKILL ``--kills`` times, spread through the run; a POST
   that gets no answer is sent again as is (same submission key).

Then the served database is read: every acknowledged ticket must be stored
exactly once with its outbox e-mail, nothing stored twice, no 5xx and no
"database is locked" in the servers' logs. Prints one line per phase and
exits non-zero when anything was lost. PostgreSQL uses ``--pg-url`` (dropped
and created afresh; default TESTS_LIVE_DATABASE_URL or helpcenter_live) and
Redis ``--redis-url`` (flushed; default TESTS_LIVE_REDIS_URL or db 1).
"""

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import servers  # noqa: E402


def _percentile(values, fraction):
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0
    )


def _phase(name, urls, processes, env, args, logs, *, kills: int) -> bool:
    """Run one phase; print its line; return True when nothing was lost."""
    answers = []  # (monotonic time, base url)
    stop = threading.Event()
    killed = []

    def on_answer(url, _submission):
        answers.append((time.monotonic(), url))

    def killer():
        # Spread the kills over the posting: one every `interval` answers.
        expected = args.clients * args.per_client
        interval = max(1, expected // (kills + 1))
        while len(killed) < kills and not stop.wait(0.02):
            if len(answers) >= interval * (len(killed) + 1):
                pids = servers.worker_pids(processes[0])
                for pid in pids:
                    os.kill(pid, signal.SIGKILL)
                killed.append(len(pids))

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        submissions = servers.submit_in_parallel(
            urls,
            clients=args.clients,
            per_client=args.per_client,
            tag=name,
            retries=10 if kills else 0,
            on_answer=on_answer,
        )
    finally:
        stop.set()
        thread.join()
    stored = {
        key: row
        for key, row in servers.stored_tickets(env).items()
        if row["email"].startswith(f"{name}-")
    }
    acked = [s for s in submissions if servers.acknowledged(s)]
    keys = {s.fields["submission_key"] for s in acked}
    missing = len(keys - set(stored))
    unacked_stored = len(set(stored) - keys)
    twice = sum(1 for row in stored.values() if row["count"] != 1)
    no_email = sum(1 for row in stored.values() if row["emails"] != 1)
    errors = sum(1 for s in submissions if s.status >= 500)
    retried = sum(1 for s in submissions if len(s.seconds) > 1)
    locked = sum(
        log.read_text(errors="replace").count("database is locked") for log in logs
    )
    first = [s.seconds[0] for s in submissions]
    times = [moment for moment, _url in answers]
    rate = len(times) / (max(times) - min(times)) if len(times) > 1 else 0
    print(
        f"  {name:<6} submitted {len(submissions)}, acknowledged {len(acked)}, "
        f"stored {len(stored)} (missing {missing}, twice {twice}, without e-mail "
        f"{no_email}, unacknowledged {unacked_stored}); 5xx {errors}; "
        f'"database is locked" {locked}; kills {len(killed)} '
        f"(answers lost and sent again: {retried}); {rate:.0f} tickets/s; "
        f"POST p50 {statistics.median(first) * 1000:.0f} ms, "
        f"p99 {_percentile(first, 0.99) * 1000:.0f} ms",
        flush=True,
    )
    return (
        len(acked) == len(submissions)
        and missing == twice == no_email == errors == locked == 0
        and len(killed) == kills
    )


def _run(engine, args, folder: Path) -> bool:
    media = folder / "media"
    with ExitStack() as stack:
        if engine == "sqlite":
            url = servers.migrated_sqlite(folder / "db.sqlite3", servers.TOPIC_CREATE)
            extra, count = {}, 1
        else:
            reason = servers.unreachable(args.pg_url, args.redis_url)
            if reason:
                print(f"{engine}: skipped, {reason}")
                return True
            url = stack.enter_context(
                servers.migrated_postgres(args.pg_url, servers.TOPIC_CREATE)
            )
            extra, count = {"REDIS_URL": servers.redis_flushed(args.redis_url)}, 2
        env = servers.server_env(
            DATABASE_URL=url,
            HELPCENTER_TRUSTED_PROXIES="1",
            HELPCENTER_MEDIA_ROOT=str(media),
            **extra,
        )
        logs = [folder / f"{engine}-{n}.log" for n in range(count)]
        started = [
            stack.enter_context(
                servers.gunicorn_server(env, workers=args.workers, log=log)
            )
            for log in logs
        ]
        urls = [base for base, _process in started]
        processes = [process for _base, process in started]
        print(
            f"{engine}: {count} gunicorn server(s) x {args.workers} sync workers, "
            f"{args.clients} clients x {args.per_client} tickets",
            flush=True,
        )
        ok = _phase("load", urls, processes, env, args, logs, kills=0)
        ok &= _phase("faults", urls, processes, env, args, logs, kills=args.kills)
        print(f"{engine}: {'nothing lost' if ok else 'LOST OR FAILED'}", flush=True)
        return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--pg-url", default=servers.live_postgres_url())
    parser.add_argument("--redis-url", default=servers.live_redis_url())
    args = parser.parse_args()
    ok = True
    for engine in args.engines.split(","):
        with tempfile.TemporaryDirectory(prefix=f"nothing_lost_{engine}_") as folder:
            ok &= _run(engine, args, Path(folder))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
