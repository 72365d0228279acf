"""Real app servers for the tests and benchmarks that need one.

``gunicorn_server(env)`` starts ``gunicorn -c gunicorn.conf.py`` on a free
port of 127.0.0.1 with the production settings (``DEBUG`` off), waits until it
answers, yields its base URL and stops it. ``migrated_sqlite(path)`` makes a
migrated SQLite database file to serve from. The server is a separate process:
it reads the database named in ``env`` (never pytest-django's test database).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
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
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    return result.stdout


def migrated_sqlite(path: Path) -> str:
    """Create and migrate a SQLite database at ``path``; return its URL."""
    url = f"sqlite:///{path}"
    manage(server_env(DATABASE_URL=url), "migrate", "--no-input")
    return url


@contextmanager
def gunicorn_server(env: dict[str, str], workers: int = 2, port: int | None = None,
                    timeout: float = 30.0):
    """Serve the site with gunicorn; yield ``(base_url, process)``."""
    port = port or free_port()
    env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(workers))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {process.returncode}: "
                    + process.stderr.read().decode(errors="replace")[-2000:]
                )
            try:
                urllib.request.urlopen(base_url + "/robots.txt", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer on {base_url}")
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
        process.stderr.close()
